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
	"ctis/benchhost"
	"ctis/feed"
	"ctis/node"
	"ctis/store"
)

func newBenchEvents() *cobra.Command {
	var conns, reps int
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Measure the live feed: one event, many open feed connections on loopback, one alert posted",
		Long: "Serve the API on loopback over a temporary SQLite store, open --connections live feeds of one event\n" +
			"(as that many frontline officers of a participating agency would), post --reps alerts one after another,\n" +
			"each once every connection has the one before, and report when each reached each connection (p50, p99,\n" +
			"max per alert, then min / median / max over the alerts) and the process's heap and RSS with the\n" +
			"connections open. Clients and server share the process: the memory figures include the clients' side.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if conns < 1 || reps < 1 {
				return fmt.Errorf("--connections and --reps must be at least 1")
			}
			return benchEvents(cmd.Context(), cmd.OutOrStdout(), conns, reps)
		},
	}
	cmd.Flags().IntVar(&conns, "connections", 1000, "open feed connections")
	cmd.Flags().IntVar(&reps, "reps", 5, "alerts posted, each measured on its own; the report gives min / median / max")
	return cmd
}

func benchEvents(ctx context.Context, out io.Writer, conns, reps int) error {
	machine := benchhost.Start()
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
	// Each connection sends the time each alert reached it.
	arrived := make(chan time.Time, conns)
	ready := make(chan error, conns)
	var wg sync.WaitGroup
	cctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		wg.Wait()
	}()
	for range conns {
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
					arrived <- time.Now()
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
	fmt.Fprintf(out, "ctis bench events: %d live-feed connections to one event on loopback, %d alerts posted one after another\n", conns, reps)
	var p50s, p99s, maxes []float64
	ms1 := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for rep := range reps {
		posted := time.Now()
		if _, err := services.Events.PostAlert(host, ev.ID, ctis.NewAlert{Severity: ctis.SeverityHigh, Title: fmt.Sprintf("Bench alert %d", rep+1), Location: "Gate 1",
			ValidUntil: time.Now().Add(time.Hour), Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}}); err != nil {
			return err
		}
		lat := make([]time.Duration, 0, conns)
		timeout := time.After(30 * time.Second)
		for len(lat) < conns {
			select {
			case at := <-arrived:
				lat = append(lat, at.Sub(posted))
			case <-timeout:
				return fmt.Errorf("alert %d reached %d of %d connections within 30 s", rep+1, len(lat), conns)
			}
		}
		slices.Sort(lat)
		p50, p99, hi := lat[len(lat)/2], lat[min(len(lat)-1, int(0.99*float64(len(lat))))], lat[len(lat)-1]
		p50s, p99s, maxes = append(p50s, ms1(p50)), append(p99s, ms1(p99)), append(maxes, ms1(hi))
		fmt.Fprintf(out, "alert %d: delivery (post call to receipt) p50 %v  p99 %v  max %v\n", rep+1,
			p50.Round(time.Microsecond), p99.Round(time.Microsecond), hi.Round(time.Microsecond))
	}
	machine.End()
	for _, f := range []struct {
		name string
		r    []float64
	}{{"delivery p50", p50s}, {"delivery p99", p99s}, {"delivery max", maxes}} {
		lo, med, hi := benchhost.Spread(f.r)
		fmt.Fprintf(out, "%-13s over %d alerts: min %.3f  median %.3f  max %.3f ms\n", f.name, reps, lo, med, hi)
	}
	fmt.Fprintf(out, "memory with the connections open (server and clients in one process): heap in use %.1f MiB, goroutines %d, RSS %d MiB\n",
		float64(ms.HeapInuse)/(1<<20), goroutines, rss/1024)
	fmt.Fprintf(out, "host: %s; GOMAXPROCS %d; SQLite store\n", machine, runtime.GOMAXPROCS(0))
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
