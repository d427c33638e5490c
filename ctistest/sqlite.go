package ctistest

import (
	"context"
	"path/filepath"
	"testing"

	"ctis"
	"ctis/hashbank"
	"ctis/rules"
	"ctis/screen"
	"ctis/sqlite"
)

// SQLite is a node on a fresh SQLite store, its services wired as
// cmd/ctis wires them: the screening service wraps the store's entity
// writes, the hash engine its hash banks.
type SQLite struct {
	ctis.Services
	DB     *sqlite.DB
	Screen *screen.Service
	Hashes *hashbank.Service
}

// OpenSQLite opens an empty store in a temporary directory, closed when
// the test ends, and builds the node's services over it.
func OpenSQLite(t testing.TB, opts sqlite.Options) *SQLite {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ctis.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sc, err := screen.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := hashbank.New(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &SQLite{
		Services: ctis.Services{Directory: db, Auth: db, Entities: sc, Audit: db, Screener: sc, Review: db, Travel: db,
			Rules: rules.Service{Store: db}, Documents: db, Hashes: hashes},
		DB: db, Screen: sc, Hashes: hashes,
	}
}

// SeededSQLite is OpenSQLite with the store seeded by Seed.
func SeededSQLite(t testing.TB, opts sqlite.Options) *SQLite {
	t.Helper()
	n := OpenSQLite(t, opts)
	Seed(t, n.Services)
	return n
}
