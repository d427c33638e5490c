package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/api"
	"ctis/feed"
	"ctis/node"
	"ctis/store"
)

func newBenchEvents() *cobra.Command {
	var conns int
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Measure the live feed: one event, many open feed connections on loopback, one alert posted",
		Long: "Serve the API on loopback over a temporary SQLite store, open --connections live feeds of one event\n" +
			"(as that many frontline officers of a participating agency would), post one alert, and report when it\n" +
			"reached each connection (p50, p99, max) and the process's heap and RSS with the connections open.\n" +
			"Clients and server share the process: the memory figures include the clients' side.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return benchEvents(cmd.Context(), cmd.OutOrStdout(), conns)
		},
	}
	cmd.Flags().IntVar(&conns, "connections", 1000, "open feed connections")
	return cmd
}

func benchEvents(ctx context.Context, out io.Writer, conns int) error {
	dir, err := os.MkdirTemp("", "ctis-bench-events-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "bench.db"), store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	op := operator(ctx)
	for _, a := range []ctis.Agency{{Code: "FR-DGSI", Name: "DGSI", Country: "FR"}, {Code: "DE-BKA", Name: "BKA", Country: "DE"}} {
		if _, err := db.CreateAgency(op, a); err != nil {
			return err
		}
	}
	_, officer, err := db.CreateUser(op, ctis.NewUser{Username: "border.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleFrontline}})
	if err != nil {
		return err
	}
	host := ctis.NewContext(ctx, ctis.Identity{Username: "analyst.fr", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}})
	today := time.Now().UTC().Format(time.DateOnly)
	ev, err := db.CreateEvent(host, ctis.NewEvent{Name: "Bench summit", Starts: today, Ends: today, Venues: []string{"Centre"}, Agencies: []string{"DE-BKA"}})
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub, err := feed.NewHub(ctx, db, log)
	if err != nil {
		return err
	}
	services := node.Services(db, nil, nil)
	services.Events = hub.Events(db)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: (&api.Server{Services: services, Logger: log, Feed: hub}).Handler()}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/api/v1/events/" + ev.ID + "/feed"

	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: conns, DisableCompression: true}}
	arrived := make([]time.Time, conns)
	ready := make(chan error, conns)
	var wg sync.WaitGroup
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(cctx, "GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+officer)
			res, err := client.Do(req)
			if err != nil {
				ready <- err
				return
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK {
				ready <- fmt.Errorf("feed answered %s", res.Status)
				return
			}
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				line := sc.Text()
				if strings.HasPrefix(line, ": connected") {
					ready <- nil
				}
				if strings.HasPrefix(line, "id: ") {
					arrived[i] = time.Now()
					return
				}
			}
		}()
	}
	for range conns {
		if err := <-ready; err != nil {
			return err
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, goroutines := rssKB(), runtime.NumGoroutine()
	posted := time.Now()
	if _, err := services.Events.PostAlert(host, ev.ID, ctis.NewAlert{Severity: ctis.SeverityHigh, Title: "Bench alert", Location: "Gate 1",
		ValidUntil: time.Now().Add(time.Hour), Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}}); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("not every connection received the alert within 30 s")
	}
	lat := make([]time.Duration, conns)
	for i, at := range arrived {
		lat[i] = at.Sub(posted)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Fprintf(out, "ctis bench events: %d live-feed connections to one event on loopback, one alert posted\n", conns)
	fmt.Fprintf(out, "delivery (post call to receipt): p50 %v  p99 %v  max %v\n", pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	fmt.Fprintf(out, "memory with the connections open (server and clients in one process): heap in use %.1f MiB, goroutines %d, RSS %d MiB\n",
		float64(ms.HeapInuse)/(1<<20), goroutines, rss/1024)
	fmt.Fprintf(out, "%s, %d CPUs (GOMAXPROCS %d), %s/%s, load %s\n", cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, loadAvg())
	fmt.Fprintf(out, "Go %s, SQLite store\n", runtime.Version())
	return nil
}

// rssKB reads the process's resident set size, in KiB (Linux).
func rssKB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			var n int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &n)
			return n
		}
	}
	return 0
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
