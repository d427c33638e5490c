package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBenchSequential runs `ctis bench sequential` briefly on SQLite: one
// serve process (this test binary re-executed) and, as the peer, a stub
// search answering in-process. The report must give both sides' figures
// and their ratios.
func TestBenchSequential(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process; not with -short")
	}
	reexecCtis(t)
	var searched atomic.Int64
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("name") != "" {
			searched.Add(1)
		}
		w.Write([]byte(`{"entities":[]}`))
	}))
	defer peer.Close()

	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"alone", nil, []string{"peer:      none", `(?m)^\s*all\s+[\d.]+ [\d.]+ [\d.]+\s+[\d.]+ [\d.]+ [\d.]+\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+ ms\s*$`}},
		{"with a peer", []string{"--peer-url", peer.URL + "/v2/search?type=person&name={name}", "--peer-name", "stub", "--peer-build", "test stub"},
			[]string{"stub:      version not asked", "built test stub", "ratio p99",
				`ratio ctis/stub over 2 rounds \(min / median / max\): of medians [\d.]+ / [\d.]+ / [\d.]+; of p99s [\d.]+ / [\d.]+ / [\d.]+`,
				`(?m)^\s*2(\s+[\d.]+ [\d.]+ [\d.]+){2}(\s+[\d.]+ ms){8}\s+[\d.]+\s+[\d.]+\s*$`, ", stub 0 of 20"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"bench", "sequential", "--rounds", "2", "--queries", "20", "--warmup", "2", "--listed", "0.5", "--dir", t.TempDir()}, c.args...)
			out, errOut, err := run(t, "", args...)
			if err != nil {
				t.Fatalf("ctis bench sequential: %v\n%s\n%s", err, out, errOut)
			}
			t.Log(out)
			for _, want := range append([]string{"machine:   ", "load average", "SQLite", "round  ", "ctis p50", `queries with a hit, round 1: ctis [1-9]\d* of 20`}, c.want...) {
				if !regexp.MustCompile(want).MatchString(out) {
					t.Errorf("the report lacks %q", want)
				}
			}
			if !strings.Contains(errOut, "round 2 of 2") {
				t.Errorf("no progress on stderr:\n%s", errOut)
			}
		})
	}
	// One probe while waiting for the peer, the warm-up, two rounds.
	if n := searched.Load(); n != 1+2+2*20 {
		t.Errorf("the peer got %d queries, want %d", n, 1+2+2*20)
	}
}
