package matcher

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// benchRecords is how many records BenchmarkQuery indexes: 1,000,000,
// or MATCHER_BENCH_RECORDS.
func benchRecords() int {
	if n, err := strconv.Atoi(os.Getenv("MATCHER_BENCH_RECORDS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var (
	benchOnce sync.Once
	benchIx   *Index
	benchQs   []Query
	// benchTravellers are people not in the index as a border post
	// screens them: name, date of birth, nationality and gender.
	benchTravellers []Query
	benchBuild      time.Duration
	benchMem        float64
)

// buildBenchIndex indexes the UN list's Latin names and generated people
// up to benchRecords, and makes queries: perturbed names of indexed
// records, and names of people not in the index.
func buildBenchIndex(tb testing.TB) {
	benchOnce.Do(func() {
		n := benchRecords()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		ix := unIndex(tb)
		g := newGenerator(1)
		var sample []Record
		for i := ix.Len(); i < n; i++ {
			r := g.person("g" + strconv.Itoa(i))
			if err := ix.Add(r); err != nil {
				tb.Fatal(err)
			}
			if i%1000 == 0 {
				sample = append(sample, r)
			}
		}
		benchBuild = time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		benchMem = float64(after.HeapAlloc-before.HeapAlloc) / float64(ix.Len())
		benchIx = ix
		q := newGenerator(2)
		for i := 0; i < 600 && i < len(sample); i++ {
			r := sample[i%len(sample)]
			qu := Query{Name: q.perturb(r.Names[q.r.IntN(len(r.Names))])}
			if i%3 == 0 {
				qu.BirthDate = r.BirthDates[0]
			}
			benchQs = append(benchQs, qu)
		}
		other := newGenerator(3)
		for i := 0; i < 400; i++ {
			benchQs = append(benchQs, Query{Name: other.person("x").Names[0]})
		}
		for i := 0; i < 400; i++ {
			o := other.person("t")
			t := Query{Name: o.Names[0], Nationality: o.Nationalities[0], Gender: o.Gender}
			if len(o.BirthDates) > 0 {
				t.BirthDate = o.BirthDates[0]
			}
			benchTravellers = append(benchTravellers, t)
		}
		for _, r := range loadCSV(tb, "un_original_script_pairs.csv") {
			benchQs = append(benchQs, Query{Name: r[5]})
		}
	})
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// BenchmarkQuery screens single names against an index of a million
// records and reports p50 and p99 latency, the time to screen a
// 300-person manifest, build time and memory per record.
//
//	go test -run '^$' -bench BenchmarkQuery -benchtime 1x ./matcher/
func BenchmarkQuery(b *testing.B) {
	buildBenchIndex(b)
	ix := benchIx
	b.ResetTimer()
	var lat []time.Duration
	hits := 0
	for i := 0; i < b.N; i++ {
		for _, q := range benchQs {
			t := time.Now()
			ms := ix.Query(q, 10)
			lat = append(lat, time.Since(t))
			if len(ms) > 0 {
				hits++
			}
		}
	}
	b.StopTimer()
	var trav []time.Duration
	for _, q := range benchTravellers {
		t := time.Now()
		ix.Query(q, 10)
		trav = append(trav, time.Since(t))
	}
	manifest := benchQs[:300]
	t := time.Now()
	var wg sync.WaitGroup
	next := make(chan Query)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range next {
				ix.Query(q, 10)
			}
		}()
	}
	for _, q := range manifest {
		next <- q
	}
	close(next)
	wg.Wait()
	batch := time.Since(t)
	b.ReportMetric(float64(ix.Len()), "records")
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(percentile(trav, 0.5).Microseconds())/1000, "traveller-p50-ms")
	b.ReportMetric(float64(batch.Milliseconds()), "batch300-ms")
	b.ReportMetric(benchBuild.Seconds(), "build-s")
	b.ReportMetric(benchMem, "bytes/record")
	b.ReportMetric(float64(hits)/float64(len(lat)), "hit-rate")
	fmt.Printf("index of %d records built in %s, %.0f bytes/record; %d queries: p50 %s p99 %s max %s; %d travellers (name, date of birth, nationality, gender): p50 %s p99 %s; 300-person batch %s\n",
		ix.Len(), benchBuild.Round(time.Millisecond), benchMem, len(lat), percentile(lat, 0.5), percentile(lat, 0.99), percentile(lat, 1),
		len(trav), percentile(trav, 0.5), percentile(trav, 0.99), batch)
}
