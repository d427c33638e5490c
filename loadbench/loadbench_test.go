package loadbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
)

func TestMixDrawsTheShares(t *testing.T) {
	o := &Options{Seed: 3, Listed: 0.25, Writes: 0.1}
	f := &fixture{listed: []ctis.Subject{{Name: "Abu Test", BirthDate: "1971"}}}
	m, err := newMix(o, f)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20000
	var count [kinds]int
	for range n {
		k, body := m.next()
		count[k]++
		switch k {
		case write:
			var e ctis.NewEntity
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Validate("2026-01-01"); err != nil {
				t.Fatalf("a write the store would refuse: %v\n%s", err, body)
			}
		default:
			var s screenBody
			if err := json.Unmarshal(body, &s); err != nil {
				t.Fatal(err)
			}
			if s.Purpose == "" || s.Name == "" {
				t.Fatalf("a screening without a name or purpose: %s", body)
			}
		}
	}
	near := func(got int, want float64) bool { return abs(float64(got)/n-want) < 0.02 }
	if !near(count[write], 0.1) || !near(count[screenListed], 0.9*0.25) || !near(count[screenUnlisted], 0.9*0.75) {
		t.Errorf("shares drawn: %v of %d", count, n)
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestFailureKinds(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connection refused"},
		{fmt.Errorf("post: %w", io.EOF), "connection closed"},
		{&net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, "connection reset"},
		{fmt.Errorf("post: %w", os.ErrDeadlineExceeded), "timed out"},
	} {
		if got := failure(c.err); got != c.want {
			t.Errorf("failure(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 1000; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	p50, p90, p99, max := percentiles(d)
	if p50 != 501*time.Millisecond || p90 != 901*time.Millisecond || p99 != 991*time.Millisecond || max != time.Second {
		t.Errorf("percentiles: %v %v %v %v", p50, p90, p99, max)
	}
	if p50, _, _, _ := percentiles(nil); p50 != 0 {
		t.Error("percentiles of nothing")
	}
}

func TestOptionsRefused(t *testing.T) {
	ok := Options{Command: func(args ...string) *exec.Cmd { return exec.Command("ctis", args...) }, HAProxy: "sh", Rate: 10, Duration: time.Second}
	for _, c := range []struct {
		change func(*Options)
		want   string
	}{
		{func(o *Options) { o.Processes, o.KillAfter = 1, 500*time.Millisecond }, "--processes 2"},
		{func(o *Options) { o.Processes, o.KillAfter = 2, 2*time.Second }, "within the --duration"},
		{func(o *Options) { o.DB = "ctis.db" }, "postgres://"},
		{func(o *Options) { o.Rate = 0 }, "--rate"},
		{func(o *Options) { o.Writes = 2 }, "shares"},
		{func(o *Options) { o.HAProxy = "no-such-haproxy-here" }, "apt-get install haproxy"},
	} {
		o := ok
		c.change(&o)
		err := o.defaults()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error saying %q", o, err, c.want)
		}
	}
	o := ok
	if err := o.defaults(); err != nil {
		t.Errorf("good options refused: %v", err)
	}
}

// TestSoak runs four serve processes over one store behind HAProxy, on
// each engine, with a third of the requests writes so that every process
// appends to the audit trail at once, and kills one mid-run. No
// acknowledged write may be lost, and the audit chain must verify as one
// chain. Without haproxy it is skipped, unless CTIS_LOAD_TESTS=1 (as in
// .ci/run) makes that a failure; PostgreSQL needs CTIS_TEST_POSTGRES.
func TestSoak(t *testing.T) {
	if _, err := exec.LookPath("haproxy"); err != nil && os.Getenv("CTIS_LOAD_TESTS") != "1" {
		t.Skip("no haproxy (apt-get install haproxy); set CTIS_LOAD_TESTS=1 to fail instead")
	}
	if testing.Short() {
		t.Skip("starts processes for 20 s; not with -short")
	}
	bin := filepath.Join(t.TempDir(), "ctis")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "ctis/cmd/ctis")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ctis: %v\n%s", err, out)
	}
	for _, e := range ctistest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			db := ""
			if e == ctistest.Postgres {
				db = ctistest.TempStore(t, e)
			}
			o := Options{DB: db, Dir: t.TempDir(), Persons: 1000, Processes: 4, Rate: 150, Duration: 20 * time.Second,
				KillAfter: 10 * time.Second, Listed: 0.5, Writes: 0.3, Seed: 1,
				Command: func(args ...string) *exec.Cmd { return exec.Command(bin, args...) }}
			var report bytes.Buffer
			err := Run(context.Background(), o, &report)
			t.Log(report.String())
			if err != nil {
				t.Fatal(err)
			}
			out := report.String()
			if !strings.Contains(out, "serve1 killed (SIGKILL) at 10.0") {
				t.Errorf("no process killed mid-run")
			}
			m := regexp.MustCompile(`acknowledged writes: (\d+), found: (\d+), lost: 0 \(\d+ hits queued for review, (\d+) statements\)`).FindStringSubmatch(out)
			if m == nil || m[1] != m[2] {
				t.Fatalf("acknowledged writes lost")
			}
			statements, _ := strconv.Atoi(m[3])
			c := regexp.MustCompile(`audit chain: (\d+) records from (\d+) processes, verified`).FindStringSubmatch(out)
			if c == nil {
				t.Fatalf("the audit chain did not verify")
			}
			records, _ := strconv.Atoi(c[1])
			if records < statements || c[2] != "4" {
				t.Errorf("want each of the 4 processes to append, and a record of each of the %d statements: %s", statements, c[0])
			}
		})
	}
}

func TestReportNamesTheBrokenLink(t *testing.T) {
	r := &report{Rate: 1, Duration: time.Second, Chain: chain{AuditReport: &ctis.AuditReport{Events: 6,
		Broken: &ctis.ChainError{Seq: 7, Reason: "content does not match its hash: the event was altered"}}}}
	var b bytes.Buffer
	r.print(&b)
	if want := "audit chain: broken at record 7: content does not match its hash: the event was altered (6 records before it verify)"; !strings.Contains(b.String(), want) {
		t.Errorf("the report lacks %q:\n%s", want, b.String())
	}
}
