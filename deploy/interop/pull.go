package interop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// taxiiMediaType is TAXII 2.1's media type, as a client asks for it.
const taxiiMediaType = "application/taxii+json;version=2.1"

// Step is one checked step of a run: its name, and why it failed (empty
// if it passed).
type Step struct {
	Name   string
	Failed string
}

// Puller reads a TAXII 2.1 server as a ctis node would pull a peer's
// collection, with net/http alone: discovery, the API root, the
// collections, then every page of one collection's objects (limit and
// next), its manifest, one object, its versions, and an added_after pull.
type Puller struct {
	Client *http.Client
	// Discovery is the URL of the server's discovery endpoint.
	Discovery string
	// Authorize sets a request's credentials.
	Authorize func(*http.Request)
	// Collection is the ID of the collection to pull; empty means the
	// first the server lists that can be read.
	Collection string
	// Limit is the page size asked for; zero means 10.
	Limit int

	Steps []Step
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

// get GETs u and decodes its TAXII JSON into v, checking the status and
// the content type. It returns the response's headers.
func (p *Puller) get(ctx context.Context, u string, v any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", taxiiMediaType)
	if p.Authorize != nil {
		p.Authorize(req)
	}
	c := p.Client
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.200s", req.URL.Path, res.Status, b)
	}
	t, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || t != "application/taxii+json" || params["version"] != "2.1" {
		return nil, fmt.Errorf("GET %s: Content-Type %q, want %s", req.URL.Path, res.Header.Get("Content-Type"), taxiiMediaType)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("GET %s: %w", req.URL.Path, err)
	}
	return res.Header, nil
}

// with is u with the query parameters kv (name, value, …).
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

// PulledEnvelope is a TAXII envelope as Pull reads it.
type PulledEnvelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

type objectHead struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Spec     string `json:"spec_version"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
}

// version is the object's version: its modified, or its created for an
// object that is never modified (a marking definition).
func (h objectHead) version() string {
	if h.Modified != "" {
		return h.Modified
	}
	return h.Created
}

// Pull runs every step, in order, and returns the collection's objects as
// they came, page after page. A failed step is recorded in p.Steps; Pull
// stops at the first step that the later ones need.
func (p *Puller) Pull(ctx context.Context) ([]json.RawMessage, error) {
	limit := p.Limit
	if limit == 0 {
		limit = 10
	}
	var disc struct {
		Title    string   `json:"title"`
		Default  string   `json:"default"`
		APIRoots []string `json:"api_roots"`
	}
	_, err := p.get(ctx, p.Discovery, &disc)
	if err == nil && (disc.Title == "" || len(disc.APIRoots) == 0) {
		err = fmt.Errorf("discovery has no title or no api_roots: %+v", disc)
	}
	if p.check("discovery", err) != nil {
		return nil, err
	}
	root := disc.Default
	if root == "" {
		root = disc.APIRoots[0]
	}
	// An API root may be given relative to the discovery URL.
	if ru, err := url.Parse(root); err == nil {
		if du, err := url.Parse(p.Discovery); err == nil {
			root = du.ResolveReference(ru).String()
		}
	}
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	var info struct {
		Title            string   `json:"title"`
		Versions         []string `json:"versions"`
		MaxContentLength int64    `json:"max_content_length"`
	}
	_, err = p.get(ctx, root, &info)
	if err == nil && (info.Title == "" || !slices.ContainsFunc(info.Versions, isTAXII21) || info.MaxContentLength <= 0) {
		err = fmt.Errorf("API root lacks a title, TAXII 2.1 in versions, or max_content_length: %+v", info)
	}
	if p.check("API root", err) != nil {
		return nil, err
	}
	var list struct {
		Collections []struct {
			ID         string   `json:"id"`
			Title      string   `json:"title"`
			CanRead    *bool    `json:"can_read"`
			CanWrite   *bool    `json:"can_write"`
			MediaTypes []string `json:"media_types"`
		} `json:"collections"`
	}
	_, err = p.get(ctx, root+"collections/", &list)
	id := p.Collection
	if err == nil {
		for _, c := range list.Collections {
			if c.ID == "" || c.Title == "" || c.CanRead == nil || c.CanWrite == nil {
				err = fmt.Errorf("collection %q lacks id, title, can_read or can_write", c.ID)
				break
			}
			if id == "" && *c.CanRead {
				id = c.ID
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
	var c struct {
		ID      string `json:"id"`
		CanRead bool   `json:"can_read"`
	}
	_, err = p.get(ctx, coll, &c)
	if err == nil && (c.ID != id || !c.CanRead) {
		err = fmt.Errorf("collection %s reads as %+v", id, c)
	}
	if p.check("collection", err) != nil {
		return nil, err
	}

	// Every page of the objects.
	var objects []json.RawMessage
	var firstLast string
	next, pages := "", 0
	for {
		var env PulledEnvelope
		h, err := p.get(ctx, with(coll+"objects/", "limit", strconv.Itoa(limit), "next", next), &env)
		if err == nil && len(env.Objects) > limit {
			err = fmt.Errorf("page %d has %d objects, over the limit %d", pages+1, len(env.Objects), limit)
		}
		if err == nil && len(env.Objects) > 0 && (h.Get("X-TAXII-Date-Added-First") == "" || h.Get("X-TAXII-Date-Added-Last") == "") {
			err = fmt.Errorf("page %d has no X-TAXII-Date-Added-First or -Last", pages+1)
		}
		if err == nil && env.More && env.Next == "" {
			err = fmt.Errorf("page %d has more but no next", pages+1)
		}
		if err != nil {
			p.check("objects, every page", err)
			return objects, err
		}
		if pages == 0 {
			firstLast = h.Get("X-TAXII-Date-Added-Last")
		}
		pages++
		objects = append(objects, env.Objects...)
		if !env.More {
			break
		}
		if pages > 10000 {
			err = errors.New("more than 10,000 pages")
			p.check("objects, every page", err)
			return objects, err
		}
		next = env.Next
	}
	heads := make([]objectHead, len(objects))
	seen := map[string]bool{}
	for i, raw := range objects {
		if err := json.Unmarshal(raw, &heads[i]); err != nil || heads[i].ID == "" || heads[i].Type == "" {
			err = fmt.Errorf("object %d is not a STIX object: %.100s", i, raw)
			p.check("objects, every page", err)
			return objects, err
		}
		key := heads[i].ID + " " + heads[i].version()
		if seen[key] {
			err = fmt.Errorf("object %s came twice", key)
			p.check("objects, every page", err)
			return objects, err
		}
		seen[key] = true
	}
	p.check(fmt.Sprintf("objects, every page (%d objects in %d pages of %d)", len(objects), pages, limit), nil)

	// The manifest lists the same objects.
	var records []struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
	}
	next = ""
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
		_, err = p.get(ctx, with(coll+"manifest/", "limit", strconv.Itoa(limit), "next", next), &m)
		if err != nil || !m.More || i > 10000 {
			records = append(records, m.Objects...)
			break
		}
		records = append(records, m.Objects...)
		next = m.Next
	}
	if err == nil {
		if len(records) != len(objects) {
			err = fmt.Errorf("the manifest lists %d objects, the collection holds %d", len(records), len(objects))
		}
		for _, r := range records {
			if r.DateAdded == "" || !seen[r.ID+" "+r.Version] {
				err = fmt.Errorf("manifest record %s (version %s, added %q) is no object pulled", r.ID, r.Version, r.DateAdded)
				break
			}
		}
	}
	p.check("manifest, every page", err)

	// One object, by ID, and its versions.
	if len(heads) > 0 {
		h := heads[len(heads)-1]
		var env PulledEnvelope
		_, err = p.get(ctx, coll+"objects/"+h.ID+"/", &env)
		if err == nil && (len(env.Objects) == 0 || !sameJSON(env.Objects[len(env.Objects)-1], objects[len(objects)-1])) {
			err = fmt.Errorf("object %s by ID differs from the one pulled", h.ID)
		}
		p.check("object by id", err)
		var v struct {
			Versions []string `json:"versions"`
		}
		_, err = p.get(ctx, coll+"objects/"+h.ID+"/versions/", &v)
		want := h.version()
		if err == nil && !slices.Contains(v.Versions, want) {
			err = fmt.Errorf("versions of %s are %v, without %s", h.ID, v.Versions, want)
		}
		p.check("object versions", err)
	}

	// What was added after the first page.
	if firstLast != "" {
		var env PulledEnvelope
		_, err = p.get(ctx, with(coll+"objects/", "added_after", firstLast, "limit", strconv.Itoa(limit)), &env)
		if err == nil {
			for _, raw := range env.Objects {
				if slices.ContainsFunc(objects[:min(limit, len(objects))], func(o json.RawMessage) bool { return sameJSON(o, raw) }) && len(objects) > limit {
					err = fmt.Errorf("added_after %s gave an object of the first page again", firstLast)
				}
			}
			if len(objects) > limit && len(env.Objects) == 0 {
				err = fmt.Errorf("added_after %s gave nothing, but more than a page was pulled", firstLast)
			}
		}
		p.check("objects added_after the first page", err)
	}
	return objects, nil
}

func isTAXII21(s string) bool {
	t, p, err := mime.ParseMediaType(s)
	return err == nil && t == "application/taxii+json" && p["version"] == "2.1"
}

// sameJSON reports whether a and b are the same JSON value.
func sameJSON(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
