package matcher

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Variants of listed names of the kinds a border officer meets daily,
// made from the UN list by rule rather than by hand, and screened against
// it. Run with -v to see the figures:
//
//	go test -v -run TestVariantRecall ./matcher/

// variantKinds are the ways a listed name is written otherwise. Each
// returns the changed name, or "" when the name has nothing to change.
var variantKinds = []struct {
	kind   string
	change func(r *rand.Rand, words []string) []string
}{
	{"letter dropped in a long word", func(r *rand.Rand, ws []string) []string {
		i := longestWord(ws, 7)
		if i < 0 {
			return nil
		}
		w := ws[i]
		at := 1 + r.IntN(len(w)-2)
		ws[i] = w[:at] + w[at+1:]
		return ws
	}},
	{"letter doubled in a long word", func(r *rand.Rand, ws []string) []string {
		i := longestWord(ws, 7)
		if i < 0 {
			return nil
		}
		w := ws[i]
		at := 1 + r.IntN(len(w)-1)
		ws[i] = w[:at] + w[at-1:]
		return ws
	}},
	{"first two letters swapped", func(r *rand.Rand, ws []string) []string {
		var cand []int
		for i, w := range ws {
			if len(w) >= 5 && w[0] != w[1] && !isParticleWord(w) {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			return nil
		}
		i := cand[r.IntN(len(cand))]
		w := []byte(ws[i])
		w[0], w[1] = w[1], w[0]
		ws[i] = string(w)
		return ws
	}},
	{"particle mistyped", func(r *rand.Rand, ws []string) []string {
		var cand []int
		for i, w := range ws {
			if i > 0 && i < len(ws)-1 && arabicParticle[w] {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			return nil
		}
		i := cand[r.IntN(len(cand))]
		w := ws[i]
		switch at := r.IntN(len(w)); {
		case r.IntN(2) == 0 || at == len(w)-1:
			ws[i] = w[:at+1] + w[at:] // a letter doubled: been, abuu
		default:
			ws[i] = w[:at] + w[at+1:at+2] + w[at:at+1] + w[at+2:] // swapped: bni
		}
		return ws
	}},
	{"words split in the wrong place", func(r *rand.Rand, ws []string) []string {
		var cand []int
		for i := 0; i+1 < len(ws); i++ {
			if len(ws[i]) >= 4 && len(ws[i+1]) >= 4 && !isParticleWord(ws[i]) && !isParticleWord(ws[i+1]) {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			return nil
		}
		i := cand[r.IntN(len(cand))]
		a, b := ws[i], ws[i+1]
		k := 1 + r.IntN(2)
		if r.IntN(2) == 0 {
			ws[i], ws[i+1] = a[:len(a)-k], a[len(a)-k:]+b
		} else {
			ws[i], ws[i+1] = a+b[:k], b[k:]
		}
		return ws
	}},
	{"article joined to the next word", func(r *rand.Rand, ws []string) []string {
		var cand []int
		for i := 0; i+1 < len(ws); i++ {
			if (ws[i] == "al" || ws[i] == "el") && len(ws[i+1]) >= 3 {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			return nil
		}
		i := cand[r.IntN(len(cand))]
		ws[i] += ws[i+1]
		return append(ws[:i+1], ws[i+2:]...)
	}},
	{"organisation romanised otherwise", func(r *rand.Rand, ws []string) []string {
		// Two of the changes romanisations make: vowels for vowels, long
		// vowels doubled or not, doubled consonants single, a final h.
		changes := [][2]string{{"e", "i"}, {"i", "e"}, {"u", "o"}, {"o", "u"}, {"ee", "i"}, {"i", "ee"}, {"ou", "u"},
			{"aa", "a"}, {"a", "aa"}, {"yy", "y"}, {"ss", "s"}, {"dd", "d"}, {"ah", "a"}, {"iya", "ia"}, {"q", "k"}}
		done := 0
		for try := 0; try < 20 && done < 2; try++ {
			i := r.IntN(len(ws))
			ch := changes[r.IntN(len(changes))]
			w := ws[i]
			if len(w) < 4 || isParticleWord(w) || !strings.Contains(w[1:], ch[0]) {
				continue
			}
			at := 1 + strings.Index(w[1:], ch[0])
			ws[i] = w[:at] + ch[1] + w[at+len(ch[0]):]
			done++
		}
		if done == 0 {
			return nil
		}
		return ws
	}},
}

// longestWord returns the longest word of at least min letters, or -1.
func longestWord(ws []string, min int) int {
	best := -1
	for i, w := range ws {
		if len(w) >= min && (best < 0 || len(w) > len(ws[best])) {
			best = i
		}
	}
	return best
}

// arabicParticle are the particles of Arabic names.
var arabicParticle = set("al el bin ben ibn bint ould abu abou")

func isParticleWord(w string) bool {
	return articles[w] || sunArticle[w] || connectors[w] || euParticle[w] || w == "abu" || w == "abou"
}

// variantWords folds a listed name to lower-case Latin words, hyphens
// read as spaces, or nil when it holds anything else.
func variantWords(name string) []string {
	ws := strings.Fields(strings.ReplaceAll(strings.ToLower(name), "-", " "))
	for _, w := range ws {
		for i := 0; i < len(w); i++ {
			if w[i] < 'a' || w[i] > 'z' {
				return nil
			}
		}
	}
	return ws
}

// variantRecall screens a variant of every name of the UN list that the
// kind can change, and counts those whose own entry comes first (ties
// included) with at least the default threshold.
func variantRecall(t testing.TB) (found, total map[string]int, misses map[string][]string) {
	ix := unIndex(t)
	found, total, misses = map[string]int{}, map[string]int{}, map[string][]string{}
	for _, row := range loadCSV(t, "un_list.csv") {
		schema := "Person"
		if row[2] == "entity" {
			schema = "Organization"
		}
		var seed uint64
		for _, c := range row[0] {
			seed = seed*31 + uint64(c)
		}
		for ni, name := range splitBar(row[3]) {
			if ni >= 3 {
				break // the name and two aliases
			}
			for ki, k := range variantKinds {
				if (schema == "Organization") != (k.kind == "organisation romanised otherwise") {
					continue
				}
				words := variantWords(name)
				if len(words) < 2 {
					continue
				}
				r := rand.New(rand.NewPCG(seed+uint64(ni), uint64(ki)))
				changed := k.change(r, words)
				if changed == nil {
					continue
				}
				q := strings.Join(changed, " ")
				if strings.ReplaceAll(q, " ", "") == strings.ReplaceAll(strings.Join(variantWords(name), " "), " ", "") && k.kind != "words split in the wrong place" && k.kind != "article joined to the next word" {
					continue
				}
				total[k.kind]++
				ms := ix.Query(Query{Name: q, Schema: schema}, 5)
				ok := false
				for _, m := range ms {
					if m.Score < ms[0].Score {
						break
					}
					ok = ok || m.ID == row[0]
				}
				if ok {
					found[k.kind]++
				} else {
					misses[k.kind] = append(misses[k.kind], q+" ~ "+name)
				}
			}
		}
	}
	return found, total, misses
}

func TestVariantRecall(t *testing.T) {
	if testing.Short() {
		t.Skip("screens thousands of names")
	}
	found, total, misses := variantRecall(t)
	for _, k := range variantKinds {
		r := float64(found[k.kind]) / float64(max(1, total[k.kind]))
		t.Logf("UN list, %s: recall at rank 1 %.3f (%d of %d)", k.kind, r, found[k.kind], total[k.kind])
		if r < 0.95 {
			t.Errorf("%s: recall at rank 1 %.3f, want ≥ 0.95", k.kind, r)
		}
		if testing.Verbose() {
			for i, m := range misses[k.kind] {
				if i == 8 {
					break
				}
				t.Logf("  missed: %s", m)
			}
		}
	}
}
