package csvcell

import "testing"

func TestGuard(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"", ""},
		{"Abou Moussa", "Abou Moussa"},
		{"=1+1", "'=1+1"},
		{"+33 1 23", "'+33 1 23"},
		{"-2", "'-2"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"'quoted", "''quoted"},
		{"a=b", "a=b"},
	} {
		if got := Guard(c.in); got != c.out {
			t.Errorf("Guard(%q) = %q, want %q", c.in, got, c.out)
		}
		if got := Unguard(Guard(c.in)); got != c.in {
			t.Errorf("Unguard(Guard(%q)) = %q", c.in, got)
		}
	}
}

func FuzzGuard(f *testing.F) {
	for _, s := range []string{"", "=1", "'=1", "''", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g := Guard(s)
		if g != "" && g[0] != '\'' && (g[0] == '=' || g[0] == '+' || g[0] == '-' || g[0] == '@') {
			t.Fatalf("Guard(%q) = %q starts a formula", s, g)
		}
		if u := Unguard(g); u != s {
			t.Fatalf("Unguard(Guard(%q)) = %q", s, u)
		}
	})
}
