package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

func openDB(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// system acts as the local operator; as as a user of an agency holding
// roles, for the kit's purpose.
var (
	system = ctistest.System
	as     = ctistest.As
)

func mustAgency(t testing.TB, db *store.DB, code, country string) {
	t.Helper()
	if _, err := db.CreateAgency(system, ctis.Agency{Code: code, Name: "Agency " + code, Country: country, Kind: "security"}); err != nil {
		t.Fatal(err)
	}
}

// person is a Person known by name under h.
var person = ctistest.Person

func timeOf(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// copyDB copies a closed database file into a new temporary directory.
func copyDB(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
