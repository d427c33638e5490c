package matcher

import (
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"Usama bin Ladin", "أسامة بن لادن", "Абдуллаев Рустам Ахмедович", "Хрущёв", "Παπαδόπουλος",
	"习近平", "김정은", "バラク・オバマ", "ប៉ុល ពត", "שלום", "Abd al-Rahman", "PUTIN, Vladimir",
	"A.B.C. Company", "Qa'ida/Islamic Army", "I9or Sech1n", "عبدالله", "مُحَمَّد", "ـــ", "-", "",
	"\xff\xfe", "a\u0301\u0301\u0301", "ﷺ", "ǅ", "Straße", "İstanbul", "٣٤٥", "x y z", "abdul", "ال",
}

// FuzzNormalize checks that normalising and transliterating never panic
// and give valid text: ASCII for transliterations.
func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q, not UTF-8", s, n)
		}
		for _, out := range append([]string{Transliterate(s), Key(s), Skeleton(s)}, Variants(s)...) {
			if !utf8.ValidString(out) {
				t.Fatalf("%q gave %q, not UTF-8", s, out)
			}
		}
		for _, c := range Conventions {
			_ = TransliterateAs(s, c)
		}
		for i := 0; i < len(Transliterate(s)); i++ {
			if c := Transliterate(s)[i]; c >= 0x80 {
				t.Fatalf("Transliterate(%q) = %q, not ASCII", s, Transliterate(s))
			}
		}
	})
}

// FuzzCompareNames checks that comparing any two strings gives a score
// in [0,1] and that a name matches itself.
func FuzzCompareNames(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+1)%len(fuzzSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		r := CompareNames(a, b)
		if r.Score < 0 || r.Score > 1 || r.Score != r.Score {
			t.Fatalf("CompareNames(%q, %q) = %v", a, b, r.Score)
		}
		m := Compare(Query{Name: a, BirthDate: b, Document: b, Schema: "Organization"}, Record{ID: "x", Names: []string{b, a}, BirthDates: []string{a}, Documents: []string{a}})
		if m.Score < 0 || m.Score > 1 || m.Score != m.Score {
			t.Fatalf("Compare(%q, %q) = %v", a, b, m.Score)
		}
		if s := CompareNames(a, a); analyzeName(a, false).wsum > 0 && s.Score < 0.99 {
			t.Fatalf("CompareNames(%q, itself) = %v (%s)", a, s.Score, s.Detail)
		}
	})
}

// FuzzParseDate checks that reading dates never panics and that a date
// read is a span that does not end before it starts.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1971", "1971-07", "1971-07-28", "1970~", "1973/1974", "1973..1975", "0000-00-00", "9999-99-99/", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := parseDate(s); ok && d.hi < d.lo {
			t.Fatalf("parseDate(%q) = %+v", s, d)
		}
	})
}
