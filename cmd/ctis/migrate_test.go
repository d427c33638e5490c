package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/demo"
	"ctis/hashbank"
	"ctis/store"
)

// postgresFor returns a fresh PostgreSQL database for a test, or skips it
// when no server is given.
func postgresFor(t *testing.T) string {
	t.Helper()
	if os.Getenv(ctistest.PostgresEnv) == "" {
		t.Skip(ctistest.PostgresEnv + " is not set: no PostgreSQL to migrate to")
	}
	return ctistest.TempStore(t, ctistest.Postgres)
}

// TestMigrateDemoToPostgres copies the demo node — agencies, users,
// entities, hash banks and their entries, and the audit trail of it all —
// into PostgreSQL; the copy answers as the original did and goes on.
func TestMigrateDemoToPostgres(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(operator(ctx), db); err != nil {
		t.Fatal(err)
	}
	hashes, err := hashbank.New(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedHashes(operator(ctx), hashes); err != nil {
		t.Fatal(err)
	}
	fr := ctistest.As("FR-DGSI", ctis.RoleAnalyst)
	exported := func(db *store.DB) []string {
		t.Helper()
		var out []string
		if err := db.Export(fr, func(e *ctis.Entity) error {
			out = append(out, e.ID+":"+strconv.Itoa(len(e.Statements)))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := exported(db)
	db.Close()

	to := postgresFor(t)
	out := mustRun(t, "--db", path, "migrate", "--to", to)
	if !strings.Contains(out, "audit trail verified") || !strings.Contains(out, "statements") {
		t.Fatalf("migrate printed %q", out)
	}
	pg, err := store.Open(ctx, to, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if got := exported(pg); len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("FR-DGSI exports %v from the copy, %v from the original", got, want)
	}
	// The copy takes new writes after the copied keys and chain.
	if _, err := pg.CreateEntity(fr, ctistest.Person("Karim Belkacem", ctis.Handling{Distribution: ctis.DistAll})); err != nil {
		t.Fatal(err)
	}
	if rep, err := pg.Verify(operator(ctx), nil); err != nil || !rep.OK {
		t.Fatalf("audit after a write to the copy: %+v %v", rep, err)
	}
	// A second copy into a database that is not empty is refused.
	if _, _, err := run(t, "", "--db", path, "migrate", "--to", to); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a copy into a database in use: %v", err)
	}
}

// TestMigrate100kStatements copies a node of 100,000 statements.
func TestMigrate100kStatements(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	to := postgresFor(t)
	db := newNode(t)
	file, _ := writeSubjects(t, 20_000, 5)
	mustRun(t, "--db", db, "import", "--agency", "FR-DGSI", file)
	out := mustRun(t, "--db", db, "migrate", "--to", to)
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "statements" && (f[1] != "100000" || f[2] != "100000") {
			t.Fatalf("statements copied: %q", line)
		}
	}
	if !strings.Contains(out, "audit trail verified") {
		t.Fatalf("migrate printed %q", out)
	}
}
