package main

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ctis"
	"ctis/demo"
)

// The probe of sessions, audit scope and downloads (issue 11, items 9 to
// 13).

// auditOf lists the audit events an auditor sees for a query.
func auditOf(t *testing.T, p *probeNode, auditor, query string) []ctis.AuditEvent {
	t.Helper()
	var page ctis.AuditPage
	p.API(t, auditor, "GET", "/api/v1/audit?purpose=probe&limit=500&"+query, nil).Want(t, http.StatusOK).JSON(t, &page)
	return page.Events
}

// TestProbeAdminActionsInAffectedScope: an administrator of INTERPOL
// creates a user in FR-DGSI and adds JO-GID to a group FR-DGSI belongs to;
// FR-DGSI's auditor sees both, and INTERPOL's auditor sees what its own
// administrator did.
func TestProbeAdminActionsInAffectedScope(t *testing.T) {
	p := newProbeNode(t)
	var made struct {
		User ctis.User `json:"user"`
	}
	p.API(t, "admin", "POST", "/api/v1/users", ctis.NewUser{Username: "analyst2.fr", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: demo.Password}).
		Want(t, http.StatusCreated).JSON(t, &made)
	p.API(t, "admin", "PUT", "/api/v1/groups/euro-ct", map[string]any{"agencies": []string{"FR-DGSI", "DE-BKA", "INTERPOL", "JO-GID"}}).Want(t, http.StatusOK)

	for _, auditor := range []string{"auditor.fr", "auditor.int"} {
		created := auditOf(t, p, auditor, "action=user.create&object="+made.User.ID)
		if len(created) != 1 || created[0].Username != "admin" || !slices.Contains(created[0].Affected, "FR-DGSI") {
			t.Errorf("%s sees the creation of a FR-DGSI user as %+v", auditor, created)
		}
		grouped := auditOf(t, p, auditor, "action=group.put&username=admin")
		if len(grouped) != 1 || grouped[0].Object != "euro-ct" || !slices.Contains(grouped[0].Affected, "JO-GID") {
			t.Errorf("%s sees the group change as %+v", auditor, grouped)
		}
	}
	// DE-BKA's auditor oversees its group's change, not FR-DGSI's user.
	if got := auditOf(t, p, "auditor.de", "action=user.create&object="+made.User.ID); len(got) != 0 {
		t.Errorf("auditor.de sees the creation of a FR-DGSI user: %+v", got)
	}
	if got := auditOf(t, p, "auditor.de", "action=group.put&username=admin"); len(got) != 1 {
		t.Errorf("auditor.de sees the change of its group as %+v", got)
	}
	// The chain verifies with the affected agencies in it.
	var rep ctis.AuditReport
	p.API(t, "auditor.int", "GET", "/api/v1/audit/verify", nil).Want(t, http.StatusOK).JSON(t, &rep)
	if !rep.OK {
		t.Errorf("chain: %+v", rep)
	}
}

// TestProbeHitNoticeReferenceOpaque: two notices in a row have references
// that are neither numbers nor close to one another, and the originator
// finds each notice by its reference.
func TestProbeHitNoticeReferenceOpaque(t *testing.T) {
	p := newProbeNode(t)
	var refs []string
	for range 2 {
		var res struct {
			Notices []ctis.HitNotice `json:"notices"`
		}
		p.API(t, "border.de", "GET", "/api/v1/search?property=passportNumber&value=18FR44120&purpose=probe", nil).Want(t, http.StatusOK).JSON(t, &res)
		if len(res.Notices) != 1 || res.Notices[0].Agency != "FR-DGSI" {
			t.Fatalf("notices: %+v", res.Notices)
		}
		refs = append(refs, res.Notices[0].Reference)
	}
	for _, ref := range refs {
		if _, err := strconv.ParseInt(ref, 10, 64); err == nil || len(ref) < 26 {
			t.Fatalf("reference %q is a number or short enough to count with", ref)
		}
	}
	if refs[0] == refs[1] || refs[0][:8] == refs[1][:8] {
		t.Errorf("consecutive references %q and %q", refs[0], refs[1])
	}
	for _, ref := range refs {
		got := auditOf(t, p, "auditor.fr", "reference="+url.QueryEscape(ref))
		if len(got) != 1 || got[0].Action != ctis.ActHitNotice || !strings.Contains(got[0].Detail, ref) {
			t.Errorf("the originator looks up notice %s and finds %+v", ref, got)
		}
		// The searcher's agency does not see the originator's notice.
		if got := auditOf(t, p, "auditor.de", "reference="+url.QueryEscape(ref)); len(got) != 0 {
			t.Errorf("the searcher's auditor finds notice %s: %+v", ref, got)
		}
	}
}

// sessionCookie returns the value of a browser's session cookie.
func (b *browser) sessionCookie(t *testing.T) string {
	t.Helper()
	u, _ := url.Parse(b.p.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "ctis_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestProbeSessionsAndTokensApart: a page session is not an API token,
// and neither an API token nor an API login is a page session.
func TestProbeSessionsAndTokensApart(t *testing.T) {
	p := newProbeNode(t)
	b := p.Browser(t, "analyst.fr")
	cookie := b.sessionCookie(t)
	p.API(t, "", "GET", "/api/v1/search?name=abou+moussa&purpose=probe", nil, "Authorization: Bearer "+cookie).Want(t, http.StatusUnauthorized)
	if page := b.Get(t, "/search?name=abou+moussa&purpose=probe"); page.Status != http.StatusOK {
		t.Fatalf("the session itself: status %d", page.Status)
	}

	var login struct {
		Token string `json:"token"`
	}
	p.API(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "analyst.fr", "password": demo.Password}).Want(t, http.StatusOK).JSON(t, &login)
	for name, token := range map[string]string{"API token": p.tokens["analyst.fr"], "API login": login.Token} {
		req, _ := http.NewRequest("GET", p.URL+"/search?name=abou+moussa&purpose=probe", nil)
		req.AddCookie(&http.Cookie{Name: "ctis_session", Value: token})
		res := p.do(t, b.c, req) // b.c follows no redirect
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Errorf("%s as a session cookie: status %d %s", name, res.Status, res.Header.Get("Location"))
		}
		// The refused cookie does not end the API's credential.
		p.API(t, "", "GET", "/api/v1/search?name=abou+moussa&purpose=probe", nil, "Authorization: Bearer "+token).Want(t, http.StatusOK)
	}
}

// TestProbeLoginCSRF: a login posted from another origin, or without the
// login form's token, opens no session.
func TestProbeLoginCSRF(t *testing.T) {
	p := newProbeNode(t)
	fresh := func() *browser {
		jar, _ := cookiejar.New(nil)
		return &browser{p: p, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	}
	post := func(b *browser, form url.Values, origin string) probeReply {
		req, _ := http.NewRequest("POST", p.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		return p.do(t, b.c, req)
	}
	creds := func() url.Values { return url.Values{"username": {"analyst.fr"}, "password": {demo.Password}} }
	opened := func(r probeReply) bool {
		return strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), "\n"), "ctis_session=") && r.Status == http.StatusSeeOther
	}

	// The attack as probed: another origin, no token, no prior visit.
	if r := post(fresh(), creds(), "https://evil.example"); opened(r) || r.Status != http.StatusForbidden {
		t.Errorf("cross-origin login without a token: status %d, cookies %v", r.Status, r.Header.Values("Set-Cookie"))
	}
	// No Origin header (an older browser), no token.
	if r := post(fresh(), creds(), ""); opened(r) || r.Status != http.StatusForbidden {
		t.Errorf("login without a token: status %d", r.Status)
	}
	// A token from the victim's own login page, posted from elsewhere.
	b := fresh()
	token := formToken(b.Get(t, "/login").Body)
	if token == "" {
		t.Fatal("the login page has no form token")
	}
	f := creds()
	f.Set("csrf", token)
	if r := post(b, f, "https://evil.example"); opened(r) {
		t.Errorf("cross-origin login with a token: status %d", r.Status)
	}
	// A token without the cookie it belongs to (the attacker's own).
	if r := post(fresh(), f, p.URL); opened(r) {
		t.Errorf("login with another browser's token: status %d", r.Status)
	}
	// The form itself, from the node's own page.
	if r := post(b, f, p.URL); !opened(r) {
		t.Errorf("same-origin login with its token: status %d %s", r.Status, r.Body)
	}
}

// TestProbeScreeningCSVFormulas: a screened name that a spreadsheet would
// read as a formula is downloaded as text.
func TestProbeScreeningCSVFormulas(t *testing.T) {
	p := newProbeNode(t)
	b := p.Browser(t, "analyst.fr")
	token := formToken(b.Get(t, "/screen").Body)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", token)
	mw.WriteField("purpose", "probe")
	mw.WriteField("download", "on")
	fw, _ := mw.CreateFormFile("file", "subjects.csv")
	fw.Write([]byte("name,birth_date,nationality,document_number\n\"@SUM(1+1) Abou Moussa\",,,\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", p.URL+"/screen/file", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", p.URL)
	res := p.do(t, b.c, req)
	if res.Status != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("download: status %d %s\n%s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %v\n%s", err, res.Body)
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("column %s is a formula: %q", rows[0][i], cell)
			}
		}
		if row[1] != "'@SUM(1+1) Abou Moussa" {
			t.Errorf("name cell %q", row[1])
		}
	}
}
