package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"ctis"
	"ctis/benchhost"
	"ctis/ctistest"
	"ctis/store"
)

// benchSetting is the integer in environment variable name, or def.
func benchSetting(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkStore measures, on a fresh store each repetition, the bulk
// import of CTIS_BENCH_STATEMENTS statements (default a million) in
// batches of a thousand entities of five statements under mixed
// handling, each batch acknowledged only once on disk, then
// CTIS_BENCH_GETS audited reads by ID (default 2,000) by another agency's
// analyst, each waiting for its audit event to be on disk. It repeats
// CTIS_BENCH_REPS times (default 5) and prints each repetition and the
// least / median / greatest. Beside them, measured in the same
// repetition on SQLite, are this machine's floors: the disk's fsync,
// which every audited read waits for once, and the rate at which the
// same SQLite inserts rows of the statements' columns into a table with
// no index at all.
//
//	go test -run '^$' -bench Store -benchtime 1x -timeout 1h ./store/
func BenchmarkStore(b *testing.B) {
	total := benchSetting("CTIS_BENCH_STATEMENTS", 1_000_000)
	gets := benchSetting("CTIS_BENCH_GETS", 2000)
	reps := benchSetting("CTIS_BENCH_REPS", 5)
	host := benchhost.Start()
	var imports, p50s, p99s, syncP50s, syncP99s, floors []float64
	for rep := range reps {
		imported, lat := storeRound(b, total, gets)
		p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
		imports, p50s, p99s = append(imports, imported), append(p50s, p(0.50)), append(p99s, p(0.99))
		line := fmt.Sprintf("repetition %d on %s: import %.0f statements/s; audited get p50 %.3f ms, p99 %.3f ms", rep+1, engine, imported, p(0.50), p(0.99))
		if engine == ctistest.SQLite {
			dir := b.TempDir()
			s50, s99 := fsyncLatency(b, dir, gets)
			floor := bareInsertRate(b, filepath.Join(dir, "floor.db"), min(total, 300_000))
			syncP50s, syncP99s, floors = append(syncP50s, s50), append(syncP99s, s99), append(floors, floor)
			line += fmt.Sprintf("; floors: fsync p50 %.3f ms, p99 %.3f ms; bare insert %.0f rows/s", s50, s99, floor)
		}
		fmt.Println(line)
	}
	host.End()
	fmt.Printf("%d statements, %d audited gets, %d repetitions; %s\n", total, gets, reps, host)
	spread := func(name, unit string, r []float64) float64 {
		lo, med, hi := benchhost.Spread(r)
		if len(r) > 0 {
			fmt.Printf("%-32s min %10.3f  median %10.3f  max %10.3f %s\n", name, lo, med, hi, unit)
		}
		return med
	}
	b.ReportMetric(spread("import", "statements/s", imports), "import-statements/s")
	b.ReportMetric(spread("audited get p50", "ms", p50s), "get-p50-ms")
	b.ReportMetric(spread("audited get p99", "ms", p99s), "get-p99-ms")
	spread("floor: fsync p50", "ms", syncP50s)
	spread("floor: fsync p99", "ms", syncP99s)
	spread("floor: bare insert, no index", "rows/s", floors)
}

// storeRound imports total statements into a fresh store and reads gets
// of its entities, returning statements imported per second and the
// reads' latencies, sorted.
func storeRound(b *testing.B, total, gets int) (float64, []time.Duration) {
	db := openDB(b, store.Options{})
	defer db.Close()
	for _, a := range []struct{ code, country string }{{"FR-DGSI", "FR"}, {"DE-BKA", "DE"}, {"JO-GID", "JO"}} {
		mustAgency(b, db, a.code, a.country)
	}
	if _, err := db.PutGroup(system, ctis.SharingGroup{Name: "western", Agencies: []string{"FR-DGSI", "DE-BKA"}}); err != nil {
		b.Fatal(err)
	}
	handlings := []ctis.Handling{
		{Distribution: ctis.DistAll, Frontline: true},
		{Distribution: ctis.DistGroup, Group: "western"},
		{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA", "JO-GID"}},
		{Distribution: ctis.DistOriginator, HitNotice: true},
	}
	const per, perBatch = 5, 1000
	ctx := as("FR-DGSI", ctis.RoleAnalyst)
	var ids []string
	start := time.Now()
	for done := 0; done < total; {
		batch := make([]ctis.NewEntity, 0, perBatch)
		for range perBatch {
			if done >= total {
				break
			}
			i := len(ids)
			id := ctis.NewID()
			ids = append(ids, id)
			st := []ctis.NewStatement{
				{Property: "name", Value: fmt.Sprintf("Subject%d Abu al-Test", i), Handling: handlings[0], Grading: "B2"},
				{Property: "birthDate", Value: fmt.Sprintf("19%02d-%02d", 50+i%50, 1+i%12), Handling: handlings[1]},
				{Property: "nationality", Value: []string{"FR", "DE", "SY", "IQ"}[i%4], Handling: handlings[2]},
				{Property: "passportNumber", Value: fmt.Sprintf("P%08d", i), Handling: handlings[3]},
				{Property: "notes", Value: "Seen near the border crossing in spring.", Handling: handlings[i%4]},
			}
			st = st[:min(per, total-done)]
			done += len(st)
			batch = append(batch, ctis.NewEntity{ID: id, Schema: "Person", Statements: st})
		}
		rep, err := db.Import(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		copy(ids[len(ids)-len(batch):], rep.IDs) // the stored IDs, scoped to the importer
	}
	imported := float64(total) / time.Since(start).Seconds()

	reader := as("DE-BKA", ctis.RoleAnalyst)
	lat := make([]time.Duration, 0, gets)
	rng := rand.New(rand.NewPCG(1, 2))
	for range gets {
		id := ids[rng.IntN(len(ids))]
		t0 := time.Now()
		e, err := db.Entity(reader, id)
		lat = append(lat, time.Since(t0))
		if err != nil || len(e.Statements) == 0 {
			b.Fatalf("get %s: %v", id, err)
		}
	}
	slices.Sort(lat)
	return imported, lat
}

// fsyncLatency writes and syncs n pages of 4 KiB one after another in dir,
// as a commit appends to a WAL, and returns the sync's p50 and p99 in ms.
func fsyncLatency(b *testing.B, dir string, n int) (p50, p99 float64) {
	f, err := os.Create(filepath.Join(dir, "fsync"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	page := make([]byte, 4096)
	lat := make([]time.Duration, 0, n)
	for range n {
		if _, err := f.Write(page); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	return ms(0.50), ms(0.99)
}

// bareInsertRate inserts n rows of a statement's columns into a table of
// a new SQLite file with no index, key or constraint, in transactions
// of 5,000 rows, a hundred to an insert, with the store's durability
// (WAL, synchronous FULL), and returns rows per second: what the engine
// does before any of the store's indexes.
func bareInsertRate(b *testing.B, path string, n int) float64 {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate&_pragma=cache_size(-131072)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	const cols, rows, perTx = 20, 100, 5000
	if _, err := db.ExecContext(ctx, `CREATE TABLE bare (seq, id, entity_id, property, value, key, originator, distribution, grp, frontline, hit_notice,
		restriction, restriction_text, grading, recorded_at, review_by, withdrawn_at, withdrawn_by, withdrawn_reason, changed_ns)`); err != nil {
		b.Fatal(err)
	}
	n = max(perTx, n/perTx*perTx)
	q := `INSERT INTO bare VALUES ` + store.ValueRows(rows, cols)
	args := make([]any, 0, rows*cols)
	start := time.Now()
	for done := 0; done < n; {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		ins, err := tx.PrepareContext(ctx, q)
		if err != nil {
			b.Fatal(err)
		}
		for range perTx / rows {
			args = args[:0]
			for range rows {
				done++
				now := time.Now()
				args = append(args, done, ctis.NewID(), ctis.ScopedID("FR-DGSI", strconv.Itoa(done/5)), "name", "Subject"+strconv.Itoa(done)+" Abu al-Test",
					"subject"+strconv.Itoa(done)+" abu al test", "FR-DGSI", "all", nil, true, false, "none", "", "B2",
					now.Format(time.RFC3339Nano), "2029-12-01", nil, nil, nil, now.UnixNano())
			}
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}
