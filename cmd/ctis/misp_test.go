package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestImportMISP: the sample MISP feed goes into a bank whose handling is
// as narrow as the feed's, with its suspect as a Person; a bank that
// would release it further, or a broken feed, stores nothing; a second
// import adds nothing.
func TestImportMISP(t *testing.T) {
	db := newNode(t)
	feed := "../../misp/testdata/feed"
	bank := func(args ...string) string {
		out := mustRun(t, append([]string{"--db", db, "hashbank", "create", "--agency", "FR-DGSI", "--name", "misp"}, args...)...)
		return regexp.MustCompile(`bank (\S+)`).FindStringSubmatch(out)[1]
	}
	wide, narrow := bank("--distribution", "all"), bank("--distribution", "all", "--restriction", "H2")
	entries := func(b string) int {
		out := mustRun(t, "--db", db, "hashbank", "export", "--agency", "FR-DGSI", "--bank", b, "--format", "jsonl")
		return strings.Count(out, "\n")
	}

	if _, _, err := run(t, "", "--db", db, "import", "--format", "misp", "--agency", "FR-DGSI", feed); err == nil || !strings.Contains(err.Error(), "give --bank") {
		t.Fatalf("without a bank: %v", err)
	}
	_, _, err := run(t, "", "--db", db, "import", "--format", "misp", "--agency", "FR-DGSI", "--bank", wide, feed)
	if err == nil || !strings.Contains(err.Error(), "7a41d2b9-6c0e-4f85-b3a2-8e19c5d04f62.json: Event.Attribute[0]") ||
		!strings.Contains(err.Error(), "import into a bank under H2") || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("into a bank without H2: %v", err)
	}
	if n := entries(wide); n != 0 {
		t.Fatalf("a refused import stored %d entries", n)
	}

	broken := t.TempDir()
	for _, name := range []string{"manifest.json", "5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11.json", "7a41d2b9-6c0e-4f85-b3a2-8e19c5d04f62.json"} {
		data, _ := os.ReadFile(filepath.Join(feed, name))
		os.WriteFile(filepath.Join(broken, name), []byte(strings.Replace(string(data), `"distribution": "1"`, `"distribution": "8"`, 1)), 0o600)
	}
	if _, _, err := run(t, "", "--db", db, "import", "--format", "misp", "--agency", "FR-DGSI", "--bank", narrow, broken); err == nil ||
		!strings.Contains(err.Error(), "7a41d2b9-6c0e-4f85-b3a2-8e19c5d04f62.json: Event.distribution: unknown distribution 8") {
		t.Fatalf("a broken feed: %v", err)
	}

	if _, errOut, err := run(t, "", "--db", db, "import", "--format", "misp", "--agency", "FR-DGSI", "--bank", narrow, "--check", feed); err != nil ||
		!strings.Contains(errOut, "checked 2 events: 6 hashes and URLs, 1 persons with 4 statements") {
		t.Fatalf("check: %v %s", err, errOut)
	}
	if n := entries(narrow); n != 0 {
		t.Fatalf("--check stored %d entries", n)
	}
	_, errOut, err := run(t, "", "--db", db, "import", "--format", "misp", "--agency", "FR-DGSI", "--bank", narrow, feed)
	if err != nil || !strings.Contains(errOut, "imported 2 events: 6 hashes and URLs stored in bank "+narrow+"; 1 persons (1 new), 4 statements") ||
		!strings.Contains(errOut, "warning: left out 1 attributes of type ip-dst") || !strings.Contains(errOut, "warning: left out 1 persons not named as suspects") {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	if n := entries(narrow); n != 6 {
		t.Errorf("%d entries in the bank", n)
	}
	if _, errOut, _ = run(t, "", "--db", db, "import", "--format", "misp", "--agency", "FR-DGSI", "--bank", narrow, feed); !strings.Contains(errOut, "0 statements, 4 skipped as already present") {
		t.Errorf("again: %s", errOut)
	}
	// The suspect is screened like any Person, by DE-BKA too (all members).
	out := mustRun(t, "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "case 1", "--name", "Abu Zqtestani")
	if !strings.Contains(out, "Zqtestani") {
		t.Errorf("screening the suspect:\n%s", out)
	}
}
