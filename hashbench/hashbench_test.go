package hashbench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun runs a small benchmark without a peer: both parts report, and
// the index's matches agree with a full scan (Run fails otherwise).
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(Options{Hashes: []int{20000}, Batches: 20, Radius: 31, Seeds: 64, Repeat: 2, Seed: 1}, &out, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"aaa-orig.jpg 1600×1004", "square-256x256.jpg 256×256", "against 20000 stored hashes", "ctis multi-index"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestSamePairs: the reference's pairs must be exactly ctis's.
func TestSamePairs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pairs.txt")
	ours := map[pair]bool{{0, 5}: true, {3, 7}: true}
	for _, c := range []struct {
		file string
		same bool
	}{{"0 5 12\n3 7 30\n", true}, {"0 5 12\n", false}, {"0 5 12\n3 7 30\n4 1 2\n", false}, {"", false}} {
		os.WriteFile(path, []byte(c.file), 0o600)
		if same, err := samePairs(path, ours); err != nil || same != c.same {
			t.Errorf("%q: same %v, %v; want %v", c.file, same, err, c.same)
		}
	}
	os.WriteFile(path, []byte("zero five\n"), 0o600)
	if _, err := samePairs(path, ours); err == nil {
		t.Error("a malformed pairs file was read")
	}
}

// TestPeerBuild: the summary of the BUILD file beside the driver, without
// its commands; nothing when there is none.
func TestPeerBuild(t *testing.T) {
	dir := t.TempDir()
	peer := filepath.Join(dir, "pdq-ref-bench")
	os.WriteFile(peer, []byte("#!/bin/sh\n"), 0o755)
	if got := peerBuild(peer); got != nil {
		t.Errorf("no BUILD: %q", got)
	}
	os.WriteFile(filepath.Join(dir, "BUILD"), []byte("reference: x at commit abc\nflags: -O3\ncommands:\n  g++ -O3 a.cpp\n"), 0o644)
	if got := peerBuild(peer); strings.Join(got, "|") != "reference: x at commit abc|flags: -O3" {
		t.Errorf("got %q", got)
	}
}
