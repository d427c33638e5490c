package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/jsonl"
)

// DefaultMaxPage bounds one response a Client reads when not told
// otherwise: a page of objects larger than this is refused, not read in
// part.
const DefaultMaxPage = 16 << 20

// MaxPageObjects bounds the objects of one page a Client accepts,
// whatever their size: more than any limit a client asks for.
const MaxPageObjects = 1000

// Client speaks TAXII 2.1 to one server, as a node pulling a peer's
// collection does: discovery, API root, collections, and a collection's
// objects page by page. It only reads; it knows nothing of what the
// objects say.
type Client struct {
	// Discovery is the URL of the server's discovery endpoint, such as
	// https://node-a.example/taxii2/.
	Discovery string
	// HTTP sends the requests; it holds the TLS configuration (the
	// client's certificate, the server's pinned one). nil means
	// http.DefaultClient.
	HTTP *http.Client
	// Token, if set, is sent as a bearer token, and Purpose as the
	// Ctis-Purpose header, as a ctis server asks of a read.
	Token   string
	Purpose string
	// MaxPage bounds the bytes of one response; zero means
	// DefaultMaxPage.
	MaxPage int64
}

// ServerError is a response that is not a success: its status and what
// the server's TAXII error message says.
type ServerError struct {
	Method, Path string
	Status       int
	// Title, Description, Code and Field are the error message's
	// title, description, ctis error_code and details.field, when the
	// body was one.
	Title, Description, Code, Field string
}

func (e *ServerError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "taxii: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if e.Code != "" {
		b.WriteString(" (error_code " + e.Code)
		if e.Field != "" {
			b.WriteString(", field " + e.Field)
		}
		b.WriteString(")")
	}
	return b.String()
}

// ProtocolError is a response that breaks the protocol: the wrong media
// type, a body that is not what the endpoint answers, a page too large.
type ProtocolError struct {
	Method, Path string
	Err          error
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("taxii: %s %s: %v", e.Method, e.Path, e.Err)
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// DiscoveryInfo is what a discovery endpoint answers.
type DiscoveryInfo struct {
	Title    string   `json:"title"`
	Default  string   `json:"default,omitempty"`
	APIRoots []string `json:"api_roots,omitempty"`
}

// Root is the API root a client reads: the default, or else the first
// listed; empty if the discovery names none.
func (d *DiscoveryInfo) Root() string {
	if d.Default == "" && len(d.APIRoots) > 0 {
		return d.APIRoots[0]
	}
	return d.Default
}

// APIRoot is what an API root answers.
type APIRoot struct {
	Title            string   `json:"title"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Collection is a collection as a server lists it.
type Collection struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Alias      string   `json:"alias,omitempty"`
	CanRead    bool     `json:"can_read"`
	CanWrite   bool     `json:"can_write"`
	MediaTypes []string `json:"media_types,omitempty"`
}

// Query selects a collection's objects: those added after AddedAfter (if
// set), Limit at a time (the server's default if 0), from the page Next
// names, only the objects IDs names (if any).
type Query struct {
	AddedAfter time.Time
	Limit      int
	Next       string
	IDs        []string
}

// Page is one page of a collection's objects.
type Page struct {
	Envelope
	// AddedFirst and AddedLast are the date_added of the page's first
	// and last objects, from the X-TAXII-Date-Added-First and -Last
	// headers; zero on an empty page.
	AddedFirst, AddedLast time.Time
}

// Discover reads the discovery endpoint.
func (c *Client) Discover(ctx context.Context) (*DiscoveryInfo, error) {
	var d DiscoveryInfo
	if _, err := c.get(ctx, c.Discovery, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// APIRoot reads the API root at root, a URL the discovery gave.
func (c *Client) APIRoot(ctx context.Context, root string) (*APIRoot, error) {
	var a APIRoot
	if _, err := c.get(ctx, root, &a); err != nil {
		return nil, err
	}
	if len(a.Versions) > 0 && !versionOK(a.Versions) {
		return nil, &ProtocolError{"GET", pathOf(root), fmt.Errorf("the API root speaks %s, not %s", strings.Join(a.Versions, ", "), MediaType)}
	}
	return &a, nil
}

func versionOK(vs []string) bool {
	for _, v := range vs {
		if t, p, err := mime.ParseMediaType(v); err == nil && t == "application/taxii+json" && p["version"] == "2.1" {
			return true
		}
	}
	return false
}

// Collections lists the collections of the API root at root.
func (c *Client) Collections(ctx context.Context, root string) ([]Collection, error) {
	var out struct {
		Collections []Collection `json:"collections"`
	}
	if _, err := c.get(ctx, strings.TrimSuffix(root, "/")+"/collections/", &out); err != nil {
		return nil, err
	}
	return out.Collections, nil
}

// Objects reads one page of a collection's objects.
func (c *Client) Objects(ctx context.Context, root, collection string, q Query) (*Page, error) {
	if !validID(collection) {
		return nil, ctis.Invalid("collection", "%q is not a collection ID", collection)
	}
	v := url.Values{}
	if !q.AddedAfter.IsZero() {
		v.Set("added_after", stixTime(q.AddedAfter))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Next != "" {
		v.Set("next", q.Next)
	}
	if len(q.IDs) > 0 {
		v.Set("match[id]", strings.Join(q.IDs, ","))
	}
	u := strings.TrimSuffix(root, "/") + "/collections/" + collection + "/objects/"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	resp, body, err := c.do(ctx, u)
	if err != nil {
		return nil, err
	}
	p := &Page{}
	fail := func(err error) (*Page, error) { return nil, &ProtocolError{"GET", pathOf(u), err} }
	env, err := ReadEnvelope(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return fail(err)
	}
	p.Envelope = *env
	if len(p.Objects) > 0 {
		for _, h := range []struct {
			name string
			t    *time.Time
		}{{"X-TAXII-Date-Added-First", &p.AddedFirst}, {"X-TAXII-Date-Added-Last", &p.AddedLast}} {
			v := resp.Header.Get(h.name)
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil || !strings.HasSuffix(v, "Z") {
				return fail(fmt.Errorf("a page of objects needs a %s header with a timestamp, got %q", h.name, v))
			}
			*h.t = t
		}
		if p.AddedLast.Before(p.AddedFirst) {
			return fail(errors.New("X-TAXII-Date-Added-Last is before X-TAXII-Date-Added-First"))
		}
		if !q.AddedAfter.IsZero() && !p.AddedFirst.After(q.AddedAfter) {
			return fail(fmt.Errorf("asked for objects added after %s, got one added %s", stixTime(q.AddedAfter), stixTime(p.AddedFirst)))
		}
	}
	return p, nil
}

// get reads u into v.
func (c *Client) get(ctx context.Context, u string, v any) (*http.Response, error) {
	resp, body, err := c.do(ctx, u)
	if err != nil {
		return nil, err
	}
	// Other properties than those read are the server's own to add.
	if err := json.Unmarshal(body, v); err != nil {
		return nil, &ProtocolError{"GET", pathOf(u), fmt.Errorf("the body is not what the endpoint answers: %v", jsonl.JSONError(err))}
	}
	return resp, nil
}

// do sends a GET of u and reads the response, at most MaxPage bytes; a
// status other than 200 is a *ServerError.
func (c *Client) do(ctx context.Context, u string) (*http.Response, []byte, error) {
	path := pathOf(u)
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("taxii: GET %s: %w", path, err)
	}
	req.Header.Set("Accept", MediaType)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Purpose != "" {
		req.Header.Set("Ctis-Purpose", c.Purpose)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("taxii: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	max := c.MaxPage
	if max <= 0 {
		max = DefaultMaxPage
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("taxii: GET %s: reading the response: %w", path, err)
	}
	if int64(len(body)) > max {
		return nil, nil, &ProtocolError{"GET", path, fmt.Errorf("the response is larger than %d bytes", max)}
	}
	if resp.StatusCode != http.StatusOK {
		e := &ServerError{Method: "GET", Path: path, Status: resp.StatusCode}
		var msg errorMessage
		if json.Unmarshal(body, &msg) == nil {
			e.Title, e.Description, e.Code, e.Field = msg.Title, msg.Description, msg.ErrorCode, msg.Details["field"]
		}
		return nil, nil, e
	}
	if t, p, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || t != "application/taxii+json" || p["version"] != "2.1" {
		return nil, nil, &ProtocolError{"GET", path, fmt.Errorf("the response is %q, not %s", resp.Header.Get("Content-Type"), MediaType)}
	}
	return resp, body, nil
}

// pathOf is u without its query, for errors: the path says which
// endpoint failed, and the query holds nothing an operator needs.
func pathOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Path
	}
	return "(an unreadable URL)"
}

// validID reports whether s has the shape of a collection ID: a UUID.
func validID(s string) bool {
	return len(s) == 36 && strings.Trim(s, "0123456789abcdef-") == "" && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
}

// Envelope is a TAXII 2.1 envelope of objects, as ReadEnvelope reads it.
type Envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

// ReadEnvelope reads a TAXII envelope of at most max bytes, strictly: a
// key given twice or not of the envelope, an object without a type and
// an identifier of that type, an identifier given twice, more objects
// than MaxPageObjects, or more without a next token are refused, naming
// what is wrong. It does not read what the objects say.
func ReadEnvelope(r io.Reader, max int64) (*Envelope, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, ctis.Errorf(ctis.ETOOLARGE, "the envelope is larger than %d bytes", max)
	}
	var env Envelope
	if err := jsonl.DecodeStrict(data, &env); err != nil {
		return nil, err
	}
	if len(env.Objects) > MaxPageObjects {
		return nil, ctis.Errorf(ctis.ETOOLARGE, "the envelope holds %d objects, more than %d", len(env.Objects), MaxPageObjects)
	}
	if env.More && env.Next == "" {
		return nil, ctis.Invalid("next", "more objects follow but the envelope gives no next token")
	}
	if len(env.Next) > 1024 {
		return nil, ctis.Invalid("next", "the next token is longer than 1024 bytes")
	}
	seen := make(map[string]bool, len(env.Objects))
	for i, raw := range env.Objects {
		var o struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, ctis.Invalid("objects["+strconv.Itoa(i)+"]", "not a JSON object")
		}
		if typ, _, ok := strings.Cut(o.ID, "--"); !ok || typ != o.Type || !validObjectID(o.ID) {
			return nil, ctis.Invalid("objects["+strconv.Itoa(i)+"]", "an object needs a type and an identifier of that type (type--UUID), got type %q and id %q", o.Type, o.ID)
		}
		if seen[o.ID] {
			return nil, ctis.Invalid("objects["+strconv.Itoa(i)+"]", "object %s is given twice", o.ID)
		}
		seen[o.ID] = true
	}
	return &env, nil
}
