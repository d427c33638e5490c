package matcher

import (
	"strings"
	"unicode"

	anyascii "github.com/anyascii/go"
)

// Convention is a way of writing Cyrillic in Latin letters. Each country
// and era used its own, so one person's name reaches a watchlist in
// several spellings: Абдуллаев is Abdullaev (ICAO), Abdullayev (BGN/PCGN),
// Abdoullaev (French), Abdullajew (German) and Abdullaev (scholarly).
type Convention uint8

// Conventions for Cyrillic.
const (
	// ICAO is ICAO Doc 9303 Part 3, the spelling of machine-readable
	// passports since 2013, with the national variants for Ukrainian,
	// Belarusian, Bulgarian, Serbian and Macedonian.
	ICAO Convention = iota
	// BGNPCGN is the US and UK geographic names system, the usual English
	// press spelling (Yevgeny, Abdullayev, Dmitriy).
	BGNPCGN
	// French is the French usage (Evgueni, Abdoullaev, Tchernenko).
	French
	// German is the Duden usage (Jewgeni, Abdullajew, Tschernenko).
	German
	// Scholarly is the scientific (ISO 9 / Library of Congress family)
	// usage with háček letters (Černenko, Chruščëv).
	Scholarly
)

var conventionNames = [...]string{"ICAO 9303", "BGN/PCGN", "French", "German", "scholarly"}

// String returns the convention's usual name.
func (c Convention) String() string {
	if int(c) < len(conventionNames) {
		return conventionNames[c]
	}
	return "unknown"
}

// Conventions lists every Cyrillic convention Variants produces.
var Conventions = []Convention{ICAO, BGNPCGN, French, German, Scholarly}

// cyrLang is the language a Cyrillic name is taken to be in, from the
// letters only some alphabets have.
type cyrLang uint8

const (
	langRus cyrLang = iota
	langUkr
	langBel
	langBul
	langSrp
	langMkd
)

// cyrillicLang guesses a Cyrillic name's language from letters that only
// some alphabets have; names without them are read as Russian.
func cyrillicLang(s string) cyrLang {
	var ukr, bel, srp, mkd bool
	for _, r := range s {
		switch r {
		case 'є', 'ї', 'ґ':
			ukr = true
		case 'ў':
			bel = true
		case 'і':
			ukr = true
		case 'ђ', 'ћ':
			srp = true
		case 'ѓ', 'ќ', 'ѕ':
			mkd = true
		case 'ј', 'љ', 'њ', 'џ':
			srp = true
		}
	}
	switch {
	case mkd:
		return langMkd
	case srp:
		return langSrp
	case bel:
		return langBel
	case ukr:
		return langUkr
	}
	return langRus
}

// icaoCyr is the ICAO Doc 9303 Part 3 table for Russian (lower case). The
// interscript copy omits ъ; Doc 9303 gives IE, which is kept here.
var icaoCyr = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e",
	'ж': "zh", 'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
	'ґ': "g", 'ў': "u", 'ѫ': "u", 'ђ': "d", 'ѕ': "dz", 'ј': "j", 'љ': "lj",
	'њ': "nj", 'һ': "c", 'џ': "dz", 'є': "ie", 'ї': "i", 'ѓ': "g", 'і': "i",
	'ћ': "c", 'ќ': "k",
	// Letters of the Cyrillic alphabets of Central Asia and the Caucasus,
	// which Doc 9303 does not list, by their usual Latin values.
	'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u",
	'ҳ': "h", 'ҷ': "j", 'ӣ': "i", 'ӯ': "u", 'ҹ': "j", 'ҝ': "g", 'ӏ': "",
}

// icaoLang are the differences of the other Doc 9303 Cyrillic tables
// from the Russian one. (The interscript copies map у, ю and ў to nothing
// for these languages, a defect of the copy: Doc 9303 gives U, IU and U.)
var icaoLang = map[cyrLang]map[rune]string{
	langUkr: {'г': "h", 'и': "y"},
	langBel: {'г': "h", 'ё': "io"},
	langBul: {'щ': "sht"},
	langSrp: {'г': "g", 'ч': "c", 'х': "h", 'ш': "s", 'ц': "c", 'ж': "z", 'ћ': "c", 'ђ': "d"},
	langMkd: {'к': "k", 'х': "h", 'ц': "c", 'џ': "dj", 'ѓ': "gj", 'ќ': "kj"},
}

func isCyrVowel(r rune) bool {
	return strings.ContainsRune("аеёиоуыэюяіїєў", r)
}

// cyrToLatin transliterates one folded Cyrillic token under convention c.
func cyrToLatin(tok string, c Convention, lang cyrLang) string {
	rs := []rune(tok)
	var b strings.Builder
	for i, r := range rs {
		var out string
		var ok bool
		if c == ICAO {
			out, ok = icaoLang[lang][r]
		} else if out, ok = contextual(c, lang, rs, i); !ok {
			out, ok = conventionTable[c][r]
		}
		if !ok {
			out, ok = icaoCyr[r]
		}
		if !ok {
			out = string(r)
		}
		b.WriteString(out)
	}
	return b.String()
}

// conventionTable holds the letters each convention writes otherwise than
// ICAO, whatever surrounds them; contextual has the rest.
var conventionTable = map[Convention]map[rune]string{
	BGNPCGN:   {'й': "y", 'ы': "y", 'ю': "yu", 'я': "ya", 'ъ': "", 'ь': "", 'э': "e", 'є': "ye", 'ї': "yi"},
	French:    {'у': "ou", 'ж': "j", 'ш': "ch", 'ч': "tch", 'щ': "chtch", 'й': "i", 'ю': "iou", 'я': "ia", 'ъ': "", 'ь': ""},
	German:    {'в': "w", 'ж': "sch", 'з': "s", 'ш': "sch", 'ч': "tsch", 'щ': "schtsch", 'х': "ch", 'ц': "z", 'ю': "ju", 'я': "ja", 'ё': "jo", 'ъ': "", 'ь': "", 'є': "je", 'ї': "ji"},
	Scholarly: {'ж': "ž", 'х': "ch", 'ц': "c", 'ч': "č", 'ш': "š", 'й': "j", 'ю': "ju", 'я': "ja", 'ё': "ë", 'э': "è", 'ъ': "", 'ь': "", 'є': "je", 'ї': "ji"},
}

// contextual writes the letters whose Latin form under convention c
// depends on their neighbours or on the language.
func contextual(c Convention, lang cyrLang, rs []rune, i int) (string, bool) {
	r := rs[i]
	var prev, next rune
	if i > 0 {
		prev = rs[i-1]
	}
	if i+1 < len(rs) {
		next = rs[i+1]
	}
	// iotated: at the start of a word or after a vowel or sign.
	iot := i == 0 || isCyrVowel(prev) || prev == 'ъ' || prev == 'ь' || prev == 'й'
	between := i > 0 && isCyrVowel(prev) && isCyrVowel(next)
	switch {
	case r == 'г' && (c == BGNPCGN || c == Scholarly):
		return pick(lang == langUkr || lang == langBel, "h", "g"), true
	case r == 'и' && (c == BGNPCGN || c == Scholarly):
		return pick(lang == langUkr, "y", "i"), true
	case r == 'с' && (c == French || c == German):
		return pick(between, "ss", "s"), true
	}
	switch c {
	case BGNPCGN:
		switch r {
		case 'е':
			return pick(iot, "ye", "e"), true
		case 'ё':
			return pick(iot, "yo", "e"), true
		}
	case French:
		switch r {
		case 'ё':
			return pick(iot, "io", "e"), true
		case 'г':
			return pick(next == 'е' || next == 'и' || next == 'ы' || next == 'э', "gu", "g"), true
		case 'и':
			return pick(prev == 'и' || next == 'й' && i+2 == len(rs), "", "i"), true
		}
	case German:
		switch r {
		case 'й':
			return pick(prev == 'и' || prev == 'ы', "", "j"), true
		case 'е':
			return pick(iot && i > 0, "je", "e"), true
		}
	case Scholarly:
		if r == 'щ' {
			return pick(lang == langBul, "št", "šč"), true
		}
	}
	return "", false
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// greekToLatin transliterates a folded Greek token by ELOT 743, the
// system of Greek passports and of ICAO Doc 9303 for Greek.
func greekToLatin(tok string) string {
	rs := []rune(tok)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		var next rune
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		two := string([]rune{r, next})
		switch two {
		case "ου":
			b.WriteString("ou")
			i++
			continue
		case "αυ", "ευ", "ηυ":
			v := map[rune]string{'α': "a", 'ε': "e", 'η': "i"}[r]
			var after rune
			if i+2 < len(rs) {
				after = rs[i+2]
			}
			if after != 0 && strings.ContainsRune("αεηιοωυβγδζλμνρ", after) {
				b.WriteString(v + "v")
			} else {
				b.WriteString(v + "f")
			}
			i++
			continue
		case "γγ":
			b.WriteString("ng")
			i++
			continue
		case "γξ":
			b.WriteString("nx")
			i++
			continue
		case "γχ":
			b.WriteString("nch")
			i++
			continue
		case "μπ":
			b.WriteString(pick(i == 0 || i+2 == len(rs), "b", "mp"))
			i++
			continue
		case "ντ":
			b.WriteString(pick(i == 0, "d", "nt"))
			i++
			continue
		case "γκ":
			b.WriteString(pick(i == 0, "g", "nk"))
			i++
			continue
		}
		if s, ok := greekLetters[r]; ok {
			b.WriteString(s)
		} else {
			b.WriteString(asciiFold(string(r)))
		}
	}
	return b.String()
}

var greekLetters = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i",
	'θ': "th", 'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x",
	'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y",
	'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o", 'ϊ': "i", 'ϋ': "y",
}

// arabicLetter says how an Arabic-script letter is romanised: its usual
// English spelling for display and its sound for the phonetic key.
type arabicLetter struct {
	show, phon string
	// vowel marks letters that may stand for a long vowel (ا و ي ى).
	kind byte // 'c' consonant, 'a' alif, 'w' waw, 'y' ya, 'h' hamza, 'e' ayn, 't' ta marbuta
}

var arabicLetters = map[rune]arabicLetter{
	'ا': {"a", "a", 'a'}, 'أ': {"a", "a", 'a'}, 'إ': {"i", "i", 'a'}, 'آ': {"a", "a", 'a'}, 'ٱ': {"a", "a", 'a'},
	'ء': {"", "", 'h'}, 'ؤ': {"u", "u", 'h'}, 'ئ': {"i", "i", 'h'},
	'ب': {"b", "b", 'c'}, 'ت': {"t", "t", 'c'}, 'ث': {"th", "t", 'c'}, 'ج': {"j", "j", 'c'},
	'ح': {"h", "h", 'c'}, 'خ': {"kh", "h", 'c'}, 'د': {"d", "d", 'c'}, 'ذ': {"dh", "d", 'c'},
	'ر': {"r", "r", 'c'}, 'ز': {"z", "z", 'c'}, 'س': {"s", "s", 'c'}, 'ش': {"sh", "x", 'c'},
	'ص': {"s", "s", 'c'}, 'ض': {"d", "d", 'c'}, 'ط': {"t", "t", 'c'}, 'ظ': {"dh", "d", 'c'},
	'ع': {"", "a", 'e'}, 'غ': {"gh", "g", 'c'}, 'ف': {"f", "f", 'c'}, 'ق': {"q", "k", 'c'},
	'ك': {"k", "k", 'c'}, 'ل': {"l", "l", 'c'}, 'م': {"m", "m", 'c'}, 'ن': {"n", "n", 'c'},
	'ه': {"h", "h", 'c'}, 'ة': {"a", "a", 't'}, 'و': {"w", "w", 'w'}, 'ي': {"y", "y", 'y'},
	'ى': {"a", "a", 'a'},
	// Persian, Urdu, Pashto, Kurdish letters.
	'پ': {"p", "p", 'c'}, 'چ': {"ch", "c", 'c'}, 'ژ': {"zh", "j", 'c'}, 'گ': {"g", "g", 'c'},
	'ک': {"k", "k", 'c'}, 'ی': {"y", "y", 'y'}, 'ې': {"e", "e", 'y'}, 'ۍ': {"i", "i", 'y'},
	'ے': {"e", "e", 'y'}, 'ہ': {"h", "h", 'c'}, 'ۀ': {"a", "a", 't'}, 'ە': {"e", "e", 'a'},
	'ھ': {"h", "", 'c'}, 'ٹ': {"t", "t", 'c'}, 'ڈ': {"d", "d", 'c'}, 'ڑ': {"r", "r", 'c'},
	'ں': {"n", "n", 'c'}, 'ټ': {"t", "t", 'c'}, 'ډ': {"d", "d", 'c'}, 'ړ': {"r", "r", 'c'},
	'ږ': {"zh", "j", 'c'}, 'ښ': {"sh", "x", 'c'}, 'ځ': {"dz", "z", 'c'}, 'څ': {"ts", "ts", 'c'},
	'ګ': {"g", "g", 'c'}, 'ڼ': {"n", "n", 'c'}, 'ڤ': {"v", "v", 'c'}, 'ڨ': {"g", "g", 'c'},
	'ڭ': {"ng", "ng", 'c'}, 'ۆ': {"o", "u", 'w'}, 'ێ': {"e", "e", 'y'}, 'ڵ': {"l", "l", 'c'},
	'ڕ': {"r", "r", 'c'}, 'ۇ': {"u", "u", 'w'}, 'ۈ': {"u", "u", 'w'}, 'ۋ': {"v", "v", 'c'},
}

// arabicToLatin romanises a folded Arabic-script token. show is a readable
// spelling (long vowels only: Arabic writes no short ones), phon the input
// of the phonetic key, vowels the same with "*" where a vowel is certain
// but its quality is not (a word-initial alif, ayn, ta marbuta). و and ي
// are read as consonants at the start of a word, after alif and before
// alif, and as long vowels elsewhere.
func arabicToLatin(tok string) (show, phon, vowels string) {
	return arabicReading(tok, false)
}

// arabicReading romanises as arabicToLatin does; with persian it reads
// the letters as Persian, Urdu, Pashto and Turkish do (ض ذ ظ as z, ث as
// s: Fazl, Osman), ج as Egyptian g (Gamal), and a final ه as the ending
// -a (قاعده).
func arabicReading(tok string, persian bool) (show, phon, vowels string) {
	if tok == "الله" || tok == "لله" {
		return "allah", "alah", "*la"
	}
	rs := []rune(tok)
	var s, p, v strings.Builder
	kind := func(j int) byte {
		if j < 0 || j >= len(rs) {
			return 0
		}
		return arabicLetters[rs[j]].kind
	}
	for i, r := range rs {
		l, ok := arabicLetters[r]
		if !ok {
			if unicode.IsLetter(r) {
				a := strings.ToLower(anyascii.Transliterate(string(r)))
				s.WriteString(a)
				p.WriteString(a)
				v.WriteString(a)
			}
			continue
		}
		if persian {
			switch r {
			case 'ض', 'ذ', 'ظ':
				l = arabicLetter{"z", "z", 'c'}
			case 'ث':
				l = arabicLetter{"s", "s", 'c'}
			case 'ج':
				l = arabicLetter{"g", "g", 'c'} // Egyptian: Gamal, Ragab
			case 'ه':
				if i == len(rs)-1 && i > 1 {
					l = arabicLetter{"a", "a", 't'}
				}
			}
		}
		if (r == 'ى' || r == 'ي' && i > 1 && kind(i-1) == 'c') && i == len(rs)-1 && l.kind != 'c' {
			// Final alif maqsura is -a in Arabic (Musa) but stands for
			// the Persian final -i in much Afghan and Pakistani spelling
			// (حقانى, Haqqani).
			l.kind = 't'
		}
		switch l.kind {
		case 'w', 'y':
			pk, nk := kind(i-1), kind(i+1)
			consonant := i == 0 || pk == 'a' || (nk == 'a' || nk == 't') && i+1 < len(rs)
			if l.kind == 'y' && pk == 'y' || l.kind == 'w' && pk == 'w' {
				consonant = true // doubled: iyy, uww
			}
			switch {
			case consonant:
				s.WriteString(l.show)
				p.WriteString(l.phon)
				v.WriteString(l.phon)
			case l.kind == 'w':
				s.WriteString("u")
				p.WriteString("u")
				v.WriteString("u")
			default:
				s.WriteString("i")
				p.WriteString("i")
				v.WriteString("i")
			}
		case 'e':
			if i == 0 {
				s.WriteString("a")
			} else {
				s.WriteString("'")
			}
			p.WriteString(l.phon)
			v.WriteString("*")
		case 'a', 'h':
			s.WriteString(l.show)
			p.WriteString(l.phon)
			if i == 0 || l.kind == 'h' {
				v.WriteString("*")
			} else {
				v.WriteString(l.phon)
			}
		case 't':
			s.WriteString(l.show)
			p.WriteString(l.phon)
			v.WriteString("*")
		default:
			s.WriteString(l.show)
			p.WriteString(l.phon)
			v.WriteString(l.phon)
		}
	}
	return strings.Trim(s.String(), "'"), p.String(), v.String()
}

// hanName romanises a Chinese, Japanese or Korean name written in
// ideographs or Hangul: anyascii gives each syllable in Pinyin or Revised
// Romanisation; the first syllable is the family name and the rest run
// together as the given name, as in Xi Jinping and Kim Jongun.
func hanName(tok string) []string {
	rs := []rune(tok)
	if len(rs) < 2 || len(rs) > 4 {
		return []string{strings.ToLower(anyascii.Transliterate(tok))}
	}
	fam := strings.ToLower(anyascii.Transliterate(string(rs[0])))
	given := strings.ToLower(anyascii.Transliterate(string(rs[1:])))
	return []string{fam, given}
}

// Transliterate returns a Latin (ASCII letters and digits, lower case)
// rendering of a name in any script: Cyrillic by ICAO Doc 9303 in the
// language its letters show (Russian when none), Greek by ELOT 743,
// Arabic by a phonetic romanisation that writes the long vowels only
// (محمد is mhmd: Arabic writes no short vowels), Chinese and Korean by
// Pinyin and Revised Romanisation, other scripts by anyascii. Latin is
// returned normalised.
func Transliterate(s string) string {
	n := normalize(s, false)
	lang := cyrillicLang(n)
	var out []string
	for _, tok := range strings.Fields(n) {
		out = append(out, translitToken(tok, ICAO, lang)...)
	}
	return strings.Join(out, " ")
}

func translitToken(tok string, c Convention, lang cyrLang) []string {
	switch tokenScript(tok) {
	case scriptLatin, scriptDigits:
		return []string{asciiFold(tok)}
	case scriptCyrillic:
		return []string{asciiFold(cyrToLatin(tok, c, lang))}
	case scriptGreek:
		return []string{asciiFold(greekToLatin(tok))}
	case scriptArabic:
		show, _, _ := arabicToLatin(tok)
		return []string{asciiFold(show)}
	case scriptHan, scriptHangul:
		return hanName(tok)
	}
	return []string{asciiFold(anyascii.Transliterate(tok))}
}

// asciiFold maps what is left of a Latin token to lower-case ASCII
// letters and digits.
func asciiFold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		s = anyascii.Transliterate(s)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// TransliterateAs returns a Cyrillic name in Latin letters under
// convention c (ICAO in the language the letters show; the others as for
// Russian, with Ukrainian г as h). Letters of other scripts are
// transliterated as by Transliterate. Scholarly keeps its háček letters.
func TransliterateAs(s string, c Convention) string {
	n := normalize(s, false)
	lang := cyrillicLang(n)
	var out []string
	for _, tok := range strings.Fields(n) {
		if tokenScript(tok) == scriptCyrillic {
			l := cyrToLatin(tok, c, lang)
			if c != Scholarly {
				l = asciiFold(l)
			}
			out = append(out, l)
			continue
		}
		out = append(out, translitToken(tok, c, lang)...)
	}
	return strings.Join(out, " ")
}

// Variants returns the distinct Latin spellings of a name under every
// Cyrillic convention (ICAO, BGN/PCGN, French, German, scholarly, and the
// Bulgarian reading of щ and ъ where they occur), ICAO first. A name with
// no Cyrillic letters has one variant, its transliteration.
func Variants(s string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, c := range Conventions {
		add(TransliterateAs(s, c))
	}
	n := normalize(s, false)
	if strings.ContainsAny(n, "щъ") && cyrillicLang(n) == langRus {
		var toks []string
		for _, tok := range strings.Fields(n) {
			if tokenScript(tok) == scriptCyrillic {
				toks = append(toks, asciiFold(cyrToLatin(strings.ReplaceAll(tok, "ъ", "а"), ICAO, langBul)))
			} else {
				toks = append(toks, translitToken(tok, ICAO, langRus)...)
			}
		}
		add(strings.Join(toks, " "))
	}
	return out
}
