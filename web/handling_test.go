package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"ctis"
)

// signIn logs user in through the login form and returns a client that
// keeps the session.
func signIn(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := postLogin(c, base, user)
	if err != nil || res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("login as %s: %v %v", user, err, res)
	}
	res.Body.Close()
	return c
}

// postLogin posts the login form as a browser does: with the token of the
// login page, which sets the cookie the token is bound to.
func postLogin(c *http.Client, base, user string) (*http.Response, error) {
	res, err := c.Get(base + "/login")
	if err != nil {
		return nil, err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	_, after, _ := strings.Cut(string(b), `name="csrf" value="`)
	token, _, _ := strings.Cut(after, `"`)
	return c.PostForm(base+"/login", url.Values{"username": {user}, "password": {password}, "csrf": {token}})
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// post sends a form of the signed-in client's, with its form token, as
// the pages' forms do.
func post(t *testing.T, c *http.Client, base, path string, form url.Values) (int, string) {
	t.Helper()
	res, body := postFollowed(t, c, base, path, form)
	return res.StatusCode, body
}

// postFollowed is post returning the response, whose request is the last
// of the redirects followed: where a form led.
func postFollowed(t *testing.T, c *http.Client, base, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("csrf", csrfOf(t, c, base))
	res, err := c.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestPagesHandlingMatrix holds the pages to the access rule: statements
// under every handling, viewed by analysts and frontline officers of three
// agencies through the entity page, search and screening. What ctis.CanSee
// refuses never appears; a hidden match with a hit notice shows only the
// agency to contact; a hidden entity reads as absent.
func TestPagesHandlingMatrix(t *testing.T) {
	srv, db, _, _ := serveNode(t)
	base := srv.URL
	if _, err := db.CreateAgency(system, ctis.Agency{Code: "JO-GID", Name: "GID", Country: "JO"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []ctis.NewUser{
		{Username: "jo.analyst", Agency: "JO-GID", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: password},
		{Username: "jo.border", Agency: "JO-GID", Roles: []ctis.Role{ctis.RoleFrontline}, Password: password},
		{Username: "fr.border", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleFrontline}, Password: password},
	} {
		if _, _, err := db.CreateUser(system, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PutGroup(system, ctis.SharingGroup{Name: "western", Agencies: []string{"FR-DGSI", "DE-BKA"}}); err != nil {
		t.Fatal(err)
	}
	groups := map[string][]string{"FR-DGSI": {"western"}, "DE-BKA": {"western"}}
	type stmt struct {
		entity, marker string
		h              ctis.Handling
	}
	var all []stmt
	fr := signIn(t, base, "fr.analyst")
	// Surnames far apart, so that screening one finds no other.
	surnames := []string{"Quenneville", "Bartholdy", "Oyelaran", "Szczepanik", "Vanterpool", "Mkhwanazi", "Lindqvist", "Gorostiaga",
		"Pemberthy", "Ruadhrigh", "Tshabalala", "Yrigoyen", "Castellvi", "Djurhuus", "Heathcote", "Wolowitz"}
	for _, h := range ctis.EveryHandling("DE-BKA", "western") {
		marker := surnames[len(all)]
		form := url.Values{"schema": {"Person"}, "property": {"name"}, "value": {"Abdulkarim " + marker}, "distribution": {string(h.Distribution)},
			"agencies": {strings.Join(h.Agencies, ",")}, "group": {h.Group}, "purpose": {"matrix"}, "csrf": {csrfOf(t, fr, base)}}
		if h.Frontline {
			form.Set("frontline", "on")
		}
		if h.HitNotice {
			form.Set("hit_notice", "on")
		}
		res, err := fr.PostForm(base+"/entities", form)
		if err != nil || res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Request.URL.Path, "/entities/") {
			t.Fatalf("creating %s: %v %v", marker, err, res)
		}
		res.Body.Close()
		all = append(all, stmt{strings.TrimPrefix(res.Request.URL.Path, "/entities/"), marker, h})
	}

	for _, user := range []struct {
		name, agency string
		frontline    bool
	}{{"fr.analyst", "FR-DGSI", false}, {"fr.border", "FR-DGSI", true}, {"de.analyst", "DE-BKA", false}, {"de.border", "DE-BKA", true},
		{"jo.analyst", "JO-GID", false}, {"jo.border", "JO-GID", true}} {
		c := signIn(t, base, user.name)
		v := ctis.Viewer{Agency: user.agency, FrontlineOnly: user.frontline, Groups: groups[user.agency]}
		for _, s := range all {
			sees := ctis.CanSee(v, "FR-DGSI", s.h)
			status, body := get(t, c, base+"/entities/"+s.entity+"?purpose=matrix")
			if shown := strings.Contains(body, s.marker); shown != sees || sees != (status == http.StatusOK) {
				t.Errorf("%s, entity page of %s: status %d, shown %v, may see %v", user.name, s.marker, status, shown, sees)
			}
			_, body = post(t, c, base, "/search", url.Values{"purpose": {"matrix"}, "name": {"Abdulkarim " + s.marker}})
			body = section(body, `id="results"`)
			notice := strings.Contains(body, "contact agency FR-DGSI")
			if shown := strings.Contains(body, s.marker); shown != sees || notice != (!sees && s.h.HitNotice) {
				t.Errorf("%s, search for %s: shown %v, notice %v; may see %v, hit notice %v", user.name, s.marker, shown, notice, sees, s.h.HitNotice)
			}
			res, err := c.PostForm(base+"/screen", url.Values{"name": {"Abdulkarim " + s.marker}, "purpose": {"matrix"}, "csrf": {csrfOf(t, c, base)}})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			page := section(string(b), `class="card result"`)
			// The subject's own name heads the result; the matched name of
			// a hit appears a second time.
			hit := strings.Count(page, s.marker) > 1
			notice = strings.Contains(page, "contact agency FR-DGSI")
			if hit != sees || notice != (!sees && s.h.HitNotice) || !sees && strings.Contains(page, "Score") {
				t.Errorf("%s, screening %s: hit %v, notice %v; may see %v, hit notice %v", user.name, s.marker, hit, notice, sees, s.h.HitNotice)
			}
		}
	}
}

// section returns the part of a page from the element marked by attr to
// the end of its section.
func section(page, attr string) string {
	_, rest, ok := strings.Cut(page, attr)
	if !ok {
		return ""
	}
	body, _, _ := strings.Cut(rest, "</section>")
	return body
}

// csrfOf reads the form token from a page of the signed-in client.
func csrfOf(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	_, body := get(t, c, base+"/screen")
	_, after, ok := strings.Cut(body, `name="csrf" value="`)
	if !ok {
		t.Fatal("no form token on the screening page")
	}
	token, _, _ := strings.Cut(after, `"`)
	return token
}

// TestScreenFile screens an uploaded CSV, shown and as a download.
func TestScreenFile(t *testing.T) {
	srv, _, svc, _ := serveNode(t)
	base := srv.URL
	if _, err := svc.CreateEntity(ctis.NewContext(context.Background(), ctis.Identity{Username: "x", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}),
		ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{{Property: "name", Value: "Omar Farouk Zayani", Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}}}}); err != nil {
		t.Fatal(err)
	}
	c := signIn(t, base, "de.border")
	upload := func(download bool) (string, string) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrfOf(t, c, base))
		mw.WriteField("purpose", "flight LH600")
		if download {
			mw.WriteField("download", "on")
		}
		fw, _ := mw.CreateFormFile("file", "passengers.csv")
		io.WriteString(fw, "name,birth_date,nationality\nOmar Faruq Zayani,,\nNobody Known Here,1990,FR\n")
		mw.Close()
		res, err := c.Post(base+"/screen/file", mw.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.Header.Get("Content-Type"), string(b)
	}
	ct, page := upload(false)
	if !strings.HasPrefix(ct, "text/html") || !strings.Contains(page, "Omar Farouk Zayani") || !strings.Contains(page, "No hit.") {
		t.Errorf("results page (%s):\n%s", ct, page)
	}
	ct, csvText := upload(true)
	if !strings.HasPrefix(ct, "text/csv") || !strings.Contains(csvText, "1,Omar Faruq Zayani,,,,hit,") || !strings.Contains(csvText, "2,Nobody Known Here,1990,FR,,no hit") {
		t.Errorf("download (%s):\n%s", ct, csvText)
	}
}

// TestAdministration creates a user through the administration page,
// whose password-less API token is shown once; others may not.
func TestAdministration(t *testing.T) {
	srv, _, _, _ := serveNode(t)
	base := srv.URL
	admin := signIn(t, base, "node.admin")
	res, err := admin.PostForm(base+"/admin/user", url.Values{"csrf": {csrfOf(t, admin, base)}, "username": {"de.new"}, "agency": {"DE-BKA"}, "roles": {"frontline"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if page := string(b); res.StatusCode != http.StatusOK || !strings.Contains(page, `id="secret"`) || !strings.Contains(page, "de.new") {
		t.Errorf("creating a user: %d\n%s", res.StatusCode, page)
	}
	if _, page := get(t, admin, base+"/admin"); strings.Contains(page, `id="secret"`) {
		t.Error("the secret is shown again")
	}
	analyst := signIn(t, base, "fr.analyst")
	if status, _ := get(t, analyst, base+"/admin"); status != http.StatusForbidden {
		t.Errorf("an analyst on the administration page: %d", status)
	}
	res, _ = analyst.PostForm(base+"/admin/agency", url.Values{"csrf": {csrfOf(t, analyst, base)}, "code": {"XX-NEW"}, "name": {"New"}, "country": {"FR"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("an analyst creating an agency: %d", res.StatusCode)
	}
}

// TestScreenMRZ screens a pasted machine-readable zone; a bad check digit
// is named and screens nothing.
func TestScreenMRZ(t *testing.T) {
	srv, _, svc, _ := serveNode(t)
	base := srv.URL
	if _, err := svc.CreateEntity(ctis.NewContext(context.Background(), ctis.Identity{Username: "x", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}),
		ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{{Property: "name", Value: "Anna Maria Eriksson", Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}}}}); err != nil {
		t.Fatal(err)
	}
	c := signIn(t, base, "de.border")
	screen := func(mrz string) string {
		res, err := c.PostForm(base+"/screen", url.Values{"csrf": {csrfOf(t, c, base)}, "purpose": {"border"}, "mrz": {mrz}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	page := screen("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n")
	if !strings.Contains(page, "ANNA MARIA ERIKSSON") || !strings.Contains(page, "Anna Maria Eriksson") {
		t.Errorf("MRZ screening:\n%s", section(page, `class="card result"`))
	}
	page = screen("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C35UTO7408122F1204159ZE184226B<<<<<10\n")
	if !strings.Contains(page, "check digit") || strings.Contains(page, `class="card result"`) {
		t.Errorf("a bad check digit:\n%s", page)
	}
}
