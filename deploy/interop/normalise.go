package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// A recording of a client talking to a ctis node holds values that are
// new on every run: the API token, the node's address, and the IDs and
// timestamps of the demo's objects (the demo is seeded anew, at the time
// of the run), the next tokens and the status IDs that derive from them.
// Normalise replaces each with a placeholder so that the exchanges can be
// sent again to another node holding the same demo data:
//
//   - the token becomes {{token}} and the node's base URL {{base}};
//   - a value the client could only have learned from a response — at a
//     place TAXII defines: an envelope's next, a collection's or an
//     object's id, a manifest record's date_added and version, an object's
//     versions, a status's id, the X-TAXII-Date-Added-First and -Last
//     headers — becomes {{kind.N}} where it first came, and wherever a
//     later request sent it again.
//
// A replay binds each placeholder to the value at the same place of the
// response it gets, and sends that value where the client sent the
// recorded one. What the client sent of its own (the envelope it posted,
// with fixed IDs and times) stays as it was. The STIX objects inside
// envelopes are kept as they came; their IDs and times differ from run
// to run, and a replay checks their shape only.

// placeholder matches a placeholder that a replay binds.
var placeholder = regexp.MustCompile(`^\{\{[a-z]+\.[0-9]+\}\}$`)

// Placeholder reports whether s is a placeholder a replay binds.
func Placeholder(s string) bool { return placeholder.MatchString(s) }

type normaliser struct {
	base, token string
	bound       map[string]string // value → placeholder
	count       map[string]int
}

// Normalise rewrites the exchanges of a client with a ctis node reached
// at base, with token, as described above.
func Normalise(xs []Exchange, base, token string) ([]Exchange, error) {
	n := &normaliser{base: strings.TrimSuffix(base, "/"), token: token, bound: map[string]string{}, count: map[string]int{}}
	out := make([]Exchange, len(xs))
	for i, x := range xs {
		x.Request = n.request(x.Request)
		r, err := n.response(x.Response)
		if err != nil {
			return nil, fmt.Errorf("exchange %d (%s %s): %w", i+1, x.Request.Method, x.Request.Path, err)
		}
		x.Response = r
		out[i] = x
	}
	return out, nil
}

// values returns the bound values, longest first, so that a value that
// holds another is replaced first.
func (n *normaliser) values() []string {
	vs := make([]string, 0, len(n.bound))
	for v := range n.bound {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return vs
}

func (n *normaliser) request(r Request) Request {
	for _, v := range n.values() {
		r.Path = strings.ReplaceAll(r.Path, v, n.bound[v])
	}
	q := make([][2]string, len(r.Query))
	for i, p := range r.Query {
		if ph, ok := n.bound[p[1]]; ok {
			p[1] = ph
		}
		q[i] = p
	}
	r.Query = q
	if h := r.Header; h != nil {
		c := map[string]string{}
		for k, v := range h {
			if k == "Authorization" && n.token != "" {
				v = strings.ReplaceAll(v, n.token, "{{token}}")
			}
			c[k] = v
		}
		r.Header = c
	}
	if len(r.Body) > 0 && n.base != "" {
		r.Body = bytes.ReplaceAll(r.Body, []byte(n.base), []byte("{{base}}"))
	}
	return r
}

func (n *normaliser) bind(kind, v string) string {
	if v == "" {
		return v
	}
	if ph, ok := n.bound[v]; ok {
		return ph
	}
	n.count[kind]++
	ph := fmt.Sprintf("{{%s.%d}}", kind, n.count[kind])
	n.bound[v] = ph
	return ph
}

func (n *normaliser) response(r Response) (Response, error) {
	if h := r.Header; h != nil {
		c := map[string]string{}
		for k, v := range h {
			if strings.HasPrefix(k, "X-TAXII-Date-Added-") {
				v = n.bind("time", v)
			}
			c[k] = v
		}
		r.Header = c
	}
	if len(r.Body) == 0 {
		return r, nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		return r, err
	}
	top, _ := body.(map[string]any)
	if top != nil {
		_, isStatus := top["total_count"]
		if isStatus {
			top["id"] = n.bindString("status", top["id"])
		}
		if _, ok := top["next"]; ok {
			top["next"] = n.bindString("next", top["next"])
		}
		for _, c := range list(top["collections"]) {
			if m, ok := c.(map[string]any); ok {
				m["id"] = n.bindString("collection", m["id"])
			}
		}
		if !isStatus {
			for _, o := range list(top["objects"]) {
				if m, ok := o.(map[string]any); ok {
					m["id"] = n.bindString("object", m["id"])
					if _, ok := m["date_added"]; ok { // a manifest record
						m["date_added"] = n.bindString("time", m["date_added"])
						m["version"] = n.bindString("time", m["version"])
					}
				}
			}
			if vs := list(top["versions"]); len(vs) > 0 {
				if s, ok := vs[0].(string); !ok || !strings.HasPrefix(s, "application/") {
					for i := range vs {
						vs[i] = n.bindString("time", vs[i])
					}
				}
			}
		}
	}
	body = n.unbase(body)
	b, err := json.Marshal(body)
	if err != nil {
		return r, err
	}
	r.Body = b
	return r, nil
}

func (n *normaliser) bindString(kind string, v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	return n.bind(kind, s)
}

// unbase replaces the node's base URL in every string of v.
func (n *normaliser) unbase(v any) any {
	if n.base == "" {
		return v
	}
	switch t := v.(type) {
	case string:
		return strings.ReplaceAll(t, n.base, "{{base}}")
	case []any:
		for i := range t {
			t[i] = n.unbase(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = n.unbase(t[k])
		}
	}
	return v
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// Unbase replaces the base URL of a server in the responses of a
// recording of it, and nothing else: a replay of a server's answers
// (ReplayServer) puts its own URL there.
func Unbase(xs []Exchange, base string) ([]Exchange, error) {
	n := &normaliser{base: strings.TrimSuffix(base, "/")}
	out := make([]Exchange, len(xs))
	for i, x := range xs {
		if len(x.Response.Body) > 0 {
			var body any
			dec := json.NewDecoder(bytes.NewReader(x.Response.Body))
			dec.UseNumber()
			if err := dec.Decode(&body); err != nil {
				return nil, fmt.Errorf("exchange %d: %w", i+1, err)
			}
			b, err := json.Marshal(n.unbase(body))
			if err != nil {
				return nil, err
			}
			x.Response.Body = b
		}
		out[i] = x
	}
	return out, nil
}
