package web

import (
	"strings"
	"testing"
)

func TestReadSubjects(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		fail string
	}{
		{"name,birth_date,nationality\nOmar Zayani,1980,TN\n\"Haddad, Karim\",,\n", 2, ""},
		{"NAME\nA B\n", 1, ""},
		{`{"name":"Omar Zayani","birth_date":"1980"}` + "\n\n" + `{"name":"Karim Haddad"}`, 2, ""},
		{"birth_date\n1980\n", 0, "no name column"},
		{"name\n", 0, "at least one subject"},
		{"name\n\"unterminated\n", 0, "CSV line"},
		{`{"name":`, 0, "line 1"},
		{"", 0, "header row"},
	} {
		got, err := readSubjects(strings.NewReader(tt.in))
		if tt.fail != "" {
			if err == nil || !strings.Contains(err.Error(), tt.fail) {
				t.Errorf("%q: %v, want an error saying %q", tt.in, err, tt.fail)
			}
			continue
		}
		if err != nil || len(got) != tt.n {
			t.Errorf("%q: %d subjects, %v", tt.in, len(got), err)
		}
	}
}

func FuzzReadSubjects(f *testing.F) {
	f.Add("name,birth_date\nA B,1980\n")
	f.Add(`{"name":"A B"}`)
	f.Fuzz(func(t *testing.T, in string) {
		subjects, err := readSubjects(strings.NewReader(in))
		if err == nil && (len(subjects) == 0 || len(subjects) > 1000) {
			t.Fatalf("%d subjects accepted", len(subjects))
		}
	})
}
