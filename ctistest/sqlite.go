package ctistest

import (
	"context"
	"path/filepath"
	"testing"

	"ctis"
	"ctis/hashbank"
	"ctis/node"
	"ctis/screen"
	"ctis/store"
)

// SQLite is a node on a fresh SQLite store, its services assembled by
// node.Services as serve assembles them.
type SQLite struct {
	ctis.Services
	DB     *store.DB
	Screen *screen.Service
	Hashes *hashbank.Service
}

// OpenSQLite opens an empty store in a temporary directory, closed when
// the test ends, and builds the node's services over it.
func OpenSQLite(t testing.TB, opts store.Options) *SQLite {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "ctis.db"), opts)
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
		Services: node.Services(db, sc, hashes),
		DB:       db, Screen: sc, Hashes: hashes,
	}
}

// SeededSQLite is OpenSQLite with the store seeded by Seed.
func SeededSQLite(t testing.TB, opts store.Options) *SQLite {
	t.Helper()
	n := OpenSQLite(t, opts)
	Seed(t, n.Services)
	return n
}
