package node

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"ctis"
	"ctis/health"
	"ctis/store"
)

func open(t *testing.T) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ctis.db")
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func reason(err error) string {
	var nr *health.NotReady
	if errors.As(err, &nr) {
		return nr.Reason
	}
	if err != nil {
		return "not a NotReady: " + err.Error()
	}
	return ""
}

func TestStoreReady(t *testing.T) {
	db, _ := open(t)
	check := StoreReady(db)
	if err := check.Ready(context.Background()); err != nil {
		t.Fatalf("open store: %v", err)
	}
	db.Close()
	if got := reason(check.Ready(context.Background())); got != "not answering" {
		t.Errorf("closed store: %q", got)
	}
}

// TestIndexReady: an index is ready once built and, when it can tell how
// far behind the store it is, while it is not further behind than allowed.
func TestIndexReady(t *testing.T) {
	built := false
	var lag int64
	behind := func(context.Context) (int64, error) { return lag, nil }
	check := IndexReady("screening index", func() bool { return built }, behind, 10)
	ctx := context.Background()
	if got := reason(check.Ready(ctx)); got != "building" {
		t.Errorf("unbuilt: %q", got)
	}
	built = true
	for _, c := range []struct {
		lag  int64
		want string
	}{{0, ""}, {10, ""}, {12, "behind the database by 12 changes"}} {
		lag = c.lag
		if got := reason(check.Ready(ctx)); got != c.want {
			t.Errorf("lag %d: %q, want %q", c.lag, got, c.want)
		}
	}
	if err := IndexReady("hash index", func() bool { return true }, nil, 0).Ready(ctx); err != nil {
		t.Errorf("built, no lag to tell: %v", err)
	}
}

// TestCounts: the counts read over their own connection follow the
// store's writes.
func TestCounts(t *testing.T) {
	db, path := open(t)
	c, err := OpenCounts(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	before, err := c.AuditEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAgency(ctis.NewContext(ctx, ctis.SystemIdentity("test")), ctis.Agency{Code: "FR-DGSI", Name: "DGSI", Country: "FR", Kind: "security"}); err != nil {
		t.Fatal(err)
	}
	if after, err := c.AuditEvents(ctx); err != nil || after <= before {
		t.Errorf("audit events %d after an audited write, %d before (%v)", after, before, err)
	}
	if n, err := c.OpenHits(ctx); err != nil || n != 0 {
		t.Errorf("open hits of a new store: %d, %v", n, err)
	}
}
