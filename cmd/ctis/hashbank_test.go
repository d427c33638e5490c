package main

import (
	"os"
	"path/filepath"
	"regexp"
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
