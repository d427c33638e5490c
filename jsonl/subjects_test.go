package jsonl

import (
	"strings"
	"testing"

	"ctis"
)

func TestReadSubjects(t *testing.T) {
	for in, want := range map[string]string{
		"name,birth_date\nAnna Roe,1969-7-16\n":                 "",
		`{"name":"Anna Roe","birth_date":"1969-7-16"}` + "\n\n": "",
		`{"name":"Anna Roe","nmae":"x"}`:                        `line 1: nmae: unknown field "nmae"`,
		`{"name":"Anna Roe","name":"Bob Roe"}`:                  `duplicate key "name"`,
		"{\"name\":\"Anna \xff\"}":                              "invalid UTF-8",
		"birth_date\n1970\n":                                    "no name column",
		"name\n":                                                "needs a header row",
		"":                                                      "needs a header row",
		strings.Repeat("name\nA\n", 1) + strings.Repeat("B\n", ctis.MaxBatch): "1 to 1000 subjects",
	} {
		subjects, err := ReadSubjects(strings.NewReader(in))
		if want == "" {
			if err != nil || len(subjects) != 1 || subjects[0].Name != "Anna Roe" || subjects[0].BirthDate != "1969-7-16" {
				t.Errorf("%q: %v %+v", in, err, subjects)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) || ctis.ErrorField(err) != "file" {
			t.Errorf("%q: %v, want %q on the field file", in, err, want)
		}
	}
}

func TestReadSubjectsForms(t *testing.T) {
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
		got, err := ReadSubjects(strings.NewReader(tt.in))
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
	f.Add("name,birth_date\nAnna Roe,1969-7-16\n")
	f.Add(`{"name":"Anna Roe"}`)
	f.Add("name\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		subjects, err := ReadSubjects(strings.NewReader(in))
		if err != nil && ctis.ErrorField(err) != "file" {
			t.Fatalf("an error not naming the file: %v", err)
		}
		if err == nil && (len(subjects) == 0 || len(subjects) > ctis.MaxBatch) {
			t.Fatalf("%d subjects", len(subjects))
		}
	})
}
