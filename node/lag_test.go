package node_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/node"
	"ctis/screen"
	"ctis/store"
)

// BenchmarkFollowLag measures how long a write made by one process takes
// to be screened by another on the same database: two store handles, each
// with its own screening index, the second following the change log as
// serve does (woken by PostgreSQL, else every node.FollowEvery). Each
// write is a new listed person; the lag runs from the write's commit to
// the first screening by the other process that hits. Both processes
// screen meanwhile, as under load. PostgreSQL when CTIS_TEST_POSTGRES is
// set, else SQLite.
//
//	go test -run '^$' -bench FollowLag -benchtime 200x ./node/
func BenchmarkFollowLag(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engine := ctistest.SQLite
	if os.Getenv(ctistest.PostgresEnv) != "" {
		engine = ctistest.Postgres
	}
	dsn := ctistest.TempStore(b, engine)
	open := func() (*store.DB, *screen.Service) {
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		svc, err := screen.New(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		return db, svc
	}
	dbA, a := open()
	for _, ag := range ctistest.Agencies {
		if _, err := dbA.CreateAgency(ctistest.System, ag); err != nil {
			b.Fatal(err)
		}
	}
	dbB, bs := open()
	go node.Follow(ctx, dbB.Wake(ctx), slog.New(slog.NewTextHandler(io.Discard, nil)), bs)
	fr, de := ctistest.As(ctistest.FR, ctis.RoleAnalyst), ctistest.As(ctistest.DE, ctis.RoleFrontline)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	// Load beside: both processes screen unlisted people all along.
	for _, svc := range []*screen.Service{a, bs} {
		go func() {
			for i := 0; ctx.Err() == nil; i++ {
				svc.Screen(de, ctis.Subject{Name: "Unlisted Person" + strconv.Itoa(i%100)})
				time.Sleep(time.Millisecond)
			}
		}()
	}
	var lag []time.Duration
	b.ResetTimer()
	for i := range b.N {
		name := fmt.Sprintf("Zarqawi Follower%s", strconv.FormatInt(int64(1_000_000+i), 36))
		if _, err := a.CreateEntity(fr, ctistest.Person(name, all)); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		for {
			res, err := bs.Screen(de, ctis.Subject{Name: name})
			if err != nil {
				b.Fatal(err)
			}
			if slices.ContainsFunc(res.Hits, func(h ctis.Hit) bool { return h.Matched == name || h.Score >= 0.99 }) {
				break
			}
			if time.Since(t0) > 30*time.Second {
				b.Fatalf("write %d not screened by the other process after 30 s", i)
			}
			time.Sleep(time.Millisecond)
		}
		lag = append(lag, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lag)
	q := func(p float64) float64 { return float64(lag[int(p*float64(len(lag)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "lag-p50-ms")
	b.ReportMetric(q(0.99), "lag-p99-ms")
	b.ReportMetric(q(1), "lag-max-ms")
	b.Logf("%s: %d writes, lag p50 %.1f ms, p99 %.1f ms, max %.1f ms", engine, len(lag), q(0.5), q(0.99), q(1))
}
