package matcher

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Edit costs of the spelling similarity: the differences that
// transliteration and typing make cost less than a different letter.
const (
	costVowel      = 0.5 // one vowel for another: Osama, Usama
	costNear       = 0.5 // consonants that spellings swap: k g q, b p, f v, s z
	costIndelVowel = 0.6 // a vowel written or not: Scholz, Scholze
	costIndelSoft  = 0.5 // h, y, w written or not: Jonson, Johnson
	costSwap       = 0.8 // two letters swapped
)

func subCostSlow(a, b byte) float64 {
	if a == b {
		return 0
	}
	va, vb := isVowel(a) || a == 'y', isVowel(b) || b == 'y'
	if va && vb {
		return costVowel
	}
	if skelClass[a] != 0 && skelClass[a] == skelClass[b] {
		return costNear
	}
	if a > b {
		a, b = b, a
	}
	switch string([]byte{a, b}) {
	case "dt", "cx", "jx", "hk", "cs", "js", "cj":
		return 0.7
	}
	return 1
}

func indelCostSlow(c byte) float64 {
	switch {
	case isVowel(c):
		return costIndelVowel
	case c == 'h' || c == 'y' || c == 'w':
		return costIndelSoft
	}
	return 1
}

// Cost tables over bytes, filled from the rules above at start.
var (
	subCost   [256][256]float32
	indelCost [256]float32
)

func init() {
	for a := 0; a < 256; a++ {
		indelCost[a] = float32(indelCostSlow(byte(a)))
		for b := 0; b < 256; b++ {
			subCost[a][b] = float32(subCostSlow(byte(a), byte(b)))
		}
	}
}

const maxEditLen = 32

// editSim returns the spelling similarity of two phonetic keys: one less
// the weighted Damerau-Levenshtein distance over the longer length. Short
// words get less leeway: Ali and Ala are different names.
func editSim(a, b string) float64 { return editSimAtLeast(a, b, 0) }

// editSimAtLeast is editSim, but gives up with 0 as soon as the
// similarity cannot reach floor.
func editSimAtLeast(a, b string, floor float64) float64 {
	if a == b {
		return 1
	}
	if len(a) > maxEditLen {
		a = a[:maxEditLen]
	}
	if len(b) > maxEditLen {
		b = b[:maxEditLen]
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	n := max(la, lb)
	// Each letter of length difference costs at least half an edit: no
	// need to align words that cannot reach a near miss.
	if float64(abs(la-lb))*costIndelSoft/float64(n) > 0.5 {
		return 0
	}
	// The distance never falls along the rows: once a whole row costs
	// more than the floor allows, stop.
	budget := float32((1 - floor) * float64(n))
	if n <= 4 {
		budget = float32((0.9 - floor) * float64(n))
	}
	var r0, r1, r2 [maxEditLen + 1]float32 // rows i-2, i-1, i
	for j := 1; j <= lb; j++ {
		r1[j] = r1[j-1] + indelCost[b[j-1]]
	}
	for i := 1; i <= la; i++ {
		ai := a[i-1]
		r2[0] = r1[0] + indelCost[ai]
		rowMin := r2[0]
		for j := 1; j <= lb; j++ {
			bj := b[j-1]
			v := r1[j-1] + subCost[ai][bj]
			if x := r1[j] + indelCost[ai]; x < v {
				v = x
			}
			if x := r2[j-1] + indelCost[bj]; x < v {
				v = x
			}
			if i > 1 && j > 1 && ai == b[j-2] && a[i-2] == bj && ai != bj {
				if x := r0[j-2] + costSwap; x < v {
					v = x
				}
			}
			r2[j] = v
			if v < rowMin {
				rowMin = v
			}
		}
		if floor > 0 && rowMin > budget {
			return 0
		}
		r0, r1 = r1, r2
	}
	s := 1 - float64(r1[lb])/float64(n)
	if n <= 4 {
		s -= 0.1
	}
	return max(0, s)
}

// simKind says why two words were taken to be the same.
type simKind uint8

const (
	simNone       simKind = iota
	simSame               // written the same
	simKey                // same phonetic key: a transliteration variant
	simSkeleton           // same consonants, compatible vowels
	simSpelling           // close spelling
	simEquivalent         // forms of one given name (John, Juan, Ivan)
	simInitial            // an initial and a word it stands for
	simJoined             // one word against two written apart
	simNear               // a near miss: a typo, or another name
	simTypo               // a letter or two apart: added, dropped, changed or two swapped
	simAcronym            // the initials of words, run together (PLA, JC)
	simCutShort           // the end of a name cut off, as fixed-width fields do
	simSplit              // two words split in another place
)

var simWords = [...]string{"", "same", "transliteration variant", "same consonant skeleton", "similar spelling", "equivalent given name", "initial", "written joined", "near miss", "a letter or two apart", "initials run together", "cut short", "split in another place"}

// A word a letter or two apart from the other name's (Tim, Tom; Sechin,
// Sechev) is most often a typo when the rest of the name agrees, and
// counts typoSim (typo2Sim for two letters, allowed in words of at least
// typo2MinLen). Alone, with another such word, beside words of no more
// than typoAgreed weight in all, or with words left over on either side,
// it is as often another person, and the name's score is cut to
// typoAloneCut of itself. Words in
// ideographic scripts are not spelled: one character more or less is
// another name.
const (
	typoSim      = 0.8
	typo2Sim     = 0.75
	typoAloneCut = 0.6
	typoMinLen   = 3
	typo2MinLen  = 5
	typoAgreed   = 0.3
	// A short common word (Jang and Kang, Amir and Amar are names of
	// their own) needs more of the name to agree: typoCommonAgreed.
	typoMinWeight    = 0.6
	typoCommonAgreed = 1.5
	typoLongLen      = 5 // an organisation's word this long may be a typo alone
)

// edits returns the number of edits from a to b — letters added, dropped
// or changed, or two neighbours swapped — or limit+1 when there are more
// than limit.
func edits(a, b string, limit int) int {
	if d := len(a) - len(b); d > 4*limit || -d > 4*limit {
		return limit + 1 // even in runes of four bytes
	}
	if isASCII(a) && isASCII(b) {
		return editsOf([]byte(a), []byte(b), limit)
	}
	return editsOf([]rune(a), []rune(b), limit)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// editsOf is edits on letters of either kind, by the optimal string
// alignment distance, in three rows, stopping once no path stays within
// limit.
func editsOf[T byte | rune](ra, rb []T, limit int) int {
	if d := len(ra) - len(rb); d > limit || -d > limit || len(ra) > 64 || len(rb) > 64 {
		return limit + 1
	}
	var rows [3][65]int
	for j := range len(rb) + 1 {
		rows[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur, prev, prev2 := &rows[i%3], &rows[(i+2)%3], &rows[(i+1)%3]
		cur[0] = i
		best := i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > limit {
			return limit + 1
		}
	}
	return min(rows[len(ra)%3][len(rb)], limit+1)
}

// oneEdit reports whether a and b are exactly one edit apart.
func oneEdit(a, b string) bool { return a != b && edits(a, b, 1) == 1 }

// typo says whether two words are spelled a letter or two apart, in
// Latin letters, and what that is worth.
func typo(a, b *term) (float64, bool) {
	if ideographic(a.script) || ideographic(b.script) {
		return 0, false
	}
	x, y := a.text, b.text
	if a.script != b.script {
		x, y = strings.ToLower(a.latin), strings.ToLower(b.latin)
	}
	short := min(len(x), len(y))
	switch d := edits(x, y, 2); {
	case d == 1 && short >= typoMinLen:
		return typoSim, true
	case d == 2 && short >= typo2MinLen:
		return typo2Sim, true
	}
	return 0, false
}

// tokenThreshold is the least similarity at which two words count as the
// same word.
const tokenThreshold = 0.8

// A near miss, a word pair between nearThreshold and tokenThreshold, is
// a typo as often as another name (Messi, Bessi; Castro, Castillo): it
// aligns, but counts nearDiscount less than its similarity.
var (
	nearThreshold = 0.7
	nearDiscount  = 0.3
)

// termSim compares two words.
func termSim(a, b *term, aInit, bInit bool) (float64, simKind) {
	return termSimFloor(a, b, aInit, bInit, nearThreshold-0.05)
}

// termSimFloor compares two words, not troubling to measure spelling
// similarities below floor.
func termSimFloor(a, b *term, aInit, bInit bool, floor float64) (float64, simKind) {
	if a == b || a.text == b.text {
		return 1, simSame
	}
	if aInit || bInit {
		if aInit && bInit {
			return 0, simNone
		}
		i, w := a, b
		if bInit {
			i, w = b, a
		}
		if i.latin != "" && w.latin != "" && w.latin[0] == i.latin[0] {
			return 0.9, simInitial
		}
		return 0, simNone
	}
	if ideographic(a.script) && ideographic(b.script) {
		return 0, simNone // different characters, a different name
	}
	if a.number || b.number {
		if a.latin == b.latin {
			return 1, simSame
		}
		return 0, simNone
	}
	best, kind := 0.0, simNone
	for _, ka := range a.keys {
		for _, kb := range b.keys {
			if ka == kb {
				return 0.97, simKey
			}
			if j := editSimAtLeast(ka, kb, floor); j > best {
				best, kind = j, simSpelling
			}
		}
	}
	if a.script.abjad() || b.script.abjad() {
		if s := abjadSim(a, b); s > best {
			best, kind = s, simSkeleton
		}
	} else if best >= 0.7 {
		for i, sa := range a.skels {
			for j, sb := range b.skels {
				if sa == sb && consonants(sa) >= 2 && slotsCompatible(a.keySlots(i), b.keySlots(j)) {
					if best < 0.93 {
						best, kind = 0.93, simSkeleton
					}
				}
			}
		}
	}
	if best < 0.9 && shareGroup(a.groups, b.groups) {
		best, kind = 0.9, simEquivalent
	}
	return best, kind
}

func ideographic(s writing) bool { return s == scriptHan || s == scriptHangul || s == scriptKana }

func consonants(sk string) int { return len(strings.TrimPrefix(sk, "@")) }

func shareGroup(a, b []uint16) bool {
	for _, x := range a {
		if containsU16(b, x) {
			return true
		}
	}
	return false
}

// vowelsCompatible reports whether two runs of vowels could be one
// vowel in two transliterations: a and e, e and i, o and u, a and o
// (Mohammed, Muhammad; Usama, Osama; Laden, Ladin).
func vowelsCompatible(x, y string) bool {
	if x == "" || y == "" {
		return x == y
	}
	for i := 0; i < len(x); i++ {
		for j := 0; j < len(y); j++ {
			a, b := x[i], y[j]
			if a == b {
				return true
			}
			if a > b {
				a, b = b, a
			}
			switch string([]byte{a, b}) {
			case "ae", "ei", "ou", "ao", "iy", "ey":
				return true
			}
		}
	}
	return false
}

func slotsCompatible(x, y []string) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if i == len(x)-1 && (x[i] == "" || y[i] == "") {
			continue // a final vowel comes and goes: Abdulla, Abdullah, Abdullahi
		}
		if !vowelsCompatible(x[i], y[i]) {
			return false
		}
	}
	return true
}

// abjadSim compares words of which at least one is written without short
// vowels: their consonant skeletons must agree, and each long vowel the
// abjad spelling writes must have a Latin counterpart.
func abjadSim(a, b *term) float64 {
	if b.script.abjad() && !a.script.abjad() {
		a, b = b, a
	}
	best := 0.0
	for _, sa := range a.skels {
		for j, sb := range b.skels {
			var s float64
			if sa == sb {
				switch n := consonants(sa); {
				case n >= 3:
					s = 0.95
				case n == 2:
					s = 0.92
				case n == 1:
					s = 0.88
				default:
					s = 0.5
				}
				if !b.script.abjad() {
					s -= longVowelPenalty(a.slots, vowelSlots(b.keys[j]))
				} else if a.keys[0] != b.keys[0] {
					s -= 0.04
				}
			} else if consonants(sa) >= 3 && consonants(sb) >= 3 {
				s = editSim(sa, sb) - 0.1
			}
			if s > best {
				best = s
			}
		}
	}
	return best
}

// longVowelPenalty checks the long vowels an abjad word writes against
// the vowels of a Latin one: Hussein (حسين) has a ya between s and n,
// Hassan (حسن) none.
func longVowelPenalty(ab, lat []string) float64 {
	if len(ab) != len(lat) {
		return 0.05
	}
	p := 0.0
	for i := range ab {
		x, y := ab[i], lat[i]
		last := i == len(ab)-1
		switch {
		case x == "" && y == "":
		case x == "":
			if last && len(y) > 0 {
				p += 0.06 // a final vowel Arabic would have written
			}
		case x == "*":
		case y == "":
			p += 0.15
		default:
			if !longCompatible(x, y) {
				p += 0.2
			}
		}
	}
	return p
}

func longCompatible(ab, lat string) bool {
	for i := 0; i < len(ab); i++ {
		for j := 0; j < len(lat); j++ {
			a, l := ab[i], lat[j]
			switch a {
			case '*':
				return true
			case 'a':
				if l == 'a' || l == 'e' || l == 'o' {
					return true
				}
			case 'i':
				if l == 'i' || l == 'e' || l == 'y' {
					return true
				}
			case 'u':
				if l == 'u' || l == 'o' || l == 'w' {
					return true
				}
			default:
				return true
			}
		}
	}
	return false
}

// joinedTerm makes the word that two words written apart make together,
// for matching Abdulrahman against Abdul Rahman or Yongchun against Yong
// Chun.
func joinedTerm(a, b *term) *term {
	t := &term{
		text:   a.text + b.text,
		latin:  a.latin + b.latin,
		script: a.script,
		weight: max(a.weight, b.weight),
	}
	for _, ka := range a.keys[:min(2, len(a.keys))] {
		for _, kb := range b.keys[:min(2, len(b.keys))] {
			if k := canon(ka + kb); !contains(t.keys, k) {
				t.keys = append(t.keys, k)
				t.skels = append(t.skels, skeleton(k))
			}
		}
	}
	k := t.keys[0]
	if b.script.abjad() {
		t.script = b.script
	}
	if t.script.abjad() {
		t.slots = vowelSlots(k)
	}
	return t
}

// pair is two aligned words, or a word against two joined ones.
type pair struct {
	q, c   []int
	sim    float64
	kind   simKind
	weight float64
	// typoLen and typoWeight are, for a typo, the shorter word's length
	// and the lesser word weight: short common words need more of the
	// name to agree.
	typoLen    int
	typoWeight float64
}

// NameScore is how two names compare.
type NameScore struct {
	// Score is the similarity in [0,1].
	Score float64
	// Detail lists the aligned words and those left over, such as
	// "usama~osama (same consonant skeleton, 0.93); bin; ladin~laden
	// (similar spelling, 0.90); only in record: muhammad".
	Detail string
}

// simCache remembers how words compare within one query. The nil
// *simCache remembers nothing.
type simCache struct {
	pairs pairTable
	names nameWork
	comps []Component
	// joins holds the words made of two written apart, so that a record
	// word pair met again is analysed once, and compared once.
	joins map[[2]*term]*term
}

// joined is joinedTerm, remembered for the query.
func (c *simCache) joined(a, b *term) *term {
	if c == nil {
		return joinedTerm(a, b)
	}
	k := [2]*term{a, b}
	if t := c.joins[k]; t != nil {
		return t
	}
	if c.joins == nil || len(c.joins) > 4096 {
		c.joins = make(map[[2]*term]*term, 64)
	}
	t := joinedTerm(a, b)
	c.joins[k] = t
	return t
}

// components returns room for a match's components, the first in place.
func (c *simCache) components() []Component {
	if c == nil {
		return make([]Component, 1, 5)
	}
	if cap(c.comps) < 5 {
		c.comps = make([]Component, 0, 5)
	}
	c.comps = append(c.comps[:0], Component{})
	return c.comps
}

// simEntry is how two words compare, and, once asked, whether they are a
// typo apart.
type simEntry struct {
	s         float64
	typo      float64
	kind      simKind
	typoKnown bool
	isTypo    bool
}

// sim is termSim, remembered.
func (c *simCache) sim(a, b *term, aInit, bInit bool) (float64, simKind) {
	if c == nil || aInit || bInit {
		return termSim(a, b, aInit, bInit)
	}
	if e, ok := c.pairs.get(a, b); ok {
		return e.s, e.kind
	}
	s, kind := termSim(a, b, false, false)
	c.pairs.put(a, b, simEntry{s: s, kind: kind})
	return s, kind
}

// typo is typo, remembered.
func (c *simCache) typo(a, b *term) (float64, bool) {
	if c == nil {
		return typo(a, b)
	}
	e, ok := c.pairs.get(a, b)
	if ok && e.typoKnown {
		return e.typo, e.isTypo
	}
	if !ok {
		e.s, e.kind = termSim(a, b, false, false)
	}
	e.typo, e.isTypo = typo(a, b)
	e.typoKnown = true
	c.pairs.put(a, b, e)
	return e.typo, e.isTypo
}

// pairTable is one query's memory of word pairs: open addressing on the
// pair of pointers, emptied for the next query by a new stamp.
type pairTable struct {
	slots []pairSlot
	stamp uint32
	n     int
}

type pairSlot struct {
	a, b  *term
	stamp uint32
	e     simEntry
}

// reset empties the table.
func (t *pairTable) reset() {
	t.stamp++
	t.n = 0
	if t.stamp == 0 { // wrapped: old stamps would come back to life
		clear(t.slots)
		t.stamp = 1
	}
	if len(t.slots) == 0 {
		t.slots = make([]pairSlot, 1024)
	}
}

func pairHash(a, b *term) uint64 {
	x := uint64(uintptr(unsafe.Pointer(a)))*0x9e3779b97f4a7c15 ^ uint64(uintptr(unsafe.Pointer(b)))
	return x * 0xbf58476d1ce4e5b9
}

func (t *pairTable) get(a, b *term) (simEntry, bool) {
	mask := uint64(len(t.slots) - 1)
	for i := pairHash(a, b) >> 20 & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.stamp != t.stamp {
			return simEntry{}, false
		}
		if sl.a == a && sl.b == b {
			return sl.e, true
		}
	}
}

func (t *pairTable) put(a, b *term, e simEntry) {
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]pairSlot, 2*len(old))
		t.n = 0
		for i := range old {
			if old[i].stamp == t.stamp {
				t.put(old[i].a, old[i].b, old[i].e)
			}
		}
	}
	mask := uint64(len(t.slots) - 1)
	for i := pairHash(a, b) >> 20 & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.stamp != t.stamp {
			*sl = pairSlot{a: a, b: b, stamp: t.stamp, e: e}
			t.n++
			return
		}
		if sl.a == a && sl.b == b {
			sl.e = e
			return
		}
	}
}

// Tuning of the name score: unmatched words weigh extra of their weight
// when only one name has them (a missing middle name), and a conflict —
// both names having words the other lacks — cuts the score by
// conflictCut for each full word of weight.
const (
	extraWeight = 0.25
	// An organisation's extra word usually names another organisation
	// (Deutsche Bank Trust Company, Banco Santander México).
	extraWeightOrg = 0.5
	conflictCut    = 0.45
	conflictFloor  = 0.6
)

// compareAnalyzed aligns two analysed names and scores them.
func compareAnalyzed(q, c *analyzed, cache *simCache, explain bool) NameScore {
	w := cache.work()
	qi, ci := w.qi[:0], w.ci[:0]
	defer func() { w.qi, w.ci = qi, ci }()
	for i, t := range q.tokens {
		if t.weight > 0 {
			qi = append(qi, i)
		}
	}
	for i, t := range c.tokens {
		if t.weight > 0 {
			ci = append(ci, i)
		}
	}
	if len(qi) == 0 || len(ci) == 0 {
		return NameScore{}
	}
	// One backing array for the pairs' one-word sides.
	pairs, sides := w.pairs[:0], w.sides[:0]
	defer func() { w.pairs, w.sides = pairs, sides }()
	for _, i := range qi {
		qt := &q.tokens[i]
		for _, j := range ci {
			ct := &c.tokens[j]
			s, kind := cache.sim(qt.term, ct.term, qt.class == classInitial, ct.class == classInitial)
			spelled := s < tokenThreshold && kind != simInitial && qt.class == className && ct.class == className
			ts, isTypo := 0.0, false
			if spelled {
				ts, isTypo = cache.typo(qt.term, ct.term)
			}
			if isTypo {
				s, kind = max(s, ts), simTypo
			} else if spelled && cutShort(q, c, i, j, qi, ci) {
				s, kind = cutShortSim, simCutShort
			} else if s >= nearThreshold && s < tokenThreshold && kind != simInitial && qt.class == className && ct.class == className &&
				min(qt.term.weight, ct.term.weight) >= 0.9 && min(len(qt.term.keys[0]), len(ct.term.keys[0])) >= 5 {
				// Only rare, long words are near misses: two common names
				// apart (Mohamed, Ahmed) are two names.
				s, kind = s-nearDiscount, simNear
			}
			if s >= tokenThreshold || kind == simNear || kind == simTypo {
				w := (qt.weight + ct.weight) / 2
				if kind == simInitial {
					w = min(qt.weight, ct.weight)
				}
				sides = append(sides, i, j)
				n := len(sides)
				pairs = append(pairs, pair{q: sides[n-2 : n-1 : n-1], c: sides[n-1 : n : n], sim: s, kind: kind, weight: w,
					typoLen: min(len(qt.term.text), len(ct.term.text)), typoWeight: min(qt.term.weight, ct.term.weight)})
			}
		}
	}
	chosen, usedQ, usedC := w.align(pairs, len(q.tokens), len(c.tokens))
	// Words written joined in one name and apart in the other: only
	// words left unmatched, or matched as near misses, are tried.
	weakQ, weakC := weakTokens(chosen, usedQ, qi, true), weakTokens(chosen, usedC, ci, false)
	strong := false
	for _, p := range chosen {
		strong = strong || p.kind != simNear && p.kind != simInitial && p.kind != simTypo
	}
	if len(weakQ) > 0 && len(weakC) > 0 && (len(weakQ) > 1 || len(weakC) > 1) && (strong || len(qi) == 1 || len(ci) == 1) {
		n := len(pairs)
		pairs = appendJoined(pairs, q, c, weakQ, weakC, false, cache)
		pairs = appendJoined(pairs, c, q, weakC, weakQ, true, cache)
		if q.org && c.org {
			pairs = appendAcronyms(pairs, q, c, weakQ, weakC, false)
			pairs = appendAcronyms(pairs, c, q, weakC, weakQ, true)
		}
		if len(pairs) > n {
			chosen, usedQ, usedC = w.align(pairs, len(q.tokens), len(c.tokens))
		}
	}
	ns := scoreAligned(q, c, qi, ci, chosen, usedQ, usedC, explain)
	// Words written otherwise than the tokens show: split in another
	// place, an article run into the next word, a letter off inside a
	// compound. Tried only when words are left over on both sides.
	if ns.Score < 1 {
		for _, rp := range respelled(q, c, chosen, usedQ, usedC, qi, ci) {
			ch, uQ, uC := w.alignWith(rp, pairs, len(q.tokens), len(c.tokens))
			if rs := scoreAligned(q, c, qi, ci, ch, uQ, uC, explain); rs.Score > ns.Score {
				ns = rs
			}
		}
	}
	return ns
}

// scoreAligned scores two names from the words aligned.
func scoreAligned(q, c *analyzed, qi, ci []int, chosen []pair, usedQ, usedC []bool, explain bool) NameScore {
	org := q.org || c.org
	var m, w float64
	for _, p := range chosen {
		m += p.sim * p.weight
		w += p.weight
	}
	if w == 0 {
		return NameScore{Detail: "no word in common"}
	}
	var uq, uc, cq, cc float64
	var patQ, patC bool
	for _, i := range qi {
		if !usedQ[i] {
			t := q.tokens[i]
			uq += t.weight
			cq += conflictWeight(t)
			patQ = patQ || t.term.patronymic
		}
	}
	for _, j := range ci {
		if !usedC[j] {
			t := c.tokens[j]
			uc += t.weight
			cc += conflictWeight(t)
			patC = patC || t.term.patronymic
		}
	}
	extra := extraWeight
	if org {
		extra = extraWeightOrg
	}
	score := m / (w + extra*(uq+uc))
	allInitials := true
	for _, p := range chosen {
		allInitials = allInitials && p.kind == simInitial
	}
	if allInitials {
		score *= 0.5 // N.N. is not Nursultan Nazarbayev
	}
	typos, typoLen, agreed, need := 0, 0, 0.0, typoAgreed
	for _, p := range chosen {
		switch p.kind {
		case simTypo:
			typos++
			typoLen = p.typoLen
			if p.typoWeight < typoMinWeight && typoLen < typoLongLen {
				need = typoCommonAgreed
			}
		case simSame, simKey, simSkeleton:
			agreed += p.weight
		}
	}
	// An organisation's one long word a letter or two apart (Appel Inc.,
	// Apple Inc.) is a typo as often as not.
	if org && typoLen >= typoLongLen {
		agreed = max(agreed, need)
	}
	if typos > 1 || typos == 1 && (agreed < need || uq+uc > 0) {
		score *= typoAloneCut
	}
	if crossedLineage(q, c, chosen) {
		score *= 0.6 // Salman bin Muhammad is Muhammad bin Salman's father
	}
	if cq > 0 && cc > 0 {
		conflict := min(1, min(cq, cc))
		if patQ && patC {
			conflict = 1 // contradicting patronymics: another father
		}
		score *= 1 - conflictCut*conflict
	}
	ns := NameScore{Score: clamp01(score)}
	if explain {
		ns.Detail = explainPairs(q, c, chosen, usedQ, usedC, qi, ci)
	}
	return ns
}

// nameWork is the working memory of comparing two names, kept by a
// query's simCache from one comparison to the next: a comparison's slices
// are dead once it returns.
type nameWork struct {
	qi, ci, sides     []int
	pairs             []pair
	chosen, chosenAlt []pair
	used, usedAlt     []bool
}

// work returns the query's name-comparison memory, or new memory for a
// comparison without a cache.
func (c *simCache) work() *nameWork {
	if c == nil {
		return &nameWork{}
	}
	return &c.names
}

// align picks pairs greedily, best first, each word used once. What it
// returns lives until w aligns again.
func (w *nameWork) align(pairs []pair, nq, nc int) (chosen []pair, usedQ, usedC []bool) {
	slices.SortStableFunc(pairs, func(pa, pb pair) int {
		if pa.sim != pb.sim {
			return cmp.Compare(pb.sim, pa.sim)
		}
		return cmp.Compare(pb.weight, pa.weight)
	})
	w.used = resetBools(w.used, nq+nc)
	usedQ, usedC = w.used[:nq:nq], w.used[nq:]
	w.chosen = takeFree(w.chosen[:0], pairs, usedQ, usedC)
	return w.chosen, usedQ, usedC
}

// resetBools returns b with n false values, reusing its memory.
func resetBools(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// takeFree appends to chosen each pair, in order, whose words are all
// still unused, and marks them used.
func takeFree(chosen, pairs []pair, usedQ, usedC []bool) []pair {
	for _, p := range pairs {
		free := true
		for _, i := range p.q {
			free = free && !usedQ[i]
		}
		for _, j := range p.c {
			free = free && !usedC[j]
		}
		if !free {
			continue
		}
		for _, i := range p.q {
			usedQ[i] = true
		}
		for _, j := range p.c {
			usedC[j] = true
		}
		chosen = append(chosen, p)
	}
	return chosen
}

// weakTokens returns the words of one side (the query's when query)
// left unmatched or matched as near misses.
func weakTokens(chosen []pair, used []bool, idx []int, query bool) []int {
	var out []int
	for _, i := range idx {
		if !used[i] {
			out = append(out, i)
		}
	}
	for _, p := range chosen {
		if p.kind != simNear {
			continue
		}
		side := p.c
		if query {
			side = p.q
		}
		out = append(out, side...)
	}
	sort.Ints(out)
	return out
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// crossedLineage reports whether, in two names that both say "son of"
// (bin, ibn, ould), a word that is the person's own name in one is an
// ancestor's in the other.
func crossedLineage(q, c *analyzed, chosen []pair) bool {
	segQ, okQ := lineage(q)
	segC, okC := lineage(c)
	if !okQ || !okC {
		return false
	}
	for _, p := range chosen {
		if len(p.q) == 1 && len(p.c) == 1 && (segQ[p.q[0]] == 0) != (segC[p.c[0]] == 0) {
			return true
		}
	}
	return false
}

// lineage numbers each word by the connectors before it: 0 for the
// person's own name, 1 for the father's, and so on.
func lineage(a *analyzed) ([]int, bool) {
	seg := make([]int, len(a.tokens))
	n := 0
	for i, t := range a.tokens {
		if t.class == classConnector && i > 0 {
			n++
		}
		seg[i] = n
	}
	return seg, n > 0
}

// conflictWeight is how much an unmatched word counts against a match
// when the other name has unmatched words too: a different common given
// name still means a different person, so name words count at least
// conflictFloor.
func conflictWeight(t nameToken) float64 {
	if t.class == className && t.weight > 0 {
		return max(t.weight, conflictFloor)
	}
	return t.weight
}

// appendJoined adds pairs of one word of a against two or three adjacent
// words of b written apart (Abdulrahman, Abdul Rahman; Vanderbilt, Van der
// Bilt). Only the words in ai and bi take part.
func appendJoined(pairs []pair, a, b *analyzed, ai, bi []int, swap bool, cache *simCache) []pair {
	for x := 0; x+1 < len(b.tokens); x++ {
		if !containsInt(bi, x) {
			continue
		}
		jt := b.tokens[x].term
		js := []int{x}
		w := b.tokens[x].weight
		klen := len(jt.keys[0])
		for y := x + 1; y < x+3 && y < len(b.tokens); y++ {
			t := b.tokens[y]
			if t.class == classInitial || t.class == classNumber || t.class == classLegal {
				break
			}
			klen += len(t.term.keys[0])
			fits := false
			for _, i := range ai {
				l := len(a.tokens[i].term.keys[0])
				fits = fits || abs(l-klen)*4 <= max(l, klen)
			}
			if !fits {
				if klen > 40 {
					break
				}
				jt = nil
				continue
			}
			if jt == nil {
				jt = b.tokens[x].term
				for z := x + 1; z <= y; z++ {
					jt = cache.joined(jt, b.tokens[z].term)
				}
			} else {
				jt = cache.joined(jt, t.term)
			}
			if t.weight > 0 {
				if !containsInt(bi, y) {
					break
				}
				js = append(js, y)
				w += t.weight
			}
			if len(js) < 2 {
				continue
			}
			for _, i := range ai {
				at := a.tokens[i]
				if at.class != className || len(at.term.keys[0]) < 5 {
					continue
				}
				s, _ := cache.sim(at.term, jt, false, false)
				if s < 0.88 {
					continue
				}
				p := pair{q: []int{i}, c: append([]int(nil), js...), sim: s, kind: simJoined, weight: (at.weight + w) / 2}
				if swap {
					p.q, p.c = p.c, p.q
				}
				pairs = append(pairs, p)
			}
		}
	}
	return pairs
}

// cutShortSim is what a name's last word counts when it is the start of
// the other's, cut off as fixed-width fields (a manifest's, a form's) cut
// long names: only a name of at least cutAt letters and spaces may have
// been cut.
const (
	cutShortSim = 0.85
	cutAt       = 25
)

// fieldLength is the length of a name written out, in letters and spaces.
func fieldLength(a *analyzed) int {
	n := 0
	for _, t := range a.tokens {
		n += utf8.RuneCountInString(t.term.text) + 1
	}
	return n - 1
}

// cutShort reports whether word i of q and word j of c are one the start
// of the other, at least two letters shorter, and the last word of a name
// long enough to have been cut.
func cutShort(q, c *analyzed, i, j int, qi, ci []int) bool {
	a, b := q.tokens[i].term, c.tokens[j].term
	if ideographic(a.script) || ideographic(b.script) {
		return false
	}
	short, long, last, name := a.text, b.text, i == qi[len(qi)-1], q
	if len(short) > len(long) {
		short, long, last, name = long, short, j == ci[len(ci)-1], c
	}
	return last && len(short) >= 2 && len(long)-len(short) >= 2 && strings.HasPrefix(long, short) && fieldLength(name) >= cutAt
}

// appendAcronyms pairs a word of a that is the initials of two or more
// consecutive words of b, in organisations' names (PLA, People's
// Liberation Army).
func appendAcronyms(pairs []pair, a, b *analyzed, ai, bi []int, swap bool) []pair {
	for _, i := range ai {
		at := a.tokens[i]
		word := at.term.text
		if at.class != className || len(word) < 2 || len(word) > 6 || !isASCIILetters(word) {
			continue
		}
		for k, x := range bi {
			if k+len(word) > len(bi) {
				break
			}
			js := bi[k : k+len(word)]
			if js[len(js)-1]-x != len(word)-1 { // not consecutive
				continue
			}
			w, ok := 0.0, true
			for n, j := range js {
				t := b.tokens[j].term
				ok = ok && b.tokens[j].class == className && t.latin != "" && unicode.ToLower(rune(t.latin[0])) == rune(word[n])
				w += b.tokens[j].weight
			}
			if !ok {
				continue
			}
			p := pair{q: []int{i}, c: append([]int(nil), js...), sim: 0.9, kind: simAcronym, weight: (at.weight + w) / 2}
			if swap {
				p.q, p.c = p.c, p.q
			}
			pairs = append(pairs, p)
		}
	}
	return pairs
}

// acronym returns the initials of a name's words, when there are two to
// six of them, as a word.
func acronym(a *analyzed) string {
	var b []byte
	for _, t := range a.tokens {
		if t.class != className || t.weight == 0 || t.term.latin == "" {
			continue
		}
		c := t.term.latin[0] | 0x20
		if c < 'a' || c > 'z' || len(b) == 6 {
			return ""
		}
		b = append(b, c)
	}
	if len(b) < 2 {
		return ""
	}
	return string(b)
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func explainPairs(q, c *analyzed, chosen []pair, usedQ, usedC []bool, qi, ci []int) string {
	var parts []string
	word := func(a *analyzed, idx []int) string {
		var ws []string
		for _, i := range idx {
			ws = append(ws, a.tokens[i].term.latin)
		}
		return strings.Join(ws, " ")
	}
	sort.SliceStable(chosen, func(a, b int) bool { return chosen[a].q[0] < chosen[b].q[0] })
	for _, p := range chosen {
		qw, cw := word(q, p.q), word(c, p.c)
		if p.kind == simSame || qw == cw && p.sim >= 0.97 {
			parts = append(parts, qw)
			continue
		}
		if qw == cw {
			parts = append(parts, fmt.Sprintf("%s~%s (%s)", displayWord(q, p.q), displayWord(c, p.c), simWords[p.kind]))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s~%s (%s, %.2f)", qw, cw, simWords[p.kind], p.sim))
	}
	var mq, mc []string
	for _, i := range qi {
		if !usedQ[i] {
			mq = append(mq, q.tokens[i].term.latin)
		}
	}
	for _, j := range ci {
		if !usedC[j] {
			mc = append(mc, c.tokens[j].term.latin)
		}
	}
	s := strings.Join(parts, "; ")
	if len(mq) > 0 {
		s += "; only in query: " + strings.Join(mq, " ")
	}
	if len(mc) > 0 {
		s += "; only in record: " + strings.Join(mc, " ")
	}
	return s
}

func displayWord(a *analyzed, idx []int) string {
	var ws []string
	for _, i := range idx {
		ws = append(ws, a.tokens[i].term.text)
	}
	return strings.Join(ws, " ")
}

func clamp01(x float64) float64 {
	switch {
	case x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// CompareNames compares two names in any scripts and returns their
// similarity with an explanation. Both are read as names of people.
func CompareNames(a, b string) NameScore {
	qa, ca := analyzeName(a, false), analyzeName(b, false)
	return compareAnalyzed(&qa, &ca, nil, true)
}
