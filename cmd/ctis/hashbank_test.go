package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestHashBankCommands: a bank created, filled from CSV, exported, and an
// image and a URL matched against it from the command line; a bad file
// stores nothing and says where it is wrong.
func TestHashBankCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ctis.db")
	mustRun(t, "--db", db, "agency", "add", "--code", "FR-DGSI", "--name", "DGSI", "--country", "FR", "--kind", "security")
	mustRun(t, "--db", db, "agency", "add", "--code", "VIDEOHOST", "--name", "Video host", "--country", "US", "--kind", "platform")
	out := mustRun(t, "--db", db, "hashbank", "create", "--agency", "FR-DGSI", "--name", "Daesh media", "--distribution", "all")
	bank := regexp.MustCompile(`bank (\S+)`).FindStringSubmatch(out)[1]

	photo, err := os.ReadFile("../../pdq/testdata/images/square-256x256.jpg")
	if err != nil {
		t.Fatal(err)
	}
	image := filepath.Join(dir, "upload.jpg")
	os.WriteFile(image, photo, 0o600)
	good := filepath.Join(dir, "bank.csv")
	os.WriteFile(good, []byte("type,value,entity,behaviours\npdq,d8f8f0cec4f4a84f0637022a078f67f0b36e2ee5b6621e1d33e6239c4e9c9b22,Daesh,branded_propaganda\nurl,www.example.org/v/1,Daesh,recruitment\n"), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("type,value\nmd5,00000000000000000000000000000000\nmd5,zz\n"), 0o600)

	if _, _, err := run(t, "", "--db", db, "hashbank", "import", "--agency", "FR-DGSI", "--bank", bank, bad); err == nil ||
		!strings.Contains(err.Error(), "line 3: value") || !strings.Contains(err.Error(), "nothing was stored") {
		t.Fatalf("a bad file: %v", err)
	}
	if out := mustRun(t, "--db", db, "hashbank", "import", "--agency", "FR-DGSI", "--bank", bank, good); !strings.Contains(out, "2 entries stored") {
		t.Fatalf("import: %s", out)
	}
	export := mustRun(t, "--db", db, "hashbank", "export", "--agency", "VIDEOHOST", "--bank", bank, "--format", "jsonl")
	if strings.Count(export, "\n") != 2 || strings.Contains(export, "0000000000") {
		t.Fatalf("export:\n%s", export)
	}
	out = mustRun(t, "--db", db, "match", "--agency", "VIDEOHOST", "--variants", image, "--hash", "url:https://example.org/v/1/", "--hash", "md5:"+strings.Repeat("1", 32))
	if !strings.Contains(out, "upload.jpg: 1 match(es)") || !strings.Contains(out, "pdq variant 0, 0 bits") ||
		!strings.Contains(out, "url:https://example.org/v/1/: 1 match(es)") || !strings.Contains(out, ": no match") {
		t.Fatalf("match:\n%s", out)
	}
	if list := mustRun(t, "--db", db, "hashbank", "list", "--agency", "VIDEOHOST"); !strings.Contains(list, "Daesh media") {
		t.Fatalf("list:\n%s", list)
	}
}

// TestHashBankSTIX: a bank exported as STIX indicators and imported into
// a bank of the same handling on another node holds the same entries; a
// bank of another handling, or another agency, is refused and nothing is
// stored.
func TestHashBankSTIX(t *testing.T) {
	dir := t.TempDir()
	a, b := newNode(t), newNode(t)
	create := func(db, agency string, args ...string) string {
		out := mustRun(t, append([]string{"--db", db, "hashbank", "create", "--agency", agency, "--name", "media"}, args...)...)
		return regexp.MustCompile(`bank (\S+)`).FindStringSubmatch(out)[1]
	}
	src := create(a, "FR-DGSI", "--distribution", "agencies", "--to", "DE-BKA", "--frontline")
	entries := filepath.Join(dir, "bank.csv")
	os.WriteFile(entries, []byte("type,value,quality,entity,behaviours,content_type\n"+
		"pdq,d8f8f0cec4f4a84f0637022a078f67f0b36e2ee5b6621e1d33e6239c4e9c9b22,90,Daesh,branded_propaganda|recruitment,image\n"+
		"url,www.example.org/it's?b=2&a=1,,Daesh,recruitment,video\n"+
		"md5,d41d8cd98f00b204e9800998ecf8427e,,,,document\n"), 0o600)
	mustRun(t, "--db", a, "hashbank", "import", "--agency", "FR-DGSI", "--bank", src, entries)
	bundle := filepath.Join(dir, "bank.stix.json")
	os.WriteFile(bundle, []byte(mustRun(t, "--db", a, "hashbank", "export", "--agency", "FR-DGSI", "--bank", src, "--format", "stix")), 0o600)

	same := create(b, "FR-DGSI", "--distribution", "agencies", "--to", "DE-BKA", "--frontline")
	wider := create(b, "FR-DGSI", "--distribution", "all", "--frontline")
	if _, _, err := run(t, "", "--db", b, "hashbank", "import", "--agency", "FR-DGSI", "--bank", wider, bundle); err == nil ||
		!strings.Contains(err.Error(), "import into a bank of the same handling") {
		t.Fatalf("into a wider bank: %v", err)
	}
	other := create(b, "DE-BKA", "--distribution", "agencies", "--to", "DE-BKA", "--frontline")
	if _, _, err := run(t, "", "--db", b, "hashbank", "import", "--agency", "DE-BKA", "--bank", other, bundle); err == nil ||
		!strings.Contains(err.Error(), "contributed by FR-DGSI") {
		t.Fatalf("another agency's entries: %v", err)
	}
	if out := mustRun(t, "--db", b, "hashbank", "import", "--agency", "FR-DGSI", "--bank", same, bundle); !strings.Contains(out, "3 entries stored") {
		t.Fatalf("import: %s", out)
	}
	labels := func(db, bank string) []string {
		out := mustRun(t, "--db", db, "hashbank", "export", "--agency", "FR-DGSI", "--bank", bank, "--format", "csv")
		var rows []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
			f := strings.Split(line, ",")
			rows = append(rows, strings.Join(f[:6], ","))
		}
		slices.Sort(rows)
		return rows
	}
	if got, want := labels(b, same), labels(a, src); !slices.Equal(got, want) || len(got) != 3 {
		t.Errorf("after the trip:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rows := labels(b, wider); len(rows) != 0 {
		t.Errorf("a refused import stored %v", rows)
	}
}
