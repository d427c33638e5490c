package store

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`, `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`},
		{`SELECT '?', "a?b", ? FROM t`, `SELECT '?', "a?b", $1 FROM t`},
		{`SELECT 'it''s ?' || ?`, `SELECT 'it''s ?' || $1`},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{`SELECT ? - ?`, `SELECT $1 - $2`},
		{`SELECT 'open ?`, `SELECT 'open ?`},
		{`SELECT ? -- to the end ?`, `SELECT $1 -- to the end ?`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsPostgres(t *testing.T) {
	for dsn, want := range map[string]bool{
		"postgres://u@h/db":          true,
		"postgresql:///db?host=/run": true,
		"ctis.db":                    false,
		"/var/lib/ctis/postgres.db":  false,
		"postgres.db":                false,
	} {
		if IsPostgres(dsn) != want {
			t.Errorf("IsPostgres(%q) = %v", dsn, !want)
		}
	}
	if got := Describe("postgres://ctis:secret@db/ctis"); got != "postgres://ctis:xxxxx@db/ctis" {
		t.Errorf("describe shows %q", got)
	}
}
