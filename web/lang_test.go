package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestLanguageKeptWithUser: a language chosen while signed in is kept
// with the user and found again in a new browser, over the cookie and
// Accept-Language; before signing in, the cookie, then Accept-Language,
// decide. Every language's pages say their language, Arabic's right to
// left.
func TestLanguageKeptWithUser(t *testing.T) {
	srv, _, _, _ := serveNode(t)
	base := srv.URL
	htmlLang := regexp.MustCompile(`<html lang="([a-z]+)" dir="([a-z]+)">`)
	langOf := func(page string) string {
		m := htmlLang.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no <html lang dir>:\n%.300s", page)
		}
		if (m[1] == "ar") != (m[2] == "rtl") {
			t.Errorf("%s page with dir %q", m[1], m[2])
		}
		return m[1]
	}
	anon := func(accept string, cookie string) string {
		req, _ := http.NewRequest("GET", base+"/login", nil)
		req.Header.Set("Accept-Language", accept)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "ctis_lang", Value: cookie})
		}
		return langOf(do(t, http.DefaultClient, req))
	}
	for _, c := range []struct{ accept, cookie, want string }{
		{"zh-CN,zh;q=0.9", "", "zh"}, {"es-MX", "", "es"}, {"ru", "", "ru"}, {"ar-JO", "", "ar"}, {"fr-CA", "", "fr"}, {"de", "", "en"},
		{"zh-CN", "es", "es"}, {"en", "xx", "en"},
	} {
		if got := anon(c.accept, c.cookie); got != c.want {
			t.Errorf("Accept-Language %q, cookie %q: %s, want %s", c.accept, c.cookie, got, c.want)
		}
	}

	c := signIn(t, base, "de.border")
	if status, _ := post(t, c, base, "/language", url.Values{"lang": {"xx"}, "back": {"/"}}); status != http.StatusBadRequest {
		t.Errorf("an unknown language: %d", status)
	}
	if _, page := post(t, c, base, "/language", url.Values{"lang": {"ar"}, "back": {"/screen"}}); langOf(page) != "ar" {
		t.Errorf("after choosing Arabic: %s", langOf(page))
	}
	// Another browser, which asks for Chinese and has a Spanish cookie:
	// the user's own choice wins.
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: "ctis_lang", Value: "es", Path: "/"}})
	other := &http.Client{Jar: jar}
	if res, err := postLogin(other, base, "de.border"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login: %v", err)
	}
	req, _ := http.NewRequest("GET", base+"/screen", nil)
	req.Header.Set("Accept-Language", "zh")
	if got := langOf(do(t, other, req)); got != "ar" {
		t.Errorf("a new session of a user who chose Arabic: %s", got)
	}
}

// TestArabicPagesHaveNoEnglish renders every page for Arabic-speaking
// users of every role, with data on them, and finds on none of them a
// message of the English catalogue whose Arabic differs.
func TestArabicPagesHaveNoEnglish(t *testing.T) {
	srv, _, _, _ := serveNode(t)
	base := srv.URL
	english := englishMessages(t)

	analyst := signIn(t, base, "fr.analyst")
	post(t, analyst, base, "/language", url.Values{"lang": {"ar"}, "back": {"/"}})
	res, err := analyst.PostForm(base+"/entities", url.Values{"csrf": {csrfOf(t, analyst, base)}, "schema": {"Person"}, "property": {"name"},
		"value": {"أسامة عبد الكريم"}, "distribution": {"all"}, "frontline": {"on"}, "purpose": {"case 1"}})
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("creating an entity: %v %v", err, res)
	}
	res.Body.Close()
	entity := res.Request.URL.Path

	type visit struct {
		user, path string
		form       url.Values
	}
	var visits []visit
	for _, user := range []string{"fr.analyst", "de.border", "fr.auditor", "node.admin"} {
		for _, path := range []string{"/", "/search", "/screen", "/review?purpose=case+1", "/audit", "/admin", "/travel", "/hashes", "/events",
			"/authorities", "/requests", "/entities/new", entity + "?purpose=case+1", "/entities/nothing-here?purpose=case+1"} {
			visits = append(visits, visit{user, path, nil})
		}
		visits = append(visits, visit{user, "/search", url.Values{"name": {"Osama Abdulkarim"}, "purpose": {"case 1"}}},
			visit{user, "/screen", url.Values{"name": {"Usama Abd al-Karim"}, "purpose": {"case 1"}}},
			visit{user, "/travel", url.Values{"flight": {"ZZ1"}, "purpose": {"case 1"}}})
	}
	clients := map[string]*http.Client{}
	for _, v := range visits {
		c := clients[v.user]
		if c == nil {
			c = signIn(t, base, v.user)
			post(t, c, base, "/language", url.Values{"lang": {"ar"}, "back": {"/"}})
			clients[v.user] = c
		}
		var page string
		if v.form != nil {
			_, page = post(t, c, base, v.path, v.form)
		} else {
			_, page = get(t, c, base+v.path)
		}
		if !strings.Contains(page, `<html lang="ar" dir="rtl">`) {
			t.Errorf("%s %s is not an Arabic page", v.user, v.path)
			continue
		}
		// User names, such as fr.analyst, are names, not English.
		text := userNames.ReplaceAllString(visibleText(page), "")
		for _, en := range english {
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(en) + `\b`).MatchString(text) {
				t.Errorf("%s %s shows the English %q", v.user, v.path, en)
			}
		}
	}
}

func do(t *testing.T, c *http.Client, req *http.Request) string {
	t.Helper()
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// englishMessages are the literal parts of the English catalogue's
// messages that Arabic words otherwise, of four letters or more.
func englishMessages(t *testing.T) []string {
	t.Helper()
	read := func(l string) map[string]json.RawMessage {
		b, err := os.ReadFile("i18n/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	en, ar := read("en"), read("ar")
	verb := regexp.MustCompile(`%(\[\d+\])?[a-z]`)
	var out []string
	for k, raw := range en {
		if string(raw) == string(ar[k]) {
			continue
		}
		var texts []string
		var s string
		if json.Unmarshal(raw, &s) == nil {
			texts = []string{s}
		} else {
			var forms map[string]string
			json.Unmarshal(raw, &forms)
			for _, f := range forms {
				texts = append(texts, f)
			}
		}
		for _, s := range texts {
			for _, part := range verb.Split(s, -1) {
				if part = strings.Trim(part, " .:;,()—"); len(part) >= 4 {
					out = append(out, part)
				}
			}
		}
	}
	if len(out) < 200 {
		t.Fatalf("only %d English messages to look for", len(out))
	}
	return out
}

var userNames = regexp.MustCompile(`\b[a-z]+\.(analyst|auditor|admin|border)\b`)

var (
	tagPattern      = regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`)
	attrsPeopleRead = regexp.MustCompile(`(?:placeholder|title|aria-label|alt)="([^"]*)"`)
)

// visibleText is what a page shows or reads out: its text and the
// attributes people read.
func visibleText(page string) string {
	var b strings.Builder
	for _, m := range attrsPeopleRead.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[1] + "\n")
	}
	b.WriteString(tagPattern.ReplaceAllString(page, "\n"))
	return b.String()
}
