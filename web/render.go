package web

import (
	"bytes"
	"html/template"
	"maps"
	"net/http"
	"reflect"
	"strings"

	"ctis"
	"ctis/matcher"
)

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"login", "dashboard", "search", "entity", "new", "screen", "review", "audit", "admin", "travel", "hashes", "events", "event", "digest",
	"authorities", "requests", "request", "notifications", "error", "referrals", "content-referrals", "content-referral"}

// pageFuncs are the templates' functions. Those that write words,
// numbers or dates are bound to the page's language when it is rendered
// (locale.funcs); these stand in for them when the templates are parsed.
var pageFuncs = template.FuncMap{
	"translit": translit,
	"join":     strings.Join,
	"endonym":  func(code string) string { return endonyms[code] },
	"short":    short,
}

func parsePages() map[string]*template.Template {
	funcs := newLocale("en").funcs()
	maps.Copy(funcs, pageFuncs)
	out := map[string]*template.Template{}
	for _, n := range pageNames {
		out[n] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/fields.html", "templates/"+n+".html"))
	}
	return out
}

// funcs are the template functions that write in the locale's language.
func (l locale) funcs() template.FuncMap {
	return template.FuncMap{
		"t":     l.T,
		"num":   l.Num,
		"pct":   l.Pct,
		"date":  l.Date,
		"badge": l.Badge,
	}
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

// Badge describes a handling in a few words of English, as the pages
// show it to an English reader.
func Badge(h ctis.Handling) string { return newLocale("en").Badge(h) }

// Badge describes a handling in a few words, as the pages show it.
func (l locale) Badge(h ctis.Handling) string {
	var parts []string
	switch h.Distribution {
	case ctis.DistAgencies:
		parts = append(parts, l.T("badge.agencies", strings.Join(h.Agencies, ", ")))
	case ctis.DistGroup:
		parts = append(parts, l.T("badge.group", h.Group))
	default:
		parts = append(parts, l.T("badge."+string(h.Distribution)))
	}
	if h.Frontline {
		parts = append(parts, l.T("badge.frontline"))
	}
	if h.HitNotice {
		parts = append(parts, l.T("badge.hit.notice"))
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
	l.Lang, l.Dir = p.loc.code, "ltr"
	if rtl[p.loc.code] {
		l.Dir = "rtl"
	}
	l.CSRF, l.Purpose, l.Flash, l.Path = p.csrf, p.purpose, p.flash, p.r.URL.RequestURI()
	l.Languages = ctis.Languages
	if p.id.Username != "" {
		id := p.id
		l.User = &id
		l.Banner = p.loc.T("nothing.shown")
		if mr := mostRestrictive(shownHandlings(v)); mr != nil {
			l.Banner = p.loc.T("most.restrictive", p.loc.Badge(*mr))
		}
		for _, r := range p.id.Roles {
			l.Roles = append(l.Roles, p.loc.T("role."+string(r)))
		}
		l.Is = roleSet(p.id.Roles)
		if h.Notifications != nil && p.ctx != nil {
			if _, n, err := h.Notifications.Notifications(p.ctx, ctis.NotificationQuery{Unread: true, Limit: 1}); err == nil {
				l.Unread = n
			}
		}
	}
	tpl, err := h.pages[name].Clone()
	var buf bytes.Buffer
	if err == nil {
		err = tpl.Funcs(p.loc.funcs()).Execute(&buf, v)
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

func roleSet(rs []ctis.Role) map[string]bool {
	out := map[string]bool{}
	for _, r := range rs {
		out[string(r)] = true
	}
	return out
}
