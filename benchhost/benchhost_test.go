package benchhost_test

import (
	"os"
	"os/exec"
	"strconv"
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
