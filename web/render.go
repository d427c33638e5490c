package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"reflect"
	"strings"

	"ctis"
	"ctis/matcher"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"login", "dashboard", "search", "entity", "new", "screen", "review", "audit", "admin", "travel", "hashes", "events", "event", "digest",
	"authorities", "requests", "request", "notifications", "error"}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		// t is replaced per request by the page's language.
		"t":        func(key string, args ...any) string { return key },
		"translit": translit,
		"badge":    Badge,
		"join":     strings.Join,
		"date":     func(t interface{ Format(string) string }) string { return t.Format("2006-01-02 15:04") },
		"pct":      func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	}
	out := map[string]*template.Template{}
	for _, n := range pageNames {
		out[n] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/fields.html", "templates/"+n+".html"))
	}
	return out
}

// translit is a name's transliteration to Latin letters, shown beside the
// name as written; empty when the name is written in Latin letters.
func translit(name string) string {
	latin := matcher.Transliterate(name)
	if strings.EqualFold(strings.Join(strings.Fields(latin), " "), strings.Join(strings.Fields(matcher.Normalize(name)), " ")) {
		return ""
	}
	for _, r := range name {
		if r > 0x24F { // beyond Latin Extended: another script
			return latin
		}
	}
	return ""
}

// Badge describes a handling in a few words, as the pages show it.
func Badge(h ctis.Handling) string {
	parts := []string{string(h.Distribution)}
	switch h.Distribution {
	case ctis.DistAgencies:
		parts[0] = "agencies: " + strings.Join(h.Agencies, ", ")
	case ctis.DistGroup:
		parts[0] = "group: " + h.Group
	}
	if h.Frontline {
		parts = append(parts, "frontline")
	}
	if h.HitNotice {
		parts = append(parts, "hit notice")
	}
	if h.Restriction != "" && h.Restriction != ctis.H0 {
		r := string(h.Restriction)
		if h.RestrictionText != "" {
			r += " (" + h.RestrictionText + ")"
		}
		parts = append(parts, r)
	}
	return strings.Join(parts, " · ")
}

// distRank orders distributions from the widest.
var distRank = map[ctis.Distribution]int{ctis.DistAll: 0, ctis.DistGroup: 1, ctis.DistAgencies: 2, ctis.DistOriginator: 3}

// mostRestrictive is the narrowest handling among those shown.
func mostRestrictive(hs []ctis.Handling) *ctis.Handling {
	var best *ctis.Handling
	for i := range hs {
		h := &hs[i]
		if best == nil || distRank[h.Distribution] > distRank[best.Distribution] ||
			distRank[h.Distribution] == distRank[best.Distribution] && (h.Restriction > best.Restriction || !h.Frontline && best.Frontline) {
			best = h
		}
	}
	return best
}

// shownHandlings returns the handling of every piece of shared data in
// v — statements, the sources of hits, hash banks: every ctis.Handling
// the page's data holds, however deep. The banner is computed from the
// data a page renders, so that no handler can forget to report what it
// shows.
func shownHandlings(v any) []ctis.Handling {
	var out []ctis.Handling
	seen := map[uintptr]bool{}
	var walk func(reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem())
		case reflect.Struct:
			if v.Type() == handlingType {
				out = append(out, v.Interface().(ctis.Handling))
				return
			}
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for it := v.MapRange(); it.Next(); {
				walk(it.Value())
			}
		}
	}
	walk(reflect.ValueOf(v))
	return out
}

var handlingType = reflect.TypeOf(ctis.Handling{})

// render writes a page in the request's language: the view's layout is
// filled in here, its banner computed from the view.
func (h *handler) render(p *page, status int, name string, v view) {
	l := v.layout()
	l.Lang, l.Dir = p.lang, "ltr"
	if rtl[p.lang] {
		l.Dir = "rtl"
	}
	l.CSRF, l.Purpose, l.Flash, l.Path = p.csrf, p.purpose, p.flash, p.r.URL.RequestURI()
	l.Languages = languageCodes
	if p.id.Username != "" {
		id := p.id
		l.User = &id
		l.Banner = translate(p.lang, "nothing.shown")
		if mr := mostRestrictive(shownHandlings(v)); mr != nil {
			l.Banner = sprintf(translate(p.lang, "most.restrictive"), Badge(*mr))
		}
		l.Roles = roleNames(p.id.Roles)
		l.Is = roleSet(p.id.Roles)
		if h.Notifications != nil && p.ctx != nil {
			if _, n, err := h.Notifications.Notifications(p.ctx, ctis.NotificationQuery{Unread: true, Limit: 1}); err == nil {
				l.Unread = n
			}
		}
	}
	tpl, err := h.pages[name].Clone()
	if err == nil {
		lang := p.lang
		tpl.Funcs(template.FuncMap{"t": func(key string, args ...any) string {
			if len(args) > 0 {
				return fmt.Sprintf(translate(lang, key), args...)
			}
			return translate(lang, key)
		}})
	}
	var buf bytes.Buffer
	if err == nil {
		err = tpl.Execute(&buf, v)
	}
	if err != nil {
		h.Logger.Error("rendering a page", "page", name, "error", err.Error())
		http.Error(p.w, "internal error", http.StatusInternalServerError)
		return
	}
	p.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	p.w.WriteHeader(status)
	p.w.Write(buf.Bytes())
}

func roleNames(rs []ctis.Role) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func roleSet(rs []ctis.Role) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		out[string(r)] = true
	}
	return out
}
