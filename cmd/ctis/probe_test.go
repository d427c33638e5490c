package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"ctis/demo"
)

// The probe tests replay, against a served demo node, the requests with
// which a probe of the running node found faults, and assert the fixed
// answers. Each area of faults has its own file, probe_*_test.go, built
// on the node and clients below.

// probeNode is a demo node served over HTTP, as `ctis serve --demo` serves
// it: the same assembler, the same seed, the same handler.
type probeNode struct {
	*runningNode
	URL    string
	tokens map[string]string // demo username → API token
}

// newProbeNode serves a new demo node for one test.
func newProbeNode(t *testing.T) *probeNode {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	o := &options{db: filepath.Join(t.TempDir(), "demo.db"), reviewPolicy: "flag"}
	n, err := startNode(ctx, o, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(n.handler)
	t.Cleanup(func() {
		srv.Close()
		cancel()
		n.Close()
	})
	p := &probeNode{runningNode: n, URL: srv.URL, tokens: map[string]string{}}
	for _, l := range n.logins {
		p.tokens[l.Username] = l.Token
	}
	return p
}

// probeReply is one answer, its body read.
type probeReply struct {
	Status int
	Header http.Header
	Body   string
}

// JSON decodes the reply's body into v.
func (r probeReply) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("reply is not JSON: %v\n%s", err, r.Body)
	}
}

// Want fails the test unless the reply has the status.
func (r probeReply) Want(t *testing.T, status int) probeReply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// API sends one API request as a demo user (with its Bearer token; ""
// for none). body is sent as is when it is a string or []byte, and as
// JSON otherwise; header entries are "Name: value".
func (p *probeNode) API(t *testing.T, user, method, path string, body any, header ...string) probeReply {
	t.Helper()
	var rd io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, contentType = strings.NewReader(b), "application/json"
	case []byte:
		rd, contentType = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, p.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		token, ok := p.tokens[user]
		if !ok {
			t.Fatalf("no demo user %q", user)
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return p.do(t, http.DefaultClient, req)
}

func (p *probeNode) do(t *testing.T, c *http.Client, req *http.Request) probeReply {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return probeReply{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// browser is a signed-in user of the pages: a cookie jar that does not
// follow redirects, so that each answer can be asserted.
type browser struct {
	p *probeNode
	c *http.Client
}

// Browser signs a demo user in through the login page.
func (p *probeNode) Browser(t *testing.T, user string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{p: p, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	login := b.Get(t, "/login")
	form := url.Values{"username": {user}, "password": {demo.Password}}
	if token := formToken(login.Body); token != "" {
		form.Set("csrf", token)
	}
	res := b.Post(t, "/login", form)
	if res.Status != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d: %s", user, res.Status, res.Body)
	}
	return b
}

// Get fetches a page.
func (b *browser) Get(t *testing.T, path string) probeReply {
	t.Helper()
	req, err := http.NewRequest("GET", b.p.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.p.do(t, b.c, req)
}

// Post sends a form as the node's own pages do (same origin).
func (b *browser) Post(t *testing.T, path string, form url.Values) probeReply {
	t.Helper()
	req, err := http.NewRequest("POST", b.p.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.p.URL)
	return b.p.do(t, b.c, req)
}

// PostForm sends a form with the form token of the page at from.
func (b *browser) PostForm(t *testing.T, from, path string, form url.Values) probeReply {
	t.Helper()
	page := b.Get(t, from)
	token := formToken(page.Body)
	if token == "" {
		t.Fatalf("page %s has no form token (status %d)", from, page.Status)
	}
	form.Set("csrf", token)
	return b.Post(t, path, form)
}

// PostFile sends a multipart form with one file, and the form token of
// the page at from, as the node's own upload forms do.
func (b *browser) PostFile(t *testing.T, from, path string, form url.Values, field, filename string, content []byte) probeReply {
	t.Helper()
	token := formToken(b.Get(t, from).Body)
	if token == "" {
		t.Fatalf("page %s has no form token", from)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", token)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile(field, filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	req, err := http.NewRequest("POST", b.p.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", b.p.URL)
	return b.p.do(t, b.c, req)
}

// formToken reads the form token of a page, "" when it has none.
func formToken(body string) string {
	_, after, ok := strings.Cut(body, `name="csrf" value="`)
	if !ok {
		return ""
	}
	token, _, _ := strings.Cut(after, `"`)
	return token
}

// TestProbeNodeServes checks the probe harness itself: the API answers a
// demo token, and the pages a signed-in demo user.
func TestProbeNodeServes(t *testing.T) {
	p := newProbeNode(t)
	p.API(t, "analyst.fr", "GET", "/api/v1/search?name=abou+moussa&purpose=probe", nil).Want(t, http.StatusOK)
	p.API(t, "", "GET", "/api/v1/search?name=abou+moussa&purpose=probe", nil).Want(t, http.StatusUnauthorized)
	b := p.Browser(t, "analyst.de")
	if page := b.Get(t, "/search?name=abou+moussa&purpose=probe"); page.Status != http.StatusOK || !strings.Contains(page.Body, "analyst.de") {
		t.Fatalf("search page: status %d", page.Status)
	}
}
