package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The offline base map: Natural Earth's 1:110m country outlines, as the
// world-atlas package ships them in TopoJSON, drawn in an equirectangular
// projection. No tile server is asked for anything.

// Size of the map's drawing: two units a degree.
const mapW, mapH = 720.0, 360.0

// country is a country's outline as an SVG path, and where to pin it.
type country struct {
	Code string
	Path string
	X, Y float64
}

var worldMap = sync.OnceValues(loadWorld)

// loadWorld decodes the embedded TopoJSON into paths keyed by ISO 3166-1
// alpha-2 code, through i18n-iso-countries' table of numeric codes.
func loadWorld() ([]country, error) {
	raw, err := staticFS.ReadFile("static/vendor/world-atlas/countries-110m.json")
	if err != nil {
		return nil, err
	}
	codesRaw, err := staticFS.ReadFile("static/vendor/i18n-iso-countries/codes.json")
	if err != nil {
		return nil, err
	}
	var codes [][]string
	if err := json.Unmarshal(codesRaw, &codes); err != nil {
		return nil, err
	}
	alpha2 := map[string]string{}
	for _, c := range codes {
		if len(c) >= 3 {
			alpha2[c[2]] = c[0]
		}
	}
	var topo struct {
		Transform struct{ Scale, Translate [2]float64 }
		Arcs      [][][2]float64
		Objects   map[string]struct {
			Geometries []struct {
				Type string
				ID   string
				Arcs json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(raw, &topo); err != nil {
		return nil, err
	}
	// Decode the quantized, delta-encoded arcs into degrees.
	arcs := make([][][2]float64, len(topo.Arcs))
	for i, a := range topo.Arcs {
		var x, y float64
		arcs[i] = make([][2]float64, len(a))
		for j, p := range a {
			x, y = x+p[0], y+p[1]
			arcs[i][j] = [2]float64{x*topo.Transform.Scale[0] + topo.Transform.Translate[0], y*topo.Transform.Scale[1] + topo.Transform.Translate[1]}
		}
	}
	ring := func(ids []int) [][2]float64 {
		var out [][2]float64
		for _, id := range ids {
			a := arcs[max(id, ^id)]
			if id < 0 {
				for j := len(a) - 1; j >= 0; j-- {
					out = append(out, a[j])
				}
			} else {
				out = append(out, a...)
			}
		}
		return out
	}
	var out []country
	for _, g := range topo.Objects["countries"].Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return nil, err
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, err
			}
		default:
			continue
		}
		c := country{Code: alpha2[g.ID]}
		var b strings.Builder
		best := 0
		for _, poly := range polys {
			for k, r := range poly {
				pts := ring(r)
				for j, p := range pts {
					x, y := project(p[0], p[1])
					if j == 0 {
						b.WriteString("M")
					} else {
						b.WriteString("L")
					}
					b.WriteString(strconv.FormatFloat(x, 'f', 1, 64) + " " + strconv.FormatFloat(y, 'f', 1, 64))
				}
				b.WriteString("Z")
				if k == 0 && len(pts) > best {
					// Pin the country at the middle of its largest outline.
					best = len(pts)
					var sx, sy float64
					for _, p := range pts {
						x, y := project(p[0], p[1])
						sx, sy = sx+x, sy+y
					}
					c.X, c.Y = sx/float64(len(pts)), sy/float64(len(pts))
				}
			}
		}
		c.Path = b.String()
		out = append(out, c)
	}
	if len(out) < 150 {
		return nil, fmt.Errorf("the base map holds %d countries", len(out))
	}
	return out, nil
}

func project(lon, lat float64) (float64, float64) {
	return (lon + 180) * mapW / 360, (90 - lat) * mapH / 180
}

// mapShape is one country of a drawn map.
type mapShape struct {
	Code    string
	Path    string
	Visited bool
}

// mapRoute is a movement drawn between two countries' pins.
type mapRoute struct {
	X1, Y1, X2, Y2 float64
	From, To       string
}

// movementMap is a person's movements on the base map.
type movementMap struct {
	Shapes []mapShape
	Routes []mapRoute
	// Unplaced counts the movements with no countries to draw them by.
	Unplaced int
}

// mapOf draws movements on the base map, by their countries.
func mapOf(ms []movement) (*movementMap, error) {
	world, err := worldMap()
	if err != nil {
		return nil, err
	}
	at := map[string]country{}
	for _, c := range world {
		if c.Code != "" {
			at[c.Code] = c
		}
	}
	visited := map[string]bool{}
	out := &movementMap{}
	for _, m := range ms {
		a, aok := at[m.FromCountry]
		b, bok := at[m.ToCountry]
		visited[m.FromCountry], visited[m.ToCountry] = true, true
		if !aok || !bok {
			out.Unplaced++
			continue
		}
		out.Routes = append(out.Routes, mapRoute{a.X, a.Y, b.X, b.Y, m.FromCountry, m.ToCountry})
	}
	for _, c := range world {
		out.Shapes = append(out.Shapes, mapShape{Code: c.Code, Path: c.Path, Visited: c.Code != "" && visited[c.Code]})
	}
	return out, nil
}

// timelineMark is a movement placed on the timeline.
type timelineMark struct {
	X     float64
	Row   int
	Date  string
	Label string
}

// timelineOf places dated movements along a line, oldest first; an
// undated one is left to the table.
func timelineOf(ms []movement) []timelineMark {
	var dated []movement
	for _, m := range ms {
		if len(m.Departure) >= 10 || len(m.Arrival) >= 10 {
			dated = append(dated, m)
		}
	}
	if len(dated) == 0 {
		return nil
	}
	day := func(m movement) float64 {
		d := m.Departure
		if len(d) < 10 {
			d = m.Arrival
		}
		y, _ := strconv.Atoi(d[:4])
		mo, _ := strconv.Atoi(d[5:7])
		dd, _ := strconv.Atoi(d[8:10])
		return float64(y)*372 + float64(mo)*31 + float64(dd)
	}
	lo, hi := day(dated[0]), day(dated[0])
	for _, m := range dated {
		lo, hi = min(lo, day(m)), max(hi, day(m))
	}
	out := make([]timelineMark, len(dated))
	for i, m := range dated {
		x := 360.0
		if hi > lo {
			x = 40 + (day(m)-lo)/(hi-lo)*640
		}
		d := m.Departure
		if len(d) < 10 {
			d = m.Arrival
		}
		out[i] = timelineMark{X: x, Row: i % 3, Date: d[:10], Label: strings.TrimSpace(placeOf(m.From, m.FromCountry) + " → " + placeOf(m.To, m.ToCountry))}
	}
	return out
}

func placeOf(place, country string) string {
	if place != "" {
		return place
	}
	return country
}
