package jsonl_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"ctis"
	"ctis/jsonl"
)

func TestReaderNamesLinesAndFields(t *testing.T) {
	in := `{"id":"01JB0000000000000000000000","schema":"Person","statements":[{"property":"name","value":"Абу Мухаммад"}]}

{"schema":"Person","statements":[{"property":"name","value":7}]}
{"schema":"Person","statements":[],"extra":1}
{"schema":"Person"
{"schema":"Person"} {}
`
	r := jsonl.NewReader(strings.NewReader(in))
	e, line, err := r.Next()
	if err != nil || line != 1 || e.Statements[0].Value != "Абу Мухаммад" {
		t.Fatalf("line 1: %+v %d %v", e, line, err)
	}
	for _, want := range []string{
		"line 3: statements.value: expected string, got JSON number",
		`line 4: extra: unknown field "extra"`,
		"line 5: malformed JSON",
		"line 6: unexpected data after the JSON value",
	} {
		_, _, err := r.Next()
		var le *jsonl.LineError
		if !errors.As(err, &le) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("got %v, want prefix %q", err, want)
		}
		if ctis.ErrorCode(err) != ctis.EINVALID {
			t.Errorf("%v: code %s", err, ctis.ErrorCode(err))
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func TestReaderRejectsLongLines(t *testing.T) {
	r := jsonl.NewReader(strings.NewReader(strings.Repeat("x", 200) + "\n{\"schema\":\"Person\"}\n"))
	r.MaxLine = 100
	if _, _, err := r.Next(); ctis.ErrorCode(err) != ctis.ETOOLARGE || !strings.HasPrefix(err.Error(), "line 1:") {
		t.Fatalf("got %v", err)
	}
	if e, line, err := r.Next(); err != nil || line != 2 || e.Schema != "Person" {
		t.Fatalf("after a long line: %+v %d %v", e, line, err)
	}
}

// FuzzReader feeds arbitrary input to the importer's reader and validator:
// it must never panic, and whatever it accepts must validate.
func FuzzReader(f *testing.F) {
	f.Add(`{"id":"01JB0000000000000000000000","schema":"Person","statements":[{"property":"birthDate","value":"1971-07"}]}`)
	f.Add(`{"schema":"Document","statements":[{"property":"number","value":"A 123","handling":{"distribution":"agencies","agencies":["de-bka"]}}]}` + "\n{}")
	f.Add(`{"schema":"Person","statements":[{"property":"nationality","value":"ZZ","grading":"B9"}]}`)
	f.Add("\xff\xfe{")
	f.Fuzz(func(t *testing.T, in string) {
		r := jsonl.NewReader(strings.NewReader(in))
		r.MaxLine = 4096
		for range 100 {
			e, _, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if err.Error() == "" {
					t.Fatal("empty error")
				}
				continue
			}
			if schema, err := e.Validate("2026-01-01"); err == nil {
				for _, s := range e.Statements {
					p, ok := schema.Property(s.Property)
					if !ok {
						t.Fatalf("accepted unknown property %q", s.Property)
					}
					if _, err := ctis.NormalizeValue(p, s.Value); err != nil {
						t.Fatalf("accepted value that does not normalise: %v", err)
					}
				}
			}
		}
	})
}
