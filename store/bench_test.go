package store_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"ctis"
	"ctis/store"
)

// benchStatements is how many statements BenchmarkStore imports; set
// CTIS_BENCH_STATEMENTS to change it.
func benchStatements() int {
	if n, err := strconv.Atoi(os.Getenv("CTIS_BENCH_STATEMENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkStore imports a million statements in batches of a thousand
// entities (five statements each, under mixed handling), then measures
// audited get-by-ID latency for another agency's analyst.
//
//	go test -run '^$' -bench Store -benchtime 2000x ./store/
func BenchmarkStore(b *testing.B) {
	db := openDB(b, store.Options{})
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
	total := benchStatements()
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
	elapsed := time.Since(start)
	b.Logf("imported %d statements in %s: %.0f statements/s", total, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())

	reader := as("DE-BKA", ctis.RoleAnalyst)
	lat := make([]time.Duration, 0, b.N)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for range b.N {
		id := ids[rng.IntN(len(ids))]
		t0 := time.Now()
		e, err := db.Entity(reader, id)
		lat = append(lat, time.Since(t0))
		if err != nil || len(e.Statements) < 3 {
			b.Fatalf("get %s: %v", id, err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(total)/elapsed.Seconds(), "import-statements/s")
	b.ReportMetric(p(0.50), "get-p50-ms")
	b.ReportMetric(p(0.99), "get-p99-ms")
}
