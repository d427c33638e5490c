package matcher

import (
	"sort"
	"strings"
	"unicode/utf8"

	anyascii "github.com/anyascii/go"
)

// tokenClass is the part a word plays in a name.
type tokenClass uint8

const (
	className      tokenClass = iota
	classArticle              // al-, el-, ad-: ignored
	classConnector            // bin, ibn, bint, ould: ignored
	classParticle             // van, de, von: weighs little
	classTitle                // sheikh, qari, dr: weighs little
	classLegal                // ltd, jsc, gmbh: weighs little
	classStop                 // and, of, the in organisation names
	classInitial              // a single letter
	classNumber               // digits, roman numerals of series
)

var classNames = [...]string{"name", "article", "connector", "particle", "title", "legal form", "stop word", "initial", "number"}

func (c tokenClass) String() string { return classNames[c] }

// noTerm is the id of a term in no dictionary.
const noTerm = ^uint32(0)

// term is one distinct word as written, analysed once: an index shares it
// between every record that has it.
type term struct {
	// id is the term's number in an index's dictionary; terms made for
	// one query have an id past the dictionary's end.
	id     uint32
	text   string // folded, in its own script
	latin  string // romanised for display
	script writing
	keys   []string // phonetic keys, one per reading
	skels  []string // consonant skeletons of keys
	slots  []string // vowel slots of keys[0], for abjad tokens
	kslots [][]string
	// weight is how much the word identifies a person, from 0.35 for
	// Muhammad to 1 for a rare family name.
	weight     float64
	patronymic bool
	number     bool
	groups     []uint16 // given-name groups (John, Juan, Ivan)
}

// keySlots returns the vowel slots of key i.
func (t *term) keySlots(i int) []string {
	if i < len(t.kslots) {
		return t.kslots[i]
	}
	return vowelSlots(t.keys[i])
}

// nameToken is a word in its place in one name.
type nameToken struct {
	term  *term
	class tokenClass
	// word is the number of the word as written that the token is part
	// of: Abdulrahman gives two tokens of one word.
	word   uint8
	weight float64
}

// analyzed is a name split and analysed for matching.
type analyzed struct {
	raw    string
	org    bool
	tokens []nameToken
	// words are the words as written, folded, when one of them is not
	// its tokens run together (Abdulrahman is abd + rahman); nil
	// otherwise, as a list holds millions of names.
	words []string
	// wsum is the sum of the token weights.
	wsum float64
}

// wordText returns word w as written, folded.
func (a *analyzed) wordText(w uint8) string {
	if a.words != nil {
		return a.words[w]
	}
	var b strings.Builder
	for _, t := range a.tokens {
		if t.word == w {
			b.WriteString(t.term.text)
		}
	}
	return b.String()
}

// termSource makes terms; an index interns them, a one-off comparison
// makes them fresh.
type termSource func(text string) *term

func freshTerm(text string) *term { return analyzeTerm(text) }

// analyzeTerm analyses one folded word out of context.
func analyzeTerm(text string) *term {
	t := &term{id: noTerm, text: text, script: tokenScript(text), weight: 1}
	switch t.script {
	case scriptDigits:
		t.number = true
		t.latin = text
		t.keys = []string{text}
		t.skels = []string{text}
		return t
	case scriptLatin:
		t.latin = asciiFold(text)
		t.keys = latinKeys(text)
		if isRoman(t.latin) && len(t.latin) > 1 {
			t.number = true
		}
	case scriptCyrillic:
		lang := cyrillicLang(text)
		t.latin = asciiFold(cyrToLatin(text, ICAO, lang))
		t.keys = cyrillicKeys(text, lang)
	case scriptGreek:
		t.latin = greekToLatin(text)
		t.keys = []string{canon(greekPhon(text))}
	case scriptArabic:
		show, phon, vowels := arabicToLatin(text)
		t.latin = show
		t.keys = []string{canon(phon)}
		t.slots = vowelSlots(vowels)
		if _, p2, _ := arabicReading(text, true); canon(p2) != t.keys[0] {
			t.keys = append(t.keys, canon(p2))
		}
	case scriptHan, scriptHangul, scriptKana:
		t.latin = asciiFold(anyascii.Transliterate(text))
		t.keys = []string{canon(decode(t.latin, readEnglish))}
	default:
		t.latin = asciiFold(translitToken(text, ICAO, langRus)[0])
		t.keys = []string{canon(decode(t.latin, readEnglish))}
	}
	if len(t.keys) == 0 || t.keys[0] == "" {
		t.keys = []string{t.latin}
	}
	for _, k := range t.keys {
		t.skels = append(t.skels, skeleton(k))
	}
	if t.script.abjad() && t.slots == nil {
		t.slots = vowelSlots(t.keys[0])
	}
	if !t.script.abjad() {
		for _, k := range t.keys {
			t.kslots = append(t.kslots, vowelSlots(k))
		}
	}
	t.weight = rarity(t)
	t.patronymic = isPatronymic(t.keys[0])
	for _, k := range t.keys {
		for _, g := range tables.groupsByKey[k] {
			if !containsU16(t.groups, g) {
				t.groups = append(t.groups, g)
			}
		}
	}
	return t
}

// rarity returns how much a word identifies a person: common given names
// weigh less, as do very short words.
func rarity(t *term) float64 {
	w := 1.0
	for _, k := range t.keys {
		if v, ok := tables.weightByKey[k]; ok && v < w {
			w = v
		}
	}
	if w == 1 {
		// Skeletons catch the spellings the table does not list, but only
		// long ones are specific enough to trust; abjad words have no
		// other key.
		for _, sk := range t.skels {
			n := len(strings.TrimPrefix(sk, "@"))
			if n >= 3 || t.script.abjad() && n >= 2 {
				if v, ok := tables.weightBySkel[sk]; ok && v < w {
					w = v
				}
			}
		}
	}
	switch n := len(t.keys[0]); {
	case n <= 2:
		w *= 0.6
	case n == 3:
		w *= 0.85
	}
	return w
}

func isRoman(s string) bool {
	switch s {
	// Not vi, ix, xi: names of their own (Xi Jinping).
	case "ii", "iii", "iv", "vii", "viii", "xii", "xiii", "xiv", "xvi", "xvii", "xviii", "xix", "xx":
		return true
	}
	return false
}

// isPatronymic reports whether a key ends as an East Slavic patronymic
// (-ovich, -evna, -ichna) does.
func isPatronymic(k string) bool {
	if len(k) < 7 {
		return false
	}
	for _, suf := range []string{"ovic", "evic", "ovna", "evna", "icna", "ovyc", "evyc", "ovik", "evik"} {
		if strings.HasSuffix(k, suf) {
			return true
		}
	}
	return false
}

// splitCompound splits off the theophoric and kunya prefixes that are
// written both joined and apart: Abdulrahman, Abdurrahman, Abd al-Rahman
// and عبدالرحمن all become abd + rahman; Abubakar becomes abu + bakar.
// Allah in any spelling becomes allah.
func splitCompound(w string, sc writing) []string {
	switch sc {
	case scriptLatin:
		if strings.HasPrefix(w, "abd") && len(w) > 4 {
			rest := w[3:]
			l := false
			for _, v := range []string{"ou", "u", "e", "a", "o", "i"} {
				if strings.HasPrefix(rest, v) {
					rest = rest[len(v):]
					break
				}
			}
			if strings.HasPrefix(rest, "l") {
				rest = rest[1:]
				l = true
			}
			switch rest {
			case "lah", "la", "llah", "lla", "ah", "a", "ahi", "lahi", "llahi", "aye", "ay", "ai", "allah", "alla":
				return []string{"abd", "allah"}
			case "":
				return []string{"abd"}
			}
			if !l && strings.HasPrefix(w[3:], rest) {
				// Abdi, Abdu: no connecting syllable, a name of its own.
				if len(rest) < 3 {
					return []string{w}
				}
			}
			if len(rest) >= 2 && rest[0] == rest[1] {
				rest = rest[1:] // Abdurrahman, Abdussalam
			}
			if len(rest) >= 3 {
				return []string{"abd", rest}
			}
			return []string{w}
		}
		for _, p := range []string{"abou", "abu"} {
			if strings.HasPrefix(w, p) && len(w) >= len(p)+4 && !isVowel(w[len(p)]) {
				return []string{"abu", w[len(p):]}
			}
		}
		if a, ok := latinAllah[w]; ok {
			return []string{a}
		}
		// Theophoric endings written joined or apart: Saifullah, Saif
		// Allah, سيف الله; Jalaluddin, Jalal al-Din, جلال الدين.
		for _, suf := range allahSuffixes {
			if stem := strings.TrimSuffix(w, suf); stem != w && len(stem) >= 3 {
				return []string{stem, "allah"}
			}
		}
		for _, suf := range dinSuffixes {
			if stem := strings.TrimSuffix(w, suf); stem != w && len(stem) >= 3 {
				return []string{stem, "din"}
			}
		}
		// Connector and article run into the name: Binalshibh, Elsseid.
		for _, p := range []string{"bin", "ben", "ibn"} {
			for _, a := range []string{"al", "el"} {
				if rest, ok := strings.CutPrefix(w, p+a); ok && len(rest) >= 3 {
					return []string{p, a, rest}
				}
			}
		}
		// A sun-letter article run in: Essabar, Ennahda, Arrahman.
		if len(w) >= 7 && (w[0] == 'a' || w[0] == 'e' || w[0] == 'u') && w[1] == w[2] && strings.IndexByte("tdrzsn", w[1]) >= 0 {
			return []string{w[:2], w[2:]}
		}
		for _, a := range []string{"al", "el"} {
			if rest, ok := strings.CutPrefix(w, a); ok && len(rest) >= 4 && rest[0] == rest[1] && !isVowel(rest[0]) {
				return []string{a, rest[1:]}
			}
		}
	case scriptCyrillic:
		if strings.HasPrefix(w, "абд") && utf8.RuneCountInString(w) > 4 {
			rest := strings.TrimPrefix(w, "абд")
			for _, v := range []string{"у", "е", "а", "о", "и"} {
				if strings.HasPrefix(rest, v) {
					rest = rest[len(v):]
					break
				}
			}
			rest = strings.TrimPrefix(rest, "л")
			switch rest {
			case "ла", "лла", "лах", "ллах", "ах", "а":
				return []string{"абд", "аллах"}
			case "":
				return []string{"абд"}
			}
			if utf8.RuneCountInString(rest) >= 3 {
				return []string{"абд", rest}
			}
		}
		if strings.HasPrefix(w, "абу") && utf8.RuneCountInString(w) >= 7 {
			return []string{"абу", strings.TrimPrefix(w, "абу")}
		}
	case scriptArabic:
		if strings.HasPrefix(w, "عبد") && utf8.RuneCountInString(w) > 4 {
			rest := strings.TrimPrefix(w, "عبد")
			if rest == "الله" || rest == "لله" || rest == "اللہ" {
				return []string{"عبد", "الله"}
			}
			rest = strings.TrimPrefix(rest, "ال")
			if utf8.RuneCountInString(rest) >= 2 {
				return []string{"عبد", rest}
			}
		}
		for _, p := range []string{"ابو", "أبو"} {
			if strings.HasPrefix(w, p) && utf8.RuneCountInString(w) >= 6 {
				return append([]string{"ابو"}, splitCompound(strings.TrimPrefix(w, p), sc)...)
			}
		}
		w = strings.ReplaceAll(w, "اللہ", "الله")
		if stem, ok := strings.CutSuffix(w, "الله"); ok && utf8.RuneCountInString(stem) >= 2 {
			return append(splitCompound(stem, sc), "الله")
		}
		if stem, ok := strings.CutSuffix(w, "الدين"); ok && utf8.RuneCountInString(stem) >= 2 {
			return append(splitCompound(stem, sc), "دين")
		}
		if strings.HasPrefix(w, "ال") && utf8.RuneCountInString(w) >= 4 && w != "الله" {
			return []string{"ال", strings.TrimPrefix(w, "ال")}
		}
	}
	return []string{w}
}

type rawWord struct {
	text   string
	hyphen bool // joined to the next word by a hyphen
}

// splitWords splits a name folded by normalize(s, true) into words,
// marking those followed by a hyphen.
func splitWords(n string) []rawWord {
	var out []rawWord
	for _, f := range strings.Fields(n) {
		parts := strings.Split(f, "-")
		for i, p := range parts {
			if p == "" {
				continue
			}
			out = append(out, rawWord{text: p, hyphen: i < len(parts)-1})
		}
	}
	return out
}

// analyzeName splits and analyses a name. org selects the treatment of
// organisation names (legal forms, stop words).
func analyzeName(s string, org bool) analyzed {
	return analyzeWith(s, org, freshTerm)
}

func analyzeWith(s string, org bool, src termSource) analyzed {
	a := analyzed{raw: s, org: org}
	if !org {
		s = familyFirst(s)
	}
	n := normalize(s, true)
	if org {
		n = foldLegalPhrases(n)
	}
	words := splitWords(n)
	type piece struct {
		text   string
		script writing
		hyphen bool
		word   int
	}
	var pieces []piece
	written := make([]string, 0, len(words))
	for wi, w := range words {
		sc := tokenScript(w.text)
		if sc == scriptHan || sc == scriptHangul {
			// The first syllable is the family name, the rest the given
			// name: 习近平 is Xi Jinping, 김정은 Kim Jong-un.
			if rs := []rune(w.text); len(rs) >= 2 && len(rs) <= 4 {
				pieces = append(pieces, piece{string(rs[:1]), sc, false, wi}, piece{string(rs[1:]), sc, false, wi})
				written = append(written, w.text)
				continue
			}
		}
		if !org && sc == scriptLatin {
			w.text = unLeet(w.text)
		}
		if org {
			if d, ok := numberWords[w.text]; ok {
				w.text, sc = d, scriptDigits
			} else if l := fuzzyLegalForm(w.text); l != "" {
				w.text = l
			}
		}
		written = append(written, w.text)
		parts := splitCompound(w.text, sc)
		for i, p := range parts {
			pieces = append(pieces, piece{p, sc, w.hyphen || i < len(parts)-1, wi})
		}
	}
	if org {
		// Forty-Four is 44.
		for i := 0; i+1 < len(pieces); i++ {
			a, b := pieces[i].text, pieces[i+1].text
			if pieces[i].script == scriptDigits && pieces[i+1].script == scriptDigits && len(a) == 2 && a[1] == '0' && len(b) == 1 {
				pieces[i].text = a[:1] + b
				pieces = append(pieces[:i+1], pieces[i+2:]...)
			}
		}
		// A.B.C. Company is ABC Company.
		var joined []piece
		for i := 0; i < len(pieces); i++ {
			p := pieces[i]
			if utf8.RuneCountInString(p.text) == 1 && p.script == scriptLatin {
				j := i
				var b strings.Builder
				for j < len(pieces) && utf8.RuneCountInString(pieces[j].text) == 1 && pieces[j].script == scriptLatin {
					b.WriteString(pieces[j].text)
					j++
				}
				if j-i >= 2 {
					joined = append(joined, piece{b.String(), scriptLatin, false, p.word})
					i = j - 1
					continue
				}
			}
			joined = append(joined, p)
		}
		pieces = joined
	}
	for i, p := range pieces {
		t := src(p.text)
		cl := classify(p.text, p.script, i, len(pieces), p.hyphen, org, t)
		if cl == className && p.script == scriptLatin && !org {
			// A particle mistyped (been for ben, bni for bin) is still
			// the particle, where a particle may stand.
			if pt, ok := particleTypos[p.text]; ok && !knownName(t) {
				t2 := src(pt)
				if cl2 := classify(pt, p.script, i, len(pieces), p.hyphen, org, t2); cl2 != className || (pt == "abu" || pt == "abou") && i < len(pieces)-1 {
					t, cl = t2, cl2
				}
			}
		}
		if cl == classLegal {
			if canon := legalForms[t.latin]; canon != p.text {
				t = src(canon)
			}
		}
		nt := nameToken{term: t, class: cl, word: uint8(min(p.word, 255)), weight: classWeight(cl, t)}
		a.tokens = append(a.tokens, nt)
		a.wsum += nt.weight
	}
	// Keep the words as written only when they are not their tokens run
	// together.
	for wi, w := range written {
		var b strings.Builder
		for _, t := range a.tokens {
			if int(t.word) == wi {
				b.WriteString(t.term.text)
			}
		}
		if b.String() != w || wi > 255 {
			a.words = written
			break
		}
	}
	return a
}

// knownName reports whether a word is one of the common names the
// tables list.
func knownName(t *term) bool {
	for _, k := range t.keys {
		if _, ok := tables.weightByKey[k]; ok {
			return true
		}
	}
	return false
}

// particleTypos maps the particles of names (bin, ben, ibn, al, el, abu,
// ould, van, von) mistyped — a letter doubled, two neighbours swapped — to the
// particle: been, benn and bne are ben. Forms that are particles or
// common names of their own (ibn, ali) are left out.
var particleTypos = func() map[string]string {
	m := map[string]string{}
	var ps []string
	for p := range connectors {
		ps = append(ps, p)
	}
	ps = append(ps, "al", "el", "abu", "abou", "van", "von")
	sort.Strings(ps)
	for _, p := range ps {
		var forms []string
		for i := 0; i < len(p); i++ {
			forms = append(forms, p[:i+1]+p[i:]) // doubled
			if i+1 < len(p) && p[i] != p[i+1] {
				forms = append(forms, p[:i]+p[i+1:i+2]+p[i:i+1]+p[i+2:]) // swapped
			}
		}
		for _, f := range forms {
			if connectors[f] || articles[f] || sunArticle[f] || euParticle[f] || titles[f] || f == "abu" || f == "abou" {
				continue
			}
			if _, taken := m[f]; !taken {
				m[f] = p
			}
		}
	}
	m["abo"] = "abu" // o for u, as the Levant writes it
	return m
}()

// classify decides the part a word plays from its neighbours.
func classify(w string, sc writing, i, n int, hyphen bool, org bool, t *term) tokenClass {
	if t.number {
		return classNumber
	}
	if n == 1 {
		return className
	}
	switch sc {
	case scriptArabic:
		if arabicArticles[w] {
			return classArticle
		}
		if arabicConnectors[w] && i > 0 {
			return classConnector
		}
	case scriptCyrillic:
		if cyrArticles[w] {
			return classArticle
		}
		if cyrConnectors[w] && i > 0 {
			return classConnector
		}
	}
	l := t.latin
	if org {
		if _, ok := legalForms[l]; ok {
			return classLegal
		}
		if orgStop[l] {
			return classStop
		}
	}
	if utf8.RuneCountInString(w) == 1 && sc != scriptHan {
		return classInitial
	}
	if articles[l] && i < n-1 {
		return classArticle
	}
	if sunArticle[l] && hyphen && i < n-1 {
		return classArticle
	}
	if suffixes[l] && i > 0 {
		return classTitle
	}
	if connectors[l] && i > 0 && i < n-1 {
		return classConnector
	}
	if connectors[l] && l != "ben" && i == 0 && n > 2 {
		return classConnector
	}
	if titles[l] && i < n-1 {
		return classTitle
	}
	if euParticle[l] && i < n-1 && !org {
		return classParticle
	}
	return className
}

func classWeight(c tokenClass, t *term) float64 {
	switch c {
	case classArticle, classConnector, classStop:
		return 0
	case classParticle, classTitle:
		return 0.15
	case classLegal:
		return 0.1
	case classInitial:
		return 0.3
	case classNumber:
		// A different number is often a series of one issuer (Fund III,
		// Fund IV; Trust 2004-1): it weighs little.
		return 0.3
	}
	w := t.weight
	if t.patronymic {
		w *= 0.7
	}
	return w
}

// foldLegalPhrases writes the long forms of company types as their
// abbreviations, so that Joint Stock Company and JSC are one word.
// A name without such a phrase keeps its hyphens, which mark articles
// (ash-Shariah, ut-Tahrir).
func foldLegalPhrases(n string) string {
	padded := " " + strings.ReplaceAll(n, "-", " ") + " "
	folded := false
	for _, p := range legalPhrases {
		if r := strings.ReplaceAll(padded, " "+p[0]+" ", " "+p[1]+" "); r != padded {
			padded, folded = r, true
		}
	}
	if !folded {
		return n
	}
	return strings.TrimSpace(padded)
}

// familyFirst reads "FAMILY, Given" (the order of lists and passports)
// as "Given FAMILY".
func familyFirst(s string) string {
	if strings.Count(s, ",") != 1 {
		return s
	}
	fam, given, _ := strings.Cut(s, ",")
	fam, given = strings.TrimSpace(fam), strings.TrimSpace(given)
	if fam == "" || given == "" {
		return s
	}
	return given + " " + fam
}

// Spellings of Allah and of the endings -ullah and -uddin.
var (
	latinAllah    = map[string]string{"ullah": "allah", "ulla": "allah", "ollah": "allah", "ullahi": "allah", "uddin": "din", "eddine": "din", "eddin": "din", "uddine": "din", "aldin": "din", "eldin": "din", "addin": "din", "oddin": "din", "ouddine": "din", "uddeen": "din", "udin": "din"}
	allahSuffixes = []string{"ullahi", "ullah", "ulla", "ollah", "allah", "alla"}
	dinSuffixes   = []string{"ouddine", "uddine", "eddine", "uddeen", "uddin", "eddin", "oddin", "addin", "aldin", "eldin", "udin"}
)

// numberWords are the number words and ordinals written for digits in
// organisation names (Three Percenters, 3 Percenters; First, 1st).
var numberWords = map[string]string{
	"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
	"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
	"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
	"1st": "1", "2nd": "2", "3rd": "3", "4th": "4", "5th": "5", "6th": "6", "7th": "7", "8th": "8",
	"thirty": "30", "forty": "40", "fourty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
	"eighty": "80", "ninety": "90", "hundred": "100",
}

var longLegalForms = []string{"aktiengesellschaft", "corporation", "incorporated", "limited", "company", "establishment", "enterprises", "holdings", "international"}

// fuzzyLegalForm recognises a misspelt long legal form (Aktiengeselschaft).
func fuzzyLegalForm(w string) string {
	if len(w) < 6 {
		return ""
	}
	if _, ok := legalForms[w]; ok {
		return ""
	}
	for _, l := range longLegalForms {
		// Six letters are one dropped from company or limited, and no
		// more.
		if w[0] == l[0] && editSim(w, l) >= 0.85 && (len(w) > 6 || edits(w, l, 1) == 1) {
			return l
		}
	}
	return ""
}

// unLeet reads digits standing for letters in a person's name (I9or
// Sech1n), when a word mixes them.
func unLeet(w string) string {
	letters, digits := 0, 0
	for i := 0; i < len(w); i++ {
		switch c := w[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z':
			letters++
		}
	}
	if digits == 0 || letters < 2 {
		return w
	}
	return strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "8", "b", "9", "g").Replace(w)
}
