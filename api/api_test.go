package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/feed"
	"ctis/store"
)

const (
	testPurpose = "case 2026/17"
	// password is the password of fr.analyst, the one user who logs in.
	password = "correct horse battery staple"
)

// fixture is a running API on a fresh SQLite store seeded by the test kit
// (FR-DGSI, DE-BKA and JO-GID; FR and DE share the group "western"), with
// the users below.
type fixture struct {
	t      *testing.T
	db     *store.DB
	srv    *httptest.Server
	doc    *openAPI
	log    *ctistest.Log
	tokens map[string]string // API tokens by username
	users  map[string]string // user IDs by username
	// covered records the routes that answered with a 2xx status.
	covered   map[string]bool
	coveredMu sync.Mutex
	// ahead moves the store's clock forward, for retention.
	ahead atomic.Int64
}

// users are the fixture's users: FR-DGSI has one of each role, DE-BKA an
// analyst, JO-GID none.
var users = []ctis.NewUser{
	{Username: "fr.admin", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAdmin}},
	{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: password},
	{Username: "fr.border", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleFrontline}},
	{Username: "fr.auditor", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAuditor}},
	{Username: "de.analyst", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "fr.approver", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleApprover, ctis.RoleDPO}},
}

// system acts as the local operator, who administers the node directly.
var system = ctistest.System

// engine is the store engine the package's tests run on: TestMain runs
// them all on each of ctistest.Engines in turn.
var engine ctistest.Engine

func TestMain(m *testing.M) { os.Exit(ctistest.RunEngines(m, &engine)) }

// newFixture starts the API. configure, if given, adjusts the Server
// before its handler is made.
func newFixture(t *testing.T, configure ...func(*Server)) *fixture {
	t.Helper()
	f := &fixture{t: t, doc: loadOpenAPI(t), log: &ctistest.Log{}, tokens: map[string]string{}, users: map[string]string{}, covered: map[string]bool{}}
	n := ctistest.OpenStore(t, engine, store.Options{
		Now: func() time.Time { return time.Now().Add(time.Duration(f.ahead.Load())) }})
	f.db = n.DB
	ctistest.Seed(t, n.Services)
	for _, nu := range users {
		u, token, err := n.Directory.CreateUser(system, nu)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.Username], f.users[u.Username] = token, u.ID
	}
	log := slog.New(slog.NewTextHandler(f.log, nil))
	hub, err := feed.NewHub(context.Background(), n.DB, log)
	if err != nil {
		t.Fatal(err)
	}
	services := n.Services
	services.Events = hub.Events(n.DB)
	s := &Server{Services: services, Logger: log, Feed: hub}
	for _, c := range configure {
		c(s)
	}
	f.srv = httptest.NewServer(s.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// call is one request to the API.
type call struct {
	method, path string
	// as names the user whose token is sent; empty sends none.
	as string
	// token, if set, is sent instead of as's.
	token       string
	contentType string
	body        string
	// header adds request headers. Unless it sets Ctis-Purpose, the
	// fixture's purpose is sent with every authenticated call.
	header map[string]string
	// remote, if set, is the client's address. A real connection cannot
	// fake its peer, so such a call is served in process.
	remote string
	// unsized sends the body without a Content-Length, as a stream.
	unsized bool
}

// reply is what the API answered.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends c and checks the reply against the OpenAPI document.
func (f *fixture) do(c call) reply {
	f.t.Helper()
	req, err := http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		f.t.Fatal(err)
	}
	if c.unsized {
		req.ContentLength = -1
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	token := c.token
	if token == "" && c.as != "" {
		token = f.tokens[c.as]
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Ctis-Purpose", testPurpose)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	var res *http.Response
	if c.remote != "" {
		req.RemoteAddr = c.remote
		rec := httptest.NewRecorder()
		f.srv.Config.Handler.ServeHTTP(rec, req)
		res = rec.Result()
	} else if res, err = f.srv.Client().Do(req); err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	r := reply{status: res.StatusCode, header: res.Header, body: body}
	for _, e := range f.doc.conform(c.method, c.path, r.status, r.header, r.body) {
		f.t.Errorf("%s %s → %d: %s", c.method, c.path, r.status, e)
	}
	if r.status < 300 {
		for _, e := range f.doc.requestConforms(c.method, c.path, c.contentType, []byte(c.body)) {
			f.t.Errorf("%s %s → %d: %s", c.method, c.path, r.status, e)
		}
		if _, pattern := f.doc.operation(c.method, c.path); pattern != "" {
			f.coveredMu.Lock()
			f.covered[pattern] = true
			f.coveredMu.Unlock()
		}
	}
	return r
}

// post sends a JSON body as user as.
func (f *fixture) post(as, path string, body any) reply {
	f.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.do(call{method: "POST", path: path, as: as, contentType: "application/json", body: string(b)})
}

// want fails the test unless r has status; it returns r for chaining.
func (r reply) want(t *testing.T, status int) reply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

func (r reply) problem(t *testing.T) problem {
	t.Helper()
	var p problem
	r.decode(t, &p)
	return p
}

// person is a new Person with a name released to all members.
func person(name string) ctis.NewEntity {
	return ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: name, Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}, Grading: "B2"},
	}}
}

// create stores e as user as through the API and returns it.
func (f *fixture) create(as string, e ctis.NewEntity) ctis.Entity {
	f.t.Helper()
	var out ctis.Entity
	f.post(as, "/api/v1/entities", e).want(f.t, http.StatusCreated).decode(f.t, &out)
	return out
}

func TestLoginSessionLogout(t *testing.T) {
	f := newFixture(t)
	p := f.post("", "/api/v1/auth/login", loginRequest{Username: "fr.analyst", Password: "wrong password!"}).want(t, http.StatusUnauthorized).problem(t)
	if p.Code != ctis.EUNAUTHORIZED {
		t.Errorf("wrong password: code %q", p.Code)
	}
	var s session
	f.post("", "/api/v1/auth/login", loginRequest{Username: "FR.Analyst", Password: password}).want(t, http.StatusOK).decode(t, &s)
	if s.User.Username != "fr.analyst" || s.User.Agency != "FR-DGSI" || !slices.Equal(s.User.Roles, []ctis.Role{ctis.RoleAnalyst}) {
		t.Errorf("session user %+v", s.User)
	}
	f.do(call{method: "GET", path: "/api/v1/agencies", token: s.Token}).want(t, http.StatusOK)
	f.do(call{method: "POST", path: "/api/v1/auth/logout", token: s.Token}).want(t, http.StatusNoContent)
	r := f.do(call{method: "GET", path: "/api/v1/agencies", token: s.Token}).want(t, http.StatusUnauthorized)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
}

// TestNotFoundIdentical checks that an entity hidden by handling and an
// absent one cannot be told apart by anything in the response.
func TestNotFoundIdentical(t *testing.T) {
	f := newFixture(t)
	hidden := f.create("de.analyst", ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Verborgene Person", Handling: ctis.Handling{Distribution: ctis.DistOriginator}},
	}})
	absent := ctis.NewID()
	get := func(id string) reply {
		return f.do(call{method: "GET", path: "/api/v1/entities/" + id, as: "fr.analyst"}).want(t, http.StatusNotFound)
	}
	a, b := get(hidden.ID), get(absent)
	if !bytes.Equal(a.body, b.body) {
		t.Errorf("bodies differ:\nhidden %s\nabsent %s", a.body, b.body)
	}
	for _, h := range []http.Header{a.header, b.header} {
		h.Del("Date")
	}
	if !equalHeaders(a.header, b.header) {
		t.Errorf("headers differ:\nhidden %v\nabsent %v", a.header, b.header)
	}
	add := func(id string) reply {
		return f.post("fr.analyst", "/api/v1/entities/"+id+"/statements", map[string]any{
			"statements": []ctis.NewStatement{{Property: "alias", Value: "X"}},
		}).want(t, http.StatusNotFound)
	}
	if a, b := add(hidden.ID), add(absent); !bytes.Equal(a.body, b.body) {
		t.Errorf("adding to hidden and absent entities differ:\n%s\n%s", a.body, b.body)
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestUnroutedRequests(t *testing.T) {
	f := newFixture(t)
	r := f.do(call{method: "GET", path: "/api/v1/nothing", as: "fr.analyst"}).want(t, http.StatusNotFound)
	if p := r.problem(t); p.Code != ctis.ENOTFOUND {
		t.Errorf("unknown route: %+v", p)
	}
	r = f.do(call{method: "DELETE", path: "/api/v1/agencies", as: "fr.admin"}).want(t, http.StatusMethodNotAllowed)
	if p := r.problem(t); p.Code != codeMethodNotAllowed || !strings.Contains(r.header.Get("Allow"), "POST") {
		t.Errorf("wrong method: %+v, Allow %q", p, r.header.Get("Allow"))
	}
	// Unknown routes answer alike with or without credentials: the route
	// table is public in the OpenAPI document anyway.
	f.do(call{method: "GET", path: "/api/v1/nothing"}).want(t, http.StatusNotFound)
}

func TestPurpose(t *testing.T) {
	f := newFixture(t)
	e := f.create("fr.analyst", person("Abu Test"))
	path := "/api/v1/entities/" + e.ID
	p := f.do(call{method: "GET", path: path, as: "fr.analyst", header: map[string]string{"Ctis-Purpose": ""}}).want(t, http.StatusBadRequest).problem(t)
	if p.Field != "purpose" {
		t.Errorf("no purpose: %+v", p)
	}
	f.do(call{method: "GET", path: path + "?purpose=" + "dossier%20%C3%A9t%C3%A9", as: "fr.analyst", header: map[string]string{"Ctis-Purpose": ""}}).want(t, http.StatusOK)
	p = f.do(call{method: "GET", path: path + "?purpose=other", as: "fr.analyst"}).want(t, http.StatusBadRequest).problem(t)
	if p.Field != "purpose" {
		t.Errorf("two purposes: %+v", p)
	}
	page, err := f.db.Events(system, ctis.AuditFilter{Action: ctis.ActEntityRead, Limit: 1})
	if err != nil || len(page.Events) != 1 || page.Events[0].Purpose != "dossier été" {
		t.Errorf("the audited read does not carry the purpose given: %+v %v", page, err)
	}
}

func TestPagination(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"Alpha One", "Bravo Two", "Charlie Three"} {
		f.create("fr.analyst", person(n))
	}
	var seen []string
	next := ""
	for pages := 0; ; pages++ {
		var page ctis.EntityPage
		f.do(call{method: "GET", path: "/api/v1/entities?limit=2&cursor=" + next, as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &page)
		for _, e := range page.Entities {
			seen = append(seen, e.Caption)
		}
		if next = page.Next; next == "" {
			break
		}
		if pages > 3 {
			t.Fatal("the pages do not end")
		}
	}
	if !slices.Equal(seen, []string{"Alpha One", "Bravo Two", "Charlie Three"}) {
		t.Errorf("paged through %q", seen)
	}
}

func TestExportAndImport(t *testing.T) {
	f := newFixture(t)
	ids := []string{ctis.NewID(), ctis.NewID()}
	lines := `{"id":"` + ids[0] + `","schema":"Person","statements":[{"property":"name","value":"Абу Мухаммад","handling":{"distribution":"all"}}]}` + "\n\n" +
		`{"id":"` + ids[1] + `","schema":"Organization","statements":[{"property":"name","value":"Front X"},{"property":"country","value":"sy"}]}` + "\n"
	var rep ctis.ImportReport
	f.do(call{method: "POST", path: "/api/v1/import", as: "fr.analyst", contentType: "application/x-ndjson", body: lines}).want(t, http.StatusOK).decode(t, &rep)
	// The IDs given are FR-DGSI's keys; the entities are stored under IDs
	// scoped to FR-DGSI.
	for i := range ids {
		ids[i] = ctis.ScopedID("FR-DGSI", ids[i])
	}
	if rep.Entities != 2 || rep.Created != 2 || rep.Statements != 3 || rep.Skipped != 0 || !slices.Equal(rep.IDs, ids) {
		t.Errorf("import report %+v", rep)
	}
	r := f.do(call{method: "GET", path: "/api/v1/export", as: "fr.analyst"}).want(t, http.StatusOK)
	var got []string
	for _, line := range bytes.Split(bytes.TrimSpace(r.body), []byte("\n")) {
		var e ctis.Entity
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got = append(got, e.ID)
	}
	slices.Sort(ids) // exports run in ID order
	if !slices.Equal(got, ids) {
		t.Errorf("exported %q, want %q", got, ids)
	}
	// DE-BKA sees only what was released to all.
	r = f.do(call{method: "GET", path: "/api/v1/export", as: "de.analyst"}).want(t, http.StatusOK)
	if n := bytes.Count(r.body, []byte("\n")); n != 1 {
		t.Errorf("DE-BKA exported %d entities, want 1: %s", n, r.body)
	}
	// The export is refused before it starts: a problem, not a stream.
	p := f.do(call{method: "GET", path: "/api/v1/export", as: "fr.border"}).want(t, http.StatusForbidden).problem(t)
	if p.Code != ctis.EFORBIDDEN {
		t.Errorf("frontline export: %+v", p)
	}
}

// brokenStore fails every search with a cause that must stay in the log.
type brokenStore struct{ ctis.EntityService }

func (brokenStore) Search(context.Context, ctis.SearchQuery) (*ctis.SearchResult, error) {
	return nil, io.ErrClosedPipe
}

func TestInternalError(t *testing.T) {
	f := newFixture(t, func(s *Server) { s.Entities = brokenStore{s.Entities} })
	r := f.do(call{method: "GET", path: "/api/v1/search?name=Abu+Zubair+Secretname", as: "fr.analyst"}).want(t, http.StatusInternalServerError)
	p := r.problem(t)
	ref, ok := strings.CutPrefix(p.Detail, "internal error; reference ")
	if !ok || p.Code != ctis.EINTERNAL || strings.Contains(p.Detail, io.ErrClosedPipe.Error()) {
		t.Errorf("internal error shown as %+v", p)
	}
	log := f.log.String()
	if !strings.Contains(log, ref) || !strings.Contains(log, io.ErrClosedPipe.Error()) || !strings.Contains(log, "/api/v1/search") {
		t.Errorf("the log lacks the reference, cause or route: %s", log)
	}
	for _, secret := range []string{"Secretname", testPurpose, f.tokens["fr.analyst"], "fr.analyst"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds %q: %s", secret, log)
		}
	}
}
