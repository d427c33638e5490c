package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ctis"
	"ctis/sqlite"
)

func openDB(t testing.TB, opts sqlite.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var system = ctis.NewContext(context.Background(), ctis.SystemIdentity("test"))

// as returns a context acting as a user of agency with roles, for purpose.
func as(agency string, roles ...ctis.Role) context.Context {
	id := ctis.Identity{UserID: agency + "-" + string(roles[0]), Username: agency + "." + string(roles[0]), Agency: agency, Roles: roles}
	return ctis.WithPurpose(ctis.NewContext(context.Background(), id), "case 2026/17")
}

func mustAgency(t testing.TB, db *sqlite.DB, code, country string) {
	t.Helper()
	if _, err := db.CreateAgency(system, ctis.Agency{Code: code, Name: "Agency " + code, Country: country, Kind: "security"}); err != nil {
		t.Fatal(err)
	}
}

func person(name string, h ctis.Handling) ctis.NewEntity {
	return ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{{Property: "name", Value: name, Handling: h, Grading: "B2"}}}
}

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
