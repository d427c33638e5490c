package web

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"ctis"
)

// keysIn finds the message keys the templates and the package's code
// use: {{t "key"}} and T("key") give a key, {{t (print "prefix." …)}} and
// T("prefix."+…) a family of keys named by a value.
var (
	keyUse    = regexp.MustCompile(`\{\{t "([^"]+)"|\(t "([^"]+)"|\bT\("([^"]+)"[,)]|invalidForm\([^,]+, "([^"]+)"`)
	familyUse = regexp.MustCompile(`\(print "([a-z_.]+\.)"|\bT\("([a-z_.]+\.)" *\+`)
)

func usedKeys(t *testing.T) (keys map[string][]string, families map[string]bool) {
	keys, families = map[string][]string{}, map[string]bool{}
	templates, _ := filepath.Glob("templates/*.html")
	code, _ := filepath.Glob("*.go")
	for _, f := range append(templates, code...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyUse.FindAllStringSubmatch(string(b), -1) {
			k := m[1] + m[2] + m[3] + m[4]
			keys[k] = append(keys[k], f)
		}
		for _, m := range familyUse.FindAllStringSubmatch(string(b), -1) {
			families[m[1]+m[2]] = true
		}
	}
	if len(keys) < 200 || len(families) < 10 {
		t.Fatalf("found only %d message keys and %d families; is the pattern right?", len(keys), len(families))
	}
	return keys, families
}

// familyMembers are the values that name a key of each family, from the
// domain's own lists: a new role, state or property fails here until
// every language names it.
func familyMembers() map[string][]string {
	m := map[string][]string{"badge.": {"originator", "all", "agencies", "group", "frontline", "hit.notice"},
		"component.": {"name", "birth_date", "nationality", "gender", "document"}}
	add := func(family string, v ...string) { m[family] = append(m[family], v...) }
	for _, r := range ctis.Roles {
		add("role.", string(r))
	}
	for _, s := range []ctis.HitStatus{ctis.HitOpen, ctis.HitConfirmed, ctis.HitFalsePositive, ctis.HitEscalated} {
		add("status.", string(s))
	}
	for _, s := range ctis.Severities {
		add("severity.", string(s))
	}
	for name, s := range ctis.Schemas {
		add("schema.", name)
		for _, p := range s.Properties {
			if !slices.Contains(m["prop."], p.Name) {
				add("prop.", p.Name)
			}
		}
	}
	for _, k := range ctis.RequestKinds {
		add("kind.", string(k))
	}
	for _, s := range ctis.RequestStates {
		add("state.", string(s))
	}
	for _, i := range ctis.Instruments {
		add("instrument.", string(i))
	}
	for _, a := range ctis.RequestActions {
		if a != ctis.ActionExpire { // the node's own step, never offered
			add("action.", string(a))
		}
	}
	for _, a := range append(ctis.RequestActions, ctis.ActionCreate, ctis.ActionEdit, ctis.ActionShare) {
		add("done.", string(a))
	}
	add("reminder.", ctis.ReminderDeadlineNear, ctis.ReminderOverdue, ctis.ReminderExpiryNear)
	// Referrals to platforms share the families of requests' states and
	// steps, and have their bases and contest outcomes.
	for _, s := range ctis.ContentReferralStates {
		add("state.", string(s))
	}
	for _, a := range ctis.ContentReferralActions {
		add("action.", string(a))
		add("done.", string(a))
		add("topic.", string(a))
	}
	add("done.", string(ctis.ContentReferralCreate), string(ctis.ContentReferralShare))
	add("topic.", string(ctis.ContentReferralCreate))
	for _, b := range ctis.ContentReferralBases {
		add("basis.", string(b))
	}
	add("contest.", ctis.ContestUpheld, ctis.ContestWithdrawn)
	for _, k := range []ctis.NoticeKind{ctis.NoticeRequest, ctis.NoticeReminder, ctis.NoticeAlert, ctis.NoticeHit, ctis.NoticeDirectory, ctis.NoticeReferral} {
		add("notice.", string(k))
	}
	// A notification's topic: the step taken, the reminder, the alert's
	// severity, or what else brought it.
	for _, a := range []ctis.RequestAction{ctis.ActionSend, ctis.ActionAcknowledge, ctis.ActionStart, ctis.ActionAnswer, ctis.ActionRefuse, ctis.ActionWithdraw, ctis.ActionExtend, ctis.ActionShare} {
		add("topic.", string(a))
	}
	add("topic.", ctis.ReminderDeadlineNear, ctis.ReminderOverdue, ctis.ReminderExpiryNear, "expired", string(ctis.HitEscalated))
	for _, s := range ctis.Severities {
		add("topic.", string(s))
	}
	for i := 1; i <= 12; i++ {
		add("month.", fmt.Sprint(i))
	}
	return m
}

// TestCatalogue: every language holds exactly English's keys, each a text
// or plural forms as English has it, with the same arguments; every key
// the templates and code use is there, and every key is used.
func TestCatalogue(t *testing.T) {
	texts, plurals, err := readCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ctis.Languages {
		for k, en := range texts["en"] {
			s, ok := texts[l][k]
			switch {
			case !ok:
				t.Errorf("%s lacks %q", l, k)
			case !slices.Equal(verbs(s), verbs(en)):
				t.Errorf("%s %q takes %v, English %v", l, k, verbs(s), verbs(en))
			}
		}
		for k := range plurals["en"] {
			if _, ok := plurals[l][k]; !ok {
				t.Errorf("%s lacks the plural forms of %q", l, k)
			}
		}
		for k := range texts[l] {
			if _, ok := texts["en"][k]; !ok {
				t.Errorf("%s has the text %q, which English has not", l, k)
			}
		}
		for k := range plurals[l] {
			if _, ok := plurals["en"][k]; !ok {
				t.Errorf("%s has plural forms for %q, which English has not", l, k)
			}
		}
	}
	keys, families := usedKeys(t)
	members := familyMembers()
	for f := range families {
		if members[f] == nil {
			t.Errorf("the key family %q has no list of members in familyMembers", f)
		}
		for _, v := range members[f] {
			keys[f+v] = append(keys[f+v], "family "+f)
		}
	}
	for k, where := range keys {
		_, text := texts["en"][k]
		_, counted := plurals["en"][k]
		if !text && !counted {
			t.Errorf("%q, used in %v, is not in the catalogue", k, where)
		}
	}
	for k := range texts["en"] {
		if keys[k] == nil {
			t.Errorf("%q is in the catalogue but used nowhere", k)
		}
	}
	for k := range plurals["en"] {
		if keys[k] == nil {
			t.Errorf("%q is in the catalogue but used nowhere", k)
		}
	}
}

// verbs are the arguments a message takes, as fmt reads them.
var verbPattern = regexp.MustCompile(`%(\[\d+\])?[a-z]`)

func verbs(s string) []string {
	var out []string
	for i, m := range verbPattern.FindAllStringSubmatch(s, -1) {
		n := fmt.Sprint(i + 1)
		if m[1] != "" {
			n = strings.Trim(m[1], "[]")
		}
		out = append(out, n+m[0][len(m[0])-1:])
	}
	slices.Sort(out)
	return out
}

// TestPluralForms: each counted message has, in every language, a form
// for each plural category that whole numbers reach in that language
// (Arabic's six, Russian's one, few and many, Chinese's other alone),
// "other" for the rest, and no category the language does not have.
func TestPluralForms(t *testing.T) {
	_, plurals, err := readCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	names := map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many", plural.Other: "other"}
	for _, l := range ctis.Languages {
		tag := language.MustParse(l)
		reached := map[string]bool{"other": true}
		for n := range 1000 {
			reached[names[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]] = true
		}
		if n := len(reached); l == "ar" && n != 6 || l == "ru" && n != 4 || l == "zh" && n != 1 {
			t.Fatalf("%s: %d plural categories %v; are the CLDR tables right?", l, n, reached)
		}
		for k, forms := range plurals[l] {
			for f := range reached {
				if forms[f] == "" {
					t.Errorf("%s %q lacks the form %q", l, k, f)
				}
			}
			for f, s := range forms {
				if !reached[f] {
					t.Errorf("%s %q has the form %q, which %s has not", l, k, f, l)
				}
				if !slices.Equal(verbs(s), verbs(plurals["en"][k]["other"])) {
					t.Errorf("%s %q %s takes %v, English %v", l, k, f, verbs(s), verbs(plurals["en"][k]["other"]))
				}
			}
		}
	}
	// And the printer picks them.
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{{"en", 1, "1 hit"}, {"en", 2, "2 hits"}, {"ru", 1, "1 совпадение"}, {"ru", 3, "3 совпадения"}, {"ru", 5, "5 совпадений"}, {"ar", 2, "٢"}} {
		if got := newLocale(c.lang).T("hits.waiting", c.n); !strings.Contains(got, c.want) {
			t.Errorf("%s, %d hits waiting: %q, want %q in it", c.lang, c.n, got, c.want)
		}
	}
}

// untranslated are the words a template may hold outside the catalogue:
// names of standards and codes, the same in every language, and an
// example of language codes.
var untranslated = regexp.MustCompile(`\b(ctis|UTC|SHA-256|PDQ|MD5|H[0-3]|[ABCX][1-4]|en, fr)\b`)

// TestTemplatesHaveNoText: a template's words are all the catalogue's.
// What a template shows outside its actions — text between tags, and the
// attributes people read (placeholder, title, alt, aria-label) — holds no
// letter but those of the allowed codes.
func TestTemplatesHaveNoText(t *testing.T) {
	action := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	readAttr := regexp.MustCompile(`\b(placeholder|title|alt|aria-label)="([^"]*)"`)
	tag := regexp.MustCompile(`(?s)<[^>]*>`)
	files, _ := filepath.Glob("templates/*.html")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := action.ReplaceAllString(string(b), "\x00")
		for _, m := range readAttr.FindAllStringSubmatch(src, -1) {
			checkWords(t, f, m[2])
		}
		for _, text := range strings.Split(tag.ReplaceAllString(src, "\x00"), "\x00") {
			checkWords(t, f, text)
		}
	}
}

func checkWords(t *testing.T, file, text string) {
	t.Helper()
	rest := untranslated.ReplaceAllString(text, "")
	if strings.IndexFunc(rest, unicode.IsLetter) >= 0 {
		t.Errorf("%s shows %q outside the catalogue", file, strings.TrimSpace(text))
	}
}

// TestDates: a date in each language's own words and digits.
func TestDates(t *testing.T) {
	d := time.Date(2026, 3, 7, 9, 5, 0, 0, time.UTC)
	for l, want := range map[string]string{"en": "7 March 2026, 09:05", "fr": "7 mars 2026 à 09:05", "ar": "٧ مارس ٢٠٢٦، ٠٩:٠٥",
		"ru": "7 марта 2026 г., 09:05", "zh": "2026年3月7日 09:05", "es": "7 de marzo de 2026, 09:05"} {
		if got := newLocale(l).Date(d); got != want {
			t.Errorf("%s: %q, want %q", l, got, want)
		}
	}
	if got := newLocale("fr").Num(1234567); got != "1\u00a0234\u00a0567" {
		t.Errorf("French number %q", got)
	}
}
