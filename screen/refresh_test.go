package screen_test

import (
	"context"
	"sync"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/screen"
	"ctis/store"
)

// heldBuild is a store whose full load for the index (all entities),
// once hold is set, waits after its first entity until the test lets it
// go: a rebuild caught in the middle, its read of the store begun.
type heldBuild struct {
	*store.DB
	hold     bool
	started  chan struct{}
	release  chan struct{}
	holdOnce sync.Once
}

func (h *heldBuild) ScreeningStatements(ctx context.Context, ids []string, fn func(*ctis.Entity) error) error {
	if ids != nil || !h.hold {
		return h.DB.ScreeningStatements(ctx, ids, fn)
	}
	return h.DB.ScreeningStatements(ctx, ids, func(e *ctis.Entity) error {
		h.holdOnce.Do(func() {
			close(h.started)
			<-h.release
		})
		return fn(e)
	})
}

// TestRefreshBuildsAside rebuilds the index while officers screen and an
// analyst writes: screenings are answered by the old index meanwhile,
// and the write made during the rebuild, which its read of the store
// began too early to see, is in the new one when the rebuild is done.
func TestRefreshBuildsAside(t *testing.T) {
	ctx := context.Background()
	n := ctistest.SeededStore(t, engine, store.Options{})
	st := &heldBuild{DB: n.DB, started: make(chan struct{}), release: make(chan struct{})}
	svc, err := screen.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	fr, de := as(ctistest.FR, ctis.RoleAnalyst), as(ctistest.DE, ctis.RoleFrontline)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	if _, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all, "name", "Abdullah Yusuf Azzam")}); err != nil {
		t.Fatal(err)
	}
	hits := func(name string) int {
		t.Helper()
		res, err := svc.Screen(de, ctis.Subject{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return len(res.Hits)
	}

	st.hold = true
	refreshed := make(chan error)
	go func() { refreshed <- svc.Refresh(ctx) }()
	<-st.started
	// The rebuild is under way, and held: the old index answers.
	if got := hits("Abdullah Yusuf Azzam"); got != 1 {
		t.Fatalf("during the rebuild: %d hits, want 1", got)
	}
	if _, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all, "name", "Karim Haddad")}); err != nil {
		t.Fatal(err)
	}
	if got := hits("Karim Haddad"); got != 1 {
		t.Fatalf("written during the rebuild, before its end: %d hits, want 1", got)
	}
	close(st.release)
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Abdullah Yusuf Azzam", "Karim Haddad"} {
		if got := hits(name); got != 1 {
			t.Errorf("after the rebuild, %s: %d hits, want 1", name, got)
		}
	}
	if behind, err := svc.Behind(ctx); err != nil || behind != 0 {
		t.Errorf("behind by %d after the rebuild (%v)", behind, err)
	}
}
