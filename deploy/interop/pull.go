package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"time"

	"ctis"
	"ctis/peer"
	"ctis/stix"
	"ctis/taxii"
)

// Step is one checked step of a run: its name, and why it failed (empty
// if it passed).
type Step struct {
	Name   string
	Failed string
}

// Puller reads a TAXII 2.1 server with the client a ctis node pulls its
// peers with: taxii.Client for discovery, the API root, the collections
// and the objects, and peer.Read over the objects, so that every page is
// completed and read by ctis's STIX reader as a peer's pull reads it.
// The endpoints that client does not read, and ctis has no use for (one
// collection, the manifest, an object's versions), are plain GETs with
// the client's HTTP client and credentials.
type Puller struct {
	// Client is set up for the server: its discovery URL, and an HTTP
	// client that sends the server's credentials (see BasicAuth) or
	// its Token.
	Client *taxii.Client
	// Collection is the ID of the collection to pull; empty means the
	// first the server lists that can be read.
	Collection string
	// Limit is the page size asked for; zero means 10.
	Limit int

	Steps []Step
}

// Pulled is what a Pull read of the collection.
type Pulled struct {
	// Objects are the collection's objects, page after page, as they
	// came.
	Objects []json.RawMessage
	// Entities are what ctis's STIX reader read of each page, in
	// order. An entity whose statements span pages is there once for
	// each.
	Entities []ctis.Entity
}

// check records a step.
func (p *Puller) check(name string, err error) error {
	s := Step{Name: name}
	if err != nil {
		s.Failed = err.Error()
	}
	p.Steps = append(p.Steps, s)
	return err
}

// errCut ends the first of the two pulls of the added_after step.
var errCut = errors.New("the first pull stops here")

// Pull runs every step, in order, and returns what it read of the
// collection. A failed step is recorded in p.Steps; Pull stops at the
// first step that the later ones need.
func (p *Puller) Pull(ctx context.Context) (*Pulled, error) {
	c := p.Client
	limit := p.Limit
	if limit == 0 {
		limit = 10
	}
	d, err := c.Discover(ctx)
	if err == nil && (d.Title == "" || d.Root() == "") {
		err = fmt.Errorf("discovery has no title or no API root: %+v", d)
	}
	if p.check("discovery", err) != nil {
		return nil, err
	}
	root := d.Root()
	info, err := c.APIRoot(ctx, root)
	if err == nil && (info.Title == "" || len(info.Versions) == 0 || info.MaxContentLength <= 0) {
		err = fmt.Errorf("the API root lacks a title, versions, or max_content_length: %+v", info)
	}
	if p.check("API root", err) != nil {
		return nil, err
	}
	cs, err := c.Collections(ctx, root)
	id := p.Collection
	if err == nil {
		for _, col := range cs {
			if col.ID == "" || col.Title == "" {
				err = fmt.Errorf("collection %q lacks an id or a title", col.ID)
				break
			}
			if id == "" && col.CanRead {
				id = col.ID
			}
		}
		if err == nil && id == "" {
			err = errors.New("no collection can be read")
		}
	}
	if p.check("collections", err) != nil {
		return nil, err
	}
	coll := root + "collections/" + id + "/"
	var col taxii.Collection
	err = p.get(ctx, coll, &col)
	if err == nil && (col.ID != id || !col.CanRead) {
		err = fmt.Errorf("collection %s reads as %+v", id, col)
	}
	if p.check("collection", err) != nil {
		return nil, err
	}

	// Every page of the objects, each read as a peer's pull reads it.
	pulled := &Pulled{}
	seen := map[string]bool{} // id and version
	var heads []objectHead
	pages, err := peer.Read(ctx, c, root, id, taxii.Query{Limit: limit}, func(page *taxii.Page, entities []ctis.Entity) error {
		if len(page.Objects) > limit {
			return fmt.Errorf("%d objects, over the limit %d", len(page.Objects), limit)
		}
		for _, raw := range page.Objects {
			h, err := headOf(raw)
			if err != nil {
				return err
			}
			if seen[h.key()] {
				return fmt.Errorf("object %s came again", h.key())
			}
			seen[h.key()] = true
			heads = append(heads, h)
		}
		pulled.Objects = append(pulled.Objects, page.Objects...)
		pulled.Entities = append(pulled.Entities, entities...)
		return nil
	})
	name := "objects, every page, each read by ctis's STIX reader"
	if err == nil {
		var n int
		n, err = sameStatements(pulled)
		name = fmt.Sprintf("%s (%d objects in %d pages of %d; %d statements, as in the whole)", name, len(pulled.Objects), pages, limit, n)
	}
	if p.check(name, err) != nil {
		return pulled, err
	}

	// The manifest lists the same objects.
	var records []struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
	}
	next := ""
	for i := 0; ; i++ {
		var m struct {
			More    bool   `json:"more"`
			Next    string `json:"next"`
			Objects []struct {
				ID        string `json:"id"`
				DateAdded string `json:"date_added"`
				Version   string `json:"version"`
			} `json:"objects"`
		}
		err = p.get(ctx, with(coll+"manifest/", "limit", strconv.Itoa(limit), "next", next), &m)
		records = append(records, m.Objects...)
		if err != nil || !m.More || i > 10000 {
			break
		}
		next = m.Next
	}
	if err == nil {
		if len(records) != len(pulled.Objects) {
			err = fmt.Errorf("the manifest lists %d objects, the collection holds %d", len(records), len(pulled.Objects))
		}
		for _, r := range records {
			if r.DateAdded == "" || !seen[r.ID+" "+r.Version] {
				err = fmt.Errorf("manifest record %s (version %s, added %q) is no object pulled", r.ID, r.Version, r.DateAdded)
				break
			}
		}
	}
	p.check("manifest, every page", err)

	// One object, by ID as a pull fetches one, and its versions.
	if len(heads) > 0 {
		h, last := heads[len(heads)-1], pulled.Objects[len(pulled.Objects)-1]
		page, err := c.Objects(ctx, root, id, taxii.Query{IDs: []string{h.ID}})
		if err == nil && (len(page.Objects) != 1 || !sameJSON(page.Objects[0], last)) {
			err = fmt.Errorf("object %s by ID differs from the one pulled", h.ID)
		}
		p.check("object by id (match[id])", err)
		var v struct {
			Versions []string `json:"versions"`
		}
		err = p.get(ctx, coll+"objects/"+h.ID+"/versions/", &v)
		if err == nil && !slices.Contains(v.Versions, h.version()) {
			err = fmt.Errorf("versions of %s are %v, without %s", h.ID, v.Versions, h.version())
		}
		p.check("object versions", err)
	}

	// Two pulls: the first stops after a page, the second resumes after
	// its X-TAXII-Date-Added-Last; together they read each object once.
	if pages > 1 {
		got := map[string]int{}
		var cursor time.Time
		take := func(page *taxii.Page, _ []ctis.Entity) error {
			for _, raw := range page.Objects {
				h, err := headOf(raw)
				if err != nil {
					return err
				}
				got[h.key()]++
			}
			cursor = page.AddedLast
			return nil
		}
		_, err := peer.Read(ctx, c, root, id, taxii.Query{Limit: limit}, func(page *taxii.Page, e []ctis.Entity) error {
			if err := take(page, e); err != nil {
				return err
			}
			return errCut
		})
		first := len(got)
		var second int
		if errors.Is(err, errCut) {
			second, err = peer.Read(ctx, c, root, id, taxii.Query{Limit: limit, AddedAfter: cursor}, take)
		}
		if err == nil {
			for key, n := range got {
				if n != 1 || !seen[key] {
					err = fmt.Errorf("object %s came %d times (in the collection: %v)", key, n, seen[key])
					break
				}
			}
		}
		if err == nil && len(got) != len(seen) {
			err = fmt.Errorf("the two pulls read %d objects of the %d", len(got), len(seen))
		}
		p.check(fmt.Sprintf("objects added_after, resumed: a pull of 1 page (%d objects), then from its X-TAXII-Date-Added-Last (%d objects in %d pages), each object once", first, len(got)-first, second), err)
	}
	return pulled, nil
}

// sameStatements checks that the statements read page by page are those
// of the objects read whole, as one bundle: an entity whose statements
// span pages is read on each, a statement once or, where a page had its
// entity fetched, again the same. It returns how many there are.
func sameStatements(pulled *Pulled) (int, error) {
	bundle, err := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + stix.UUID5([16]byte{}, "interop pull"), "objects": pulled.Objects})
	if err != nil {
		return 0, err
	}
	whole, err := stix.Decode(bundle)
	if err != nil {
		return 0, fmt.Errorf("the objects read as one bundle: %w", err)
	}
	want := statements(whole)
	got := map[string]ctis.Statement{}
	for _, e := range pulled.Entities {
		for _, s := range e.Statements {
			if g, ok := got[s.ID]; ok && !reflect.DeepEqual(g, s) {
				return 0, fmt.Errorf("statement %s reads differently on two pages", s.ID)
			}
			got[s.ID] = s
		}
	}
	if len(got) != len(want) {
		return 0, fmt.Errorf("the pages give %d statements, the whole %d", len(got), len(want))
	}
	for id, s := range want {
		if !reflect.DeepEqual(got[id], s) {
			return 0, fmt.Errorf("statement %s reads differently on its page and in the whole", id)
		}
	}
	return len(want), nil
}

func statements(entities []ctis.Entity) map[string]ctis.Statement {
	out := map[string]ctis.Statement{}
	for _, e := range entities {
		for _, s := range e.Statements {
			out[s.ID] = s
		}
	}
	return out
}

// get GETs u, an endpoint the TAXII client does not read, with the
// client's HTTP client and token, and decodes its TAXII JSON into v.
func (p *Puller) get(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", taxii.MediaType)
	if p.Client.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.Client.Token)
	}
	hc := p.Client.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", req.URL.Path, res.Status)
	}
	if t, params, err := mime.ParseMediaType(res.Header.Get("Content-Type")); err != nil || t != "application/taxii+json" || params["version"] != "2.1" {
		return fmt.Errorf("GET %s: Content-Type %q, want %s", req.URL.Path, res.Header.Get("Content-Type"), taxii.MediaType)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", req.URL.Path, err)
	}
	return nil
}

// with is u with the query parameters kv (name, value, …), those with a
// value.
func with(u string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
}

// BasicAuth is next (http.DefaultTransport if nil) sending every request
// with HTTP basic authentication, as medallion asks.
func BasicAuth(user, password string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.SetBasicAuth(user, password)
		return next.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type objectHead struct {
	ID       string `json:"id"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
}

func headOf(raw json.RawMessage) (objectHead, error) {
	var h objectHead
	if err := json.Unmarshal(raw, &h); err != nil || h.ID == "" {
		return h, fmt.Errorf("not a STIX object: %.100s", raw)
	}
	return h, nil
}

// version is the object's version: its modified, or its created for an
// object that is never modified (a marking definition).
func (h objectHead) version() string {
	if h.Modified != "" {
		return h.Modified
	}
	return h.Created
}

// key names one version of an object.
func (h objectHead) key() string { return h.ID + " " + h.version() }

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
