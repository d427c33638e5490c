package screenbench

import (
	"bufio"
	"bytes"
	"strings"

	"ctis/matcher"
	"ctis/screen"
)

// Agreement is how often the matcher holds a name and its transliteration
// to be the same name.
type Agreement struct {
	Corpus       string
	Pairs, Agree int
}

// Rate is the share of pairs that agree.
func (a Agreement) Rate() float64 { return ratio(a.Agree, a.Pairs) }

// Agreements compares every pair of the transliteration corpora: the
// Arabic-script and English names of ar2en's test split, and Wikidata's
// Arabic and Russian name tokens against their Latin forms. A pair agrees
// when the name score reaches the screening threshold.
func Agreements() []Agreement {
	var out []Agreement
	for _, c := range []struct {
		label, file   string
		native, latin int
		spaced        bool
	}{
		{"ar2en test, Arabic", "ar2en-test.txt", 0, 1, false},
		{"Wikidata, Arabic", "wd_arabic_20", 1, 0, true},
		{"Wikidata, Russian", "wd_russian_20", 1, 0, true},
	} {
		a := Agreement{Corpus: c.label}
		b, err := data.ReadFile("testdata/" + c.file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Split(sc.Text(), "\t")
			if len(f) < 2 {
				continue
			}
			native := f[c.native]
			if c.spaced {
				native = strings.ReplaceAll(native, " ", "")
			}
			a.Pairs++
			if matcher.CompareNames(native, f[c.latin]).Score >= screen.DefaultThreshold {
				a.Agree++
			}
		}
		out = append(out, a)
	}
	return out
}
