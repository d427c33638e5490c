package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ctis"
)

// TestScreenBatchMalformedFields: ctis screen --batch screens a subject
// whose birth date, nationality or gender does not pass on the rest, with
// a warning in its result line; a line without a usable name nor a
// document to screen by gets an error line in its place, and the others
// are screened all the same.
func TestScreenBatchMalformedFields(t *testing.T) {
	db := newNode(t)
	list := filepath.Join(t.TempDir(), "list.jsonl")
	os.WriteFile(list, []byte(`{"id":"`+ctis.DerivedID("test", "1")+`","schema":"Person","statements":[`+
		`{"property":"name","value":"Abdullah Yusuf Azzam","handling":{"distribution":"all","frontline":true}},`+
		`{"property":"birthDate","value":"1941-11-14","handling":{"distribution":"all","frontline":true}},`+
		`{"property":"passportNumber","value":"X1234567","handling":{"distribution":"all","frontline":true}}]}`+"\n"), 0o600)
	mustRun(t, "--db", db, "import", "--format", "jsonl", "--agency", "FR-DGSI", list)

	batch := filepath.Join(t.TempDir(), "batch.jsonl")
	os.WriteFile(batch, []byte(strings.Join([]string{
		`{"name":"Abdullah Azzam","birth_date":"1969-7-16"}`,
		`{"name":"Abdullah Azzam","birth_date":"1974-01-32","nationality":"Atlantis"}`,
		`{"name":"Abdullah Azzam","birth_date":"1968-13-30","gender":"x"}`,
		`{"name":"","birth_date":"1941"}`,
		`{"document_number":"X1234567"}`,
		`not json`,
	}, "\n")+"\n"), 0o600)
	out, _, err := run(t, "", "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "flight LH600", "--batch", batch)
	if err == nil || !strings.Contains(err.Error(), "2 of the lines were not screened") {
		t.Errorf("exit: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines for 6:\n%s", len(lines), out)
	}
	for i, want := range []string{"birth_date", "nationality", "gender", "", "document number alone"} {
		if i == 3 {
			var e struct {
				Line  int
				Error struct{ Code, Field string }
			}
			if json.Unmarshal([]byte(lines[i]), &e) != nil || e.Line != 4 || e.Error.Code != "invalid" || e.Error.Field != "name" {
				t.Errorf("line 4: %s", lines[i])
			}
			continue
		}
		var r ctis.ScreenResult
		if err := json.Unmarshal([]byte(lines[i]), &r); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, lines[i])
		}
		if len(r.Hits) != 1 || !strings.Contains(strings.Join(r.Warnings, "\n"), want) {
			t.Errorf("line %d: hits %d, warnings %q, want one about %s", i+1, len(r.Hits), r.Warnings, want)
		}
	}
	if !strings.Contains(lines[5], `"line":6`) {
		t.Errorf("line 6: %s", lines[5])
	}
}

// TestScreenMinScore: --min-score shows the hits just under the threshold,
// and refuses a score under 0.5.
func TestScreenMinScore(t *testing.T) {
	db := newNode(t)
	list := filepath.Join(t.TempDir(), "list.jsonl")
	os.WriteFile(list, []byte(`{"id":"`+ctis.DerivedID("test", "1")+`","schema":"Person","statements":[`+
		`{"property":"name","value":"Abdullah Yusuf Azzam","handling":{"distribution":"all","frontline":true}},`+
		`{"property":"birthDate","value":"1941-11-14","handling":{"distribution":"all","frontline":true}}]}`+"\n"), 0o600)
	mustRun(t, "--db", db, "import", "--format", "jsonl", "--agency", "FR-DGSI", list)
	args := []string{"--db", db, "screen", "--agency", "DE-BKA", "--purpose", "case 17", "--name", "Abdullah Yusuf Azzam", "--birth-date", "1990-06-01"}
	if out := mustRun(t, args...); !strings.HasPrefix(out, "no hit for") {
		t.Errorf("at the threshold:\n%s", out)
	}
	if out := mustRun(t, append(args, "--min-score", "0.5")...); !strings.HasPrefix(out, "HIT 0.") {
		t.Errorf("from 0.5:\n%s", out)
	}
	if _, _, err := run(t, "", append(args, "--min-score", "0.2")...); err == nil || !strings.Contains(err.Error(), "from 0.5 to 1") {
		t.Errorf("from 0.2: %v", err)
	}
	if out := mustRun(t, "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "case 17", "--name", "Abdullah Azzam", "--birth-date", "1941-13-14"); !strings.HasPrefix(out, "warning: screened without birth_date") || !strings.Contains(out, "HIT") {
		t.Errorf("a malformed birth date:\n%s", out)
	}
}
