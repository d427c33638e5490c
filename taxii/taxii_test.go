package taxii_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/stix"
	"ctis/store"
	"ctis/taxii"
)

// engine is the store engine the package's tests run on.
var engine ctistest.Engine

func TestMain(m *testing.M) { os.Exit(ctistest.RunEngines(m, &engine)) }

// fixture is a TAXII server on a fresh store seeded by the test kit
// (FR-DGSI, DE-BKA and JO-GID; FR and DE share the group "western"), with
// an analyst of each agency and a frontline officer of FR, and a clock
// that moves only when the test says.
type fixture struct {
	t      *testing.T
	srv    *httptest.Server
	node   *ctistest.Node
	tokens map[string]string
	ahead  atomic.Int64
}

// maxContent bounds the fixture's posts.
const maxContent = 64 << 10

var users = []ctis.NewUser{
	{Username: "fr.analyst", Agency: ctistest.FR, Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "de.analyst", Agency: ctistest.DE, Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "jo.analyst", Agency: ctistest.JO, Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "fr.border", Agency: ctistest.FR, Roles: []ctis.Role{ctis.RoleFrontline}},
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, tokens: map[string]string{}}
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	f.node = ctistest.OpenStore(t, engine, store.Options{Now: func() time.Time { return start.Add(time.Duration(f.ahead.Load())) }})
	ctistest.Seed(t, f.node.Services)
	for _, u := range users {
		_, token, err := f.node.Directory.CreateUser(ctistest.System, u)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.Username] = token
	}
	f.srv = httptest.NewServer((&taxii.Server{Services: f.node.Services, Logger: slog.New(slog.DiscardHandler), MaxContentLength: maxContent}).Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// tick moves the store's clock a second on.
func (f *fixture) tick() { f.ahead.Add(int64(time.Second)) }

// reply is what the server answered.
type reply struct {
	status int
	header http.Header
	body   string
}

// get sends a GET as user (none if empty) with the kit's purpose and the
// TAXII Accept header unless header says otherwise.
func (f *fixture) get(user, path string, header ...string) reply {
	f.t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept", taxii.MediaType)
	req.Header.Set("Ctis-Purpose", ctistest.Purpose)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	return f.do(req)
}

func (f *fixture) do(req *http.Request) reply {
	f.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header, string(b)}
}

// decode reads r's body into v, failing unless the status is want and
// the body TAXII JSON.
func (r reply) decode(t *testing.T, want int, v any) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != taxii.MediaType {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

// taxiiError is the TAXII 2.1 error message.
type taxiiError struct {
	Title       string            `json:"title"`
	Description string            `json:"description"`
	ErrorCode   string            `json:"error_code"`
	HTTPStatus  string            `json:"http_status"`
	Details     map[string]string `json:"details"`
}

// refused checks that r is a TAXII error message of status want naming
// field (if any).
func (r reply) refused(t *testing.T, want int, field string) taxiiError {
	t.Helper()
	var e taxiiError
	r.decode(t, want, &e)
	if e.Title == "" || e.HTTPStatus != strconv.Itoa(want) || e.Description == "" {
		t.Errorf("error message %+v", e)
	}
	if field != "" && e.Details["field"] != field {
		t.Errorf("error names %q, want %q: %+v", e.Details["field"], field, e)
	}
	return e
}

type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

type manifest struct {
	More    bool   `json:"more"`
	Next    string `json:"next"`
	Objects []struct {
		ID        string `json:"id"`
		DateAdded string `json:"date_added"`
		Version   string `json:"version"`
		MediaType string `json:"media_type"`
	} `json:"objects"`
}

type head struct {
	ID                string   `json:"id"`
	Type              string   `json:"type"`
	SpecVersion       string   `json:"spec_version"`
	CreatedByRef      string   `json:"created_by_ref"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
	GranularMarkings  []struct {
		MarkingRef string `json:"marking_ref"`
	} `json:"granular_markings"`
}

func heads(t *testing.T, raws []json.RawMessage) []head {
	t.Helper()
	out := make([]head, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// seed records, a second apart, FR's people under three handlings and an
// organisation one of them belongs to, and returns the entities.
func (f *fixture) seed() (open, western, own, org *ctis.Entity) {
	f.t.Helper()
	fr := ctistest.As(ctistest.FR, ctis.RoleAnalyst)
	create := func(e ctis.NewEntity) *ctis.Entity {
		f.tick()
		got, err := f.node.Entities.CreateEntity(fr, e)
		if err != nil {
			f.t.Fatal(err)
		}
		return got
	}
	open = create(ctistest.Person("Abu Open", ctis.Handling{Distribution: ctis.DistAll, Frontline: true}))
	western = create(ctistest.Person("Abu Western", ctis.Handling{Distribution: ctis.DistGroup, Group: ctistest.Western}))
	own = create(ctistest.Person("Abu Own", ctis.Handling{}))
	org = create(ctis.NewEntity{Schema: "Organization", Statements: ctistest.Statements(ctis.Handling{Distribution: ctis.DistAll}, "name", "Zq Front")})
	f.tick()
	if _, err := f.node.Entities.AddStatements(fr, open.ID, ctistest.Statements(ctis.Handling{Distribution: ctis.DistAll}, "memberOf", org.ID)); err != nil {
		f.t.Fatal(err)
	}
	return
}

func collectionsPath(id string) string { return taxii.APIRootPath + "collections/" + id + "/" }

func TestDiscoveryAndAPIRoot(t *testing.T) {
	f := newFixture(t)
	var d struct {
		Title    string   `json:"title"`
		Default  string   `json:"default"`
		APIRoots []string `json:"api_roots"`
	}
	f.get("de.analyst", "/taxii2/").decode(t, 200, &d)
	if d.Title == "" || d.Default != f.srv.URL+taxii.APIRootPath || !slices.Equal(d.APIRoots, []string{d.Default}) {
		t.Errorf("discovery %+v", d)
	}
	var root struct {
		Title            string   `json:"title"`
		Versions         []string `json:"versions"`
		MaxContentLength *int     `json:"max_content_length"`
	}
	f.get("de.analyst", taxii.APIRootPath).decode(t, 200, &root)
	if root.Title == "" || !slices.Equal(root.Versions, []string{taxii.MediaType}) || root.MaxContentLength == nil || *root.MaxContentLength != maxContent {
		t.Errorf("API root %+v", root)
	}
	f.get("de.analyst", "/taxii2/nowhere/").refused(t, 404, "")
	f.get("de.analyst", taxii.APIRootPath+"status/"+ctis.NewID()+"/").refused(t, 404, "")
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/taxii2/", taxii.APIRootPath, taxii.APIRootPath + "collections/"} {
		r := f.get("", path)
		r.refused(t, 401, "")
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q", path, r.header.Get("WWW-Authenticate"))
		}
		f.get("", path, "Authorization", "Bearer ctis_not-a-token").refused(t, 401, "")
		// taxii2-client's TokenAuth sends the token under the scheme Token.
		var v map[string]any
		f.get("", path, "Authorization", "Token "+f.tokens["de.analyst"]).decode(t, 200, &v)
		f.get("", path, "Authorization", "token "+f.tokens["de.analyst"]).decode(t, 200, &v)
		f.get("", path, "Authorization", "Token ctis_not-a-token").refused(t, 401, "")
		f.get("", path, "Authorization", "Token").refused(t, 401, "")
	}
	// The TAXII reads are the export's: a frontline officer may not.
	f.get("fr.border", taxii.APIRootPath+"collections/").refused(t, 403, "")
	f.get("fr.border", collectionsPath(taxii.ReleasedCollectionID(ctistest.FR))+"objects/").refused(t, 403, "")
}

func TestContentNegotiation(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		accept string
		status int
		ct     string
	}{
		{taxii.MediaType, 200, taxii.MediaType},
		{"application/taxii+json", 200, taxii.MediaType},
		{"application/taxii+json; version=2.1; q=0.9, text/html", 200, taxii.MediaType},
		{"*/*", 200, taxii.MediaType},
		{"", 200, taxii.MediaType},
		{"application/json", 200, "application/json"},
		{"application/taxii+json;version=2.0", 406, taxii.MediaType},
		{"text/html, application/xml", 406, taxii.MediaType},
		{"application/taxii+json;version=2.1;q=0", 406, taxii.MediaType},
	} {
		r := f.get("de.analyst", taxii.APIRootPath, "Accept", c.accept)
		if r.status != c.status || r.header.Get("Content-Type") != c.ct {
			t.Errorf("Accept %q: %d %q, want %d %q: %s", c.accept, r.status, r.header.Get("Content-Type"), c.status, c.ct, r.body)
		}
		if c.status == 406 {
			var e taxiiError
			if json.Unmarshal([]byte(r.body), &e) != nil || e.HTTPStatus != "406" || e.Title == "" {
				t.Errorf("Accept %q: %s", c.accept, r.body)
			}
		}
	}
}

func TestCollections(t *testing.T) {
	f := newFixture(t)
	f.seed()
	type coll struct {
		ID         string   `json:"id"`
		Title      string   `json:"title"`
		Alias      string   `json:"alias"`
		CanRead    bool     `json:"can_read"`
		CanWrite   bool     `json:"can_write"`
		MediaTypes []string `json:"media_types"`
	}
	list := func(user string) map[string]coll {
		var l struct {
			Collections []coll `json:"collections"`
		}
		f.get(user, taxii.APIRootPath+"collections/").decode(t, 200, &l)
		out := map[string]coll{}
		for _, c := range l.Collections {
			if !c.CanRead || c.CanWrite != (c.Alias == "own") || !slices.Equal(c.MediaTypes, []string{"application/stix+json;version=2.1"}) || c.Title == "" {
				t.Errorf("%s: collection %+v", user, c)
			}
			out[c.Alias] = c
		}
		return out
	}
	fr, de, jo := list("fr.analyst"), list("de.analyst"), list("jo.analyst")
	for user, got := range map[string]map[string]coll{"fr": fr, "de": de, "jo": jo} {
		want := []string{"released", "own", "all-members"}
		if user != "jo" {
			want = append(want, "group-western")
		}
		var aliases []string
		for a := range got {
			aliases = append(aliases, a)
		}
		slices.Sort(aliases)
		slices.Sort(want)
		if !slices.Equal(aliases, want) {
			t.Errorf("%s reads collections %v, want %v", user, aliases, want)
		}
	}
	if fr["released"].ID == de["released"].ID || fr["group-western"].ID != de["group-western"].ID || fr["all-members"].ID != jo["all-members"].ID {
		t.Errorf("collection IDs: fr %+v, de %+v", fr, de)
	}
	var one coll
	f.get("de.analyst", collectionsPath(de["own"].ID)).decode(t, 200, &one)
	if one.ID != de["own"].ID || one.Title != de["own"].Title || one.Alias != "own" {
		t.Errorf("collection %+v", one)
	}
	// Another agency's collection, a group JO is not in, and an absent
	// collection all read the same.
	absent := f.get("jo.analyst", collectionsPath(ctis.NewID()))
	absent.refused(t, 404, "")
	for _, id := range []string{fr["own"].ID, fr["released"].ID, fr["group-western"].ID} {
		for _, path := range []string{"", "objects/", "manifest/"} {
			r := f.get("jo.analyst", collectionsPath(id)+path)
			if r.status != 404 || r.body != absent.body {
				t.Errorf("JO reads %s%s: %d %s", id, path, r.status, r.body)
			}
		}
	}
	// What each collection holds.
	names := func(user, alias string) []string {
		var env envelope
		f.get(user, collectionsPath(list(user)[alias].ID)+"objects/?match[type]=identity,threat-actor").decode(t, 200, &env)
		var out []string
		for _, raw := range env.Objects {
			var o struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			}
			json.Unmarshal(raw, &o)
			if o.ID != stix.Creator {
				out = append(out, o.Name)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		user, alias string
		want        []string
	}{
		{"fr.analyst", "released", []string{"Abu Open", "Abu Own", "Abu Western", "Zq Front"}},
		{"fr.analyst", "own", []string{"Abu Open", "Abu Own", "Abu Western", "Zq Front"}},
		{"de.analyst", "released", []string{"Abu Open", "Abu Western", "Zq Front"}},
		{"de.analyst", "own", nil},
		{"de.analyst", "group-western", []string{"Abu Western"}},
		{"jo.analyst", "released", []string{"Abu Open", "Zq Front"}},
		{"jo.analyst", "all-members", []string{"Abu Open", "Zq Front"}},
	} {
		if got := names(c.user, c.alias); !slices.Equal(got, c.want) {
			t.Errorf("%s reads %s: %v, want %v", c.user, c.alias, got, c.want)
		}
	}
	// Writes are refused: no collection can be written to.
	req, _ := http.NewRequest("POST", f.srv.URL+collectionsPath(de["released"].ID)+"objects/", strings.NewReader(`{"objects":[]}`))
	req.Header.Set("Authorization", "Bearer "+f.tokens["de.analyst"])
	req.Header.Set("Content-Type", taxii.MediaType)
	f.do(req).refused(t, 403, "")
}

// TestPaging pages through a collection with limit and next, and pulls
// what is new with added_after, as a TAXII client following a collection
// does.
func TestPaging(t *testing.T) {
	f := newFixture(t)
	open, _, _, _ := f.seed()
	base := collectionsPath(taxii.ReleasedCollectionID(ctistest.FR))

	var full manifest
	f.get("fr.analyst", base+"manifest/").decode(t, 200, &full)
	if full.More || len(full.Objects) < 8 {
		t.Fatalf("manifest: %+v", full)
	}
	for i, m := range full.Objects {
		if m.MediaType != "application/stix+json;version=2.1" || m.Version == "" {
			t.Errorf("manifest record %+v", m)
		}
		if i > 0 && m.DateAdded < full.Objects[i-1].DateAdded {
			t.Errorf("manifest out of date_added order at %d", i)
		}
	}
	// Every definition and marking comes with or before what uses it.
	if full.Objects[0].ID != stix.Creator && !strings.HasPrefix(full.Objects[0].ID, "extension-definition--") &&
		!strings.HasPrefix(full.Objects[0].ID, "marking-definition--") {
		t.Errorf("first object %s", full.Objects[0].ID)
	}

	for _, limit := range []string{"1", "2", "3", "500", "100000"} {
		var ids []string
		var paged []head
		next := ""
		for pages := 0; ; pages++ {
			q := url.Values{"limit": {limit}}
			if next != "" {
				q.Set("next", next)
			}
			r := f.get("fr.analyst", base+"objects/?"+q.Encode())
			var env envelope
			r.decode(t, 200, &env)
			hs := heads(t, env.Objects)
			if len(hs) == 0 {
				t.Fatalf("limit %s: an empty page", limit)
			}
			var first, last string
			for _, m := range full.Objects {
				if m.ID == hs[0].ID {
					first = m.DateAdded
				}
				if m.ID == hs[len(hs)-1].ID {
					last = m.DateAdded
				}
			}
			if r.header.Get("X-TAXII-Date-Added-First") != first || r.header.Get("X-TAXII-Date-Added-Last") != last {
				t.Errorf("limit %s: headers %q %q, want %q %q", limit, r.header.Get("X-TAXII-Date-Added-First"), r.header.Get("X-TAXII-Date-Added-Last"), first, last)
			}
			for _, h := range hs {
				ids = append(ids, h.ID)
			}
			paged = append(paged, hs...)
			if env.More != (env.Next != "") {
				t.Fatalf("more %v with next %q", env.More, env.Next)
			}
			if !env.More {
				break
			}
			next = env.Next
			if pages > 100 {
				t.Fatal("paging does not end")
			}
		}
		var want []string
		for _, m := range full.Objects {
			want = append(want, m.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("limit %s: paged %v, manifest %v", limit, ids, want)
		}
		// What an object refers to came before it.
		seen := map[string]bool{}
		for _, h := range paged {
			refs := slices.Clone(h.ObjectMarkingRefs)
			for _, g := range h.GranularMarkings {
				refs = append(refs, g.MarkingRef)
			}
			if h.CreatedByRef != "" {
				refs = append(refs, h.CreatedByRef)
			}
			for _, ref := range refs {
				if !seen[ref] {
					t.Errorf("limit %s: %s comes before %s, which it refers to", limit, h.ID, ref)
				}
			}
			seen[h.ID] = true
		}
	}

	// A page's next stays good when objects are added: they come after.
	var page envelope
	f.get("fr.analyst", base+"objects/?limit=2").decode(t, 200, &page)
	f.tick()
	fr := ctistest.As(ctistest.FR, ctis.RoleAnalyst)
	late, err := f.node.Entities.CreateEntity(fr, ctistest.Person("Abu Late", ctis.Handling{Distribution: ctis.DistAll}))
	if err != nil {
		t.Fatal(err)
	}
	var rest envelope
	f.get("fr.analyst", base+"objects/?limit=500&next="+page.Next).decode(t, 200, &rest)
	hs := heads(t, rest.Objects)
	if len(hs) != len(full.Objects)-2+1 || hs[len(hs)-1].ID != "identity--"+stix.EntityUUID(late.ID) {
		t.Errorf("after adding, the rest holds %d objects, last %v", len(hs), hs[len(hs)-1])
	}

	// added_after: what changed since a client's last pull, and no more.
	lastPull := full.Objects[len(full.Objects)-1].DateAdded
	f.tick()
	if _, err := f.node.Entities.AddStatements(fr, open.ID, ctistest.Statements(ctis.Handling{Distribution: ctis.DistAll}, "alias", "Abu Newname")); err != nil {
		t.Fatal(err)
	}
	var since envelope
	r := f.get("fr.analyst", base+"objects/?added_after="+lastPull)
	r.decode(t, 200, &since)
	// The new object and the new version, with the markings they use
	// that no earlier object in the collection uses any more.
	var got []string
	for _, h := range heads(t, since.Objects) {
		if h.Type != "marking-definition" {
			got = append(got, h.ID)
		}
	}
	want := []string{"identity--" + stix.EntityUUID(late.ID), "threat-actor--" + stix.EntityUUID(open.ID)}
	if !slices.Equal(got, want) || !strings.Contains(string(since.Objects[len(since.Objects)-1]), "Abu Newname") {
		t.Errorf("added after %s: %v, want %v", lastPull, got, want)
	}
	if r.header.Get("X-TAXII-Date-Added-First") <= lastPull {
		t.Errorf("X-TAXII-Date-Added-First %q not after %q", r.header.Get("X-TAXII-Date-Added-First"), lastPull)
	}
	var none envelope
	r = f.get("fr.analyst", base+"objects/?added_after=2100-01-01T00:00:00Z")
	r.decode(t, 200, &none)
	if len(none.Objects) != 0 || none.More || r.header.Get("X-TAXII-Date-Added-First") != "" {
		t.Errorf("added after 2100: %s %v", r.body, r.header)
	}
}

func TestFilters(t *testing.T) {
	f := newFixture(t)
	open, western, _, org := f.seed()
	base := collectionsPath(taxii.ReleasedCollectionID(ctistest.DE))
	ids := func(query string) []string {
		t.Helper()
		var env envelope
		f.get("de.analyst", base+"objects/?"+query).decode(t, 200, &env)
		var out []string
		for _, h := range heads(t, env.Objects) {
			out = append(out, h.ID)
		}
		slices.Sort(out)
		return out
	}
	openID := "threat-actor--" + stix.EntityUUID(open.ID)
	westernID := "identity--" + stix.EntityUUID(western.ID)
	orgID := "threat-actor--" + stix.EntityUUID(org.ID)
	var m manifest
	f.get("de.analyst", base+"manifest/?match[id]="+openID).decode(t, 200, &m)
	if len(m.Objects) != 1 {
		t.Fatalf("manifest of one: %+v", m)
	}
	version := m.Objects[0].Version

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"match[type]=threat-actor", []string{openID, orgID}},
		{"match[type]=identity,threat-actor", []string{westernID, openID, orgID, stix.Creator}},
		{"match[id]=" + westernID + "," + orgID, []string{westernID, orgID}},
		{"match[id]=" + westernID + "&match[type]=threat-actor", nil},
		{"match[id]=" + openID + "&match[version]=last", []string{openID}},
		{"match[id]=" + openID + "&match[version]=first", []string{openID}},
		{"match[id]=" + openID + "&match[version]=all", []string{openID}},
		{"match[id]=" + openID + "&match[version]=" + version, []string{openID}},
		{"match[id]=" + openID + "&match[version]=2001-01-01T00:00:00.000Z", nil},
		{"match[type]=threat-actor&match[spec_version]=2.1", []string{openID, orgID}},
		{"match[type]=threat-actor&match[spec_version]=2.0", nil},
		{"match[type]=relationship", []string{"relationship--" + uuidOf(t, f, base, "relationship")}},
	} {
		want := slices.Clone(c.want)
		slices.Sort(want)
		if got := ids(c.query); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", c.query, got, want)
		}
	}

	// One object, and its versions.
	var env envelope
	r := f.get("de.analyst", base+"objects/"+openID+"/")
	r.decode(t, 200, &env)
	if hs := heads(t, env.Objects); len(hs) != 1 || hs[0].ID != openID || r.header.Get("X-TAXII-Date-Added-First") == "" {
		t.Errorf("object: %s", r.body)
	}
	var versions struct {
		More     bool     `json:"more"`
		Versions []string `json:"versions"`
	}
	r = f.get("de.analyst", base+"objects/"+openID+"/versions/")
	r.decode(t, 200, &versions)
	if versions.More || !slices.Equal(versions.Versions, []string{version}) || r.header.Get("X-TAXII-Date-Added-Last") == "" {
		t.Errorf("versions: %s", r.body)
	}
	// DE may not see FR's own person: its object reads as an absent one.
	absent := f.get("de.analyst", base+"objects/identity--"+stix.EntityUUID(ctis.NewID())+"/")
	absent.refused(t, 404, "")
	for _, path := range []string{"objects/identity--" + stix.EntityUUID(f.ownID()) + "/", "objects/identity--" + stix.EntityUUID(f.ownID()) + "/versions/"} {
		if r := f.get("de.analyst", base+path); r.status != 404 || r.body != absent.body {
			t.Errorf("hidden %s: %d %s", path, r.status, r.body)
		}
	}
}

// ownID is the entity ID of FR's "Abu Own", found as FR.
func (f *fixture) ownID() string {
	f.t.Helper()
	res, err := f.node.Entities.Search(ctistest.As(ctistest.FR, ctis.RoleAnalyst), ctis.SearchQuery{Name: "Abu Own"})
	if err != nil || len(res.Entities) != 1 {
		f.t.Fatalf("%v %+v", err, res)
	}
	return res.Entities[0].ID
}

// uuidOf returns the UUID of the one object of type typ in base, as DE.
func uuidOf(t *testing.T, f *fixture, base, typ string) string {
	t.Helper()
	var m manifest
	f.get("de.analyst", base+"manifest/?match[type]="+typ).decode(t, 200, &m)
	if len(m.Objects) != 1 {
		t.Fatalf("%d objects of type %s", len(m.Objects), typ)
	}
	return strings.TrimPrefix(m.Objects[0].ID, typ+"--")
}

func TestBadRequests(t *testing.T) {
	f := newFixture(t)
	f.seed()
	base := collectionsPath(taxii.ReleasedCollectionID(ctistest.DE))
	for _, c := range []struct {
		path, field string
	}{
		{"objects/?limit=0", "limit"},
		{"objects/?limit=ten", "limit"},
		{"objects/?added_after=yesterday", "added_after"},
		{"objects/?added_after=2026-01-01T00:00:00+01:00", "added_after"},
		{"objects/?next=bm90IGEgY3Vyc29y", "next"},
		{"objects/?next=%25%25", "next"},
		{"objects/?match[id]=Robert%27);DROP", "query"},
		{"objects/?match[id]=Robert%27)%3BDROP", "match[id]"},
		{"objects/?match[type]=X", "match[type]"},
		{"objects/?match[version]=latest", "match[version]"},
		{"objects/?match[spec_version]=3.0", "match[spec_version]"},
		{"objects/?match[colour]=red", "match[colour]"},
		{"objects/?limit=1&limit=2", "limit"},
		{"objects/identity--" + stix.EntityUUID("x") + "/?match[type]=identity", "match[type]"},
		{"objects/identity--" + stix.EntityUUID("x") + "/versions/?match[version]=all", "match[version]"},
	} {
		t.Run(c.path, func(t *testing.T) { f.get("de.analyst", base+c.path).refused(t, 400, c.field) })
	}
	// A read of personal data needs a purpose, as the API's do.
	f.get("de.analyst", base+"objects/", "Ctis-Purpose", "").refused(t, 400, "purpose")
	f.get("de.analyst", base+"objects/?purpose=other", "Ctis-Purpose", "case 1").refused(t, 400, "purpose")
	// A method no endpoint takes.
	req, _ := http.NewRequest("DELETE", f.srv.URL+"/taxii2/", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["de.analyst"])
	f.do(req).refused(t, 405, "")
}

// TestReadsAudited checks that every read of objects is in the audit
// trail with its purpose.
func TestReadsAudited(t *testing.T) {
	f := newFixture(t)
	f.seed()
	base := collectionsPath(taxii.ReleasedCollectionID(ctistest.DE))
	f.get("de.analyst", base+"manifest/", "Ctis-Purpose", "case zq-taxii-1")
	f.get("de.analyst", base+"objects/", "Ctis-Purpose", "case zq-taxii-2")
	page, err := f.node.Audit.Events(ctistest.As(ctistest.DE, ctis.RoleAuditor), ctis.AuditFilter{Limit: ctis.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, e := range page.Events {
		if e.Username == "de.analyst" {
			read[e.Purpose] = true
		}
	}
	for _, p := range []string{"case zq-taxii-1", "case zq-taxii-2"} {
		if !read[p] {
			t.Errorf("the audit trail does not record the read for %q: %v", p, read)
		}
	}
}

// post sends an envelope of objects to a collection as user.
func (f *fixture) post(user, collection, contentType, body string) reply {
	f.t.Helper()
	req, err := http.NewRequest("POST", f.srv.URL+collectionsPath(collection)+"objects/", strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	req.Header.Set("Accept", taxii.MediaType)
	req.Header.Set("Ctis-Purpose", "case zq-post")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return f.do(req)
}

// envelopeOf is the envelope of the STIX objects of entities.
func envelopeOf(t *testing.T, entities ...ctis.Entity) string {
	t.Helper()
	objs, err := stix.Objects(entities)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"objects": objs})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPost posts envelopes: the agency's own statements are imported all
// or nothing, as a STIX file import is, and answered with a status.
func TestPost(t *testing.T) {
	f := newFixture(t)
	f.seed()
	own := taxii.ReleasedCollectionID(ctistest.FR)
	var list struct {
		Collections []struct {
			ID    string `json:"id"`
			Alias string `json:"alias"`
		} `json:"collections"`
	}
	f.get("fr.analyst", taxii.APIRootPath+"collections/").decode(t, 200, &list)
	for _, c := range list.Collections {
		if c.Alias == "own" {
			own = c.ID
		}
	}
	posted := ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{{
		ID: ctis.NewID(), Property: "name", Value: "Abu Posted", Originator: ctistest.FR, Grading: "B2",
		Handling: ctis.Handling{Distribution: ctis.DistGroup, Group: ctistest.Western, Restriction: ctis.H0}, RecordedAt: time.Now().UTC(),
	}}}
	body := envelopeOf(t, posted)

	// Content the reader refuses, or of another originator, stores
	// nothing.
	foreign := posted
	foreign.Statements = slices.Clone(posted.Statements)
	foreign.Statements[0].Originator = ctistest.DE
	for _, c := range []struct {
		user, collection, contentType, body string
		status                              int
		field                               string
	}{
		{"fr.analyst", own, "application/json", body, 415, ""},
		{"fr.analyst", own, "", body, 415, ""},
		{"fr.analyst", own, taxii.MediaType, `{"objects": [`, 400, ""},
		{"fr.analyst", own, taxii.MediaType, `{"objects": [], "objects": []}`, 400, ""},
		{"fr.analyst", own, taxii.MediaType, `{"objects": []}`, 400, "objects"},
		{"fr.analyst", own, taxii.MediaType, `{"objects": [{"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-4000-8000-000000000000"}]}`, 422, ""},
		{"fr.analyst", own, taxii.MediaType, envelopeOf(t, foreign), 422, ""},
		{"fr.analyst", taxii.ReleasedCollectionID(ctistest.FR), taxii.MediaType, body, 403, ""},
		{"de.analyst", own, taxii.MediaType, body, 404, ""},
		{"fr.border", own, taxii.MediaType, body, 403, ""},
		{"fr.analyst", own, taxii.MediaType, `{"objects": [` + strings.Repeat(`{},`, maxContent/3) + `{}]}`, 413, ""},
	} {
		r := f.post(c.user, c.collection, c.contentType, c.body)
		r.refused(t, c.status, c.field)
	}
	if res, _ := f.node.Entities.Search(ctistest.As(ctistest.FR, ctis.RoleAnalyst), ctis.SearchQuery{Name: "Abu Posted"}); len(res.Entities) != 0 {
		t.Fatalf("a refused post stored %+v", res.Entities)
	}
	var e taxiiError
	f.post("fr.analyst", own, taxii.MediaType, envelopeOf(t, foreign)).decode(t, 422, &e)
	if !strings.Contains(e.Description, "originated by DE-BKA") {
		t.Errorf("foreign statement: %+v", e)
	}
	f.post("fr.analyst", own, taxii.MediaType, `{"objects": [{"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-4000-8000-000000000000"}]}`).decode(t, 422, &e)
	if e.Details["object_index"] != "0" || e.Details["object_id"] != "malware--00000000-0000-4000-8000-000000000000" {
		t.Errorf("unknown type: %+v", e)
	}

	// FR's own statement is imported, and posting it again adds nothing.
	type statusResource struct {
		ID           string `json:"id"`
		Status       string `json:"status"`
		TotalCount   int    `json:"total_count"`
		SuccessCount int    `json:"success_count"`
		FailureCount int    `json:"failure_count"`
		PendingCount int    `json:"pending_count"`
		Successes    []struct {
			ID      string `json:"id"`
			Version string `json:"version"`
			Message string `json:"message"`
		} `json:"successes"`
	}
	for range 2 {
		var st statusResource
		f.post("fr.analyst", own, taxii.MediaType, body).decode(t, 202, &st)
		objs, _ := stix.Objects([]ctis.Entity{posted})
		if st.Status != "complete" || st.TotalCount != len(objs) || st.SuccessCount != len(objs) || st.FailureCount != 0 || st.PendingCount != 0 {
			t.Errorf("status %+v", st)
		}
		var again statusResource
		f.get("fr.analyst", taxii.APIRootPath+"status/"+st.ID+"/").decode(t, 200, &again)
		if again.ID != st.ID || again.SuccessCount != st.SuccessCount {
			t.Errorf("status read back: %+v", again)
		}
		f.get("de.analyst", taxii.APIRootPath+"status/"+st.ID+"/").refused(t, 404, "")
		// The entity's ID in the envelope is FR's own key; the status
		// names the object it is served as, and that object reads back.
		storedAs := "identity--" + stix.EntityUUID(ctis.ScopedID(ctistest.FR, posted.ID))
		found := false
		for _, d := range st.Successes {
			if d.ID == "identity--"+stix.EntityUUID(posted.ID) {
				found = strings.HasPrefix(d.Message, "stored as "+storedAs+":")
			}
		}
		if !found {
			t.Errorf("no success names %s: %+v", storedAs, st.Successes)
		}
		var env envelope
		f.get("fr.analyst", collectionsPath(own)+"objects/"+storedAs+"/").decode(t, 200, &env)
		if len(env.Objects) != 1 {
			t.Errorf("the object stored as %s: %d objects", storedAs, len(env.Objects))
		}
	}
	res, err := f.node.Entities.Search(ctistest.As(ctistest.DE, ctis.RoleAnalyst), ctis.SearchQuery{Name: "Abu Posted"})
	if err != nil || len(res.Entities) != 1 || len(res.Entities[0].Statements) != 1 {
		t.Fatalf("posted entity as DE sees it: %v %+v", err, res)
	}
	s := res.Entities[0].Statements[0]
	if s.Originator != ctistest.FR || s.Handling.Distribution != ctis.DistGroup || s.Handling.Group != ctistest.Western || s.Grading != "B2" {
		t.Errorf("posted statement %+v", s)
	}
	if res, _ := f.node.Entities.Search(ctistest.As(ctistest.JO, ctis.RoleAnalyst), ctis.SearchQuery{Name: "Abu Posted"}); len(res.Entities) != 0 {
		t.Errorf("JO sees the posted western statement")
	}
	// The import is audited with the post's purpose.
	page, err := f.node.Audit.Events(ctistest.As(ctistest.FR, ctis.RoleAuditor), ctis.AuditFilter{Action: ctis.ActImport, Limit: ctis.MaxLimit})
	if err != nil || len(page.Events) != 2 || page.Events[0].Purpose != "case zq-post" || page.Events[0].Username != "fr.analyst" {
		t.Errorf("import audit: %v %+v", err, page)
	}
}

// TestStatusKept: a post's status is in the store, so another server over
// the same store (a restart, another process behind the balancer) answers
// it, to the posting agency alone, until it expires with the request keys.
func TestStatusKept(t *testing.T) {
	f := newFixture(t)
	f.seed()
	own := ""
	var list struct {
		Collections []struct{ ID, Alias string } `json:"collections"`
	}
	f.get("fr.analyst", taxii.APIRootPath+"collections/").decode(t, 200, &list)
	for _, c := range list.Collections {
		if c.Alias == "own" {
			own = c.ID
		}
	}
	posted := ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{{
		ID: ctis.NewID(), Property: "name", Value: "Abu Kept", Originator: ctistest.FR,
		Handling: ctis.Handling{Distribution: ctis.DistAll, Restriction: ctis.H0}, RecordedAt: time.Now().UTC(),
	}}}
	var st struct {
		ID           string `json:"id"`
		SuccessCount int    `json:"success_count"`
	}
	f.post("fr.analyst", own, taxii.MediaType, envelopeOf(t, posted)).decode(t, 202, &st)

	other := httptest.NewServer((&taxii.Server{Services: f.node.Services, Logger: slog.New(slog.DiscardHandler)}).Handler())
	defer other.Close()
	f.srv.Close()
	f.srv = other
	var again struct {
		ID           string `json:"id"`
		SuccessCount int    `json:"success_count"`
	}
	f.get("fr.analyst", taxii.APIRootPath+"status/"+st.ID+"/").decode(t, 200, &again)
	if again != st {
		t.Errorf("read from another server: %+v, posted %+v", again, st)
	}
	f.get("de.analyst", taxii.APIRootPath+"status/"+st.ID+"/").refused(t, 404, "")
	f.get("fr.analyst", taxii.APIRootPath+"status/00000000-0000-4000-8000-000000000000/").refused(t, 404, "")
	f.get("fr.analyst", taxii.APIRootPath+"status/x/").refused(t, 404, "")

	f.ahead.Add(int64(ctis.RequestKeyLifetime + time.Minute))
	f.get("fr.analyst", taxii.APIRootPath+"status/"+st.ID+"/").refused(t, 404, "")
	if _, err := f.node.DB.ApplyRetention(ctistest.System); err != nil {
		t.Fatal(err)
	}
	// Gone from the store: with the clock set back, it is still absent.
	f.ahead.Add(-int64(ctis.RequestKeyLifetime + time.Minute))
	f.get("fr.analyst", taxii.APIRootPath+"status/"+st.ID+"/").refused(t, 404, "")
}

// TestObjectsByID: objects asked for by ID — markings, entities'
// objects, relationships, definitions — are the same whether the server
// listed them before (a marking's place is then known) or not (it reads
// the whole collection), and one the requester's collection does not hold
// is not found.
func TestObjectsByID(t *testing.T) {
	f := newFixture(t)
	f.seed()
	base := collectionsPath(taxii.ReleasedCollectionID(ctistest.DE))
	var full manifest
	f.get("de.analyst", base+"manifest/").decode(t, 200, &full)
	fresh := httptest.NewServer((&taxii.Server{Services: f.node.Services, Logger: slog.New(slog.DiscardHandler)}).Handler())
	defer fresh.Close()
	listed := f.srv
	for _, m := range full.Objects {
		var bodies []string
		for _, srv := range []*httptest.Server{listed, fresh, fresh} {
			f.srv = srv
			r := f.get("de.analyst", base+"objects/?match[id]="+m.ID)
			var env envelope
			r.decode(t, 200, &env)
			if len(env.Objects) != 1 || r.header.Get("X-TAXII-Date-Added-First") != m.DateAdded {
				t.Errorf("%s: %d objects, added %q, want %q", m.ID, len(env.Objects), r.header.Get("X-TAXII-Date-Added-First"), m.DateAdded)
			}
			bodies = append(bodies, r.body)
		}
		if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
			t.Errorf("%s: read by ID differs between servers: %v", m.ID, bodies)
		}
	}
	f.srv = listed
	// JO's collection holds none of DE's own markings.
	var jo manifest
	f.get("jo.analyst", collectionsPath(taxii.ReleasedCollectionID(ctistest.JO))+"manifest/").decode(t, 200, &jo)
	held := map[string]bool{}
	for _, m := range jo.Objects {
		held[m.ID] = true
	}
	for _, m := range full.Objects {
		if held[m.ID] {
			continue
		}
		var env envelope
		f.get("jo.analyst", collectionsPath(taxii.ReleasedCollectionID(ctistest.JO))+"objects/?match[id]="+m.ID).decode(t, 200, &env)
		if len(env.Objects) != 0 {
			t.Errorf("JO reads %s by ID", m.ID)
		}
	}
}
