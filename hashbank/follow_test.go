package hashbank_test

import (
	"context"
	"path/filepath"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/hashbank"
	"ctis/store"
)

// TestIndexesFollowWritesOfAnotherProcess opens one database twice, as
// two processes would. A bank, its entries and an entry disabled through
// one reach the other's indexes when it catches up.
func TestIndexesFollowWritesOfAnotherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ctis.db")
	open := func() (*store.DB, *hashbank.Service) {
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		svc, err := hashbank.New(ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		return db, svc
	}
	dbA, a := open()
	for _, ag := range append(ctistest.Agencies, ctistest.Platform) {
		if _, err := dbA.CreateAgency(ctistest.System, ag); err != nil {
			t.Fatal(err)
		}
	}
	_, b := open()
	host := as("VIDEOHOST", ctis.RoleAnalyst)
	matches := func(svc *hashbank.Service) int {
		t.Helper()
		res, err := svc.MatchHashes(host, queries(), ctis.DefaultRadius)
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Matches)
	}
	catchUp := func(svc *hashbank.Service) {
		t.Helper()
		if n, err := svc.Behind(ctx); err != nil || n == 0 {
			t.Fatalf("not behind (%d, %v) after a write elsewhere", n, err)
		}
		if _, err := svc.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.Behind(ctx); n != 0 {
			t.Fatalf("behind by %d after catching up", n)
		}
	}

	_, entries := fill(t, a, ctis.Handling{Distribution: ctis.DistAll, Frontline: true})
	if matches(a) != 3 || matches(b) != 0 {
		t.Fatal("before catching up: A should match, B not yet")
	}
	catchUp(b)
	if n := matches(b); n != 3 {
		t.Fatalf("B matches %d after catching up, want 3", n)
	}
	if _, err := a.SetHashDisabled(as("FR-DGSI", ctis.RoleAnalyst), entries[0].ID, true, "duplicate"); err != nil {
		t.Fatal(err)
	}
	catchUp(b)
	if n := matches(b); n != 2 {
		t.Fatalf("B matches %d after the PDQ entry was disabled elsewhere, want 2", n)
	}
}
