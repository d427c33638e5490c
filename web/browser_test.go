package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ctis"
	"ctis/api"
	"ctis/feed"
	"ctis/hashbank"
	"ctis/node"
	"ctis/screen"
	"ctis/store"
	"ctis/throttle"
	"ctis/web"
)

const password = "browser test password"

var system = ctis.NewContext(context.Background(), ctis.SystemIdentity("test"))

// serveNode starts a node's pages and API on a fresh store with two agencies
// and a user of each role.
func serveNode(t *testing.T) (*httptest.Server, *store.DB, *screen.Service, *hashbank.Service) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, a := range []ctis.Agency{{Code: "FR-DGSI", Name: "DGSI", Country: "FR"}, {Code: "DE-BKA", Name: "BKA", Country: "DE"}, {Code: "KZ-KNB", Name: "KNB", Country: "KZ"}} {
		if _, err := db.CreateAgency(system, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []ctis.NewUser{
		{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}},
		{Username: "node.admin", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAdmin}},
		{Username: "fr.auditor", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAuditor}},
		{Username: "de.border", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleFrontline}},
		{Username: "de.analyst", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}},
		{Username: "de.auditor", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAuditor}},
		{Username: "kz.analyst", Agency: "KZ-KNB", Roles: []ctis.Role{ctis.RoleAnalyst}},
	} {
		u.Password = password
		if _, _, err := db.CreateUser(system, u); err != nil {
			t.Fatal(err)
		}
	}
	svc, err := screen.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := hashbank.New(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	limiter := throttle.New(time.Now, nil)
	mux := http.NewServeMux()
	services := node.Services(db, svc, hashes)
	hub, err := feed.NewHub(context.Background(), db, log)
	if err != nil {
		t.Fatal(err)
	}
	// Feed connections are dropped every half second, and browsers
	// reconnect at once: the event tests see every alert all the same.
	hub.Lifetime, hub.Retry = 500*time.Millisecond, 50*time.Millisecond
	services.Events = hub.Events(db)
	mux.Handle("/api/", (&api.Server{Services: services, Logger: log, Limiter: limiter, Feed: hub}).Handler())
	mux.Handle("/", (&web.Server{Services: services, Limiter: limiter, Logger: log, Feed: hub}).Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, db, svc, hashes
}

// browser starts headless Chromium, or skips when there is none, unless
// CTIS_BROWSER_TESTS=1 (as in CI) demands it.
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CTIS_BROWSER_TESTS") == "1" {
			t.Fatal("no Chromium found; install Debian's chromium package (.ci/run does)")
		}
		t.Skip("no Chromium: apt-get install chromium to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 800))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	// The browser speaks a newer protocol than the client knows in places;
	// what it cannot read is of no concern to these tests.
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(func(string, ...any) {}))
	t.Cleanup(cancel)
	// The first run starts the browser, which lives as long as ctx: steps
	// get timeouts of their own.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// shots is where screenshots go: $CTIS_ARTIFACTS, or a temporary folder.
func shots(t *testing.T) string {
	dir := os.Getenv("CTIS_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	t.Logf("screenshots in %s", dir)
	return dir
}

func shot(dir, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var b []byte
		if err := chromedp.FullScreenshot(&b, 100).Do(ctx); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
	})
}

func login(base, user string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(base + "/login"),
		chromedp.SendKeys("#username", user, chromedp.ByID),
		chromedp.SendKeys("#password", password, chromedp.ByID),
		chromedp.Click("#login", chromedp.ByID),
		chromedp.WaitVisible("#banner", chromedp.ByID),
	}
}

var logout = chromedp.Tasks{chromedp.Click("#logout", chromedp.ByID), chromedp.WaitVisible("#username", chromedp.ByID)}

// TestBrowserJourney walks the main journeys in a real browser: an
// analyst records a person under restricted handling, a frontline officer
// of another agency screening that person learns only whom to contact,
// a reviewer confirms a hit, and auditors see it all.
func TestBrowserJourney(t *testing.T) {
	srv, _, _, hashes := serveNode(t)
	ctx := browser(t)
	dir := shots(t)
	base := srv.URL
	var text string
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		var flat []chromedp.Action
		for _, a := range actions {
			if ts, ok := a.(chromedp.Tasks); ok {
				flat = append(flat, ts...)
			} else {
				flat = append(flat, a)
			}
		}
		for i, a := range flat {
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := chromedp.Run(sctx, a)
			cancel()
			if err != nil {
				var loc string
				chromedp.Run(ctx, chromedp.Location(&loc), shot(dir, "failed"))
				t.Fatalf("%s, step %d (at %s): %v", what, i+1, loc, err)
			}
		}
	}
	run("login page", chromedp.Navigate(base+"/login"), shot(dir, "01-login"))

	// The analyst records two people: one kept to FR-DGSI with a hit
	// notice, one released to all members and their frontline.
	create := func(name string, dist string, frontline, notice bool) chromedp.Tasks {
		ts := chromedp.Tasks{
			chromedp.Navigate(base + "/entities/new"),
			chromedp.SendKeys("#value", name, chromedp.ByID),
			chromedp.SetValue("#purpose", "case FR-2026-88", chromedp.ByID),
			chromedp.Click(`input[name=distribution][value=`+dist+`]`, chromedp.ByQuery),
		}
		if frontline {
			ts = append(ts, chromedp.Click("#frontline", chromedp.ByID))
		}
		if notice {
			ts = append(ts, chromedp.Click("#hit_notice", chromedp.ByID))
		}
		return append(ts, chromedp.Click("#create", chromedp.ByID), chromedp.WaitVisible("#entity", chromedp.ByID))
	}
	run("analyst creates entities", login(base, "fr.analyst"),
		create("Karim Belkacem Haddad", "originator", false, true), shot(dir, "02-entity-restricted"),
		chromedp.Text("#banner", &text, chromedp.ByID))
	if !strings.Contains(text, "originator") || !strings.Contains(text, "fr.analyst") {
		t.Errorf("banner of a restricted entity: %q", text)
	}
	run("second entity", create("Omar Farouk Zayani", "all", true, false), logout)

	// The frontline officer of DE-BKA: a notice for the restricted person,
	// a hit for the released one.
	run("frontline screens", login(base, "de.border"),
		chromedp.Navigate(base+"/screen"),
		chromedp.SendKeys("#name", "Karim Belkacem Haddad", chromedp.ByID),
		chromedp.SendKeys("#purpose", "border check 17", chromedp.ByID),
		chromedp.Click("#screen", chromedp.ByID),
		chromedp.WaitVisible(".result", chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery), shot(dir, "03-screen-notice"))
	if !strings.Contains(text, "Hit — contact agency FR-DGSI") || strings.Contains(text, "Score") {
		t.Errorf("frontline screening of a restricted entry shows:\n%s", text)
	}
	run("frontline screens a released name", chromedp.Navigate(base+"/screen"),
		chromedp.SendKeys("#name", "Omar Faruq Zayani", chromedp.ByID),
		chromedp.Click("#screen", chromedp.ByID),
		chromedp.WaitVisible(".hit", chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery), shot(dir, "04-screen-hit"))
	if !strings.Contains(text, "Omar Farouk Zayani") {
		t.Errorf("frontline screening of a released entry shows:\n%s", text)
	}
	// A file of passengers, sent with a progress bar by the page's script.
	file := filepath.Join(t.TempDir(), "passengers.csv")
	os.WriteFile(file, []byte("name,birth_date\nOmar Farouk Zayani,\nNobody Known Here,1990\n"), 0o600)
	run("frontline screens a file", chromedp.Navigate(base+"/screen"),
		chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByID),
		chromedp.Click("#upload", chromedp.ByID),
		chromedp.WaitVisible(".nohit", chromedp.ByQuery),
		chromedp.Text("main", &text, chromedp.ByQuery), shot(dir, "04b-screen-file"), logout)
	if !strings.Contains(text, "Omar Farouk Zayani") || !strings.Contains(text, "No hit.") {
		t.Errorf("file screening shows:\n%s", text)
	}

	// The reviewer of DE-BKA confirms the hit.
	var hitID string
	run("reviewer confirms", login(base, "de.analyst"),
		chromedp.Navigate(base+"/review"), chromedp.WaitVisible(".hit", chromedp.ByQuery), shot(dir, "05-review-queue"),
		chromedp.SendKeys(`.hit input[name=reason]`, "same name and nationality; checked the passport", chromedp.ByQuery),
		chromedp.AttributeValue(".hit", "id", &hitID, nil, chromedp.ByQuery),
		chromedp.Click(".hit button.confirm", chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error { // decided, it leaves the open queue
			return chromedp.WaitNotPresent("#"+hitID, chromedp.ByQuery).Do(ctx)
		}),
		chromedp.Navigate(base+"/review?status=confirmed"), chromedp.WaitVisible(".hit", chromedp.ByQuery),
		chromedp.Text(".hit .status", &text, chromedp.ByQuery), logout)
	if text != "confirmed" {
		t.Errorf("hit status after confirming: %q", text)
	}

	// Auditors: DE-BKA's sees the screening and the decision; FR-DGSI's
	// sees the creation and the notice its restricted entry gave.
	run("DE auditor", login(base, "de.auditor"), chromedp.Navigate(base+"/audit"),
		chromedp.WaitVisible("#events", chromedp.ByID), chromedp.Text("main", &text, chromedp.ByQuery), shot(dir, "06-audit"), logout)
	for _, want := range []string{"The audit chain verifies", "screen", "hit.decide", "de.analyst", "de.border"} {
		if !strings.Contains(text, want) {
			t.Errorf("DE auditor's view lacks %q", want)
		}
	}
	run("FR auditor", login(base, "fr.auditor"), chromedp.Navigate(base+"/audit"),
		chromedp.WaitVisible("#events", chromedp.ByID), chromedp.Text("main", &text, chromedp.ByQuery), logout)
	for _, want := range []string{"entity.create", "hit_notice.issued"} {
		if !strings.Contains(text, want) {
			t.Errorf("FR auditor's view lacks %q", want)
		}
	}

	// A border officer matches an uploaded photograph against France's
	// hash bank, released to the frontline.
	fr := ctis.NewContext(context.Background(), ctis.Identity{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}})
	bank, err := hashes.CreateHashBank(fr, ctis.HashBank{Name: "Daesh media", Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hashes.AddHashes(fr, bank.ID, []ctis.HashEntry{{Type: ctis.HashPDQ, Value: "d8f8f0cec4f4a84f0637022a078f67f0b36e2ee5b6621e1d33e6239c4e9c9b22",
		Labels: ctis.HashLabels{Entity: "ISIL", Behaviours: []ctis.Behaviour{"branded_propaganda"}}}}); err != nil {
		t.Fatal(err)
	}
	photo, _ := filepath.Abs("../pdq/testdata/images/square-256x256.jpg")
	run("frontline matches an image", login(base, "de.border"), chromedp.Navigate(base+"/hashes"),
		chromedp.SetUploadFiles("#image", []string{photo}, chromedp.ByID),
		chromedp.Click("#match", chromedp.ByID),
		chromedp.WaitVisible("#matches", chromedp.ByID),
		chromedp.Text("#matches", &text, chromedp.ByID), shot(dir, "06b-hash-match"), logout)
	if !strings.Contains(text, "Daesh media") || !strings.Contains(text, "0 bits apart") || !strings.Contains(text, "branded_propaganda") {
		t.Errorf("hash match shows:\n%s", text)
	}

	var dirAttr string
	// The German analyst lists the central authority; the French analyst
	// drafts a request to it in the form and sends it; the German
	// acknowledges it, and the timeline shows each step.
	run("directory entry", login(base, "de.analyst"), chromedp.Navigate(base+"/authorities"),
		chromedp.SendKeys("#a-country", "DE", chromedp.ByID), chromedp.SetValue("#a-instrument", "mla", chromedp.ByID),
		chromedp.SendKeys("#a-name", "Bundesamt für Justiz", chromedp.ByID), chromedp.SendKeys("#a-jurisdiction", "Germany", chromedp.ByID),
		chromedp.SendKeys("#a-languages", "de, en", chromedp.ByID), chromedp.SendKeys("#a-channels", "e-CODEX", chromedp.ByID),
		chromedp.SendKeys("#a-hours", "Mon-Fri", chromedp.ByID), chromedp.Click("#add-authority", chromedp.ByID),
		chromedp.WaitVisible("#authorities", chromedp.ByID), shot(dir, "06c-authorities"), logout)
	deadline := time.Now().UTC().Add(10 * 24 * time.Hour)
	run("analyst drafts and sends a request", login(base, "fr.analyst"), chromedp.Navigate(base+"/requests"),
		chromedp.WaitVisible("#new-request", chromedp.ByID),
		chromedp.SetValue("#r-kind", "e_evidence_subscriber", chromedp.ByID),
		chromedp.SendKeys("#r-basis", "Budapest Convention, art. 18", chromedp.ByID),
		chromedp.SendKeys("#r-offence", "public provocation to commit a terrorist offence", chromedp.ByID),
		chromedp.SendKeys("#r-description", "Subscriber of the account that posted the video.", chromedp.ByID),
		chromedp.SetValue("#r-deadline", deadline.Format("2006-01-02T15:04"), chromedp.ByID),
		chromedp.SendKeys("#r-attachments", strings.Repeat("0f", 32)+" 20480 order.pdf", chromedp.ByID),
		chromedp.Click("#draft", chromedp.ByID), chromedp.WaitVisible("#timeline", chromedp.ByID),
		chromedp.SetValue("#action", "send", chromedp.ByID), chromedp.Click("#take-step", chromedp.ByID),
		// Sent, it can no longer be sent: the page after the step is there.
		chromedp.WaitNotPresent(`#action option[value="send"]`, chromedp.ByQuery), chromedp.Text("#state", &text, chromedp.ByID), logout)
	if text != "sent" {
		t.Errorf("state after sending: %q", text)
	}
	run("receiver acknowledges", login(base, "de.analyst"), chromedp.Navigate(base+"/requests?role=receiver"),
		chromedp.Click("#requests a", chromedp.ByQuery), chromedp.WaitVisible("#step", chromedp.ByID),
		chromedp.SendKeys("#s-note", "received", chromedp.ByID), chromedp.Click("#take-step", chromedp.ByID),
		chromedp.WaitReady(`#action option[value="start"]`, chromedp.ByQuery), chromedp.Text("main", &text, chromedp.ByQuery), shot(dir, "06d-request"),
		chromedp.Text("#banner", &dirAttr, chromedp.ByID), logout)
	for _, want := range []string{"acknowledged", "order.pdf", "drafted", "received"} {
		if !strings.Contains(text, want) {
			t.Errorf("the request's page lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(dirAttr, "agencies: DE-BKA") {
		t.Errorf("the request page's banner: %q", dirAttr)
	}

	// French and Arabic pages, the Arabic right to left.
	run("French", chromedp.Navigate(base+"/login"), chromedp.SetValue("#lang", "fr", chromedp.ByID),
		chromedp.Submit("#lang", chromedp.ByID), chromedp.WaitVisible("#username", chromedp.ByID),
		chromedp.Text("h1", &text, chromedp.ByQuery), shot(dir, "07-login-fr"))
	if text != "Se connecter" {
		t.Errorf("French login page title %q", text)
	}
	run("Arabic", chromedp.SetValue("#lang", "ar", chromedp.ByID), chromedp.Submit("#lang", chromedp.ByID),
		chromedp.WaitVisible("#username", chromedp.ByID), chromedp.AttributeValue("html", "dir", &dirAttr, nil, chromedp.ByQuery),
		login(base, "de.border"), chromedp.Navigate(base+"/screen"), chromedp.WaitVisible("#name", chromedp.ByID),
		chromedp.Text("h1", &text, chromedp.ByQuery), shot(dir, "08-screen-ar"))
	if dirAttr != "rtl" || text != "فحص شخص" {
		t.Errorf("Arabic page: dir %q, title %q", dirAttr, text)
	}
}

// TestCSRFRefused posts a form without its token, from a signed-in
// session, and is refused without any change.
func TestCSRFRefused(t *testing.T) {
	srv, db, _, _ := serveNode(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := postLogin(c, srv.URL, "fr.analyst")
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %v %v", err, res.Status)
	}
	before, _ := db.Verify(system, nil)
	res, err = c.PostForm(srv.URL+"/entities", url.Values{"schema": {"Person"}, "property": {"name"}, "value": {"Forged Person"}, "distribution": {"all"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a form without its token: %s", res.Status)
	}
	if after, _ := db.Verify(system, nil); after.Head != before.Head {
		t.Error("a refused form changed the store")
	}
	res, _ = c.PostForm(srv.URL+"/entities", url.Values{"csrf": {"forged"}, "schema": {"Person"}, "property": {"name"}, "value": {"Forged Person"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a form with a forged token: %s", res.Status)
	}
}
