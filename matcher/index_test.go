package matcher

import (
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"testing"
)

func sampleRecords() []Record {
	return []Record{
		{ID: "1", Tag: "a", Names: []string{"Usama Muhammad Awad bin Ladin", "أسامة بن لادن"}, BirthDates: []string{"1957-03-10"}, Nationalities: []string{"SA"}, Gender: "male"},
		{ID: "2", Tag: "b", Names: []string{"Абдуллаев Рустам Ахмедович"}, BirthDates: []string{"1970~"}, Documents: []string{"AB 123456"}},
		{ID: "3", Tag: "c", Names: []string{"Ayman al-Zawahiri"}, BirthDates: []string{"1951-06-19"}},
		{ID: "4", Tag: "d", Schema: "Organization", Names: []string{"Al-Qa'ida", "The Base"}},
		{ID: "5", Tag: "e", Names: []string{"Muhammad Ali Hassan"}},
		{ID: "6", Tag: "f", Names: []string{"Abdulrahman Yasin"}},
	}
}

func TestIndexQuery(t *testing.T) {
	ix := NewIndex()
	for _, r := range sampleRecords() {
		if err := ix.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Add(Record{Names: []string{"no id"}}); err != ErrNoID {
		t.Errorf("Add without ID: %v", err)
	}
	tests := []struct {
		q    Query
		want string // ID of the best match, "" for none
	}{
		{Query{Name: "Osama bin Laden"}, "1"},
		{Query{Name: "أسامة بن محمد بن لادن"}, "1"},
		{Query{Name: "Rustam Abdoullaev"}, "2"},
		{Query{Name: "Abdullayev Rustam"}, "2"},
		{Query{Name: "Someone Else", Document: "ab-123456"}, "2"},
		{Query{Name: "Aiman Zawahri"}, "3"},
		{Query{Name: "al Qaeda", Schema: "Organization"}, "4"},
		{Query{Name: "al Qaeda", Schema: "Person"}, ""},
		{Query{Name: "Abdul Rahman Yasin"}, "6"},
		{Query{Name: "John Smith"}, ""},
		{Query{Name: ""}, ""},
	}
	for _, tt := range tests {
		ms := ix.Query(tt.q, 5)
		got := ""
		if len(ms) > 0 {
			got = ms[0].ID
		}
		if got != tt.want {
			t.Errorf("Query(%+v) = %v, want best %q", tt.q, ms, tt.want)
			continue
		}
		for i, m := range ms {
			if m.Score < DefaultThreshold || i > 0 && m.Score > ms[i-1].Score || len(m.Components) == 0 {
				t.Errorf("Query(%+v): match %d %+v out of order or under threshold", tt.q, i, m)
			}
		}
	}
	if ms := ix.Query(Query{Name: "Osama bin Laden"}, 1); len(ms) != 1 || ms[0].Tag != "a" {
		t.Errorf("tag not returned: %+v", ms)
	}
}

func TestIndexAddRemove(t *testing.T) {
	ix := NewIndex()
	for _, r := range sampleRecords() {
		ix.Add(r)
	}
	if ix.Len() != 6 {
		t.Fatalf("Len = %d", ix.Len())
	}
	if !ix.Remove("1") || ix.Remove("1") {
		t.Fatal("Remove reported wrongly")
	}
	if ms := ix.Query(Query{Name: "Osama bin Laden"}, 5); len(ms) != 0 {
		t.Errorf("removed record still found: %+v", ms)
	}
	// Replacing a record by ID drops its old names and document.
	ix.Add(Record{ID: "2", Names: []string{"Ivan Petrov"}})
	if ms := ix.Query(Query{Name: "Rustam Abdullaev"}, 5); len(ms) != 0 {
		t.Errorf("replaced name still found: %+v", ms)
	}
	if ms := ix.Query(Query{Name: "x", Document: "AB123456"}, 5); len(ms) != 0 {
		t.Errorf("replaced document still found: %+v", ms)
	}
	if ms := ix.Query(Query{Name: "Иван Петров"}, 5); len(ms) != 1 || ms[0].ID != "2" {
		t.Errorf("replacement not found: %+v", ms)
	}
	if ix.Len() != 5 {
		t.Errorf("Len = %d after replace and remove", ix.Len())
	}
	// Slots and names freed by Remove are reused without mixing records.
	ix.Add(Record{ID: "7", Names: []string{"Osama Hamdan"}})
	if ms := ix.Query(Query{Name: "Osama Hamdan"}, 5); len(ms) != 1 || ms[0].ID != "7" {
		t.Errorf("reused slot: %+v", ms)
	}
}

// The index finds what comparing every record finds.
func TestIndexAgreesWithCompare(t *testing.T) {
	g := newGenerator(11)
	ix := NewIndex()
	var recs []Record
	for i := 0; i < 1500; i++ {
		r := g.person(strconv.Itoa(i))
		recs = append(recs, r)
		ix.Add(r)
	}
	q := newGenerator(12)
	missed, total := 0, 0
	for i := 0; i < 60; i++ {
		r := recs[q.r.IntN(len(recs))]
		query := Query{Name: q.perturb(r.Names[0])}
		want := map[string]bool{}
		for _, rr := range recs {
			if m := Compare(query, rr); m.Score >= DefaultThreshold {
				want[rr.ID] = true
			}
		}
		got := map[string]bool{}
		for _, m := range ix.Query(query, 0) {
			got[m.ID] = true
			if !want[m.ID] {
				t.Errorf("%q: index found %s, Compare did not", query.Name, m.ID)
			}
		}
		for id := range want {
			total++
			if !got[id] {
				missed++
			}
		}
	}
	if total == 0 || float64(missed)/float64(total) > 0.02 {
		t.Errorf("index missed %d of %d matches that Compare finds", missed, total)
	}
}

// Queries run while records are added and removed (go test -race).
func TestIndexConcurrent(t *testing.T) {
	ix := NewIndex()
	g := newGenerator(5)
	for i := 0; i < 500; i++ {
		ix.Add(g.person(strconv.Itoa(i)))
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			q := newGenerator(uint64(100 + w))
			for i := 0; i < 100; i++ {
				ix.Query(Query{Name: q.person("q").Names[0]}, 10)
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := newGenerator(9)
		for i := 0; i < 300; i++ {
			id := fmt.Sprint(i)
			if i%3 == 0 {
				ix.Remove(id)
			} else {
				ix.Add(w.person(id))
			}
		}
	}()
	wg.Wait()
}

// A Part record needs only PartMinScore: with the rest of what is known
// it may yet reach MinScore. A whole record needs MinScore.
func TestQueryPartMinScore(t *testing.T) {
	ix := NewIndex()
	for _, r := range []Record{
		{ID: "whole", Names: []string{"Ivan Petrovich Sidorov"}, BirthDates: []string{"1970-01-01"}},
		{ID: "part", Names: []string{"Ivan Petrovich Sidorov"}, BirthDates: []string{"1970-01-01"}, Part: true},
	} {
		if err := ix.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	q := Query{Name: "Ivan Petrovich Sidorov", BirthDate: "1990-05-05", MinScore: 0.75, PartMinScore: 0.5}
	ms := ix.Query(q, 0)
	if len(ms) != 1 || ms[0].ID != "part" || ms[0].Score >= 0.75 || ms[0].Score < 0.5 {
		t.Fatalf("got %+v, want the part record alone, between 0.5 and 0.75", ms)
	}
	q.PartMinScore = 0
	if ms := ix.Query(q, 0); len(ms) != 0 {
		t.Fatalf("without PartMinScore the part needs MinScore too: got %+v", ms)
	}
}

// The expansion cache keeps the words in use when it is full: a word
// asked for all along survives any number of others passing through.
func TestExpansionsKeepWordsInUse(t *testing.T) {
	c := expansions{now: map[string]*expEntry{}}
	hot := &expEntry{gen: 7}
	c.put("muhammad", hot)
	for i := range 5 * maxExpCache {
		c.put(fmt.Sprint("w", i), &expEntry{})
		if i%1000 == 0 && c.get("muhammad") != hot {
			t.Fatalf("the word in use was dropped after %d others", i)
		}
	}
	if n := len(c.now) + len(c.old); n > 2*maxExpCache {
		t.Fatalf("%d entries: over the bound", n)
	}
	if c.get("w0") != nil {
		t.Fatal("a word not used since was kept")
	}
}

// Warm caches the expansion of every dictionary word, and changes no
// query's answer.
func TestWarm(t *testing.T) {
	g, qg := newGenerator(11), newGenerator(12)
	cold, warm := NewIndex(), NewIndex()
	var recs []Record
	for i := range 300 {
		r := g.person(fmt.Sprint("r", i))
		recs = append(recs, r)
		for _, ix := range []*Index{cold, warm} {
			if err := ix.Add(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	warm.Warm()
	for id, t2 := range warm.terms {
		if len(warm.postings[id]) > 0 && warm.expCache.get(t2.text) == nil {
			t.Fatalf("word %q not expanded by Warm", t2.text)
		}
	}
	for i := range 200 {
		q := Query{Name: qg.perturb(recs[i%len(recs)].Names[0])}
		a, b := cold.Query(q, 10), warm.Query(q, 10)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%q: cold %v, warm %v", q.Name, a, b)
		}
	}
}
