package matcher

import "sort"

// Words as written. A name's tokens are its words read for matching:
// compounds split (Abdulrahman is abd + rahman), particles set apart.
// Writers and typists also split and join words where the list does not:
// Abd Ulrahman and Abdelra Hman for Abdul Rahman, Alqaida for Al-Qaida,
// Elhadi for El Hadi; and a letter off inside a compound (Abdoulae for
// Abdoulaye) stops it splitting as it should. Such names are compared a
// second time on their words as written, one or two neighbours run
// together on each side, when words are left over on both sides.

// Limits of the comparison of words as written: the runs compared differ
// by at most one letter (added, dropped, changed, two swapped), or
// respellEdits when at least respellLong long, and are at least
// respellMinLen long; a run the same letters split elsewhere counts
// respellSame. At most respellTries runs are tried.
const (
	respellEdits  = 2
	respellLong   = 10
	respellMinLen = 4
	respellSame   = 0.95
	respellTries  = 4
)

// maxRespellWords bounds the words of a name compared as written; longer
// names are compared on their tokens only.
const maxRespellWords = 12

// wordRun is one word as written, or two neighbours run together, with
// the tokens they give. Its text is made only for runs that pass the
// cheap checks on length and first letters.
type wordRun struct {
	from, to int // tokens
	w, n     int // first word and number of words
	length   int
	b0, b1   byte // the first two bytes of the text, and the last
	last     byte
	weight   float64
	script   writing
	// single is a word that is one token as written: compared already.
	single bool
}

// nameWords returns the token range of each word of a name as written,
// and their texts' lengths, or false for a name too long to try.
func nameWords(a *analyzed, bounds *[maxRespellWords + 1]int, lens *[maxRespellWords]int) (int, bool) {
	if len(a.tokens) == 0 {
		return 0, false
	}
	nw := int(a.tokens[len(a.tokens)-1].word) + 1
	if nw > maxRespellWords {
		return 0, false
	}
	w := 0
	for i, t := range a.tokens {
		for w <= int(t.word) {
			bounds[w] = i
			w++
		}
	}
	for ; w <= nw; w++ {
		bounds[w] = len(a.tokens)
	}
	for w := range nw {
		if a.words != nil {
			lens[w] = len(a.words[w])
			continue
		}
		lens[w] = 0
		for i := bounds[w]; i < bounds[w+1]; i++ {
			lens[w] += len(a.tokens[i].term.text)
		}
	}
	return nw, true
}

// wordRuns returns the runs of one name that hold a weak token: one left
// over, or matched only as a typo, a near miss, an initial, cut short or
// by a spelling not much alike.
func wordRuns(a *analyzed, weak []bool, out []wordRun) []wordRun {
	var bounds [maxRespellWords + 1]int
	var lens [maxRespellWords]int
	nw, ok := nameWords(a, &bounds, &lens)
	if !ok {
		return out
	}
	firstBytes := func(w int) (byte, byte) {
		if a.words != nil {
			x := a.words[w]
			if len(x) > 1 {
				return x[0], x[1]
			}
		}
		x := a.tokens[bounds[w]].term.text
		if len(x) > 1 {
			return x[0], x[1]
		}
		if len(x) == 1 && bounds[w]+1 < len(a.tokens) {
			if y := a.tokens[bounds[w]+1].term.text; len(y) > 0 {
				return x[0], y[0]
			}
		}
		return 0, 0
	}
	lastByte := func(w int) byte {
		if a.words != nil {
			x := a.words[w]
			return x[len(x)-1]
		}
		for i := bounds[w+1] - 1; i >= bounds[w]; i-- {
			if x := a.tokens[i].term.text; len(x) > 0 {
				return x[len(x)-1]
			}
		}
		return 0
	}
	for w := 0; w < nw; w++ {
		for n := 1; n <= 2 && w+n <= nw; n++ {
			r := wordRun{from: bounds[w], to: bounds[w+n], w: w, n: n, script: scriptUnknown}
			hasWeak, ok := false, true
			for i := r.from; i < r.to; i++ {
				t := &a.tokens[i]
				if r.script == scriptUnknown {
					r.script = t.term.script
				} else if t.term.script != r.script {
					ok = false
				}
				if t.weight > 0 {
					r.weight += t.weight
					hasWeak = hasWeak || weak[i]
				}
			}
			if !ok || !hasWeak || ideographic(r.script) || r.script == scriptDigits {
				continue
			}
			r.length = lens[w]
			if n == 2 {
				r.length += lens[w+1]
			}
			if r.length < respellMinLen {
				continue
			}
			r.b0, r.b1 = firstBytes(w)
			r.last = lastByte(w + n - 1)
			r.single = n == 1 && r.to-r.from == 1 && (a.words == nil || a.words[w] == a.tokens[r.from].term.text)
			out = append(out, r)
		}
	}
	return out
}

// text returns the run as written.
func (r *wordRun) text(a *analyzed) string {
	if r.n == 1 {
		return a.wordText(uint8(r.w))
	}
	return a.wordText(uint8(r.w)) + a.wordText(uint8(r.w+1))
}

// tokens returns the run's weighted tokens.
func (r *wordRun) tokens(a *analyzed) []int {
	var out []int
	for i := r.from; i < r.to; i++ {
		if a.tokens[i].weight > 0 {
			out = append(out, i)
		}
	}
	return out
}

// respellWeak is the similarity of spelling below which a pair of words
// is weak enough to try the words as written.
const respellWeak = 0.9

// weakMarks marks the weighted tokens of one side that are left over or
// matched weakly.
func weakMarks(n int, idx []int, used []bool, chosen []pair, query bool) ([]bool, bool) {
	weak := make([]bool, n)
	any := false
	for _, i := range idx {
		if !used[i] {
			weak[i], any = true, true
		}
	}
	for _, p := range chosen {
		switch p.kind {
		case simTypo, simNear, simInitial, simCutShort, simSpelling:
			if p.kind == simSpelling && p.sim >= respellWeak {
				continue
			}
			side := p.c
			if query {
				side = p.q
			}
			for _, i := range side {
				weak[i], any = true, true
			}
		}
	}
	return weak, any
}

// respelled returns pairs of runs of words as written, one of each name,
// that are the same words split or joined otherwise, or a letter or two
// apart inside a compound: best first, at most respellTries.
func respelled(q, c *analyzed, chosen []pair, usedQ, usedC []bool, qi, ci []int) []pair {
	weakQ, anyQ := weakMarks(len(q.tokens), qi, usedQ, chosen, true)
	if !anyQ {
		return nil
	}
	weakC, anyC := weakMarks(len(c.tokens), ci, usedC, chosen, false)
	if !anyC {
		return nil
	}
	var bufQ, bufC [2 * maxRespellWords]wordRun
	runsQ, runsC := wordRuns(q, weakQ, bufQ[:0]), wordRuns(c, weakC, bufC[:0])
	var out []pair
	for ai := range runsQ {
		a := &runsQ[ai]
		for bi := range runsC {
			b := &runsC[bi]
			if a.single && b.single || a.script != b.script || a.weight == 0 || b.weight == 0 {
				continue
			}
			// Words split, joined or mistyped inside keep their last
			// letter.
			if abs(a.length-b.length) > respellEdits || a.last != b.last {
				continue
			}
			// The same first letter, or the first two swapped, or an
			// article's vowel written otherwise (el, al).
			if a.b0 != b.b0 && (a.b0 != b.b1 || a.b1 != b.b0) && (!isVowel(a.b0) || !isVowel(b.b0)) {
				continue
			}
			x, y := a.text(q), b.text(c)
			var fa, fb string
			if a.n == 2 && b.n == 2 {
				// Two runs of two words that start or end with the same
				// word are two words each, compared already.
				fa, fb = q.wordText(uint8(a.w)), c.wordText(uint8(b.w))
				if fa == fb || x[len(fa):] == y[len(fb):] {
					continue
				}
			}
			// A letter apart in a short run, two in a long one.
			limit := 1
			if min(len(x), len(y)) >= respellLong {
				limit = respellEdits
			}
			d := edits(x, y, limit)
			if d > limit {
				continue
			}
			// Two runs of two words are split elsewhere only when the
			// split moved by more than the letters that differ:
			// Mohamed Amin and Mohammed Aman are two words each.
			if a.n == 2 && b.n == 2 && abs(len(fa)-len(fb)) <= d {
				continue
			}
			kind := simSplit
			if a.n < 2 || b.n < 2 {
				kind = simJoined
			}
			sim := respellSame
			if d > 0 {
				s, k := termSim(analyzeTerm(x), analyzeTerm(y), false, false)
				switch {
				case s >= respellWeak:
					sim = min(s, respellSame)
					if a.n < 2 && b.n < 2 {
						kind = k // one compound against another
					}
				case a.n < 2 && b.n < 2 && d == 1 && min(len(x), len(y)) >= typo2MinLen:
					sim, kind = typoSim, simTypo
				default:
					continue
				}
			}
			out = append(out, pair{q: a.tokens(q), c: b.tokens(c), sim: sim, kind: kind, weight: (a.weight + b.weight) / 2,
				typoLen: min(len(x), len(y)), typoWeight: min(a.weight, b.weight)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].sim*out[i].weight > out[j].sim*out[j].weight })
	if len(out) > respellTries {
		out = out[:respellTries]
	}
	return out
}

// alignWith aligns two names with one pair taken first, then the other
// pairs greedily as align does (pairs is sorted already).
func (w *nameWork) alignWith(first pair, pairs []pair, nq, nc int) (chosen []pair, usedQ, usedC []bool) {
	w.usedAlt = resetBools(w.usedAlt, nq+nc)
	usedQ, usedC = w.usedAlt[:nq:nq], w.usedAlt[nq:]
	for _, i := range first.q {
		usedQ[i] = true
	}
	for _, j := range first.c {
		usedC[j] = true
	}
	w.chosenAlt = takeFree(append(w.chosenAlt[:0], first), pairs, usedQ, usedC)
	return w.chosenAlt, usedQ, usedC
}
