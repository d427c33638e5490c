package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestBenchLoad runs `ctis bench load` briefly on SQLite: two serve
// processes (this test binary re-executed) behind HAProxy, one killed
// mid-run. The balancer must move the traffic, and every acknowledged
// write must be found. Without haproxy it is skipped, unless
// CTIS_LOAD_TESTS=1 (as in .ci/run) makes that a failure.
func TestBenchLoad(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil && os.Getenv("CTIS_LOAD_TESTS") != "1" {
		t.Skip("no haproxy (apt-get install haproxy); set CTIS_LOAD_TESTS=1 to fail instead")
	}
	if testing.Short() {
		t.Skip("starts processes; not with -short")
	}
	reexecCtis(t)

	out, errOut, err := run(t, "", "bench", "load", "--persons", "1000", "--processes", "2", "--rate", "40", "--duration", "5s",
		"--kill-after", "2s", "--listed", "0.5", "--writes", "0.2", "--dir", t.TempDir())
	if err != nil {
		t.Fatalf("ctis bench load: %v\n%s\n%s", err, out, errOut)
	}
	t.Log(out)
	for _, want := range []string{"serve1 killed (SIGKILL) at 2.0", "balancer:  HAProxy version", "latency of the answered requests"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	m := regexp.MustCompile(`acknowledged writes: (\d+), found: (\d+), lost: 0 \((\d+) hits queued for review, (\d+) statements\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no count of acknowledged writes, or some lost:\n%s", out)
	}
	hits, _ := strconv.Atoi(m[3])
	statements, _ := strconv.Atoi(m[4])
	if m[1] != m[2] || hits == 0 || statements == 0 {
		t.Errorf("want hits and statements acknowledged and all found; got %s", m[0])
	}
	// After the kill the survivor answers: the seconds after the one of
	// the kill (rows "3s" and "4s" of the per-second table) have answers.
	for _, s := range []string{"3s", "4s"} {
		row := regexp.MustCompile(`(?m)^\s*` + s + `\s+(\d+)\s+(\d+)\s+(\d+)`).FindStringSubmatch(out)
		if row == nil {
			t.Fatalf("no row for second %s", s)
		}
		if answered, _ := strconv.Atoi(row[2]); answered == 0 {
			t.Errorf("second %s: nothing answered after the kill:\n%s", s, out)
		}
	}
}

// reexecCtis makes the benches start ctis (`ctis serve`) as this test
// binary re-executed (TestMain runs CTIS_TEST_ARGS as a command line),
// until the test ends.
func reexecCtis(t *testing.T) {
	saved := ctisCommand
	ctisCommand = func(args ...string) *exec.Cmd {
		a, _ := json.Marshal(args)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "CTIS_TEST_ARGS="+string(a))
		return cmd
	}
	t.Cleanup(func() { ctisCommand = saved })
}
