package web

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"

	"ctis"
)

// graphNode is an entity of a network, or the notice of one the viewer
// may not see.
type graphNode struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Schema string `json:"schema,omitempty"`
	Hop    int    `json:"hop"`
	// Contact, on a node the viewer may not see, is the agency to contact
	// about it: all the hit notice tells.
	Contact string `json:"contact,omitempty"`
	// Handling is that of the statement the label comes from.
	Handling *ctis.Handling `json:"handling,omitempty"`
	X        float64        `json:"x"`
	Y        float64        `json:"y"`
}

// graphEdge is a reference from one entity to another: a statement of
// From's, of an entity property, naming To.
type graphEdge struct {
	From     string        `json:"from"`
	To       string        `json:"to"`
	Property string        `json:"property"`
	Handling ctis.Handling `json:"handling"`
}

// movement is a Movement of a person as the viewer may see it, for the
// timeline and the map.
type movement struct {
	ID                     string `json:"id"`
	From, To               string `json:"-"`
	FromCountry, ToCountry string `json:"-"`
	Departure, Arrival     string `json:"-"`
	Flight                 string `json:"-"`
	// Statements are the visible statements the movement is drawn from.
	Statements []ctis.Statement `json:"statements"`
}

// entityGraph is an entity's network, two hops out, read through the
// entity service as the viewer may see it: an entity the viewer may not
// see is no node; a hidden one that references the entity through a
// statement carrying a hit notice is a node that says whom to contact.
type entityGraph struct {
	Nodes     []graphNode `json:"nodes"`
	Edges     []graphEdge `json:"edges"`
	Movements []movement  `json:"movements"`
}

// maxGraphNodes bounds a network drawn: past it, neighbours are left out.
const maxGraphNodes = 40

// referrers are the properties that reference an entity of each schema:
// the schema holding the property, and its name.
var referrers = func() map[string][][2]string {
	out := map[string][][2]string{}
	for _, n := range ctis.SchemaNames() {
		for _, p := range ctis.Schemas[n].Properties {
			if p.Type == ctis.TypeEntity {
				out[p.Range] = append(out[p.Range], [2]string{n, p.Name})
			}
		}
	}
	return out
}()

// graphOf builds the network of the entity id as the viewer of p may see
// it.
func (h *handler) graphOf(p *page, center *ctis.Entity) (*entityGraph, error) {
	g := &entityGraph{Nodes: []graphNode{}, Edges: []graphEdge{}, Movements: []movement{}}
	seen := map[string]*ctis.Entity{}
	edges := map[string]bool{}
	add := func(e *ctis.Entity, hop int) {
		seen[e.ID] = e
		n := graphNode{ID: e.ID, Label: labelOf(e), Schema: e.Schema, Hop: hop}
		for i, s := range e.Statements {
			if s.Value == n.Label && s.Withdrawn == nil {
				n.Handling = &e.Statements[i].Handling
				break
			}
		}
		g.Nodes = append(g.Nodes, n)
	}
	edge := func(from, to, prop string, hd ctis.Handling) {
		k := from + " " + to + " " + prop
		if !edges[k] {
			edges[k] = true
			g.Edges = append(g.Edges, graphEdge{From: from, To: to, Property: prop, Handling: hd})
		}
	}
	add(center, 0)
	frontier := []*ctis.Entity{center}
	for hop := 1; hop <= 2 && len(frontier) > 0; hop++ {
		var next []*ctis.Entity
		for _, e := range frontier {
			// What e references.
			for _, s := range e.Statements {
				pr, ok := ctis.Schemas[e.Schema].Property(s.Property)
				if !ok || pr.Type != ctis.TypeEntity || s.Withdrawn != nil {
					continue
				}
				if _, ok := seen[s.Value]; !ok {
					if len(g.Nodes) >= maxGraphNodes {
						continue
					}
					n, err := h.Entities.Entity(p.ctx, s.Value)
					if ctis.ErrorCode(err) == ctis.ENOTFOUND {
						continue
					}
					if err != nil {
						return nil, err
					}
					add(n, hop)
					next = append(next, n)
				}
				edge(e.ID, s.Value, s.Property, s.Handling)
			}
			// What references e.
			for _, ref := range referrers[e.Schema] {
				res, err := h.Entities.Search(p.ctx, ctis.SearchQuery{Schema: ref[0], Property: ref[1], Value: e.ID, Limit: maxGraphNodes})
				if err != nil {
					return nil, err
				}
				for i := range res.Entities {
					n := &res.Entities[i]
					if _, ok := seen[n.ID]; !ok {
						if len(g.Nodes) >= maxGraphNodes {
							continue
						}
						add(n, hop)
						next = append(next, n)
					}
					for _, s := range n.Statements {
						if s.Property == ref[1] && s.Value == e.ID && s.Withdrawn == nil {
							edge(n.ID, e.ID, s.Property, s.Handling)
						}
					}
				}
				for _, notice := range res.Notices {
					nid := "contact:" + notice.Contact() + ":" + e.ID
					if _, ok := seen[nid]; ok {
						continue
					}
					seen[nid] = nil
					g.Nodes = append(g.Nodes, graphNode{ID: nid, Label: notice.Contact(), Hop: hop, Contact: notice.Contact()})
					g.Edges = append(g.Edges, graphEdge{From: nid, To: e.ID, Property: ref[1]})
				}
			}
		}
		frontier = next
	}
	if center.Schema == "Person" {
		for _, e := range seen {
			if e != nil && e.Schema == "Movement" && slices.ContainsFunc(e.Statements, func(s ctis.Statement) bool {
				return s.Property == "person" && s.Value == center.ID && s.Withdrawn == nil
			}) {
				g.Movements = append(g.Movements, movementOf(e))
			}
		}
		sort.Slice(g.Movements, func(i, j int) bool {
			a, b := g.Movements[i], g.Movements[j]
			return a.Departure+a.Arrival+a.ID < b.Departure+b.Arrival+b.ID
		})
	}
	layout(g)
	return g, nil
}

// labelOf names an entity in a picture: its caption, a document's
// number, a movement's places and date, as far as the viewer may see them.
func labelOf(e *ctis.Entity) string {
	if c := e.Caption(); c != e.ID {
		return c
	}
	switch e.Schema {
	case "Document":
		for _, s := range e.Statements {
			if s.Property == "number" && s.Withdrawn == nil {
				return s.Value
			}
		}
	case "Movement":
		m := movementOf(e)
		if l := strings.TrimSpace(placeOf(m.From, m.FromCountry) + " → " + placeOf(m.To, m.ToCountry) + " " + m.Departure); l != "→" {
			return l
		}
	}
	return e.ID
}

// movementOf reads a Movement's visible statements.
func movementOf(e *ctis.Entity) movement {
	m := movement{ID: e.ID}
	for _, s := range e.Statements {
		if s.Withdrawn != nil {
			continue
		}
		v := s.Value
		switch s.Property {
		case "from":
			m.From = v
		case "to":
			m.To = v
		case "fromCountry":
			m.FromCountry = v
		case "toCountry":
			m.ToCountry = v
		case "departureDate":
			m.Departure = v
		case "arrivalDate":
			m.Arrival = v
		case "flight":
			m.Flight = v
		default:
			continue
		}
		m.Statements = append(m.Statements, s)
	}
	return m
}

// Size of the network's drawing.
const graphW, graphH = 720.0, 480.0

// layout places the entity at the centre, its neighbours on a ring, and
// theirs on an outer ring near the neighbour that led to them.
func layout(g *entityGraph) {
	cx, cy := graphW/2, graphH/2
	pos := map[string]int{}
	for i := range g.Nodes {
		pos[g.Nodes[i].ID] = i
	}
	parent := map[string]string{}
	for _, e := range g.Edges {
		for _, pair := range [][2]string{{e.From, e.To}, {e.To, e.From}} {
			a, b := pair[0], pair[1]
			if _, ok := parent[a]; !ok && g.Nodes[pos[a]].Hop == g.Nodes[pos[b]].Hop+1 {
				parent[a] = b
			}
		}
	}
	var ring1 []int
	for i, n := range g.Nodes {
		if n.Hop == 0 {
			g.Nodes[i].X, g.Nodes[i].Y = cx, cy
		}
		if n.Hop == 1 {
			ring1 = append(ring1, i)
		}
	}
	angle := map[string]float64{}
	for k, i := range ring1 {
		a := 2*math.Pi*float64(k)/float64(len(ring1)) - math.Pi/2
		angle[g.Nodes[i].ID] = a
		g.Nodes[i].X, g.Nodes[i].Y = cx+130*math.Cos(a), cy+130*math.Sin(a)
	}
	children := map[string]int{}
	for i, n := range g.Nodes {
		if n.Hop != 2 {
			continue
		}
		p := parent[n.ID]
		k := children[p]
		children[p]++
		a := angle[p] + float64((k+1)/2)*0.28*float64(1-2*(k%2))
		g.Nodes[i].X, g.Nodes[i].Y = cx+215*math.Cos(a), cy+215*math.Sin(a)
	}
}

// entityGraphJSON answers an entity's network as JSON, for programs and
// scripts: the same data the entity page draws.
func (h *handler) entityGraphJSON(p *page, r *http.Request) error {
	e, err := h.Entities.Entity(p.ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	g, err := h.graphOf(p, e)
	if err != nil {
		return err
	}
	p.w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(p.w).Encode(g)
}

// nodeAt returns the node of id.
func (g *entityGraph) nodeAt(id string) *graphNode {
	for i := range g.Nodes {
		if g.Nodes[i].ID == id {
			return &g.Nodes[i]
		}
	}
	return nil
}

// drawnEdge is an edge with its ends placed, for the template.
type drawnEdge struct {
	X1, Y1, X2, Y2 float64
	Property       string
}

// Lines are the edges placed for drawing.
func (g *entityGraph) Lines() []drawnEdge {
	var out []drawnEdge
	for _, e := range g.Edges {
		a, b := g.nodeAt(e.From), g.nodeAt(e.To)
		if a != nil && b != nil {
			out = append(out, drawnEdge{a.X, a.Y, b.X, b.Y, e.Property})
		}
	}
	return out
}

// short cuts a label to fit a node.
func short(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > 22 {
		return string(r[:21]) + "…"
	}
	return string(r)
}
