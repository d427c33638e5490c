package benchhost_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ctis/benchhost"
)

// TestMain lets the test binary act as a peer that holds a known amount
// of memory, in MiB, for a moment.
func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv("BENCHHOST_HOLD_MIB")); err == nil {
		b := make([]byte, n<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		time.Sleep(100 * time.Millisecond)
		os.Stdout.Write(b[:1])
		os.Exit(0)
	}
	if os.Getenv("BENCHHOST_MAIN") == "1" {
		os.Exit(benchhost.Main(m))
	}
	os.Exit(m.Run())
}

// TestPeakIsThePeersOwn: a peer that holds 96 MiB is measured at about
// 96 MiB, though the process that runs it holds 512 MiB — which the
// peer's ru_maxrss would report.
func TestPeakIsThePeersOwn(t *testing.T) {
	parent := make([]byte, 512<<20)
	for i := 0; i < len(parent); i += 4096 {
		parent[i] = 1
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BENCHHOST_HOLD_MIB=96")
	peak, err := benchhost.Run(cmd)
	if err != nil {
		t.Fatal(err)
	}
	maxrss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	t.Logf("peak %d MiB by VmHWM; ru_maxrss says %d MiB; the parent holds 512 MiB", peak>>20, maxrss>>20)
	if peak < 96<<20 || peak > 160<<20 {
		t.Errorf("peak %d MiB, want 96 MiB and the runtime's own", peak>>20)
	}
	parent[0] = 2 // the parent's memory is held until the peer ended
}

func TestPeakRSSOfAnAbsentProcess(t *testing.T) {
	if _, err := benchhost.PeakRSS(1 << 30); err == nil {
		t.Error("no error for a process that does not exist")
	}
}

func TestSpread(t *testing.T) {
	for _, c := range []struct {
		in          []float64
		lo, med, hi float64
	}{
		{[]float64{2, 0.5, 1}, 0.5, 1, 2},
		{[]float64{4, 1, 3, 2}, 1, 2.5, 4},
		{[]float64{7}, 7, 7, 7},
		{nil, 0, 0, 0},
	} {
		lo, med, hi := benchhost.Spread(c.in)
		if lo != c.lo || med != c.med || hi != c.hi {
			t.Errorf("Spread(%v) = %v %v %v, want %v %v %v", c.in, lo, med, hi, c.lo, c.med, c.hi)
		}
	}
}

// BenchmarkSpin is a benchmark for TestMainRepeats to run.
func BenchmarkSpin(b *testing.B) {
	x := 0
	for i := range b.N {
		x += i
	}
	b.ReportMetric(float64(x%7), "sevenths")
}

// TestMainRepeats: Main prints the machine, runs each benchmark five
// times unless told how often, and prints each figure's least, median
// and greatest over the runs.
func TestMainRepeats(t *testing.T) {
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "-test.bench=Spin", "-test.benchtime=100x"}, args...)...)
		cmd.Env = append(os.Environ(), "BENCHHOST_MAIN=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	results := regexp.MustCompile(`(?m)^BenchmarkSpin\S*\s+100\s`)
	out := run()
	if n := len(results.FindAllString(out, -1)); n != 5 {
		t.Errorf("%d runs of BenchmarkSpin, want 5:\n%s", n, out)
	}
	if !strings.HasPrefix(out, "host: ") || !regexp.MustCompile(`(?m)^BenchmarkSpin\S*\s+ns/op\s+5 runs  min \S+  median \S+  max \S+$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^BenchmarkSpin\S*\s+sevenths\s+5 runs`).MatchString(out) {
		t.Errorf("the report:\n%s", out)
	}
	if out := run("-test.count=2"); len(results.FindAllString(out, -1)) != 2 || !strings.Contains(out, "2 runs") {
		t.Errorf("with -test.count=2:\n%s", out)
	}
}

// TestResults reads result lines and nothing else.
func TestResults(t *testing.T) {
	var r benchhost.Results
	for _, l := range []string{"goos: linux", "BenchmarkA-2   	     100	        12.0 ns/op	       8 B/op	       1 allocs/op",
		"BenchmarkA-2   	     100	        10.0 ns/op	       8 B/op	       1 allocs/op", "BenchmarkA-2   	     100	        11.0 ns/op	       8 B/op	       1 allocs/op",
		"BenchmarkB	fails", "PASS", "BenchmarkC-2 1 3.5 widgets/s"} {
		r.Add(l)
	}
	got := r.Spread()
	for _, want := range []string{"BenchmarkA-2                             ns/op            3 runs  min 10  median 11  max 12\n", "allocs/op"} {
		if !strings.Contains(got, want) {
			t.Errorf("spread %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "BenchmarkC") || strings.Contains(got, "BenchmarkB") {
		t.Errorf("a benchmark met once, or a line that is no result, in %q", got)
	}
}
