package matcher

import (
	"errors"
	"sort"
	"sync"
)

// Index holds records analysed for screening and finds the candidates of
// a query without scanning them all: words are interned once in a
// dictionary, the dictionary is indexed by phonetic key, consonant
// skeleton and skeletons with one consonant missing (which catches typos
// and transliterations that differ in one consonant), and each word keeps
// the names it occurs in. Document numbers are indexed too.
//
// An Index is safe for concurrent use: queries share a read lock, Add
// and Remove take the write lock. The zero value is not usable; call
// NewIndex.
type Index struct {
	mu sync.RWMutex

	terms  []*term
	termID map[string]uint32
	// postings lists, for each term, the names (entries) it occurs in.
	postings [][]uint32
	byKey    map[string][]uint32
	bySkel   map[string][]uint32
	byDel    map[string][]uint32

	entries     []entry
	freeEntries []uint32
	slots       []*slot
	freeSlots   []uint32
	byID        map[string]uint32
	byDoc       map[string][]uint32

	scratch sync.Pool
}

// entry is one name of one record.
type entry struct {
	slot uint32
	name uint32 // index in slot.p.names
}

// slot is a stored record.
type slot struct {
	p       *prepared
	entries []uint32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		termID: map[string]uint32{},
		byKey:  map[string][]uint32{},
		bySkel: map[string][]uint32{},
		byDel:  map[string][]uint32{},
		byID:   map[string]uint32{},
		byDoc:  map[string][]uint32{},
	}
}

// ErrNoID is returned by Add for a record without an ID.
var ErrNoID = errors.New("matcher: record has no ID")

// Len returns the number of records in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.byID)
}

// Add adds a record, replacing the record with the same ID if there is
// one. The index keeps r; the caller must not change its slices after.
func (ix *Index) Add(r Record) error {
	if r.ID == "" {
		return ErrNoID
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if s, ok := ix.byID[r.ID]; ok {
		ix.removeSlot(s)
	}
	p := prepare(r, ix.intern)
	var sl uint32
	if n := len(ix.freeSlots); n > 0 {
		sl = ix.freeSlots[n-1]
		ix.freeSlots = ix.freeSlots[:n-1]
	} else {
		sl = uint32(len(ix.slots))
		ix.slots = append(ix.slots, nil)
	}
	s := &slot{p: p}
	ix.slots[sl] = s
	ix.byID[r.ID] = sl
	for ni := range p.names {
		var e uint32
		if n := len(ix.freeEntries); n > 0 {
			e = ix.freeEntries[n-1]
			ix.freeEntries = ix.freeEntries[:n-1]
		} else {
			e = uint32(len(ix.entries))
			ix.entries = append(ix.entries, entry{})
		}
		ix.entries[e] = entry{slot: sl, name: uint32(ni)}
		s.entries = append(s.entries, e)
		seen := map[*term]bool{}
		for _, t := range p.names[ni].tokens {
			if t.weight == 0 || seen[t.term] {
				continue
			}
			seen[t.term] = true
			id := ix.termID[t.term.text]
			ix.postings[id] = append(ix.postings[id], e)
		}
	}
	for _, d := range uniq(p.docs) {
		ix.byDoc[d] = append(ix.byDoc[d], sl)
	}
	return nil
}

// Remove removes the record with the given ID and reports whether it was
// there.
func (ix *Index) Remove(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s, ok := ix.byID[id]
	if ok {
		ix.removeSlot(s)
	}
	return ok
}

func (ix *Index) removeSlot(sl uint32) {
	s := ix.slots[sl]
	for _, e := range s.entries {
		seen := map[*term]bool{}
		for _, t := range s.p.names[ix.entries[e].name].tokens {
			if t.weight == 0 || seen[t.term] {
				continue
			}
			seen[t.term] = true
			id := ix.termID[t.term.text]
			ix.postings[id] = removeU32(ix.postings[id], e)
		}
		ix.freeEntries = append(ix.freeEntries, e)
	}
	for _, d := range uniq(s.p.docs) {
		if l := removeU32(ix.byDoc[d], sl); len(l) > 0 {
			ix.byDoc[d] = l
		} else {
			delete(ix.byDoc, d)
		}
	}
	delete(ix.byID, s.p.rec.ID)
	ix.slots[sl] = nil
	ix.freeSlots = append(ix.freeSlots, sl)
}

func removeU32(l []uint32, v uint32) []uint32 {
	for i, x := range l {
		if x == v {
			l[i] = l[len(l)-1]
			return l[:len(l)-1]
		}
	}
	return l
}

func uniq(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// intern returns the dictionary's term for a word, adding it. Called with
// the write lock held.
func (ix *Index) intern(text string) *term {
	if id, ok := ix.termID[text]; ok {
		return ix.terms[id]
	}
	t := analyzeTerm(text)
	id := uint32(len(ix.terms))
	ix.terms = append(ix.terms, t)
	ix.postings = append(ix.postings, nil)
	ix.termID[text] = id
	for _, k := range t.keys {
		ix.byKey[k] = appendUniq(ix.byKey[k], id)
	}
	for _, sk := range t.skels {
		ix.bySkel[sk] = appendUniq(ix.bySkel[sk], id)
		if consonants(sk) >= 3 {
			for _, d := range deletes(sk) {
				ix.byDel[d] = appendUniq(ix.byDel[d], id)
			}
		}
	}
	return t
}

func appendUniq(l []uint32, v uint32) []uint32 {
	if n := len(l); n > 0 && l[n-1] == v {
		return l
	}
	return append(l, v)
}

// deletes returns a skeleton with each of its consonants left out in
// turn (the leading vowel mark stays).
func deletes(sk string) []string {
	start := 0
	if len(sk) > 0 && sk[0] == '@' {
		start = 1
	}
	out := make([]string, 0, len(sk))
	for i := start; i < len(sk); i++ {
		d := sk[:i] + sk[i+1:]
		if !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// lookup returns the dictionary's term for a word, or a fresh one that is
// not added. Called with the read lock held.
func (ix *Index) lookup(text string) *term {
	if id, ok := ix.termID[text]; ok {
		return ix.terms[id]
	}
	return analyzeTerm(text)
}

// Retrieval limits. A word whose names number more than commonPostings
// (Muhammad in a large list) only scores the candidates rarer words
// found, unless no rarer word found any; at most candidates names are
// scored in full.
const (
	commonPostings = 20000
	maxCandidates  = 300
)

type scratch struct {
	acc     []float32
	mark    []uint16
	touched []uint32
}

// Query returns the records that match q with at least q.MinScore (or
// DefaultThreshold), best first, at most limit of them (all when limit is
// not positive), each with its explanation.
func (ix *Index) Query(q Query, limit int) []Match {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	pq := prepareQuery(q, ix.lookup)
	cache := simCache{}
	cands := ix.candidates(pq, cache)
	var out []Match
	seen := make(map[uint32]bool, len(cands))
	for _, sl := range cands {
		if seen[sl] {
			continue
		}
		seen[sl] = true
		m, ok := score(pq, ix.slots[sl].p, cache, false)
		if ok && m.Score >= pq.min {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		m, _ := score(pq, ix.slots[ix.byID[out[i].ID]].p, cache, true)
		out[i] = m
	}
	return out
}

// expansion is a dictionary term that may stand for a query word.
type expansion struct {
	id  uint32
	sim float64
}

// expand finds the dictionary terms a query word may be.
func (ix *Index) expand(t *term, init bool, cache simCache) []expansion {
	cand := map[uint32]bool{}
	if id, ok := ix.termID[t.text]; ok {
		cand[id] = true
	}
	for _, k := range t.keys {
		for _, id := range ix.byKey[k] {
			cand[id] = true
		}
	}
	for _, sk := range t.skels {
		n := consonants(sk)
		if n == 0 {
			continue
		}
		for _, id := range ix.bySkel[sk] {
			cand[id] = true
		}
		if n >= 3 {
			for _, id := range ix.byDel[sk] {
				cand[id] = true
			}
			for _, d := range deletes(sk) {
				for _, id := range ix.bySkel[d] {
					cand[id] = true
				}
				for _, id := range ix.byDel[d] {
					cand[id] = true
				}
			}
		}
	}
	out := make([]expansion, 0, len(cand))
	for id := range cand {
		if len(ix.postings[id]) == 0 {
			continue
		}
		s, _ := cache.sim(t, ix.terms[id], init, false)
		if s >= nearThreshold {
			out = append(out, expansion{id, s})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sim > out[j].sim })
	return out
}

// candidates returns the record slots worth scoring for a query.
func (ix *Index) candidates(pq *preparedQuery, cache simCache) []uint32 {
	var slots []uint32
	if pq.doc != "" {
		slots = append(slots, ix.byDoc[pq.doc]...)
	}
	type word struct {
		w     float64
		exp   []expansion
		total int
	}
	var words []word
	for _, t := range pq.name.tokens {
		if t.weight == 0 || t.class == classInitial {
			continue
		}
		exp := ix.expand(t.term, false, cache)
		total := 0
		for _, e := range exp {
			total += len(ix.postings[e.id])
		}
		if total > 0 {
			words = append(words, word{t.weight, exp, total})
		}
	}
	if len(words) == 0 {
		return slots
	}
	sort.Slice(words, func(i, j int) bool { return words[i].total < words[j].total })

	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil || len(sc.acc) < len(ix.entries) {
		n := len(ix.entries) + len(ix.entries)/8 + 16
		sc = &scratch{acc: make([]float32, n), mark: make([]uint16, n)}
	}
	defer func() {
		for _, e := range sc.touched {
			sc.acc[e], sc.mark[e] = 0, 0
		}
		sc.touched = sc.touched[:0]
		ix.scratch.Put(sc)
	}()
	for wi, w := range words {
		common := w.total > commonPostings
		if common && len(sc.touched) > 0 {
			// Rarer words found candidates: this one only adds to them,
			// and only needs to when they are too many to score all.
			if len(sc.touched) > maxCandidates {
				ix.boost(sc, w.exp, wi, w.w)
			}
			continue
		}
		for _, e := range w.exp {
			for _, en := range ix.postings[e.id] {
				if sc.mark[en] == uint16(wi+1) {
					continue
				}
				if sc.mark[en] == 0 {
					sc.touched = append(sc.touched, en)
				}
				sc.mark[en] = uint16(wi + 1)
				sc.acc[en] += float32(w.w * e.sim)
			}
		}
	}
	// Rank names by what they matched over what they hold, and score the
	// best in full.
	type cand struct {
		e uint32
		v float32
	}
	cs := make([]cand, 0, len(sc.touched))
	for _, e := range sc.touched {
		p := ix.slots[ix.entries[e].slot].p
		ws := p.names[ix.entries[e].name].wsum
		cs = append(cs, cand{e, sc.acc[e] / float32(ws+pq.name.wsum)})
	}
	if len(cs) > maxCandidates {
		sort.Slice(cs, func(i, j int) bool { return cs[i].v > cs[j].v })
		cs = cs[:maxCandidates]
	}
	for _, c := range cs {
		slots = append(slots, ix.entries[c.e].slot)
	}
	return slots
}

// boost adds a common word's share to the names rarer words found, by
// looking at their words rather than at the word's long postings.
func (ix *Index) boost(sc *scratch, exp []expansion, wi int, w float64) {
	sims := make(map[*term]float64, len(exp))
	for _, e := range exp {
		sims[ix.terms[e.id]] = e.sim
	}
	for _, en := range sc.touched {
		p := ix.slots[ix.entries[en].slot].p
		best := 0.0
		for _, tok := range p.names[ix.entries[en].name].tokens {
			if s, ok := sims[tok.term]; ok && s > best {
				best = s
			}
		}
		if best > 0 {
			sc.mark[en] = uint16(wi + 1)
			sc.acc[en] += float32(w * best)
		}
	}
}
