package ctis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// FoldVersion names the rules of Fold; a store keeps it beside the keys
// it folded, and folds them again when it changes.
const FoldVersion = "2"

// Fold is the one fold of names and text, for search keys and for the
// name matcher alike: Unicode NFKC, case folded, diacritics removed from
// Latin and Greek letters (Cyrillic keeps й, ё and ї, which are letters of
// their own; Arabic keeps its hamza), Arabic vowel signs and tatweel
// removed, Persian and Urdu letter forms written as the Arabic ones,
// digits of any script as ASCII, apostrophes dropped (Qa'ida is qaida),
// & as "and", other punctuation turned to space, spaces collapsed. The
// script is kept: transliteration belongs to the matcher.
func Fold(s string) string { return fold(s, false) }

// FoldMarked is Fold keeping hyphens, and the Latin letters whose
// diacritics carry a sound of their own in Slavic scholarly spelling (š,
// ž, č, ć…): what the matcher's phonetic analysis of a name reads.
func FoldMarked(s string) string { return fold(s, true) }

func fold(s string, keepMarks bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = norm.NFKC.String(s)
	s = cases.Fold().String(s)
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := true
	emit := func(r rune) {
		b.WriteRune(r)
		space = false
	}
	for _, r := range s {
		switch {
		case isApostrophe(r):
			continue
		case r == '\u0640': // Arabic tatweel, a stretching stroke
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Mc, r):
			// Combining marks left after composition: Arabic harakat,
			// shadda and sukun go; the vowel signs of Indic and Southeast
			// Asian scripts stay with their letter.
			if r < 0x900 || r >= 0x1AB0 && r <= 0x1AFF || r >= 0x1DC0 && r <= 0x1DFF || r >= 0x20D0 && r <= 0x20FF || r >= 0xFE20 && r <= 0xFE2F {
				continue
			}
			b.WriteRune(r)
			space = false
		case unicode.IsLetter(r):
			if u, ok := arabicUnify[r]; ok {
				r = u
			}
			latin, greek := unicode.Is(unicode.Latin, r), unicode.Is(unicode.Greek, r)
			if r < 0x80 || unicode.In(r, unicode.Cyrillic, unicode.Arabic, unicode.Hebrew) {
				emit(r)
				continue
			}
			if keepMarks && latin {
				if slavicMarked[r] {
					emit(r)
					continue
				}
			}
			if rep, ok := latinLigatures[r]; ok {
				b.WriteString(rep)
				space = false
				continue
			}
			if !latin && !greek {
				emit(r) // kana voicing marks, Indic vowel signs are letters' own
				continue
			}
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					emit(d)
				}
			}
		case unicode.IsDigit(r):
			if r >= '0' && r <= '9' {
				emit(r)
			} else if v := digitValue(r); v >= 0 {
				emit(rune('0' + v))
			}
		case keepMarks && isHyphen(r):
			// The analyser splits on hyphens too, but wants to know where
			// they were: ad-Din is an article, Ad Din may be a name.
			if space {
				continue
			}
			b.WriteByte('-')
			space = true
		case r == '&':
			if !space {
				b.WriteByte(' ')
			}
			b.WriteString("and ")
			space = true
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " -")
}

// apostrophes are dropped without splitting, so that Qa'ida, Qaida and
// Qa`ida meet and O'Brien stays one word.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '´', 'ʹ', 'ʺ', 'ʻ', 'ʼ', 'ʽ', 'ʾ', 'ʿ', '‘', '’', '‛', '′', 'ˈ', 'ˊ', 'ˋ':
		return true
	}
	return false
}

// digitValue returns the value of a decimal digit of any script (Arabic-
// Indic ٣, Persian ۳, Devanagari ३), or -1.
func digitValue(r rune) int {
	if !unicode.IsDigit(r) {
		return -1
	}
	// Unicode keeps decimal digits in runs of ten starting at zero.
	for z := r; z > r-10; z-- {
		if !unicode.IsDigit(z - 1) {
			return int(r - z)
		}
	}
	return -1
}

// arabicUnify writes the Persian, Urdu and Pashto forms of letters that
// Arabic writes otherwise as the Arabic ones: one name, typed on two
// keyboards, is one string.
var arabicUnify = map[rune]rune{
	'ی': 'ي', 'ې': 'ي', 'ۍ': 'ي', 'ے': 'ي', 'ک': 'ك', 'ڪ': 'ك', 'ہ': 'ه', 'ە': 'ه', 'ۀ': 'ة', 'ۃ': 'ة',
	'ٱ': 'ا', 'ٲ': 'أ', 'ٳ': 'إ', 'ھ': 'ه',
}

// latinLigatures are Latin letters that do not decompose into a base
// letter and marks.
var latinLigatures = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d",
	'þ': "th", 'ı': "i", 'ŀ': "l", 'ħ': "h", 'ŧ': "t", 'ŋ': "ng", 'ĸ': "k",
	'ſ': "s", 'ƒ': "f", 'ɖ': "d", 'ɗ': "d", 'ƙ': "k", 'ƴ': "y", 'ɓ': "b",
	'ǝ': "e", 'ə': "e", 'ɛ': "e", 'ɔ': "o", 'ʃ': "sh", 'ʒ': "zh",
}

// slavicMarked are the Latin letters FoldMarked keeps.
var slavicMarked = map[rune]bool{'š': true, 'ž': true, 'č': true, 'ć': true, 'ř': true, 'ś': true, 'ź': true, 'ǆ': true, 'ǧ': true}

func isHyphen(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '⁃', '﹣', '－':
		return true
	}
	return false
}
