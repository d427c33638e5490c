package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"ctis"
	"ctis/matcher"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// pageNames are the templates, each rendered inside layout.html.
var pageNames = []string{"login", "dashboard", "search", "entity", "new", "screen", "review", "audit", "admin", "travel", "hashes", "error"}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		// t is replaced per request by the page's language.
		"t":        func(key string, args ...any) string { return key },
		"translit": translit,
		"badge":    badge,
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

// badge describes a statement's handling in a few words.
func badge(h ctis.Handling) string {
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

// show records the handling of statements a page shows, for its banner.
func (p *page) show(sts ...ctis.Statement) {
	for _, s := range sts {
		p.shown = append(p.shown, s.Handling)
	}
}

// showHits records the handling of the statements behind hits a page
// shows, for its banner.
func (p *page) showHits(hits ...ctis.Hit) {
	for _, h := range hits {
		for _, s := range h.Sources {
			p.shown = append(p.shown, s.Handling)
		}
	}
}

// showResults records the handling behind screening results' hits.
func (p *page) showResults(res ...ctis.ScreenResult) {
	for _, r := range res {
		p.showHits(r.Hits...)
	}
}

// render writes a page in the request's language.
func (h *handler) render(p *page, status int, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	data["Lang"], data["Dir"] = p.lang, "ltr"
	if rtl[p.lang] {
		data["Dir"] = "rtl"
	}
	data["CSRF"], data["Purpose"], data["Flash"], data["Path"] = p.csrf, p.purpose, p.flash, p.r.URL.RequestURI()
	data["Languages"] = []string{"en", "fr", "ar", "ru"}
	if p.id.Username != "" {
		data["User"] = p.id
		banner := translate(p.lang, "nothing.shown")
		if mr := mostRestrictive(p.shown); mr != nil {
			banner = sprintf(translate(p.lang, "most.restrictive"), badge(*mr))
		}
		data["Banner"] = banner
		data["Roles"] = roleNames(p.id.Roles)
		data["Is"] = roleSet(p.id.Roles)
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
		err = tpl.Execute(&buf, data)
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
