package taxii_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/stix"
	"ctis/taxii"
)

// TestClientAgainstServer pulls a collection of ctis's own TAXII server
// page by page, then again from the last date_added seen: the client
// meets every object once, with the headers the pages carry.
func TestClientAgainstServer(t *testing.T) {
	f := newFixture(t)
	open, western, own, org := f.seed()
	ctx := context.Background()
	c := &taxii.Client{Discovery: f.srv.URL + taxii.DiscoveryPath, Token: f.tokens["de.analyst"], Purpose: ctistest.Purpose}
	d, err := c.Discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.APIRoots) != 1 || d.Default != d.APIRoots[0] {
		t.Fatalf("discovery %+v", d)
	}
	root := d.APIRoots[0]
	if _, err := c.APIRoot(ctx, root); err != nil {
		t.Fatal(err)
	}
	cs, err := c.Collections(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	released := ""
	for _, col := range cs {
		if col.Alias == "released" {
			released = col.ID
		}
	}
	if released != taxii.ReleasedCollectionID(ctistest.DE) {
		t.Fatalf("no released collection among %+v", cs)
	}
	seen := map[string]int{}
	var last time.Time
	next := ""
	for pages := 0; ; pages++ {
		p, err := c.Objects(ctx, root, released, taxii.Query{Limit: 2, Next: next})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Objects) == 0 || p.AddedFirst.Before(last) || p.AddedLast.Before(p.AddedFirst) {
			t.Fatalf("page %d: %d objects, added %s to %s after %s", pages, len(p.Objects), p.AddedFirst, p.AddedLast, last)
		}
		last = p.AddedLast
		for _, o := range p.Objects {
			var h struct{ ID string }
			json.Unmarshal(o, &h)
			seen[h.ID]++
		}
		if !p.More {
			break
		}
		next = p.Next
	}
	for _, e := range []*ctis.Entity{open, western} {
		if seen["identity--"+stix.EntityUUID(e.ID)]+seen["threat-actor--"+stix.EntityUUID(e.ID)] != 1 {
			t.Errorf("entity %s read %v", e.ID, seen)
		}
	}
	if seen["identity--"+stix.EntityUUID(own.ID)] != 0 {
		t.Error("FR's own statement reached DE")
	}
	_ = org
	// Nothing was added since: a pull from the last date_added is empty.
	p, err := c.Objects(ctx, root, released, taxii.Query{AddedAfter: last})
	if err != nil || len(p.Objects) != 0 || p.More {
		t.Fatalf("pull after %s: %v %+v", last, err, p)
	}
	// The server's own errors reach the caller whole.
	_, err = c.Objects(ctx, root, taxii.ReleasedCollectionID(ctistest.FR), taxii.Query{})
	var se *taxii.ServerError
	if !errors.As(err, &se) || se.Status != 404 || se.Code != ctis.ENOTFOUND || !strings.Contains(err.Error(), "404") {
		t.Fatalf("another's collection: %v", err)
	}
	_, err = c.Objects(ctx, root, released, taxii.Query{Next: "garbage"})
	if !errors.As(err, &se) || se.Status != 400 || se.Field != "next" || !strings.Contains(err.Error(), "field next") {
		t.Fatalf("bad next: %v", err)
	}
	bad := &taxii.Client{Discovery: c.Discovery, Token: "nope", Purpose: ctistest.Purpose}
	if _, err := bad.Collections(ctx, root); !errors.As(err, &se) || se.Status != 401 {
		t.Fatalf("bad token: %v", err)
	}
}

// TestDiscoveryRoot: a client reads the default API root, or else the
// first listed.
func TestDiscoveryRoot(t *testing.T) {
	for _, c := range []struct {
		d    taxii.DiscoveryInfo
		want string
	}{
		{taxii.DiscoveryInfo{Default: "https://a/api1/", APIRoots: []string{"https://a/api2/", "https://a/api1/"}}, "https://a/api1/"},
		{taxii.DiscoveryInfo{APIRoots: []string{"https://a/api2/", "https://a/api1/"}}, "https://a/api2/"},
		{taxii.DiscoveryInfo{}, ""},
	} {
		if got := c.d.Root(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.d, got, c.want)
		}
	}
}

// TestClientRefusesBadResponses runs the client against a hand-written
// server that breaks the protocol in each way a peer might: each is a
// clear error naming the problem.
func TestClientRefusesBadResponses(t *testing.T) {
	const coll = "5f0c5e9a-732d-4b61-8e10-4ad2963b57c4"
	obj := `{"type":"identity","id":"identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","spec_version":"2.1"}`
	cases := []struct {
		name, contentType, body string
		status                  int
		headers                 map[string]string
		want                    string
	}{
		{"wrong media type", "text/html", `{"more":false}`, 200, nil, "not application/taxii+json"},
		{"not json", taxii.MediaType, `<html>`, 200, nil, "malformed JSON"},
		{"unknown key", taxii.MediaType, `{"more":false,"objects":[],"extra":1}`, 200, nil, `unknown field "extra"`},
		{"more without next", taxii.MediaType, `{"more":true,"objects":[` + obj + `]}`, 200, dated, "no next token"},
		{"object without id", taxii.MediaType, `{"more":false,"objects":[{"type":"identity"}]}`, 200, dated, "objects[0]"},
		{"object twice", taxii.MediaType, `{"more":false,"objects":[` + obj + `,` + obj + `]}`, 200, dated, "given twice"},
		{"no date headers", taxii.MediaType, `{"more":false,"objects":[` + obj + `]}`, 200, nil, "X-TAXII-Date-Added-First"},
		{"oversized", taxii.MediaType, `{"more":false,"objects":[` + obj + strings.Repeat(" ", 4096) + `]}`, 200, dated, "larger than 4096 bytes"},
		{"error message", taxii.MediaType, `{"title":"Forbidden","description":"this needs the analyst role","error_code":"forbidden","http_status":"403"}`, 403, nil, "403 Forbidden: this needs the analyst role (error_code forbidden)"},
		{"error without body", "text/plain", `oops`, 502, nil, "502 Bad Gateway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Accept") != taxii.MediaType {
					t.Errorf("Accept %q", r.Header.Get("Accept"))
				}
				for k, v := range tc.headers {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := &taxii.Client{Discovery: srv.URL + "/taxii2/", MaxPage: 4096}
			_, err := c.Objects(context.Background(), srv.URL+"/taxii2/api/", coll, taxii.Query{Limit: 10})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "/taxii2/api/collections/"+coll+"/objects/") {
				t.Errorf("the error does not name the endpoint: %v", err)
			}
		})
	}
}

var dated = map[string]string{"X-TAXII-Date-Added-First": "2026-03-01T09:00:00.000Z", "X-TAXII-Date-Added-Last": "2026-03-01T09:00:00.000Z"}

// FuzzReadEnvelope: whatever a peer sends, the envelope reader returns
// an envelope or an error, and an envelope it returns holds objects each
// with a type and an identifier of that type, given once.
func FuzzReadEnvelope(f *testing.F) {
	f.Add(`{"more":false}`)
	f.Add(`{"more":true,"next":"abc","objects":[{"type":"identity","id":"identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"}]}`)
	f.Add(`{"objects":[{"type":"x","id":"x--1"}]}`)
	f.Add(`{"more":false,"more":true}`)
	f.Fuzz(func(t *testing.T, in string) {
		env, err := taxii.ReadEnvelope(strings.NewReader(in), 1<<16)
		if err != nil {
			if env != nil {
				t.Fatal("an envelope with an error")
			}
			return
		}
		if env.More && env.Next == "" || len(env.Objects) > taxii.MaxPageObjects {
			t.Fatalf("accepted %+v", env)
		}
		ids := map[string]bool{}
		for _, o := range env.Objects {
			var h struct{ Type, ID string }
			if json.Unmarshal(o, &h) != nil || !strings.HasPrefix(h.ID, h.Type+"--") || ids[h.ID] {
				t.Fatalf("accepted object %s", o)
			}
			ids[h.ID] = true
		}
	})
}
