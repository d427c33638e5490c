package matcher

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		prec byte
	}{
		{"1971", true, 'y'},
		{"1971-07", true, 'm'},
		{"1971-07-28", true, 'd'},
		{"1970~", true, 'r'},
		{"1970?", true, 'r'},
		{"1973/1974", true, 'r'},
		{"1973..1975", true, 'r'},
		{"1975/1973", false, 0},
		{"1971-02-30", false, 0},
		{"71", false, 0},
		{"1971-7-28", false, 0},
		{"", false, 0},
		{"abcd", false, 0},
	}
	for _, tt := range tests {
		d, ok := parseDate(tt.in)
		if ok != tt.ok || ok && d.prec != tt.prec {
			t.Errorf("parseDate(%q) = %+v, %v; want ok %v prec %c", tt.in, d, ok, tt.ok, tt.prec)
		}
	}
}

func TestCompareDates(t *testing.T) {
	tests := []struct {
		q, r     string
		tol      int
		min, max float64
	}{
		{"1971-07-28", "1971-07-28", 0, 1, 1},
		{"1971-07-28", "1971-28-07", 0, 0, 0}, // not a date: skipped below
		{"1971-07-28", "1971-07-20", 0, 0.6, 0.8},
		{"1971-02-03", "1971-03-02", 0, 0.8, 0.8}, // day and month swapped
		{"1971-07-28", "1971", 0, 0.9, 0.9},       // year only on the list
		{"1971", "1971-07-28", 0, 0.9, 0.9},
		{"1971-07-28", "1971-07", 0, 0.95, 0.95},
		{"1971-07-28", "1970~", 0, 0.85, 0.85}, // approximate: ±2 years
		{"1971-07-28", "1970/1972", 0, 0.85, 0.85},
		{"1971-07-28", "1972", 0, 0.5, 0.55}, // a year apart
		{"1971-07-28", "1980", 0, 0, 0},      // years apart
		{"1971-07-28", "1974", 3, 0.75, 0.9}, // within the query's tolerance
	}
	for _, tt := range tests {
		q, okq := parseDate(tt.q)
		r, okr := parseDate(tt.r)
		if !okq || !okr {
			continue
		}
		s, why := compareDates(q.widen(tt.tol), r)
		if s < tt.min || s > tt.max || why == "" {
			t.Errorf("compareDates(%s, %s ±%d) = %.2f %q, want %.2f..%.2f", tt.q, tt.r, tt.tol, s, why, tt.min, tt.max)
		}
	}
}

func TestDocumentKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AB 12O-345", "AB120345"},
		{"ab120345", "AB120345"},
		{" n° 0123/45 ", "N012345"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := DocumentKey(tt.in); got != tt.want {
			t.Errorf("DocumentKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func component(m Match, name string) (Component, bool) {
	for _, c := range m.Components {
		if c.Component == name {
			return c, true
		}
	}
	return Component{}, false
}

func TestCompare(t *testing.T) {
	rec := Record{
		ID: "QDi.999", Tag: "un:QDi.999",
		Names:         []string{"Usama Muhammad Awad bin Ladin", "أسامة بن محمد بن عوض بن لادن"},
		BirthDates:    []string{"1957-03-10", "1957"},
		Nationalities: []string{"SA"},
		Gender:        "male",
		Documents:     []string{"A 123-45O"},
	}
	name := Compare(Query{Name: "Osama bin Laden"}, rec)
	if name.ID != rec.ID || name.Tag != rec.Tag || len(name.Components) != 1 || name.Score < DefaultThreshold {
		t.Fatalf("name only: %+v", name)
	}
	full := Compare(Query{Name: "Osama bin Laden", BirthDate: "1957-03-10", Nationality: "sa", Gender: "M", Document: "A12345O"}, rec)
	if full.Score <= name.Score {
		t.Errorf("agreeing details lowered the score: %.3f ≤ %.3f", full.Score, name.Score)
	}
	for _, c := range []string{"name", "birth_date", "nationality", "gender", "document"} {
		comp, ok := component(full, c)
		if !ok || comp.Score != 1 && c != "name" || comp.Weight <= 0 || comp.Detail == "" {
			t.Errorf("component %s: %+v (present %v)", c, comp, ok)
		}
	}
	var sw, ss float64
	for _, c := range full.Components {
		sw += c.Weight
		ss += c.Weight * c.Score
	}
	if math.Abs(ss/sw-full.Score) > 1e-9 {
		t.Errorf("score %.4f is not the weighted mean %.4f of its components", full.Score, ss/sw)
	}

	wrong := Compare(Query{Name: "Osama bin Laden", BirthDate: "1990", Nationality: "FR", Gender: "female"}, rec)
	if wrong.Score >= name.Score || wrong.Score >= DefaultThreshold {
		t.Errorf("disagreeing details: %.3f, name alone %.3f", wrong.Score, name.Score)
	}
	if c, _ := component(wrong, "birth_date"); c.Score != 0 || !strings.Contains(c.Detail, "years apart") {
		t.Errorf("birth date component: %+v", c)
	}

	// A document number that matches carries a weak name over the line;
	// one that differs does not count against a match.
	doc := Compare(Query{Name: "Abu Abdallah", Document: "a12345o"}, rec)
	if doc.Score < DefaultThreshold {
		t.Errorf("same document, other name: %.3f", doc.Score)
	}
	other := Compare(Query{Name: "Osama bin Laden", Document: "ZZ999999"}, rec)
	if other.Score != name.Score {
		t.Errorf("another document changed the score: %.3f, name alone %.3f", other.Score, name.Score)
	}

	// People do not match organisations.
	if m := Compare(Query{Name: "Al-Qaida", Schema: "Organization"}, Record{ID: "p", Schema: "Person", Names: []string{"Al Qaida"}}); m.Score != 0 {
		t.Errorf("organisation matched a person: %+v", m)
	}
}

// Skipping the names of a record that cannot reach the threshold on its
// other components changes no result: every record skipped scores below
// the threshold in full, and every other one scores as in full. The
// index's facts skip the same records as score does, whenever they can
// tell.
func TestScoreSkipsOnlyWhatCannotMatch(t *testing.T) {
	g, qg := newGenerator(7), newGenerator(8)
	var recs []*prepared
	for i := range 400 {
		recs = append(recs, prepare(g.person(fmt.Sprint("r", i)), freshTerm))
	}
	natID := map[string]uint16{}
	nat := func(c string) uint16 {
		if natID[c] == 0 {
			natID[c] = uint16(len(natID) + 1)
		}
		return natID[c]
	}
	var fs []facts
	for _, pr := range recs {
		fs = append(fs, factsOf(pr, nat))
	}
	skipped, kept, told := 0, 0, 0
	for i := range 300 {
		r := recs[i%len(recs)].rec
		q := Query{Name: qg.perturb(r.Names[0])}
		switch i % 3 {
		case 0: // a stranger, with a date of birth, nationality and gender
			o := qg.person("q")
			q = Query{Name: o.Names[0], Nationality: o.Nationalities[0], Gender: o.Gender}
			if len(o.BirthDates) > 0 {
				q.BirthDate = o.BirthDates[0]
			}
		case 1: // the same person, a date of birth a few years off
			if len(r.BirthDates) > 0 {
				q.BirthDate = r.BirthDates[0]
			}
			q.Nationality = "ZZ"
		}
		pq := prepareQuery(q, freshTerm)
		pq.natID = natID[pq.nat]
		for ri, pr := range recs {
			full, okFull := score(pq, pr, nil, true)
			fast, ok := score(pq, pr, nil, false)
			if reach, sure := pq.reach(&fs[ri]); sure {
				told++
				if reach != ok {
					t.Fatalf("%q against %q: the facts say reach %v, score %v", q.Name, pr.rec.Names[0], reach, ok)
				}
			}
			if !ok {
				if okFull && full.Score >= pq.min {
					t.Fatalf("%q against %q: skipped, but scores %.3f in full", q.Name, pr.rec.Names[0], full.Score)
				}
				skipped++
				continue
			}
			kept++
			if fast.Score != full.Score {
				t.Fatalf("%q against %q: %.6f, in full %.6f", q.Name, pr.rec.Names[0], fast.Score, full.Score)
			}
		}
	}
	if skipped == 0 || kept == 0 || told < (skipped+kept)/2 {
		t.Fatalf("skipped %d, kept %d, the facts told %d: the test does not reach every way", skipped, kept, told)
	}
	t.Logf("skipped %d of %d comparisons", skipped, skipped+kept)
}
