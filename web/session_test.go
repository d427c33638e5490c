package web_test

import (
	"context"
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
	"ctis/screen"
	"ctis/sqlite"
	"ctis/web"
)

// TestSessionsAndHeaders: pages carry the security headers; a session
// cookie is HttpOnly and SameSite; a session idle for half an hour ends;
// logging out ends it at once.
func TestSessionsAndHeaders(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.CreateAgency(system, ctis.Agency{Code: "FR-DGSI", Name: "DGSI", Country: "FR"})
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: password}); err != nil {
		t.Fatal(err)
	}
	svc, _ := screen.New(context.Background(), db)
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	srv := httptest.NewServer((&web.Server{Directory: db, Auth: db, Entities: svc, Audit: db, Screener: svc, Review: db,
		Logger: slog.New(slog.DiscardHandler), Now: clock}).Handler())
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(srv.URL+"/login", url.Values{"username": {"fr.analyst"}, "password": {password}})
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
	if _, err := db.Authenticate(context.Background(), cookieValue(cookie)); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
		t.Errorf("an idle session's token still authenticates: %v", err)
	}
}

func cookieValue(setCookie string) string {
	v, _, _ := strings.Cut(strings.TrimPrefix(setCookie, "ctis_session="), ";")
	return v
}
