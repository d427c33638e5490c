package screenbench

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/text/language"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"

	"ctis"
	"ctis/manifest"
	"ctis/paxlst"
	"ctis/screen"
)

// Speed is what the generated watchlist measures.
type Speed struct {
	Records        int
	Import         time.Duration
	Build          time.Duration
	BytesPerRecord float64
	// P50, P99 and Batch300 are the medians of Runs repetitions, each
	// of a thousand single screenings and a batch of 300; P50s, P99s and
	// Batches are every repetition's.
	P50, P99            time.Duration
	Batch300            time.Duration
	P50s, P99s, Batches []time.Duration
	// Manifest is a 300-passenger PAXLST read and screened end to end:
	// the median of ManifestRuns, the manifest read and screened again
	// each time, as a shared machine's timings vary.
	Manifest     time.Duration
	ManifestRuns []time.Duration
	// Found is how many of the Listed queries for listed people, written
	// otherwise, had that person among their hits.
	Found, Listed int
}

// SpeedTest stores o.Records generated persons, builds the index from the
// store as a node does at start, and times single screenings and a batch
// of 300 (a flight's manifest).
func SpeedTest(o *Options) (*Speed, error) {
	n, err := newNode(o)
	if err != nil {
		return nil, err
	}
	defer n.close()
	g, err := newGenerator(o.Seed)
	if err != nil {
		return nil, err
	}
	sp := &Speed{Records: o.Records}
	var listed []person
	var listedIDs []string
	t0 := time.Now()
	const batchSize = 2000
	for done := 0; done < o.Records; {
		batch := make([]ctis.NewEntity, 0, batchSize)
		for ; len(batch) < batchSize && done < o.Records; done++ {
			p := g.person()
			id := ctis.DerivedID("speed", strconv.Itoa(done))
			if done%1000 == 0 {
				listed = append(listed, p)
				// Imported IDs are the contributor's keys; the store keeps
				// the entity under the ID scoped to its agency.
				listedIDs = append(listedIDs, ctis.ScopedID(contributorAgency, id))
			}
			st := []ctis.NewStatement{
				{Property: "name", Value: p.name, Handling: released},
				{Property: "birthDate", Value: p.birthDate, Handling: released},
				{Property: "nationality", Value: p.nationality, Handling: released},
			}
			batch = append(batch, ctis.NewEntity{ID: id, Schema: "Person", Statements: st})
		}
		if _, err := n.db.Import(contributor, batch); err != nil {
			return nil, err
		}
		if done%100000 == 0 {
			o.progressf("stored %d of %d persons", done, o.Records)
		}
	}
	sp.Import = time.Since(t0)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 = time.Now()
	svc, err := screen.New(screener, n.db)
	if err != nil {
		return nil, err
	}
	sp.Build = time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	sp.BytesPerRecord = float64(after.HeapAlloc-before.HeapAlloc) / float64(o.Records)
	o.progressf("index of %d records built in %s", svc.Records(), sp.Build.Round(time.Millisecond))

	// Half the queries are listed people written otherwise (reordered,
	// year of birth only); half are people not on the list.
	var subjects []ctis.Subject
	want := map[int]string{} // subject → the listed person's entity
	q, err := newGenerator(o.Seed + 7)
	if err != nil {
		return nil, err
	}
	for i := range 1000 {
		if i%2 == 0 {
			p := listed[i/2%len(listed)]
			want[i] = listedIDs[i/2%len(listed)]
			subjects = append(subjects, ctis.Subject{Name: reorder(p.name), BirthDate: p.birthDate[:4], Nationality: p.nationality})
		} else {
			p := q.person()
			subjects = append(subjects, ctis.Subject{Name: p.name, BirthDate: p.birthDate, Nationality: p.nationality})
		}
	}
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	runs := max(o.Reps, 1)
	for r := range runs {
		o.progressf("screening, repetition %d of %d…", r+1, runs)
		var lat []time.Duration
		for i, s := range subjects {
			t0 := time.Now()
			res, err := svc.Screen(screener, s)
			if err != nil {
				return nil, fmt.Errorf("screening %q: %w", s.Name, err)
			}
			lat = append(lat, time.Since(t0))
			if id, ok := want[i]; ok && r == 0 {
				sp.Listed++
				if slices.ContainsFunc(res.Hits, func(h ctis.Hit) bool { return h.EntityID == id }) {
					sp.Found++
				}
			}
		}
		slices.Sort(lat)
		sp.P50s, sp.P99s = append(sp.P50s, lat[len(lat)/2]), append(sp.P99s, lat[len(lat)*99/100])
		t0 := time.Now()
		if _, err := svc.ScreenBatch(screener, subjects[:300]); err != nil {
			return nil, err
		}
		sp.Batches = append(sp.Batches, time.Since(t0))
	}
	sp.P50, sp.P99, sp.Batch300 = median(sp.P50s), median(sp.P99s), median(sp.Batches)

	edi, err := manifestOf(subjects[:300])
	if err != nil {
		return nil, err
	}
	for range runs {
		t0 = time.Now()
		ms, err := paxlst.Parse(bytes.NewReader(edi))
		if err != nil {
			return nil, fmt.Errorf("reading the generated manifest: %w", err)
		}
		if _, err := manifest.Screen(screener, svc, n.db, nil, ms[0]); err != nil {
			return nil, err
		}
		sp.ManifestRuns = append(sp.ManifestRuns, time.Since(t0))
	}
	sp.Manifest = median(sp.ManifestRuns)
	return sp, nil
}

// median is the middle of d, the lower of the two middle ones for an
// even count.
func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// manifestOf writes subjects as the passengers of one flight, with a
// passport each, the way a carrier sends them.
func manifestOf(subjects []ctis.Subject) ([]byte, error) {
	m := &paxlst.Manifest{Sender: "ZZAIR", Recipient: "XXPIU", Reference: "BENCH1", Prepared: time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC),
		Legs: []paxlst.Leg{{Carrier: "ZZ", Flight: "ZZ300", From: "IST", To: "CDG", Departure: "2026-11-20T09:00", Arrival: "2026-11-20T12:30"}}}
	for i, s := range subjects {
		given, surname := s.Name, ""
		if at := strings.LastIndexByte(s.Name, ' '); at > 0 {
			given, surname = s.Name[:at], s.Name[at+1:]
		}
		nat := s.Nationality
		if r, err := language.ParseRegion(nat); err == nil {
			nat = r.ISO3()
		}
		m.Travellers = append(m.Travellers, paxlst.Traveller{Role: "FL", Surname: surname, GivenNames: given, BirthDate: s.BirthDate, Nationality: nat,
			Embarkation: "IST", Debarkation: "CDG", Documents: []paxlst.Document{{Type: "P", Number: fmt.Sprintf("P%07d", i), IssuingCountry: nat}}})
	}
	var b bytes.Buffer
	err := paxlst.Encode(&b, m)
	return b.Bytes(), err
}

// reorder moves the first word of a name to its end.
func reorder(name string) string {
	for i, r := range name {
		if r == ' ' {
			return name[i+1:] + " " + name[:i]
		}
	}
	return name
}

// percentile returns the q-quantile of sorted durations.
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}
