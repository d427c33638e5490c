// Package benchhost describes the machine a benchmark ran on, for its
// report: a shared or busy machine's figures are not a quiet one's.
package benchhost

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// CPU returns the first model name in /proc/cpuinfo.
func CPU() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// Load returns the 1, 5 and 15-minute load averages.
func Load() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// Kernel returns the operating system and its release.
func Kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return runtime.GOOS
	}
	return runtime.GOOS + " " + strings.TrimSpace(string(b))
}

// Host is the machine a run measured on, and its load before and after.
type Host struct {
	CPU                   string
	Cores                 int
	Kernel, Go            string
	LoadBefore, LoadAfter string
}

// Start describes the machine as a run begins.
func Start() Host {
	return Host{CPU: CPU(), Cores: runtime.NumCPU(), Kernel: Kernel(), Go: runtime.Version(), LoadBefore: Load()}
}

// End notes the load as the run ends.
func (h *Host) End() { h.LoadAfter = Load() }

// String is the machine in one line: CPU, cores, the load averages before
// and after, kernel and Go version.
func (h Host) String() string {
	return fmt.Sprintf("%s, %d cores; load average %s before, %s after; %s; %s", h.CPU, h.Cores, h.LoadBefore, h.LoadAfter, h.Kernel, h.Go)
}

// Main runs a package's tests and benchmarks. When benchmarks are asked
// for (-test.bench) it prints first the machine they run on: the CPU,
// core count, load average at the start, kernel and Go version. Each
// benchmark then runs Repetitions times unless -test.count says how
// many, and after them Main prints, for each benchmark and each of its
// figures, the least, median and greatest over the repetitions. A
// package with benchmarks has it as its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(benchhost.Main(m)) }
func Main(m *testing.M) int {
	PrintIfBench()
	if !benchmarking() {
		return m.Run()
	}
	counted := false
	flag.Visit(func(f *flag.Flag) { counted = counted || f.Name == "test.count" })
	if !counted {
		flag.Set("test.count", strconv.Itoa(Repetitions))
	}
	// The testing package prints each result to stdout: Main reads it
	// there on its way out.
	out := os.Stdout
	r, w, err := os.Pipe()
	if err != nil {
		return m.Run()
	}
	os.Stdout = w
	results := make(chan *Results)
	go func() {
		res := &Results{}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintln(out, sc.Text())
			res.Add(sc.Text())
		}
		io.Copy(out, r)
		results <- res
	}()
	code := m.Run()
	os.Stdout = out
	w.Close()
	fmt.Fprint(out, (<-results).Spread())
	return code
}

// Repetitions is how often Main runs each benchmark unless -test.count
// says.
const Repetitions = 5

// benchmarking reports whether benchmarks are asked for.
func benchmarking() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
}

// Results are the figures of benchmark result lines, by benchmark and
// unit, in the order first met.
type Results struct {
	names   []string
	units   map[string][]string
	figures map[string]map[string][]float64
}

// Add takes one line of a benchmark run's output; a line that is not a
// result ("BenchmarkName-2  N  1.2 ns/op  3 B/op ...") is passed over.
func (r *Results) Add(line string) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return
	}
	if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
		return
	}
	if r.figures == nil {
		r.units, r.figures = map[string][]string{}, map[string]map[string][]float64{}
	}
	name := f[0]
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return
		}
		if r.figures[name] == nil {
			r.names, r.figures[name] = append(r.names, name), map[string][]float64{}
		}
		unit := f[i+1]
		if r.figures[name][unit] == nil {
			r.units[name] = append(r.units[name], unit)
		}
		r.figures[name][unit] = append(r.figures[name][unit], v)
	}
}

// figure writes v with four significant digits, or whole when larger.
func figure(v float64) string {
	if v >= 1e4 || v <= -1e4 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Spread is, for each benchmark met more than once, a line a figure: its
// least, median and greatest over the repetitions.
func (r *Results) Spread() string {
	var b strings.Builder
	for _, name := range r.names {
		for _, unit := range r.units[name] {
			v := r.figures[name][unit]
			if len(v) < 2 {
				continue
			}
			if b.Len() == 0 {
				b.WriteString("spread over the repetitions (least / median / greatest):\n")
			}
			lo, med, hi := Spread(slices.Clone(v))
			fmt.Fprintf(&b, "%-40s %-16s %d runs  min %s  median %s  max %s\n", name, unit, len(v), figure(lo), figure(med), figure(hi))
		}
	}
	return b.String()
}

// PrintIfBench is Main's first step, for a TestMain of its own.
func PrintIfBench() {
	if !flag.Parsed() {
		flag.Parse()
	}
	if benchmarking() {
		h := Start()
		fmt.Printf("host: %s, %d cores; load average %s at start; %s; %s\n", h.CPU, h.Cores, h.LoadBefore, h.Kernel, h.Go)
	}
}

// PeakRSS is the peak resident memory of process pid so far, from its own
// VmHWM in /proc: the high-water mark of its address space since it was
// made by exec, unlike ru_maxrss, which on Linux carries the forking
// parent's over.
func PeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err != nil {
				return 0, fmt.Errorf("VmHWM of process %d: %q", pid, v)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("process %d reports no VmHWM", pid)
}

// Run runs cmd to its end and returns its peak resident memory, read from
// the process itself (PeakRSS) every few milliseconds while it runs.
func Run(cmd *exec.Cmd) (peak int64, err error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	pid := cmd.Process.Pid
	for {
		// Read before looking for the end: a process that has exited is
		// still readable until it is waited for, so the last read holds
		// its whole life but the last tick.
		if p, err := PeakRSS(pid); err == nil {
			peak = max(peak, p)
		}
		select {
		case err := <-done:
			return peak, err
		case <-tick.C:
		}
	}
}

// Spread returns the least, median and greatest of r (sorting it); the
// median of an even count is the mean of the middle two.
func Spread(r []float64) (lo, median, hi float64) {
	if len(r) == 0 {
		return 0, 0, 0
	}
	slices.Sort(r)
	n := len(r)
	median = r[n/2]
	if n%2 == 0 {
		median = (r[n/2-1] + r[n/2]) / 2
	}
	return r[0], median, r[n-1]
}
