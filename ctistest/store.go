package ctistest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"ctis"
	"ctis/hashbank"
	"ctis/node"
	"ctis/screen"
	"ctis/store"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// An Engine is a database engine the store runs on.
type Engine string

// The store's engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// PostgresEnv names the environment variable holding the URL of a
// PostgreSQL server on which the tests may create and drop databases.
const PostgresEnv = "CTIS_TEST_POSTGRES"

// Engines lists the engines the store's tests run on: SQLite always,
// PostgreSQL when PostgresEnv names a server.
func Engines() []Engine {
	if os.Getenv(PostgresEnv) == "" {
		return []Engine{SQLite}
	}
	return []Engine{SQLite, Postgres}
}

// RunEngines runs a package's tests once on each of Engines, setting
// *engine to the engine of the run, with the PostgreSQL run's databases
// copied from one template (withPostgresTemplate). It is for the
// package's TestMain, and returns the exit code:
//
//	var engine ctistest.Engine
//
//	func TestMain(m *testing.M) { os.Exit(ctistest.RunEngines(m, &engine)) }
func RunEngines(m *testing.M, engine *Engine) int {
	code := 0
	engines := Engines()
	for _, e := range engines {
		*engine = e
		if len(engines) > 1 {
			fmt.Printf("tests on %s\n", e)
		}
		run := m.Run
		if e == Postgres {
			run = func() int { return withPostgresTemplate(m.Run) }
		}
		if c := run(); c != 0 {
			code = c
		}
	}
	return code
}

// TempStore returns the address of a fresh, empty store on engine, for
// store.Open: a file in a temporary directory, or a PostgreSQL database
// of its own, dropped when the test ends.
func TempStore(t testing.TB, e Engine) string {
	t.Helper()
	if e == SQLite {
		return filepath.Join(t.TempDir(), "ctis.db")
	}
	return createDatabase(t, template)
}

// template is a migrated, empty database that PostgreSQL stores are
// copied from, set while withPostgresTemplate runs: a copy costs less
// than running the migrations again.
var template string

// withPostgresTemplate runs the tests of run, when PostgresEnv names a
// server, with a migrated template for TempStore's databases, and drops
// the template after. It returns run's exit code.
func withPostgresTemplate(run func() int) int {
	server := os.Getenv(PostgresEnv)
	if server == "" {
		return run()
	}
	name, err := newTemplate(server)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ctistest: a template database on %s: %v\n", PostgresEnv, err)
		return 1
	}
	template = name
	defer func() {
		template = ""
		if err := exec(server, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "ctistest: dropping template database %s: %v\n", name, err)
		}
	}()
	return run()
}

// newTemplate creates a database on server and migrates it.
func newTemplate(server string) (string, error) {
	name := randomName("ctis_template_")
	if err := exec(server, createQuery(name, "")); err != nil {
		return "", err
	}
	db, err := store.Open(context.Background(), withDatabase(server, name), store.Options{})
	if err == nil {
		err = db.Close()
	}
	if err != nil {
		exec(server, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		return "", err
	}
	return name, nil
}

// exec runs one statement on server's default database.
func exec(server, q string) error {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return err
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = admin.ExecContext(ctx, q)
	return err
}

func randomName(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// createQuery creates database name as a copy of template, or empty, its
// text in byte order as in SQLite whatever the server's default locale.
func createQuery(name, template string) string {
	if template != "" {
		return `CREATE DATABASE ` + name + ` TEMPLATE ` + template
	}
	return `CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`
}

// withDatabase returns the URL of database name on server.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

// CopyStore copies a closed store into a fresh one and returns the copy's
// address.
func CopyStore(t testing.TB, dsn string) string {
	t.Helper()
	if !store.IsPostgres(dsn) {
		b, err := os.ReadFile(dsn)
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(out, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return out
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return createDatabase(t, u.Path[1:])
}

// RawStore opens a store's database directly, under the node's back, as
// an intruder with access to the file or the server would.
func RawStore(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	driver, name := "sqlite", "file:"+dsn
	if store.IsPostgres(dsn) {
		driver, name = "pgx", dsn
	}
	raw, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// createDatabase creates a database on the server of PostgresEnv, a copy
// of template when one is named, and returns its URL. The database is
// dropped when the test ends.
func createDatabase(t testing.TB, template string) string {
	t.Helper()
	server := os.Getenv(PostgresEnv)
	if server == "" {
		t.Skip(PostgresEnv + " is not set: no PostgreSQL server to test on")
	}
	name := randomName("ctis_test_")
	if err := exec(server, createQuery(name, template)); err != nil {
		t.Fatalf("creating a test database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(server, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	return withDatabase(server, name)
}

// Node is a node on a fresh store, its services assembled by
// node.Services as serve assembles them.
type Node struct {
	ctis.Services
	DB     *store.DB
	Screen *screen.Service
	Hashes *hashbank.Service
}

// OpenStore opens an empty store on engine, closed (and dropped) when the
// test ends, and builds the node's services over it.
func OpenStore(t testing.TB, e Engine, opts store.Options) *Node {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, TempStore(t, e), opts)
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
	return &Node{
		Services: node.Services(db, sc, hashes),
		DB:       db, Screen: sc, Hashes: hashes,
	}
}

// SeededStore is OpenStore with the store seeded by Seed.
func SeededStore(t testing.TB, e Engine, opts store.Options) *Node {
	t.Helper()
	n := OpenStore(t, e, opts)
	Seed(t, n.Services)
	return n
}
