package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
	"golang.org/x/text/number"

	"ctis"
)

// The message catalogue: a file per language in i18n/, each mapping a
// message key to its text, a format for fmt with the message's
// arguments. English is the source of the keys; TestCatalogue holds the
// other languages to it.
//
// A message that states a count is an object of plural forms instead of
// a string, keyed by the CLDR categories the language distinguishes
// ("zero", "one", "two", "few", "many", "other"; Arabic uses all six,
// Russian one, few and many, Chinese only other). The count is the
// message's first argument.
//
//go:embed i18n/*.json
var catalogueFS embed.FS

// pluralForms are the CLDR plural categories, in the order plural.Selectf
// tries them: "other" last, as the catch-all.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// messages is one language's file: a text, or its plural forms.
type messages map[string]json.RawMessage

// readCatalogue reads the language files: by language code, the message
// texts, and for counted messages their plural forms.
func readCatalogue() (texts map[string]map[string]string, plurals map[string]map[string]map[string]string, err error) {
	texts, plurals = map[string]map[string]string{}, map[string]map[string]map[string]string{}
	for _, l := range ctis.Languages {
		b, err := catalogueFS.ReadFile("i18n/" + l + ".json")
		if err != nil {
			return nil, nil, err
		}
		var m messages
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, nil, fmt.Errorf("i18n/%s.json: %w", l, err)
		}
		texts[l], plurals[l] = map[string]string{}, map[string]map[string]string{}
		for k, raw := range m {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				texts[l][k] = s
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(raw, &forms); err != nil {
				return nil, nil, fmt.Errorf("i18n/%s.json: %q is neither a text nor plural forms", l, k)
			}
			plurals[l][k] = forms
		}
	}
	return texts, plurals, nil
}

// catalogue holds every language's messages; a message a language lacks
// is taken from English, so that a page never shows a bare key.
var catalogue = func() *catalog.Builder {
	texts, plurals, err := readCatalogue()
	if err != nil {
		panic(err)
	}
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, l := range ctis.Languages {
		tag := language.MustParse(l)
		for k, s := range texts["en"] {
			if t, ok := texts[l][k]; ok {
				s = t
			}
			b.SetString(tag, k, s)
		}
		for k, forms := range plurals["en"] {
			if f, ok := plurals[l][k]; ok {
				forms = f
			}
			var cases []any
			for _, f := range pluralForms {
				if s, ok := forms[f]; ok {
					cases = append(cases, f, s)
				}
			}
			b.Set(tag, k, plural.Selectf(1, "%d", cases...))
		}
	}
	return b
}()

// offered are the languages the pages are written in.
var offered = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range ctis.Languages {
		m[l] = true
	}
	return m
}()

var langMatcher = func() language.Matcher {
	tags := make([]language.Tag, len(ctis.Languages))
	for i, l := range ctis.Languages {
		tags[i] = language.MustParse(l)
	}
	return language.NewMatcher(tags)
}()

// endonyms name each language in itself, as a language menu offers them.
var endonyms = map[string]string{"en": "English", "fr": "Français", "ar": "العربية", "ru": "Русский", "zh": "中文", "es": "Español"}

// rtl lists the languages written right to left.
var rtl = map[string]bool{"ar": true}

// langCookie keeps the language chosen before signing in.
const langCookie = "ctis_lang"

// lang picks the page language: the one the signed-in user chose, else
// the one chosen in this browser (a cookie), else the browser's
// Accept-Language.
func lang(r *http.Request, id ctis.Identity) string {
	if offered[id.Language] {
		return id.Language
	}
	if c, err := r.Cookie(langCookie); err == nil && offered[c.Value] {
		return c.Value
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := langMatcher.Match(tags...)
	return ctis.Languages[i]
}

// locale writes messages, numbers and dates in one language.
type locale struct {
	code string
	p    *message.Printer
}

func newLocale(code string) locale {
	return locale{code, message.NewPrinter(language.MustParse(code), message.Catalog(catalogue))}
}

// T is the message key in the locale's language, with its arguments.
func (l locale) T(key string, args ...any) string { return l.p.Sprintf(key, args...) }

// Num writes a number with the language's digits and grouping, a
// fraction to one decimal place.
func (l locale) Num(n any) string { return l.p.Sprint(number.Decimal(n, number.MaxFractionDigits(1))) }

// Pct writes a share between 0 and 1 as a whole percentage.
func (l locale) Pct(f float64) string {
	return l.p.Sprint(number.Percent(f, number.MaxFractionDigits(0)))
}

// Date writes a moment, in UTC, as the language writes a date and time:
// the catalogue's "date" message orders the day, the month's name, the
// year and the time.
func (l locale) Date(t time.Time) string {
	t = t.UTC()
	digits := func(n int) string { return l.p.Sprint(number.Decimal(n, number.NoSeparator())) }
	hm := l.p.Sprint(number.Decimal(t.Hour(), number.MinIntegerDigits(2))) + ":" + l.p.Sprint(number.Decimal(t.Minute(), number.MinIntegerDigits(2)))
	return l.T("date", digits(t.Day()), l.T("month."+strconv.Itoa(int(t.Month()))), digits(t.Year()), hm)
}

// MailText is a notification mail's subject and body in lang (English
// when lang is not offered): the kind of thing that needs the reader and
// the link to it, nothing else.
func MailText(lang string, kind ctis.NoticeKind, link string) (subject, body string) {
	if !offered[lang] {
		lang = "en"
	}
	l := newLocale(lang)
	what := l.T("notice." + string(kind))
	return l.T("mail.subject", what), l.T("mail.body", what, link)
}
