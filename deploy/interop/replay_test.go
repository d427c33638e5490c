package interop_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis/ctistest"
	"ctis/demo"
	"ctis/deploy/interop"
	"ctis/store"
	"ctis/taxii"
)

// TestReplayTAXII2Client sends every request that taxii2-client sent to a
// demo node in the interop run (testdata/taxii2client-ctis.json) again, in
// order, to a TAXII server over a store seeded with the same demo data,
// and checks each response for what taxii2-client relied on: the status,
// the content type, the X-TAXII-Date-Added headers, and the resources'
// fields (present, of the same JSON kind, the same counts and flags, the
// same media types and statuses). Values that differ from node to node
// (object IDs, times, next tokens, status IDs) are taken from the
// responses of this replay where the client took them from the run's
// (see Normalise). So a change to ctis's TAXII server that would break
// taxii2-client fails here.
func TestReplayTAXII2Client(t *testing.T) {
	rec, err := interop.ReadRecording("testdata/taxii2client-ctis.json")
	if err != nil {
		t.Fatal(err)
	}
	node := ctistest.OpenStore(t, ctistest.SQLite, store.Options{})
	logins, err := demo.Seed(ctistest.System, node.DB)
	if err != nil {
		t.Fatal(err)
	}
	token := ""
	for _, l := range logins {
		if l.Username == rec.User {
			token = l.Token
		}
	}
	if token == "" {
		t.Fatalf("no demo user %q", rec.User)
	}
	srv := httptest.NewServer((&taxii.Server{Services: node.Services, Logger: slog.New(slog.DiscardHandler)}).Handler())
	defer srv.Close()

	r := &replay{t: t, bound: map[string]string{"{{token}}": token, "{{base}}": srv.URL}}
	for i, x := range rec.Exchanges {
		r.at = fmt.Sprintf("exchange %d (%s: %s %s)", i+1, x.Step, x.Request.Method, x.Request.Path)
		req := r.request(srv.URL, x.Request)
		if req == nil {
			continue
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", r.at, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != x.Response.Status {
			t.Errorf("%s: status %d, taxii2-client got %d: %s", r.at, res.StatusCode, x.Response.Status, body)
			continue
		}
		for k, v := range x.Response.Header {
			got := res.Header.Get(k)
			switch {
			case got == "":
				t.Errorf("%s: no %s header", r.at, k)
			case interop.Placeholder(v):
				r.bind(v, got)
			case got != v:
				t.Errorf("%s: %s %q, taxii2-client got %q", r.at, k, got, v)
			}
		}
		if len(x.Response.Body) == 0 {
			continue
		}
		var want, have any
		json.Unmarshal(x.Response.Body, &want)
		if err := json.Unmarshal(body, &have); err != nil {
			t.Errorf("%s: the body is not JSON: %v", r.at, err)
			continue
		}
		r.compare("body", want, have)
	}
}

// replay sends recorded requests and compares their responses, binding
// the placeholders of a normalised recording as it goes.
type replay struct {
	t     *testing.T
	at    string
	bound map[string]string
}

func (r *replay) bind(ph, v string) {
	if _, ok := r.bound[ph]; !ok {
		r.bound[ph] = v
	}
}

// fill replaces the placeholders of s by their values; ok is false if
// one is not bound.
func (r *replay) fill(s string) (string, bool) {
	for strings.Contains(s, "{{") {
		i := strings.Index(s, "{{")
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			break
		}
		ph := s[i : i+j+2]
		v, ok := r.bound[ph]
		if !ok {
			r.t.Errorf("%s: %s was never in a response of this replay", r.at, ph)
			return s, false
		}
		s = s[:i] + v + s[i+j+2:]
	}
	return s, true
}

func (r *replay) request(base string, q interop.Request) *http.Request {
	path, ok := r.fill(q.Path)
	if !ok {
		return nil
	}
	var query [][2]string
	for _, p := range q.Query {
		v, ok := r.fill(p[1])
		if !ok {
			return nil
		}
		query = append(query, [2]string{p[0], v})
	}
	u := base + path
	if len(query) > 0 {
		u += "?" + encode(query)
	}
	var body io.Reader
	if len(q.Body) > 0 {
		b, ok := r.fill(string(q.Body))
		if !ok {
			return nil
		}
		body = strings.NewReader(b)
	}
	req, err := http.NewRequest(q.Method, u, body)
	if err != nil {
		r.t.Fatalf("%s: %v", r.at, err)
	}
	for k, v := range q.Header {
		v, ok := r.fill(v)
		if !ok {
			return nil
		}
		req.Header.Set(k, v)
	}
	return req
}

func encode(params [][2]string) string {
	var parts []string
	for _, p := range params {
		parts = append(parts, escape(p[0])+"="+escape(p[1]))
	}
	return strings.Join(parts, "&")
}

func escape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~:", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// exact are the fields whose string values taxii2-client compares or a
// TAXII client acts on: they must be what the run got.
var exact = map[string]bool{"status": true, "media_type": true, "media_types": true, "alias": true, "http_status": true, "message": true}

// compare checks have, at path, against want, what taxii2-client got
// there: a placeholder binds; an object has at least want's fields; an
// array as many items; numbers and booleans are equal, strings are of
// the same kind (a timestamp, a URL of the node, or text, which must
// not be empty where it was not), and equal where exact says so. A STIX
// object inside an envelope is checked only for its id, type and
// spec_version: the demo's objects are the same in number, not in
// order at a shared date_added, nor in their IDs and times.
func (r *replay) compare(path string, want, have any) {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			r.t.Errorf("%s: %s is %T, taxii2-client got an object", r.at, path, have)
			return
		}
		_, manifest := w["date_added"]
		stixObject := strings.HasSuffix(path, "objects[]") && !manifest
		for k, wv := range w {
			if stixObject && k != "id" && k != "type" && k != "spec_version" {
				continue
			}
			hv, ok := h[k]
			if !ok {
				r.t.Errorf("%s: %s has no %q, taxii2-client got %v", r.at, path, k, wv)
				continue
			}
			if stixObject && k != "id" {
				if s, ok := hv.(string); !ok || s == "" {
					r.t.Errorf("%s: %s.%s is %v", r.at, path, k, hv)
				}
				continue
			}
			r.compare(join(path, k), wv, hv)
		}
	case []any:
		h, ok := have.([]any)
		if !ok {
			r.t.Errorf("%s: %s is %T, taxii2-client got an array", r.at, path, have)
			return
		}
		if len(h) != len(w) {
			r.t.Errorf("%s: %s has %d items, taxii2-client got %d", r.at, path, len(h), len(w))
			return
		}
		for i := range w {
			r.compare(path+"[]", w[i], h[i])
		}
	case string:
		h, ok := have.(string)
		switch {
		case !ok:
			r.t.Errorf("%s: %s is %T, taxii2-client got a string", r.at, path, have)
		case interop.Placeholder(w):
			r.bind(w, h)
		case strings.Contains(w, "{{base}}"):
			if f, _ := r.fill(w); f != h {
				r.t.Errorf("%s: %s is %q, want %q", r.at, path, h, f)
			}
		case exact[last(path)]:
			if h != w {
				r.t.Errorf("%s: %s is %q, taxii2-client got %q", r.at, path, h, w)
			}
		case isTime(w):
			if !isTime(h) {
				r.t.Errorf("%s: %s is %q, taxii2-client got a timestamp", r.at, path, h)
			}
		case w != "" && h == "":
			r.t.Errorf("%s: %s is empty, taxii2-client got %q", r.at, path, w)
		}
	default: // numbers, booleans, null
		if fmt.Sprint(want) != fmt.Sprint(have) {
			r.t.Errorf("%s: %s is %v, taxii2-client got %v", r.at, path, have, want)
		}
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// last is the name of the field at path, without array marks.
func last(path string) string {
	path = strings.TrimRight(path, "[]")
	return path[strings.LastIndex(path, ".")+1:]
}

func isTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// TestReplayMedallion serves medallion's answers of the interop run
// (testdata/ctis-medallion.json) again, in place of medallion, to the
// pull with ctis's TAXII client (Puller), and checks that every step
// passes, that the pull asks what it asked of medallion, that every
// object of medallion's data file (testdata/medallion-data.json, a ctis
// export) is pulled whole, and that ctis's STIX reader read their
// statements, page by page. So a change to ctis's client, or to how a
// peer's pull reads pages, that would break the pull from medallion
// fails here.
func TestReplayMedallion(t *testing.T) {
	rec, err := interop.ReadRecording("testdata/ctis-medallion.json")
	if err != nil {
		t.Fatal(err)
	}
	used := make([]bool, len(rec.Exchanges))
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if u, p, ok := req.BasicAuth(); !ok || u == "" || p == "" {
			t.Errorf("%s %s without HTTP basic authentication", req.Method, req.URL)
		}
		for i, x := range rec.Exchanges {
			if used[i] || x.Request.Method != req.Method || x.Request.Path != req.URL.Path || !sameQuery(x.Request.Query, req) || !sameHeaders(x.Request.Header, req) {
				continue
			}
			used[i] = true
			for k, v := range x.Response.Header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(x.Response.Status)
			w.Write(bytes.ReplaceAll(x.Response.Body, []byte("{{base}}"), []byte(srv.URL)))
			return
		}
		t.Errorf("the pull sent %s %s, which medallion was not asked in the run: run deploy/interop/run again", req.Method, req.URL)
		http.NotFound(w, req)
	}))
	defer srv.Close()

	p := &interop.Puller{Limit: 10, Client: &taxii.Client{Discovery: srv.URL + "/taxii2/",
		HTTP: &http.Client{Transport: interop.BasicAuth("interop", "interop-password", nil)}}}
	pulled, err := p.Pull(t.Context())
	for _, s := range p.Steps {
		if s.Failed != "" {
			t.Errorf("step %s: %s", s.Name, s.Failed)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range used {
		if !u {
			t.Errorf("the pull did not send exchange %d (%s %s) of the run", i+1, rec.Exchanges[i].Request.Method, rec.Exchanges[i].Request.Path)
		}
	}

	// Every object of medallion's data arrives whole, once.
	b, err := os.ReadFile("testdata/medallion-data.json")
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]struct {
		Collections []struct {
			Objects []json.RawMessage `json:"objects"`
		} `json:"collections"`
	}
	json.Unmarshal(b, &data)
	served := data["ctis"].Collections
	if len(served) != 1 || len(served[0].Objects) == 0 {
		t.Fatalf("medallion's data holds %d collections", len(served))
	}
	canon := func(raws []json.RawMessage) []string {
		var out []string
		for _, raw := range raws {
			var v any
			json.Unmarshal(raw, &v)
			c, _ := json.Marshal(v)
			out = append(out, string(c))
		}
		slices.Sort(out)
		return out
	}
	if got, want := canon(pulled.Objects), canon(served[0].Objects); !slices.Equal(got, want) {
		t.Errorf("pulled %d objects, medallion served %d, not the same", len(got), len(want))
	}
	agencies := map[string]bool{}
	for _, e := range pulled.Entities {
		for _, s := range e.Statements {
			agencies[s.Originator] = true
		}
	}
	if !agencies["DE-BKA"] || len(agencies) < 2 {
		t.Errorf("the statements' originators are %v", agencies)
	}
}

// sameHeaders reports whether req carries the headers recorded, but for
// the credentials (medallion's are the same in every run).
func sameHeaders(want map[string]string, req *http.Request) bool {
	for k, v := range want {
		if k != "Authorization" && req.Header.Get(k) != v {
			return false
		}
	}
	return true
}

func sameQuery(want [][2]string, req *http.Request) bool {
	q := req.URL.Query()
	n := 0
	for _, vs := range q {
		n += len(vs)
	}
	if n != len(want) {
		return false
	}
	for _, p := range want {
		if !slices.Contains(q[p[0]], p[1]) {
			return false
		}
	}
	return true
}
