package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ctis"
	"ctis/stix"
)

// TestSTIXExportImport: an export shows an agency only what its handling
// allows; a node importing the originator's bundle holds the same
// statements with the same handling; a bundle of another agency's
// statements is refused whole.
func TestSTIXExportImport(t *testing.T) {
	db := newNode(t)
	dir := t.TempDir()
	person, org := ctis.DerivedID("stix", "person"), ctis.DerivedID("stix", "org")
	subjects := filepath.Join(dir, "subjects.jsonl")
	os.WriteFile(subjects, []byte(`{"id":"`+org+`","schema":"Organization","statements":[`+
		`{"property":"name","value":"Front Zqorg","handling":{"distribution":"all","frontline":true},"grading":"A1"}]}`+"\n"+
		`{"id":"`+person+`","schema":"Person","statements":[`+
		`{"property":"name","value":"Abu Zqname","handling":{"distribution":"all","frontline":true,"hit_notice":true}},`+
		`{"property":"birthDate","value":"1980-03","handling":{"distribution":"originator"},"grading":"B2","review_by":"2028-01-31"},`+
		`{"property":"memberOf","value":"`+org+`","handling":{"distribution":"agencies","agencies":["DE-BKA"],"restriction":"H3","restriction_text":"Ask before any arrest."}}]}`+"\n"), 0o600)
	mustRun(t, "--db", db, "import", "--format", "jsonl", "--agency", "FR-DGSI", subjects)

	export := func(db, agency, format string) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), agency+"."+format)
		_, errOut, err := run(t, "", "--db", db, "export", "--format", format, "--agency", agency, "--purpose", "exchange 2026/3", "-o", path)
		if err != nil {
			t.Fatalf("export: %v %s", err, errOut)
		}
		return path
	}
	fr := export(db, "FR-DGSI", "stix")
	frBundle, _ := os.ReadFile(fr)
	frEntities, err := stix.Read(strings.NewReader(string(frBundle)), 0)
	if err != nil {
		t.Fatal(err)
	}
	deBundle, _ := os.ReadFile(export(db, "DE-BKA", "stix"))
	if strings.Contains(string(deBundle), "1980-03") || !strings.Contains(string(deBundle), "Zqname") || !strings.Contains(string(deBundle), "Ask before any arrest.") {
		t.Errorf("DE-BKA's export shows other than its handling allows:\n%s", deBundle)
	}
	if !strings.Contains(string(frBundle), "1980-03") {
		t.Errorf("FR-DGSI's export lacks its own statement")
	}

	// Another node imports FR-DGSI's bundle for FR-DGSI.
	other := newNode(t)
	if _, errOut, err := run(t, "", "--db", other, "import", "--format", "stix", "--agency", "DE-BKA", fr); err == nil || !strings.Contains(err.Error(), "originated by FR-DGSI") {
		t.Fatalf("importing FR-DGSI's statements as DE-BKA: %v %s", err, errOut)
	}
	if _, errOut, err := run(t, "", "--db", other, "import", "--format", "stix", "--agency", "FR-DGSI", "--check", fr); err != nil || !strings.Contains(errOut, "checked 2 entities, 4 statements") {
		t.Fatalf("check: %v %s", err, errOut)
	}
	_, errOut, err := run(t, "", "--db", other, "import", "--format", "stix", "--agency", "FR-DGSI", fr)
	if err != nil || !strings.Contains(errOut, "imported 2 entities (2 new), 4 statements") {
		t.Fatalf("import: %v %s", err, errOut)
	}
	if _, errOut, _ = run(t, "", "--db", other, "import", "--format", "stix", "--agency", "FR-DGSI", fr); !strings.Contains(errOut, "0 statements; 4 skipped") {
		t.Errorf("re-import: %s", errOut)
	}
	back, _ := os.ReadFile(export(other, "FR-DGSI", "stix"))
	backEntities, err := stix.Read(strings.NewReader(string(back)), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := contents(backEntities), contents(frEntities); !slices.Equal(got, want) {
		t.Errorf("after the trip:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(strings.Replace(string(frBundle), `"distribution":"originator"`, `"distribution":"everyone"`, 1)), 0o600)
	if _, _, err := run(t, "", "--db", other, "import", "--format", "stix", "--agency", "FR-DGSI", broken); err == nil ||
		!strings.Contains(err.Error(), `unknown distribution "everyone"`) || !strings.Contains(err.Error(), "nothing was imported") {
		t.Errorf("broken bundle: %v", err)
	}
}

// contents lists what each statement says and how it is handled, without
// the IDs a node gives.
func contents(es []ctis.Entity) []string {
	var out []string
	for _, e := range es {
		for _, s := range e.Statements {
			v := s.Value
			if s.Property == "memberOf" {
				v = "(entity)"
			}
			h, _ := json.Marshal(s.Handling)
			out = append(out, strings.Join([]string{e.Schema, s.Property, v, s.Originator, string(h), string(s.Grading), s.ReviewBy}, " "))
		}
	}
	slices.Sort(out)
	return out
}
