package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// series is one quantity of a bar chart, a value per group.
type series struct {
	Label  string
	Values []float64
}

// seriesLooks tell the series apart by fill and by pattern, so that no
// series is known by its colour alone; the colours keep 3:1 against white.
var seriesLooks = []struct{ fill, pattern string }{
	{"#1f5f99", ""},
	{"#9a4d00", "stripes"},
	{"#2e7d32", "dots"},
	{"#6a3d9a", "cross"},
}

// barChart draws grouped bars as inline SVG, drawn on the server: no
// script, nothing fetched. It is a picture of the table that the page
// shows beside it, which stays the accessible source of the figures; the
// SVG carries its caption as its name and each bar its value as a title.
// The numbers are written with num, in the page's language.
func barChart(id, caption string, groups []string, ss []series, num func(any) string) template.HTML {
	const (
		width, height    = 640.0, 220.0
		left, bottom     = 40.0, 44.0
		top, legendWidth = 8.0, 150.0
	)
	plotW, plotH := width-left-legendWidth, height-top-bottom
	peak := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			peak = max(peak, v)
		}
	}
	if len(groups) == 0 || len(ss) == 0 || peak == 0 {
		return ""
	}
	scale := niceCeil(peak)
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<figure class="chart" id="%s"><svg viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-labelledby="%s-title" xmlns="http://www.w3.org/2000/svg">`, esc(id), width, height, esc(id))
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, esc(id), esc(caption))
	b.WriteString(`<defs>`)
	for i, look := range seriesLooks {
		switch look.pattern {
		case "stripes":
			fmt.Fprintf(&b, `<pattern id="%s-p%d" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="%s"/><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern>`, esc(id), i, look.fill)
		case "dots":
			fmt.Fprintf(&b, `<pattern id="%s-p%d" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/><circle cx="3" cy="3" r="1.2" fill="#fff"/></pattern>`, esc(id), i, look.fill)
		case "cross":
			fmt.Fprintf(&b, `<pattern id="%s-p%d" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/><path d="M0 3H6M3 0V6" stroke="#fff" stroke-width="1"/></pattern>`, esc(id), i, look.fill)
		}
	}
	b.WriteString(`</defs>`)
	fill := func(i int) string {
		look := seriesLooks[i%len(seriesLooks)]
		if look.pattern == "" {
			return look.fill
		}
		return fmt.Sprintf("url(#%s-p%d)", esc(id), i%len(seriesLooks))
	}
	// The axis: zero, half and the top, with light rules.
	for _, f := range []float64{0, 0.5, 1} {
		y := top + plotH*(1-f)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#bbb" stroke-width="1"/>`, left, y, left+plotW, y)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="#333">%s</text>`, left-4, y+4, esc(num(scale*f)))
	}
	groupW := plotW / float64(len(groups))
	barW := math.Min(24, groupW*0.8/float64(len(ss)))
	for g, label := range groups {
		x0 := left + groupW*float64(g) + (groupW-barW*float64(len(ss)))/2
		for i, s := range ss {
			v := 0.0
			if g < len(s.Values) {
				v = s.Values[g]
			}
			h := plotH * v / scale
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#222" stroke-width="0.5"><title>%s — %s: %s</title></rect>`,
				x0+barW*float64(i), top+plotH-h, barW, h, fill(i), esc(label), esc(s.Label), esc(num(v)))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#333">%s</text>`, left+groupW*(float64(g)+0.5), height-bottom+16, esc(shorten(label, int(groupW/6))))
	}
	// The legend names each series beside its fill and pattern.
	for i, s := range ss {
		y := top + 6 + 20*float64(i)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="14" fill="%s" stroke="#222" stroke-width="0.5"/>`, width-legendWidth+10, y, fill(i))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" fill="#222">%s</text>`, width-legendWidth+30, y+11, esc(s.Label))
	}
	fmt.Fprintf(&b, `</svg><figcaption>%s</figcaption></figure>`, esc(caption))
	return template.HTML(b.String())
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// shorten cuts a label to n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if n < 4 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
