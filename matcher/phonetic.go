package matcher

import (
	"sort"
	"strings"
)

// The phonetic key of a token is an ASCII string over a small sound
// alphabet: the plain Latin letters for their usual English values plus
//
//	c  the sound of ч, ch in Chernenko, tch in Tchernenko, tsch in Tschernenko
//	x  the sound of ш, sh, French ch, German sch, š
//	j  the sounds of ж and ج: zh, j, French j, dj, dzh, German dsch, ž
//	h  h and the sound of х and خ: kh, German ch
//
// Every script and every Latin convention is decoded into it, so that a
// name's spellings meet on one key: Абдуллаев, Abdullaev, Abdoullaev,
// Abdullayev and Abdullajew all become "abdulaev".

// latinConv is a convention for reading a Latin spelling.
type latinConv uint8

const (
	readEnglish  latinConv = iota // English and ICAO/BGN values: ch = ч, j = ج, w = w
	readFrench                    // ch = ш, tch = ч, j = ж, ou = u, gu = g
	readGerman                    // sch = ш, tsch = ч, ch = х, w = v, z = ts, j = y
	readSlavic                    // č š ž letters, c = ts, j = y, ch = х
	readStripped                  // Slavic Latin with its háčeks lost: c = ч (Vucic, Plenkovic)
)

type rule struct {
	pat, out string
	// when restricts the rule: 's' at the start of the word, 'f' before
	// e, i or y, 'v' between vowels, 'V' before a vowel.
	when byte
}

// Rules are tried longest first at each position.
var commonRules = []rule{
	{"shch", "xc", 0}, {"sch", "x", 0}, {"tsch", "c", 0}, {"tch", "c", 0},
	{"tsh", "c", 0}, {"sh", "x", 0}, {"zh", "j", 0}, {"dzh", "j", 0},
	{"dsch", "j", 0}, {"dj", "j", 0}, {"kh", "h", 0}, {"gh", "g", 0},
	{"ph", "f", 0}, {"th", "t", 0}, {"dh", "d", 0}, {"ck", "k", 0},
	{"que", "ke", 0}, {"qui", "ki", 0}, {"q", "k", 0}, {"ou", "u", 0}, {"oo", "u", 0}, {"ee", "i", 0},
	{"tz", "ts", 0}, {"x", "x", 's'}, {"x", "ks", 0},
	{"š", "x", 0}, {"ž", "j", 0}, {"č", "c", 0}, {"ć", "c", 0}, {"ř", "rj", 0},
	{"ś", "x", 0}, {"ź", "j", 0}, {"ǆ", "j", 0}, {"ǧ", "g", 0},
}

var convRules = map[latinConv][]rule{
	readEnglish: {{"ch", "c", 0}, {"c", "s", 'f'}, {"c", "k", 0}},
	readFrench: {{"chtch", "xc", 0}, {"ch", "x", 0}, {"j", "j", 0},
		{"gu", "g", 'f'}, {"s", "z", 'v'}, {"c", "s", 'f'}, {"c", "k", 0}},
	readGerman: {{"schtsch", "xc", 0}, {"ch", "h", 0}, {"w", "v", 0}, {"z", "ts", 0},
		{"j", "y", 0}, {"s", "z", 'V'}, {"c", "ts", 'f'}, {"c", "k", 0}},
	readSlavic:   {{"ch", "h", 0}, {"c", "ts", 0}, {"j", "y", 0}, {"x", "h", 0}},
	readStripped: {{"ch", "c", 0}, {"ck", "k", 0}, {"c", "c", 0}, {"j", "y", 0}},
}

func isVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

// convTable holds each convention's rules, longest pattern first and the
// convention's own rules before the common ones of the same length.
var convTable = func() map[latinConv][]rule {
	t := map[latinConv][]rule{}
	for c, own := range convRules {
		all := append(append([]rule{}, own...), commonRules...)
		sort.SliceStable(all, func(i, j int) bool { return len(all[i].pat) > len(all[j].pat) })
		t[c] = all
	}
	return t
}()

// decode reads a folded Latin token (which may keep the háček letters of
// slavicMarks) under a convention into the sound alphabet.
func decode(tok string, conv latinConv) string {
	rules := convTable[conv]
	var b strings.Builder
	b.Grow(len(tok) + 4)
	for i := 0; i < len(tok); {
		matched := false
		for _, r := range rules {
			if !strings.HasPrefix(tok[i:], r.pat) {
				continue
			}
			end := i + len(r.pat)
			ok := true
			switch r.when {
			case 's':
				ok = i == 0
			case 'f':
				ok = end < len(tok) && (tok[end] == 'e' || tok[end] == 'i' || tok[end] == 'y')
			case 'v':
				ok = i > 0 && isVowel(tok[i-1]) && end < len(tok) && isVowel(tok[end])
			case 'V':
				ok = i == 0 && end < len(tok) && isVowel(tok[end])
			}
			if !ok {
				continue
			}
			b.WriteString(r.out)
			i = end
			matched = true
			break
		}
		if !matched {
			c := tok[i]
			if c < 0x80 {
				b.WriteByte(c)
				i++
			} else {
				// A multibyte letter no rule knows: keep its ASCII fold.
				j := i + 1
				for j < len(tok) && tok[j]&0xC0 == 0x80 {
					j++
				}
				b.WriteString(asciiFold(tok[i:j]))
				i = j
			}
		}
	}
	return b.String()
}

// canon smooths a decoded sound string so that spellings of one sound
// meet: doubled letters single, i before a vowel a glide (Maria, Mariya,
// Mariia), y before a consonant or at the end a vowel (Sergey, Sergei),
// the glide in ye after a vowel or at the start dropped (Abdullayev,
// Abdullaev; Yevgeny, Evgeny).
func canon(p string) string {
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' {
			b = append(b, c)
		}
	}
	b = dedupe(b)
	out := b[:0:0]
	out = make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		var next, after byte
		if i+1 < len(b) {
			next = b[i+1]
		}
		if i+2 < len(b) {
			after = b[i+2]
		}
		var prev byte
		if len(out) > 0 {
			prev = out[len(out)-1]
		}
		switch c {
		case 'i', 'e':
			if next == 'y' && isVowel(after) && prev != 0 && (c == 'i' || !isVowel(prev)) {
				continue // Ziyad, Zeyad → zyad
			}
			if c == 'i' && isVowel(next) && next != 'i' {
				c = 'y'
			}
		case 'y':
			if next == 'e' && (prev == 0 || isVowel(prev)) {
				continue // Yevgeny, Abdullayev
			}
			if next == 'i' {
				continue
			}
			if !isVowel(next) {
				c = 'i'
			}
		}
		out = append(out, c)
	}
	return string(dedupe(out))
}

func dedupe(b []byte) []byte {
	if len(b) < 2 {
		return b
	}
	out := b[:1]
	for _, c := range b[1:] {
		if c != out[len(out)-1] {
			out = append(out, c)
		}
	}
	return out
}

// skelClass maps a sound to its consonant class in the skeleton: letters
// that transliterations swap for one another share a class (q k g; b p;
// f v; s z), vowels and the glides y and w drop out (0).
var skelClass = func() [256]byte {
	var t [256]byte
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
	}
	for _, c := range "aeiouyw" {
		t[c] = 0
	}
	t['q'], t['g'] = 'k', 'k'
	t['p'] = 'b'
	t['v'] = 'f'
	t['z'] = 's'
	return t
}()

// skeleton returns the consonant skeleton of a phonetic key: a leading
// "@" when the word starts with a vowel, then the consonant classes with
// repeats collapsed. A leading y or w is kept (Yusuf, Walid). Muhammad, Mohammed, Mohamed and محمد all give "mhmd"; Usama,
// Osama, Oussama and أسامة give "@sm".
func skeleton(key string) string {
	if key == "" {
		return ""
	}
	b := make([]byte, 0, len(key)+1)
	start := 0
	switch {
	case isVowel(key[0]):
		b = append(b, '@')
	case key[0] == 'y' || key[0] == 'w':
		// canon has made a y before a consonant i: what is left at the
		// start is a consonant (Yusuf, Walid, ولي).
		b = append(b, key[0])
		start = 1
	}
	var last byte
	for i := start; i < len(key); i++ {
		c := skelClass[key[i]]
		if c == 0 || c == last {
			if c == 0 {
				last = 0
			}
			continue
		}
		b = append(b, c)
		last = c
	}
	return string(b)
}

// vowelSlots returns for each gap of a key's skeleton (before the first
// consonant, between consonants, after the last) the vowels written
// there. Used to check that an Arabic long vowel has a Latin counterpart.
func vowelSlots(key string) []string {
	var slots []string
	var cur []byte
	var last byte
	for i := 0; i < len(key); i++ {
		c := key[i]
		cl := skelClass[c]
		if c == '*' {
			cl = 0
		}
		if i == 0 && (c == 'y' || c == 'w') {
			cl = c
		}
		if cl == 0 || c == '*' {
			cur = append(cur, c)
			last = 0
			continue
		}
		if cl == last {
			continue
		}
		slots = append(slots, string(cur))
		cur = cur[:0]
		last = cl
	}
	return append(slots, string(cur))
}

// latinKeys returns the distinct phonetic keys of a folded Latin token
// read under each convention that could have produced it.
func latinKeys(tok string) []string {
	convs := []latinConv{readEnglish}
	hasMarks := false
	for _, r := range tok {
		if _, ok := slavicMarks[r]; ok {
			hasMarks = true
			break
		}
	}
	if hasMarks {
		convs = []latinConv{readSlavic, readEnglish}
	} else {
		if strings.Contains(tok, "ch") || strings.Contains(tok, "j") || strings.Contains(tok, "gu") || strings.Contains(tok, "ou") || strings.Contains(tok, "s") {
			convs = append(convs, readFrench)
		}
		if strings.ContainsAny(tok, "wzjc") || strings.HasPrefix(tok, "s") {
			convs = append(convs, readGerman)
		}
		if bareC(tok) {
			convs = append(convs, readStripped)
		}
	}
	keys := make([]string, 0, len(convs)+1)
	for _, c := range convs {
		k := canon(decode(tok, c))
		if k != "" && !contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return keys
	}
	// sh, kh and zh may be two letters, as in Ishaq (اسحاق), Lakhal (لكحل)
	// and Azhar (أزهر).
	if len(tok) > 3 && tok[0] < 0x80 && (strings.Contains(tok[1:], "sh") || strings.Contains(tok[1:], "kh") || strings.Contains(tok[1:], "zh")) {
		if k := canon(decodeApart(tok)); k != "" && !contains(keys, k) {
			keys = append(keys, k)
		}
	}
	// A final h may be a silent ta marbuta (Usamah, Usama) or a real
	// consonant (Saleh, صالح): keep both readings.
	if k := keys[0]; len(k) > 3 && k[len(k)-1] == 'h' && !contains(keys, k[:len(k)-1]) {
		keys = append(keys, k[:len(k)-1])
	}
	return keys
}

// bareC reports whether a word has a c that is not part of ch or ck:
// the c of a Slavic name whose háček was lost (Vucic for Vučić).
func bareC(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] == 'c' && (i+1 == len(tok) || tok[i+1] != 'h' && tok[i+1] != 'k') {
			return true
		}
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// decodeApart reads a word in English usage but with sh, kh, zh after its
// first letter as two letters each.
func decodeApart(tok string) string {
	var b strings.Builder
	b.WriteString(decode(tok[:1], readEnglish))
	rest := tok[1:]
	for rest != "" {
		i := strings.Index(rest, "sh")
		for _, d := range []string{"kh", "zh"} {
			if j := strings.Index(rest, d); j >= 0 && (i < 0 || j < i) {
				i = j
			}
		}
		if i < 0 {
			b.WriteString(decode(rest, readEnglish))
			break
		}
		b.WriteString(decode(rest[:i+1], readEnglish))
		b.WriteByte('h')
		rest = rest[i+2:]
	}
	return b.String()
}

// cyrillicKeys returns the phonetic keys of a folded Cyrillic token: its
// sounds read directly, and for a token with г the Ukrainian and
// Belarusian reading h as well.
func cyrillicKeys(tok string, lang cyrLang) []string {
	k := canon(cyrPhon(tok, lang, false))
	keys := []string{k}
	if strings.ContainsRune(tok, 'ё') {
		// ICAO writes ё as e (Fedor), English usage as yo (Fyodor).
		if yo := canon(cyrPhon(strings.ReplaceAll(tok, "ё", "йо"), lang, false)); yo != k {
			keys = append(keys, yo)
		}
	}
	if strings.ContainsRune(tok, 'г') {
		if h := canon(cyrPhon(tok, lang, true)); h != k {
			if lang == langUkr || lang == langBel {
				keys = []string{h, k}
			} else {
				keys = append(keys, h)
			}
		}
	}
	return keys
}

var cyrSounds = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e",
	'ж': "j", 'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m",
	'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "h", 'ц': "ts", 'ч': "c", 'ш': "x", 'щ': "xc", 'ъ': "",
	'ы': "i", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi",
	'є': "ye", 'ґ': "g", 'ў': "u", 'ђ': "j", 'ј': "y", 'љ': "ly", 'њ': "ny",
	'ћ': "c", 'џ': "j", 'ѓ': "g", 'ќ': "k", 'ѕ': "dz", 'ѫ': "u", 'һ': "h",
	'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u",
	'ҳ': "h", 'ҷ': "j", 'ӣ': "i", 'ӯ': "u", 'ҹ': "j", 'ҝ': "g", 'ӏ': "",
}

func cyrPhon(tok string, lang cyrLang, gAsH bool) string {
	var b strings.Builder
	for _, r := range tok {
		if r == 'г' && gAsH {
			b.WriteByte('h')
			continue
		}
		if s, ok := cyrSounds[r]; ok {
			b.WriteString(s)
		} else if r < 0x80 {
			b.WriteRune(r)
		} else {
			b.WriteString(asciiFold(string(r)))
		}
	}
	return b.String()
}

// greekPhon reads a folded Greek token into the sound alphabet.
func greekPhon(tok string) string {
	l := greekToLatin(tok)
	// ELOT writes χ as ch (a kh sound) and υ as y (an i sound).
	l = strings.ReplaceAll(l, "ch", "kh")
	return decode(l, readEnglish)
}

// Key returns the phonetic keys of each word of a name, in any script,
// space-separated: the form on which spellings of one name meet. A Latin
// word read under several conventions may have several keys; Key gives
// the first.
func Key(name string) string {
	a := analyzeName(name, false)
	var parts []string
	for _, t := range a.tokens {
		if len(t.term.keys) > 0 {
			parts = append(parts, t.term.keys[0])
		}
	}
	return strings.Join(parts, " ")
}

// Skeleton returns the consonant skeleton of each word of a name in any
// script, space-separated: vowels dropped, letters that transliterations
// swap merged. Muhammad, Mohammed and محمد all give "mhmd".
func Skeleton(name string) string {
	a := analyzeName(name, false)
	var parts []string
	for _, t := range a.tokens {
		if len(t.term.skels) > 0 {
			parts = append(parts, t.term.skels[0])
		}
	}
	return strings.Join(parts, " ")
}
