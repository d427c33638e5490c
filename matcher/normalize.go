package matcher

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// writing is the writing system a name token is written in, as far as
// matching cares.
type writing uint8

// Scripts the matcher tells apart. Abjads (Arabic, Hebrew) leave out short
// vowels, so tokens written in them are compared on consonants.
const (
	scriptUnknown writing = iota
	scriptLatin
	scriptCyrillic
	scriptGreek
	scriptArabic
	scriptHebrew
	scriptHan
	scriptHangul
	scriptKana
	scriptOther
	scriptDigits
)

var scriptNames = [...]string{"unknown", "Latin", "Cyrillic", "Greek", "Arabic", "Hebrew", "Han", "Hangul", "Kana", "other", "digits"}

// String returns the script's English name.
func (s writing) String() string {
	if int(s) < len(scriptNames) {
		return scriptNames[s]
	}
	return "unknown"
}

// abjad reports whether the script writes no short vowels, or whether its
// romanisations disagree on vowels (Korean eo, o; Chinese Wade-Giles and
// Pinyin), so that tokens in it are matched on their consonant skeleton.
func (s writing) abjad() bool {
	switch s {
	case scriptArabic, scriptHebrew, scriptOther, scriptHan, scriptHangul, scriptKana:
		return true
	}
	return false
}

func runeScript(r rune) writing {
	switch {
	case r < 0x80:
		if r >= '0' && r <= '9' {
			return scriptDigits
		}
		return scriptLatin
	case unicode.Is(unicode.Latin, r):
		return scriptLatin
	case unicode.Is(unicode.Cyrillic, r):
		return scriptCyrillic
	case unicode.Is(unicode.Greek, r):
		return scriptGreek
	case unicode.Is(unicode.Arabic, r):
		return scriptArabic
	case unicode.Is(unicode.Hebrew, r):
		return scriptHebrew
	case unicode.Is(unicode.Han, r):
		return scriptHan
	case unicode.Is(unicode.Hangul, r):
		return scriptHangul
	case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return scriptKana
	case unicode.IsDigit(r):
		return scriptDigits
	}
	return scriptOther
}

// tokenScript returns the script of most letters of a folded token.
func tokenScript(tok string) writing {
	var counts [scriptDigits + 1]int
	for _, r := range tok {
		counts[runeScript(r)]++
	}
	best, n := scriptUnknown, 0
	for s, c := range counts {
		if writing(s) != scriptDigits && c > n {
			best, n = writing(s), c
		}
	}
	if n == 0 && counts[scriptDigits] > 0 {
		return scriptDigits
	}
	return best
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

// Normalize returns the folded form of a name or text: Unicode NFKC, case
// folded, diacritics removed from Latin and Greek letters (Cyrillic keeps
// й, ё and ї, which are letters of their own), Arabic vowel signs and
// tatweel removed, apostrophes dropped, other punctuation turned to space,
// spaces collapsed. The script is kept: see Transliterate for Latin.
func Normalize(s string) string {
	return normalize(s, false)
}

// normalize folds s; with keepMarks it keeps the Latin letters whose
// diacritics carry a sound of their own in Slavic scholarly spelling
// (š, ž, č, ć, ë), for the phonetic decoder.
func normalize(s string, keepMarks bool) string {
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
			sc := runeScript(r)
			if sc == scriptCyrillic || sc == scriptArabic || sc == scriptHebrew || r < 0x80 {
				emit(r)
				continue
			}
			if keepMarks && sc == scriptLatin {
				if _, ok := slavicMarks[r]; ok {
					emit(r)
					continue
				}
			}
			if rep, ok := latinLigatures[r]; ok {
				b.WriteString(rep)
				space = false
				continue
			}
			if sc != scriptLatin && sc != scriptGreek {
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

// slavicMarks are Latin letters whose diacritics carry a sound of their
// own in scholarly transliteration of Cyrillic and in Czech, Slovak,
// Croatian, Serbian, Slovene and Lithuanian names.
var slavicMarks = map[rune]string{
	'š': "sh", 'ž': "zh", 'č': "ch", 'ć': "ch", 'ř': "rzh", 'ś': "sh", 'ź': "zh", 'ǆ': "dzh", 'ǧ': "g",
}

func isHyphen(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '⁃', '﹣', '－':
		return true
	}
	return false
}
