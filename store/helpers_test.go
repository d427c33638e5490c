package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"ctis"
	"ctis/benchhost"
	"ctis/ctistest"
	"ctis/store"
)

// engine is the engine the package's tests run on: TestMain runs them all
// on each of ctistest.Engines in turn.
var engine ctistest.Engine

func TestMain(m *testing.M) {
	benchhost.PrintIfBench()
	os.Exit(ctistest.RunEngines(m, &engine))
}

// TestEngines says when the tests ran on SQLite alone.
func TestEngines(t *testing.T) {
	if os.Getenv(ctistest.PostgresEnv) == "" {
		t.Skip(ctistest.PostgresEnv + " is not set: the store's tests ran on SQLite only")
	}
}

// newStore returns the address of a fresh store on the engine under test.
func newStore(t testing.TB) string {
	t.Helper()
	return ctistest.TempStore(t, engine)
}

func openDB(t testing.TB, opts store.Options) *store.DB {
	t.Helper()
	return openAt(t, newStore(t), opts)
}

// openAt opens the store at dsn, closed when the test ends.
func openAt(t testing.TB, dsn string, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("on %s: %v", engine, err)
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

// copyDB copies a closed store into a fresh one.
func copyDB(t *testing.T, dsn string) string {
	t.Helper()
	return ctistest.CopyStore(t, dsn)
}

// dropTrigger is the statement that drops one of the append-only triggers
// of table.
func dropTrigger(name, table string) string {
	if engine == ctistest.Postgres {
		return `DROP TRIGGER ` + name + ` ON ` + table
	}
	return `DROP TRIGGER ` + name
}
