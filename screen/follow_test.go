package screen_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/screen"
	"ctis/store"
)

// TestIndexFollowsWritesOfAnotherProcess opens one database twice, as two
// processes would, each with its own index. What one writes, and what is
// written to the store directly (a command), the other screens once it
// has caught up, and until then says it is behind.
func TestIndexFollowsWritesOfAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ctis.db")
	open := func() (*store.DB, *screen.Service) {
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		svc, err := screen.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		return db, svc
	}
	dbA, a := open()
	for _, ag := range ctistest.Agencies {
		if _, err := dbA.CreateAgency(system, ag); err != nil {
			t.Fatal(err)
		}
	}
	dbB, b := open()
	fr, de := as(ctistest.FR, ctis.RoleAnalyst), as(ctistest.DE, ctis.RoleFrontline)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	hits := func(svc *screen.Service, name string) int {
		t.Helper()
		res, err := svc.Screen(de, ctis.Subject{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Hits)
	}
	caughtUp := func(svc *screen.Service, want int64) {
		t.Helper()
		if n, err := svc.Behind(ctx); err != nil || n != want {
			t.Fatalf("behind by %d (%v), want %d", n, err, want)
		}
		if _, err := svc.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.Behind(ctx); n != 0 {
			t.Fatalf("still behind by %d after catching up", n)
		}
	}

	// Written through A: A has it at once, B after catching up.
	e, err := a.CreateEntity(fr, ctistest.Person("Abdullah Yusuf Azzam", all))
	if err != nil {
		t.Fatal(err)
	}
	if hits(a, "Abdullah Azzam") != 1 || hits(b, "Abdullah Azzam") != 0 {
		t.Fatal("before catching up: A should hit, B not yet")
	}
	caughtUp(b, 1)
	if hits(b, "Abdullah Azzam") != 1 {
		t.Fatal("B does not screen what A wrote after catching up")
	}

	// An import of many entities straight into the store, as the import
	// command does: logged once per entity.
	var batch []ctis.NewEntity
	for i, n := range []string{"Ayman al-Zawahiri", "Hamza bin Laden", "Saif al-Adel"} {
		p := ctistest.Person(n, all)
		p.ID = ctis.DerivedID("follow-test", strconv.Itoa(i))
		batch = append(batch, p)
	}
	if _, err := dbB.Import(fr, batch); err != nil {
		t.Fatal(err)
	}
	caughtUp(a, 4) // its own write, then the import's three
	if hits(a, "Saif al Adel") != 1 {
		t.Fatal("A does not screen an entity imported into the store")
	}

	// A withdrawal through A: B stops hitting after catching up.
	if _, err := a.WithdrawStatement(fr, e.Statements[0].ID, "wrong person"); err != nil {
		t.Fatal(err)
	}
	caughtUp(b, 4) // the import's three, then the withdrawal
	if hits(b, "Abdullah Azzam") != 0 {
		t.Fatal("B still hits a withdrawn statement after catching up")
	}
}
