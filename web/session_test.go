package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ctis"
	"ctis/node"
	"ctis/screen"
	"ctis/store"
	"ctis/web"
)

// TestSessionsAndHeaders: pages carry the security headers; a session
// cookie is HttpOnly and SameSite; a session idle for half an hour ends;
// logging out ends it at once.
func TestSessionsAndHeaders(t *testing.T) {
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.CreateAgency(system, ctis.Agency{Code: "FR-DGSI", Name: "DGSI", Country: "FR"})
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: password}); err != nil {
		t.Fatal(err)
	}
	svc, _ := screen.New(context.Background(), db)
	srv := httptest.NewServer((&web.Server{Services: node.Services(db, svc, nil), Logger: slog.New(slog.DiscardHandler), Now: clock}).Handler())
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := postLogin(c, srv.URL, "fr.analyst")
	if err != nil {
		t.Fatal(err)
	}
	cookie := res.Header.Get("Set-Cookie")
	if !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") || strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie over plain HTTP: %s", cookie)
	}
	res, _ = c.Get(srv.URL + "/")
	for h, want := range map[string]string{"Content-Security-Policy": "script-src 'self'", "X-Frame-Options": "DENY",
		"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s: %q", h, got)
		}
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("dashboard: %s %v", res.Status, res.Header)
	}
	ahead.Store(int64(29 * time.Minute))
	if res, _ = c.Get(srv.URL + "/"); res.StatusCode != http.StatusOK {
		t.Errorf("after 29 idle minutes: %s", res.Status)
	}
	ahead.Store(int64(60 * time.Minute)) // 31 minutes since the last request
	if res, _ = c.Get(srv.URL + "/"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Errorf("after 31 idle minutes: %s %s", res.Status, res.Header.Get("Location"))
	}
	// The token itself is revoked, not only forgotten by the browser.
	if _, err := db.Authenticate(context.Background(), ctis.CredentialWeb, cookieValue(cookie)); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
		t.Errorf("an idle session's token still authenticates: %v", err)
	}
}

// TestSessionsAcrossProcesses runs the pages twice over one store, as two
// serve processes behind a balancer: a login posted to one from the
// other's form works, the session stays alive while used through either,
// and a form one shows is accepted by the other.
func TestSessionsAcrossProcesses(t *testing.T) {
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	path := filepath.Join(t.TempDir(), "ctis.db")
	var bases [2]string
	for i := range bases {
		db, err := store.Open(context.Background(), path, store.Options{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if i == 0 {
			db.CreateAgency(system, ctis.Agency{Code: "FR-DGSI", Name: "DGSI", Country: "FR"})
			if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: password}); err != nil {
				t.Fatal(err)
			}
		}
		key, err := db.FormKey(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		svc, _ := screen.New(context.Background(), db)
		srv := httptest.NewServer((&web.Server{Services: node.Services(db, svc, nil), Logger: slog.New(slog.DiscardHandler), Now: clock, FormKey: key}).Handler())
		defer srv.Close()
		bases[i] = srv.URL
	}
	a, b := bases[0], bases[1]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// One cookie jar for both servers, as for one node behind a balancer.
	share := func(from, to string) {
		f, _ := url.Parse(from)
		u, _ := url.Parse(to)
		for _, path := range []string{"/", "/login"} {
			f.Path, u.Path = path, path
			jar.SetCookies(u, jar.Cookies(f))
		}
	}

	res, err := c.Get(a + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	share(a, b)
	res, err = c.PostForm(b+"/login", url.Values{"username": {"fr.analyst"}, "password": {password}, "csrf": {formToken(string(body))}})
	if err != nil || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("a login posted to another process than the form's: %v %v", res.Status, err)
	}
	share(b, a)
	var page string
	for i, base := range []string{a, b, a} {
		ahead.Store(int64(time.Duration(i+1) * 20 * time.Minute))
		status, p := get(t, c, base+"/")
		if status != http.StatusOK {
			t.Fatalf("use %d, 20 minutes after the one before through the other process: %d", i+1, status)
		}
		page = p
	}
	// The form shown by a, posted to b.
	res, err = c.PostForm(b+"/logout", url.Values{"csrf": {formToken(page)}})
	if err != nil || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("a form shown by one process, posted to another: %v %v", res.Status, err)
	}
}

func formToken(page string) string {
	_, after, _ := strings.Cut(page, `name="csrf" value="`)
	token, _, _ := strings.Cut(after, `"`)
	return token
}

func cookieValue(setCookie string) string {
	v, _, _ := strings.Cut(strings.TrimPrefix(setCookie, "ctis_session="), ";")
	return v
}

// TestTravelPagesMasked: the travel pages show a record whole until the
// retention policy masks it; then no page shows its personal data and a
// name finds nothing.
func TestTravelPagesMasked(t *testing.T) {
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.CreateAgency(system, ctis.Agency{Code: "FR-PIU", Name: "PIU", Country: "FR"})
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "fr.analyst", Agency: "FR-PIU", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: password}); err != nil {
		t.Fatal(err)
	}
	analyst := ctis.NewContext(context.Background(), ctis.Identity{Username: "fr.analyst", Agency: "FR-PIU", Roles: []ctis.Role{ctis.RoleAnalyst}})
	ids, err := db.ReceiveTravel(analyst, []ctis.NewTravelRecord{{Kind: ctis.TravelPNR, Reference: "P1", Locator: "ABC123",
		Journey:  ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-11-21T09:00"},
		Personal: ctis.TravelPersonal{Name: "Karim Haddad", Address: "12 rue Oberkampf, Paris", Payment: "CC VI XXXX1186", Document: "X1234567"},
		Referrals: []ctis.TravellerReferral{{Reference: "P1", Locator: "ABC123", Traveller: ctis.Subject{Name: "Karim Haddad", DocumentNumber: "X1234567"},
			Rule: ctis.Referral{RuleID: ctis.NewID(), RuleVersion: 1, RuleName: "card ending 1186", Score: 0.5, Expression: `payment == "CC VI XXXX1186"`,
				Facts: map[string]any{"payment": "CC VI XXXX1186"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	// The traveller was screened from the booking, with a hit.
	if _, err := db.RecordScreenings(ctis.WithPurpose(analyst, "PNR"), []ctis.Screening{{Subject: ctis.Subject{Name: "Karim Haddad", DocumentNumber: "X1234567",
		Journey: &ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG"}},
		Hits: []ctis.Hit{{EntityID: "E1", Schema: "Person", Score: 0.9, Matched: "Karim Hadad", Agencies: []string{"FR-PIU"},
			Explanation: []ctis.ScoreComponent{{Component: "name", Weight: 1, Score: 0.9, Detail: "Haddad ~ Hadad"}}}}}}); err != nil {
		t.Fatal(err)
	}
	svc, _ := screen.New(context.Background(), db)
	srv := httptest.NewServer((&web.Server{Services: node.Services(db, svc, nil), Logger: slog.New(slog.DiscardHandler)}).Handler())
	defer srv.Close()
	var c *http.Client
	login := func() { // sessions last hours: after months, a new one
		jar, _ := cookiejar.New(nil)
		c = &http.Client{Jar: jar}
		if _, err := postLogin(c, srv.URL, "fr.analyst"); err != nil {
			t.Fatal(err)
		}
	}
	login()
	// A search is posted, the name kept out of the URL; a record is read
	// by its ID.
	page := func(search url.Values, path string) string {
		if search != nil {
			search.Set("purpose", "case 7")
			_, p := post(t, c, srv.URL, "/travel", search)
			return p
		}
		_, p := get(t, c, srv.URL+path)
		return p
	}
	if p := page(url.Values{"name": {"karim haddad"}}, ""); !strings.Contains(p, "Oberkampf") || !strings.Contains(p, "XXXX1186") {
		t.Fatalf("before masking:\n%s", p)
	}
	if p := page(nil, "/referrals?purpose=case+7"); !strings.Contains(p, "Haddad") || !strings.Contains(p, "payment = CC VI XXXX1186") {
		t.Fatalf("referral before masking:\n%s", p)
	}
	if p := page(nil, "/review?purpose=case+7"); !strings.Contains(p, "Haddad ~ Hadad") {
		t.Fatalf("hit before masking:\n%s", p)
	}
	ahead.Store(int64(185 * 24 * time.Hour))
	if rep, err := db.ApplyRetention(system); err != nil || rep.Masked != 1 {
		t.Fatalf("retention: %v %+v", err, rep)
	}
	login()
	for _, q := range []struct {
		search url.Values
		path   string
	}{{url.Values{"name": {"karim haddad"}}, ""}, {url.Values{"flight": {"ZZ123"}}, ""}, {nil, "/travel/" + ids[0] + "?purpose=case+7"}} {
		p := page(q.search, q.path)
		for _, personal := range []string{"Haddad", "Oberkampf", "1186", "X1234567"} {
			if strings.Contains(p, personal) {
				t.Errorf("%v %s after masking shows %q", q.search, q.path, personal)
			}
		}
		if !strings.Contains(p, "<h1>Travel data</h1>") {
			t.Errorf("%v %s is not a travel page:\n%s", q.search, q.path, p)
		}
		if q.search.Get("name") == "" && !strings.Contains(p, "Depersonalised") {
			t.Errorf("%v %s does not say the record is masked:\n%s", q.search, q.path, p)
		}
	}
	// The referral made of it is masked with it: the rule's name stays,
	// the traveller and the facts the rule read do not.
	p := page(nil, "/referrals?purpose=case+7")
	for _, personal := range []string{"Haddad", "X1234567", "payment = CC VI"} {
		if strings.Contains(p, personal) {
			t.Errorf("the referral after masking shows %q", personal)
		}
	}
	if !strings.Contains(p, "card ending 1186") || !strings.Contains(p, "Depersonalised") {
		t.Errorf("the masked referral is not shown as masked:\n%s", p)
	}
	// So is the hit of its screening: the listed name stays, the
	// traveller's does not.
	p = page(nil, "/review?purpose=case+7")
	if strings.Contains(p, "Haddad") || strings.Contains(p, "X1234567") || !strings.Contains(p, "Karim Hadad") || !strings.Contains(p, "Depersonalised") {
		t.Errorf("the masked hit:\n%s", p)
	}
}
