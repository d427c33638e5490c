package matcher

import (
	"unicode"

	"ctis"
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

// Normalize returns the folded form of a name or text: ctis.Fold, the one
// fold that search keys use too, so that what search finds and what
// screening finds are read alike.
func Normalize(s string) string { return ctis.Fold(s) }

// normalize folds s; with keepMarks as ctis.FoldMarked, for the phonetic
// decoder.
func normalize(s string, keepMarks bool) string {
	if keepMarks {
		return ctis.FoldMarked(s)
	}
	return ctis.Fold(s)
}

// slavicMarks are Latin letters whose diacritics carry a sound of their
// own in scholarly transliteration of Cyrillic and in Czech, Slovak,
// Croatian, Serbian, Slovene and Lithuanian names.
var slavicMarks = map[rune]string{
	'š': "sh", 'ž': "zh", 'č': "ch", 'ć': "ch", 'ř': "rzh", 'ś': "sh", 'ź': "zh", 'ǆ': "dzh", 'ǧ': "g",
}
