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

// wordRun is one word as written, or two neighbours run together, with
// the tokens they give.
type wordRun struct {
	text   string
	words  int
	tokens []int // weighted tokens
	weight float64
	script writing
	first  string // the first and last words, for a run of two
	last   string
}

// wordRuns returns the runs of one name that hold a weak token: one left
// over, or matched only as a typo, a near miss, an initial, cut short or
// by a spelling not much alike.
func wordRuns(a *analyzed, weak []bool) []wordRun {
	if len(a.tokens) == 0 {
		return nil
	}
	nw := int(a.tokens[len(a.tokens)-1].word) + 1
	texts := make([]string, nw)
	var out []wordRun
	for w := 0; w < nw; w++ {
		texts[w] = a.wordText(uint8(w))
	}
	for w := 0; w < nw; w++ {
		for n := 1; n <= 2 && w+n <= nw; n++ {
			r := wordRun{words: n, script: scriptUnknown}
			hasWeak, parts, ok := false, 0, true
			for i, t := range a.tokens {
				if int(t.word) < w || int(t.word) >= w+n {
					continue
				}
				parts++
				if r.script == scriptUnknown {
					r.script = t.term.script
				} else if t.term.script != r.script {
					ok = false
				}
				if t.weight > 0 {
					r.tokens = append(r.tokens, i)
					r.weight += t.weight
					hasWeak = hasWeak || weak[i]
				}
			}
			if !ok || !hasWeak || ideographic(r.script) || r.script == scriptDigits {
				continue
			}
			if n == 1 && parts == 1 && len(r.tokens) == 1 && a.tokens[r.tokens[0]].term.text == texts[w] {
				r.words = 0 // a word that is one token: compared already
			}
			r.text = texts[w]
			if n == 2 {
				r.text += texts[w+1]
				r.first, r.last = texts[w], texts[w+1]
			}
			out = append(out, r)
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
	runsQ, runsC := wordRuns(q, weakQ), wordRuns(c, weakC)
	var out []pair
	for _, a := range runsQ {
		for _, b := range runsC {
			if a.words == 0 && b.words == 0 || a.script != b.script || len(a.tokens) == 0 || len(b.tokens) == 0 {
				continue
			}
			// Two runs of two words that start or end with the same word
			// are two words each, compared already.
			if a.words == 2 && b.words == 2 && (a.first == b.first || a.last == b.last) {
				continue
			}
			x, y := a.text, b.text
			if min(len(x), len(y)) < respellMinLen || abs(len(x)-len(y)) > respellEdits {
				continue
			}
			// The same first letter, or the first two swapped, or an
			// article's vowel written otherwise (el, al).
			if x[0] != y[0] && (x[0] != y[1] || x[1] != y[0]) && (!isVowel(x[0]) || !isVowel(y[0])) {
				continue
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
			if a.words == 2 && b.words == 2 && abs(len(a.first)-len(b.first)) <= d {
				continue
			}
			kind := simSplit
			if a.words < 2 || b.words < 2 {
				kind = simJoined
			}
			sim := respellSame
			if d > 0 {
				s, k := termSim(analyzeTerm(x), analyzeTerm(y), false, false)
				switch {
				case s >= respellWeak:
					sim = min(s, respellSame)
					if a.words < 2 && b.words < 2 {
						kind = k // one compound against another
					}
				case a.words < 2 && b.words < 2 && d == 1 && min(len(x), len(y)) >= typo2MinLen:
					sim, kind = typoSim, simTypo
				default:
					continue
				}
			}
			out = append(out, pair{q: a.tokens, c: b.tokens, sim: sim, kind: kind, weight: (a.weight + b.weight) / 2,
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
func alignWith(first pair, pairs []pair, nq, nc int) (chosen []pair, usedQ, usedC []bool) {
	usedQ, usedC = make([]bool, nq), make([]bool, nc)
	for _, i := range first.q {
		usedQ[i] = true
	}
	for _, j := range first.c {
		usedC[j] = true
	}
	chosen = append(chosen, first)
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
	return chosen, usedQ, usedC
}
