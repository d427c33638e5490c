// Package benchhost describes the machine a benchmark ran on, for its
// report: a shared or busy machine's figures are not a quiet one's.
package benchhost

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
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
