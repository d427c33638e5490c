package matcher

import (
	"errors"
	"slices"
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
	facts       []facts // by slot
	freeSlots   []uint32
	byID        map[string]uint32
	byDoc       map[string][]uint32
	natID       map[string]uint16 // nationalities, for facts

	scratch sync.Pool

	expMu    sync.Mutex
	expCache expansions
}

// entry is one name of one record.
type entry struct {
	slot  uint32
	name  uint32  // index in slot.p.names
	wsum  float32 // the name's weight
	class uint32  // the record's Class, here so filtering stays in one array
	terms []uint32
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
		natID:  map[string]uint16{},

		expCache: expansions{now: map[string]*expEntry{}},
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
		ix.facts = append(ix.facts, facts{})
	}
	s := &slot{p: p}
	ix.slots[sl] = s
	ix.facts[sl] = factsOf(p, ix.nationality)
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
		en := entry{slot: sl, name: uint32(ni), wsum: float32(p.names[ni].wsum), class: p.rec.Class}
		for _, t := range p.names[ni].tokens {
			if t.weight == 0 || containsU32(en.terms, t.term.id) {
				continue
			}
			en.terms = append(en.terms, t.term.id)
			ix.postings[t.term.id] = append(ix.postings[t.term.id], e)
		}
		// An organisation is also found by its initials (PLA).
		if acr := acronym(&p.names[ni]); p.org && acr != "" {
			if t := ix.intern(acr); !containsU32(en.terms, t.id) {
				en.terms = append(en.terms, t.id)
				ix.postings[t.id] = append(ix.postings[t.id], e)
			}
		}
		ix.entries[e] = en
		s.entries = append(s.entries, e)
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
		for _, id := range ix.entries[e].terms {
			ix.postings[id] = removeU32(ix.postings[id], e)
		}
		ix.entries[e] = entry{}
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

// nationality returns the id of a nationality, given one if new; 0 once
// the ids run out, and the record's facts then say tooMany.
func (ix *Index) nationality(c string) uint16 {
	id, ok := ix.natID[c]
	if !ok && len(ix.natID) < int(^uint16(0)) {
		id = uint16(len(ix.natID) + 1)
		ix.natID[c] = id
	}
	return id
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

func containsU32(s []uint32, v uint32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
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
	t.id = id
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

// Retrieval limits. Words are taken rarest first. A rare word (found in
// at most rarePostings names) always brings its names as candidates. A
// commoner one brings its names only while fewer than touchedBudget are
// candidates, and one found in more than commonPostings names (Muhammad
// in a large list) only when it is the query's rarest word; otherwise it
// only adds its share to the candidates found. At most maxCandidates
// names, the best by that share, are scored in full.
const (
	rarePostings   = 3000
	commonPostings = 20000
	touchedBudget  = 2000
	firstBudget    = 250000
	maxCandidates  = 150
	// minSplit is the shortest part a run-together word is split into.
	minSplit = 3
	// maxExpand bounds the dictionary words compared with one query
	// word: those of the same key and skeleton come first, then those a
	// consonant apart.
	maxExpand = 2500
)

// rejectedMark marks an entry that the query's Keep refused.
const rejectedMark = ^uint16(0)

// ranked is a name touched in retrieval and its share of the query.
type ranked struct {
	e uint32
	v float32
}

// scratch is one query's working memory, pooled.
type scratch struct {
	acc      []float32
	mark     []uint16
	touched  []uint32
	rejected []uint32  // entries Keep refused, marked rejectedMark
	termSim  []float32 // by term id: the current word's similarity
	termSeen []uint32  // term ids set in termSim
	stamp    []uint32  // by term id: the expansion that last saw it
	stampN   uint32
	cand     []uint32
	slots    []uint32 // the record slots candidates returns
	ranked   []ranked // names touched, by what they matched
	sims     simCache // word pairs compared
}

// Query returns the records that match q with at least q.MinScore (or
// DefaultThreshold; Part records q.PartMinScore), best first, at most limit of them (all when limit is
// not positive), each with its explanation.
func (ix *Index) Query(q Query, limit int) []Match {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	pq := prepareQuery(q, ix.lookup)
	pq.natID = ix.natID[pq.nat]
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{}
	}
	defer ix.scratch.Put(sc)
	cache := &sc.sims
	cache.pairs.reset()
	clear(cache.joins)
	cands := ix.candidates(pq, cache, sc)
	// A slot found by its document and by its name is scored once.
	slices.Sort(cands)
	cands = slices.Compact(cands)
	var out []Match
	for _, sl := range cands {
		if ok, sure := pq.reach(&ix.facts[sl]); sure && !ok {
			continue
		}
		p := ix.slots[sl].p
		m, ok := score(pq, p, cache, false)
		if ok && m.Score >= pq.least(p) {
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

// expand finds the dictionary terms a query word may be; two query words
// joined are looked up without allowing for typos. Expansions are
// cached by word: the dictionary only grows, so a cached expansion stays
// right for the terms it saw and only terms added since are compared.
func (ix *Index) expand(t *term, joined bool, cache *simCache, sc *scratch) []expansion {
	ckey := t.text
	if joined {
		ckey = "\x00" + ckey
	}
	ix.expMu.Lock()
	ce := ix.expCache.get(ckey)
	ix.expMu.Unlock()
	gen := uint32(len(ix.terms))
	if ce != nil && ce.gen == gen {
		return ce.exp
	}
	var from uint32 // compare only terms with this id or higher
	var out []expansion
	if ce != nil {
		from = ce.gen
		out = append(out, ce.exp...)
	}

	sc.stampN++
	sc.cand = sc.cand[:0]
	add := func(ids []uint32) {
		for _, id := range ids {
			if id >= from && sc.stamp[id] != sc.stampN {
				sc.stamp[id] = sc.stampN
				sc.cand = append(sc.cand, id)
			}
		}
	}
	if id, ok := ix.termID[t.text]; ok {
		add([]uint32{id})
	}
	for _, k := range t.keys {
		add(ix.byKey[k])
	}
	// Skeletons: the same one always (an abjad word has no other way in,
	// and one consonant is enough: علي, Ali); with one consonant left out
	// on either side for skeletons long enough not to meet half the
	// dictionary.
	for _, sk := range t.skels {
		n := consonants(sk)
		if n == 0 || n == 1 && !t.script.abjad() {
			continue
		}
		add(ix.bySkel[sk])
		if n >= 4 && !joined {
			add(ix.byDel[sk])
			for _, d := range deletes(sk) {
				add(ix.bySkel[d])
				add(ix.byDel[d])
			}
		}
	}
	if len(sc.cand) > maxExpand {
		sc.cand = sc.cand[:maxExpand]
	}
	for _, id := range sc.cand {
		ct := ix.terms[id]
		s, kind := termSimFloor(t, ct, false, false, tokenThreshold-0.1)
		if s >= tokenThreshold {
			out = append(out, expansion{id, s})
			cache.pairs.put(t, ct, simEntry{s: s, kind: kind})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sim > out[j].sim })
	ix.expMu.Lock()
	ix.expCache.put(ckey, &expEntry{gen: gen, exp: out})
	ix.expMu.Unlock()
	return out
}

// word is a query word's share in retrieval: its weight, the dictionary
// words it may be, and how many names those hold.
type word struct {
	w     float64
	exp   []expansion
	total int
}

// expEntry is a cached expansion, right for the dictionary's first gen
// terms.
type expEntry struct {
	gen uint32
	exp []expansion
}

// maxExpCache bounds each of the expansion cache's two generations.
const maxExpCache = 100000

// expansions caches query words' expansions in two generations: new ones
// go in now; when now is full it becomes old and a new now begins, and a
// word found in old moves back to now. The words queries keep using (the
// common given and family names) stay, and the rest age out, a
// generation at a time — never all at once, which would make every query
// expand its words afresh for a while.
type expansions struct {
	now, old map[string]*expEntry
}

func (c *expansions) get(k string) *expEntry {
	if e := c.now[k]; e != nil {
		return e
	}
	e := c.old[k]
	if e != nil {
		c.put(k, e)
	}
	return e
}

func (c *expansions) put(k string, e *expEntry) {
	if len(c.now) >= maxExpCache {
		c.old, c.now = c.now, make(map[string]*expEntry, maxExpCache/4)
	}
	c.now[k] = e
}

// candidates returns the record slots worth scoring for a query, in sc's
// buffer.
func (ix *Index) candidates(pq *preparedQuery, cache *simCache, sc *scratch) []uint32 {
	keep := func(class uint32) bool { return pq.q.Keep == nil || pq.q.Keep(class) }
	slots := sc.slots[:0]
	defer func() { sc.slots = slots[:0] }()
	if pq.doc != "" {
		for _, sl := range ix.byDoc[pq.doc] {
			if keep(ix.slots[sl].p.rec.Class) {
				slots = append(slots, sl)
			}
		}
	}
	if len(sc.acc) < len(ix.entries) {
		n := len(ix.entries) + len(ix.entries)/8 + 16
		sc.acc, sc.mark = make([]float32, n), make([]uint16, n)
	}
	if len(sc.termSim) < len(ix.terms) {
		n := len(ix.terms) + len(ix.terms)/8 + 16
		sc.termSim, sc.stamp = make([]float32, n), make([]uint32, n)
	}
	defer func() {
		for _, e := range sc.touched {
			sc.acc[e], sc.mark[e] = 0, 0
		}
		for _, e := range sc.rejected {
			sc.mark[e] = 0
		}
		sc.touched, sc.rejected = sc.touched[:0], sc.rejected[:0]
	}()
	var words []word
	var toks []nameToken
	var qw float32
	for _, n := range pq.names {
		toks = append(toks, n.tokens...)
		qw = max(qw, float32(n.wsum))
	}
	for _, t := range toks {
		if t.weight == 0 || t.class == classInitial {
			continue
		}
		exp := ix.expand(t.term, false, cache, sc)
		total := 0
		for _, e := range exp {
			total += len(ix.postings[e.id])
		}
		if total > 0 {
			words = append(words, word{t.weight, exp, total})
		}
	}
	// One query word may be two words of a record run together
	// (SergeiLavrov, PolPot): a word the dictionary does not hold is tried
	// split at each place into two words it does.
	for _, t := range toks {
		if t.weight == 0 || t.class != className || len(t.term.text) < 2*minSplit {
			continue
		}
		if _, known := ix.termID[t.term.text]; known {
			continue
		}
		for at := minSplit; at <= len(t.term.text)-minSplit; at++ {
			a, okA := ix.termID[t.term.text[:at]]
			b, okB := ix.termID[t.term.text[at:]]
			if !okA || !okB {
				continue
			}
			for _, id := range []uint32{a, b} {
				if total := len(ix.postings[id]); total > 0 {
					words = append(words, word{t.weight / 2, []expansion{{id, 1}}, total})
				}
			}
		}
	}
	// Words as written otherwise: two query words may be a record's two
	// words split in another place (Abd Ulrahman, Abdul Rahman) or with
	// an article run in (Al Qaida, Alqaida), and a word the dictionary
	// does not hold may have its first two letters swapped.
	for _, n := range pq.names {
		words = ix.respelledWords(&n, words)
	}
	// Two query words may be one word of a record (ولی جان, Walijan).
	for i := 0; i+1 < len(toks); i++ {
		a, b := toks[i], toks[i+1]
		if a.class != className || b.class != className || len(a.term.keys[0]) > 6 || len(b.term.keys[0]) > 6 {
			continue
		}
		exp := ix.expand(cache.joined(a.term, b.term), true, cache, sc)
		total := 0
		for _, e := range exp {
			total += len(ix.postings[e.id])
		}
		if total > 0 && total <= commonPostings {
			words = append(words, word{a.weight + b.weight, exp, total})
		}
	}
	if len(words) == 0 {
		return slots
	}
	sort.Slice(words, func(i, j int) bool { return words[i].total < words[j].total })

	for wi, w := range words {
		traverse := wi == 0 && w.total <= firstBudget || w.total <= rarePostings ||
			w.total <= commonPostings && len(sc.touched) < touchedBudget
		if !traverse {
			// Only add this word's share to the names already found, and
			// only when they are too many to score them all.
			if len(sc.touched) > maxCandidates {
				if w.total < 4*len(sc.touched) {
					ix.boostPostings(sc, w.exp, wi, w.w)
				} else {
					ix.boost(sc, w.exp, wi, w.w)
				}
			}
			continue
		}
		for _, e := range w.exp {
			for _, en := range ix.postings[e.id] {
				if m := sc.mark[en]; m == uint16(wi+1) || m == rejectedMark {
					continue
				}
				if sc.mark[en] == 0 {
					if !keep(ix.entries[en].class) {
						sc.mark[en] = rejectedMark
						sc.rejected = append(sc.rejected, en)
						continue
					}
					sc.touched = append(sc.touched, en)
				}
				sc.mark[en] = uint16(wi + 1)
				sc.acc[en] += float32(w.w * e.sim)
			}
		}
	}
	// Rank names by what they matched over what they hold, and score the
	// best in full.
	cs := sc.ranked[:0]
	defer func() { sc.ranked = cs[:0] }()
	for _, e := range sc.touched {
		cs = append(cs, ranked{e, sc.acc[e] / (ix.entries[e].wsum + qw)})
	}
	if len(cs) > maxCandidates {
		// Keep the best maxCandidates: a partial selection, as the
		// names touched may be many thousands.
		lo, hi := 0, len(cs)-1
		k := maxCandidates
		for lo < hi {
			p := cs[(lo+hi)/2].v
			i, j := lo, hi
			for i <= j {
				for cs[i].v > p {
					i++
				}
				for cs[j].v < p {
					j--
				}
				if i <= j {
					cs[i], cs[j] = cs[j], cs[i]
					i++
					j--
				}
			}
			switch {
			case k <= j:
				hi = j
			case k >= i:
				lo = i
			default:
				lo = hi
			}
		}
		cs = cs[:maxCandidates]
	}
	for _, c := range cs {
		slots = append(slots, ix.entries[c.e].slot)
	}
	return slots
}

// respelledWords adds to words the dictionary words that a query name's
// words, as written, may be when a typist split, joined or swapped them
// otherwise: found by exact lookup only, so it costs a few map lookups a
// word.
func (ix *Index) respelledWords(a *analyzed, words []word) []word {
	if len(a.tokens) == 0 {
		return words
	}
	nw := int(a.tokens[len(a.tokens)-1].word) + 1
	texts := make([]string, nw)
	weights := make([]float64, nw)
	latin := make([]bool, nw)
	for w := range nw {
		texts[w] = a.wordText(uint8(w))
		latin[w] = true
	}
	for _, t := range a.tokens {
		weights[t.word] += t.weight
		latin[t.word] = latin[t.word] && t.term.script == scriptLatin
	}
	own := func(id uint32) bool {
		for _, t := range a.tokens {
			if t.term.id == id {
				return true
			}
		}
		return false
	}
	// add adds the dictionary words a respelled word is, when the
	// dictionary holds all of them; the query's own words are there
	// already.
	add := func(ids []uint32, ok bool, w float64) {
		if !ok {
			return
		}
		for _, id := range ids {
			if total := len(ix.postings[id]); total > 0 && !own(id) {
				words = append(words, word{w, []expansion{{id, 1}}, total})
			}
		}
	}
	for w := range nw {
		if !latin[w] {
			continue
		}
		_, known := ix.termID[texts[w]]
		if x := texts[w]; !known && len(x) >= 4 && weights[w] > 0 {
			if x[0] != x[1] {
				ids, ok := ix.wordIDs(x[1:2]+x[:1]+x[2:], nil)
				add(ids, ok, weights[w])
			}
			if (x[0] == 'a' || x[0] == 'e') && x[1] == 'l' && len(x) >= 5 {
				ids, ok := ix.wordIDs(x[2:], nil) // an article run in
				add(ids, ok, weights[w])
			}
		}
		if w+1 >= nw || !latin[w+1] || weights[w]+weights[w+1] == 0 {
			continue
		}
		_, knownNext := ix.termID[texts[w+1]]
		if known && knownNext {
			continue
		}
		joined := texts[w] + texts[w+1]
		ww := (weights[w] + weights[w+1]) / 2
		ids, ok := ix.wordIDs(joined, nil)
		add(ids, ok, ww)
		for at := minSplit; at <= len(joined)-minSplit; at++ {
			if at == len(texts[w]) {
				continue
			}
			ids, ok := ix.wordIDs(joined[:at], nil)
			if ok {
				ids, ok = ix.wordIDs(joined[at:], ids)
			}
			add(ids, ok, ww)
		}
	}
	return words
}

// wordIDs appends to ids the dictionary's words for a word as written,
// split as a compound (Fazlullah is fazl + allah), and reports whether
// the dictionary holds them all.
func (ix *Index) wordIDs(text string, ids []uint32) ([]uint32, bool) {
	if id, ok := ix.termID[text]; ok {
		return append(ids, id), true
	}
	parts := splitCompound(text, scriptLatin)
	if len(parts) == 1 {
		return ids, false
	}
	for _, p := range parts {
		id, ok := ix.termID[p]
		if !ok {
			return ids, false
		}
		ids = append(ids, id)
	}
	return ids, true
}

// boostPostings adds a word's share to the names already found, going
// through the word's postings.
func (ix *Index) boostPostings(sc *scratch, exp []expansion, wi int, w float64) {
	for _, e := range exp {
		for _, en := range ix.postings[e.id] {
			if m := sc.mark[en]; m != 0 && m != uint16(wi+1) && m != rejectedMark {
				sc.mark[en] = uint16(wi + 1)
				sc.acc[en] += float32(w * e.sim)
			}
		}
	}
}

// boost adds a word's share to the names already found, by looking at
// their words rather than at the word's long postings.
func (ix *Index) boost(sc *scratch, exp []expansion, wi int, w float64) {
	for _, e := range exp {
		sc.termSim[e.id] = float32(e.sim)
		sc.termSeen = append(sc.termSeen, e.id)
	}
	for _, en := range sc.touched {
		if sc.mark[en] == uint16(wi+1) {
			continue
		}
		var best float32
		for _, id := range ix.entries[en].terms {
			if s := sc.termSim[id]; s > best {
				best = s
			}
		}
		if best > 0 {
			sc.mark[en] = uint16(wi + 1)
			sc.acc[en] += float32(w) * best
		}
	}
	for _, id := range sc.termSeen {
		sc.termSim[id] = 0
	}
	sc.termSeen = sc.termSeen[:0]
}

// Warm expands the dictionary's words ahead of queries, up to what the
// expansion cache holds, so that the first queries after a build find
// their words' expansions cached as later ones do, and a node does not
// answer slowly for its first seconds. Queries and writes go on
// meanwhile: the index is read-locked a batch of words at a time.
func (ix *Index) Warm() {
	const batch = 512
	sc := &scratch{}
	for from := 0; from < maxExpCache; from += batch {
		ix.mu.RLock()
		n := len(ix.terms)
		if len(sc.stamp) < n {
			sc.stamp = make([]uint32, n+n/8+16)
		}
		for id := from; id < min(n, from+batch); id++ {
			if len(ix.postings[id]) == 0 {
				continue
			}
			sc.sims.pairs.reset()
			ix.expand(ix.terms[id], false, &sc.sims, sc)
		}
		ix.mu.RUnlock()
		if from+batch >= n {
			return
		}
	}
}
