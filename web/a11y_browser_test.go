package web_test

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"ctis"
)

// axeSource is axe-core, from its npm package (testdata/axe/README.md).
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// wcagTags are the rule sets the pages are held to: WCAG 2.0, 2.1 and
// 2.2, levels A and AA.
var wcagTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// languages are the six the pages are written in.
var languages = []string{"en", "fr", "ar", "ru", "zh", "es"}

// a11yNode is a node with something on every page: an entity, a hit
// waiting for review, a travel record, an event with an alert, a
// directory entry and a request with its notification.
type a11yNode struct {
	base                          string
	entity, travel, event, req    string
	referral                      string
	analyst, border, auditor, adm string
}

// seedA11y fills a node through its services and forms: an entity
// released to all and the frontline, screened by DE-BKA's border officer
// (a hit in DE-BKA's queue), a PNR record, an event hosted by FR-DGSI with
// DE-BKA, a directory entry of DE-BKA's and a request to it from FR-DGSI,
// and a removal order from DE-BKA to a platform member.
func seedA11y(t *testing.T) a11yNode {
	t.Helper()
	srv, db, svc, hashes := serveNode(t)
	n := a11yNode{base: srv.URL, analyst: "de.analyst", border: "de.border", auditor: "de.auditor", adm: "node.admin"}
	frCtx := ctis.NewContext(context.Background(), ctis.Identity{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}})
	deCtx := ctis.NewContext(context.Background(), ctis.Identity{Username: "de.analyst", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}})
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	e, err := svc.CreateEntity(frCtx, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Omar Farouk Zayani", Handling: all},
		{Property: "name", Value: "عمر فاروق الزياني", Handling: all},
		{Property: "birthDate", Value: "1979-04-12", Handling: ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	n.entity = e.ID
	for _, name := range []string{"Karim Belkacem Haddad", "Ali Hassan Musa"} {
		if _, err := svc.CreateEntity(frCtx, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{{Property: "name", Value: name, Handling: all}}}); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := db.ReceiveTravel(deCtx, []ctis.NewTravelRecord{{Kind: ctis.TravelPNR, Reference: "P1", Locator: "ABC123",
		Journey:  ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-11-21T09:00"},
		Personal: ctis.TravelPersonal{Name: "Karim Haddad", Nationality: "FR", Document: "X1234567"}}})
	if err != nil {
		t.Fatal(err)
	}
	n.travel = ids[0]
	today := time.Now().UTC()
	ev, err := db.CreateEvent(frCtx, ctis.NewEvent{Name: "Summit 2026", Starts: today.Format(time.DateOnly), Ends: today.AddDate(0, 0, 3).Format(time.DateOnly),
		Venues: []string{"Palais des congrès"}, Agencies: []string{"DE-BKA"}})
	if err != nil {
		t.Fatal(err)
	}
	n.event = ev.ID
	if _, err := db.PostAlert(frCtx, ev.ID, ctis.NewAlert{Severity: ctis.SeverityHigh, Title: "Drone sighted near venue", Location: "Gate 4",
		Details: "Seen at 14:05, heading north.", ValidUntil: today.Add(6 * time.Hour), Handling: all}); err != nil {
		t.Fatal(err)
	}
	if _, err := hashes.CreateHashBank(frCtx, ctis.HashBank{Name: "Daesh media", Handling: all}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []ctis.NewUser{
		{Username: n.analyst + "2", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}},
		{Username: n.border + "2", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleFrontline}},
		{Username: n.auditor + "2", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAuditor}},
		{Username: n.adm + "2", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAdmin}},
	} {
		u.Password = password
		if _, _, err := db.CreateUser(system, u); err != nil {
			t.Fatal(err)
		}
	}
	border, de, fr := signIn(t, n.base, "de.border"), signIn(t, n.base, "de.analyst"), signIn(t, n.base, "fr.analyst")
	for _, name := range []string{"Omar Faruq Zayani", "Karim Belkacem Hadad", "Ali Hasan Musa"} {
		if status, _ := post(t, border, n.base, "/screen", url.Values{"name": {name}, "purpose": {"border check 17"}}); status != http.StatusOK {
			t.Fatalf("screening %s: %d", name, status)
		}
	}
	if status, _ := post(t, de, n.base, "/authorities", url.Values{"country": {"DE"}, "instrument": {"mla"}, "name": {"Bundesamt für Justiz"}, "jurisdiction": {"Germany"},
		"languages": {"de, en"}, "channels": {"e-CODEX"}, "hours": {"Mon-Fri"}, "verified_on": {today.Format(time.DateOnly)}}); status != http.StatusOK {
		t.Fatalf("directory entry: %d", status)
	}
	list, err := db.Authorities(frCtx, ctis.AuthorityQuery{})
	if err != nil || len(list) != 1 {
		t.Fatalf("directory %v %v", list, err)
	}
	form := url.Values{"kind": {"mla"}, "authority": {list[0].ID}, "legal_basis": {"bilateral treaty"}, "offence": {"financing of terrorism"},
		"description": {"bank records of account 123"}, "deadline": {today.Add(240 * time.Hour).Format("2006-01-02T15:04")},
		"attachments": {strings.Repeat("ab", 32) + " 20480 request letter.pdf"}, "csrf": {csrfOf(t, fr, n.base)}}
	res, err := fr.PostForm(n.base+"/requests", form)
	if err != nil || res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Request.URL.Path, "/requests/") {
		t.Fatalf("drafting a request: %v %v", err, res)
	}
	res.Body.Close()
	n.req = res.Request.URL.Path
	if _, err := db.CreateAgency(system, ctis.Agency{Code: "XX-VIDEOHOST", Name: "Video host", Country: "IE", Kind: "platform"}); err != nil {
		t.Fatal(err)
	}
	ref, err := db.Refer(deCtx, ctis.NewContentReferral{Platform: "XX-VIDEOHOST", Basis: ctis.BasisRemovalOrder, Type: ctis.HashURL,
		Content: "https://video.example/watch?v=abc123", Labels: ctis.HashLabels{ContentType: "video"}})
	if err != nil {
		t.Fatal(err)
	}
	n.referral = "/content-referrals/" + ref.ID
	if status, _ := post(t, fr, n.base, n.req+"/steps", url.Values{"action": {"send"}}); status != http.StatusOK {
		t.Fatalf("sending the request: %d", status)
	}
	return n
}

// a11yPage is a page to check: a user's GET of path, or, with fill, the
// page the form on path gives once filled (the selectors' values) and
// sent; wait is an element of the page checked.
type a11yPage struct {
	user, path string
	fill       [][2]string
	submit     string
	wait       string
}

// pages are every page of the node, each seen by a user whose role
// gives it its fullest content.
func (n a11yNode) pages() []a11yPage {
	purpose := "?purpose=case+17"
	return []a11yPage{
		{user: "", path: "/login", wait: "#username"},
		{user: "", path: "/login", fill: [][2]string{{"#username", "nobody"}, {"#password", "wrong"}}, submit: "#login", wait: "#failure"},
		{user: n.analyst, path: "/", wait: "#banner"},
		{user: n.analyst, path: "/search", wait: "#find"},
		{user: n.analyst, path: "/search", fill: [][2]string{{"#name", "Omar Zayani"}, {"#purpose", "case 17"}}, submit: "#find", wait: "#results"},
		{user: n.analyst, path: "/screen", wait: "#screen"},
		{user: n.analyst, path: "/screen", fill: [][2]string{{"#name", "Omar Faruq Zayani"}, {"#purpose", "case 17"}}, submit: "#screen", wait: ".hit"},
		{user: n.analyst, path: "/review" + purpose, wait: ".hit"},
		{user: n.analyst, path: "/referrals" + purpose, wait: "main h1"},
		{user: n.analyst, path: "/entities/" + n.entity + purpose, wait: "#entity"},
		{user: n.analyst, path: "/entities/new", wait: "#create"},
		{user: n.analyst, path: "/travel", wait: "#name"},
		{user: n.analyst, path: "/travel", fill: [][2]string{{"#flight", "ZZ123"}, {"#purpose", "case 17"}}, submit: "#find-travel", wait: ".travel-record"},
		{user: n.analyst, path: "/travel/" + n.travel + purpose, wait: ".travel-record"},
		{user: n.analyst, path: "/hashes", wait: "#transparency"},
		{user: n.analyst, path: "/events", wait: "#events"},
		{user: n.analyst, path: "/events/" + n.event, wait: "#alerts li"},
		{user: n.analyst, path: "/events/" + n.event + "/digest", wait: "#digest"},
		{user: n.analyst, path: "/authorities", wait: "#authorities"},
		{user: n.analyst, path: "/requests", wait: "#requests"},
		{user: n.analyst, path: n.req, wait: "#timeline"},
		{user: n.analyst, path: "/notifications", wait: "#notifications"},
		{user: n.analyst, path: "/content-referrals", wait: "#referrals"},
		{user: n.analyst, path: n.referral, wait: "#timeline"},
		{user: n.analyst, path: "/entities/nothing-here" + purpose, wait: "#error"},
		{user: n.border, path: "/", wait: "#banner"},
		{user: n.border, path: "/screen", fill: [][2]string{{"#name", "Omar Faruq Zayani"}, {"#purpose", "border check 17"}}, submit: "#screen", wait: ".hit"},
		{user: n.border, path: "/review" + purpose, wait: ".hit"},
		{user: n.auditor, path: "/audit", wait: "#events"},
		{user: n.auditor, path: "/hashes", wait: "#transparency"},
		{user: n.adm, path: "/admin", wait: "main h1"},
	}
}

// loaded waits for the page's stylesheet and scripts: after a form is
// sent, its result's elements are seen before the page has loaded.
var loaded = chromedp.Poll(`document.readyState === "complete"`, nil, chromedp.WithPollingInterval(20*time.Millisecond))

// axeViolation is what axe reports of one rule a page breaks.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Summary string   `json:"summary"`
}

// runAxe injects axe into the tab's page and runs the WCAG A and AA
// rules on it.
func runAxe(v *[]axeViolation) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var loaded bool
		if err := chromedp.Evaluate(`if (!window.axe) {`+axeSource+`}; true`, &loaded).Do(ctx); err != nil {
			return fmt.Errorf("injecting axe: %w", err)
		}
		tags := `["` + strings.Join(wcagTags, `","`) + `"]`
		return chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: `+tags+`}, resultTypes: ["violations"]}).then(r =>
			r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
				targets: v.nodes.map(n => n.target.join(" ")), summary: v.nodes.length ? v.nodes[0].failureSummary : ""})))`,
			v, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }).Do(ctx)
	})
}

// chooseLanguage picks a language with the page's own language form: the
// signed-in user's choice is kept with the user, an anonymous one in a
// cookie.
func chooseLanguage(lang string) chromedp.Action {
	return chromedp.Evaluate(`(() => {
		const f = document.querySelector("form.lang");
		const body = new URLSearchParams(new FormData(f));
		body.set("lang", "`+lang+`");
		return fetch(f.action, {method: "POST", body}).then(r => r.status);
	})()`, nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) })
}

// tabs are a browser context per user, each with its own cookies, signed
// in once and reused for every page and language.
type tabs struct {
	t    *testing.T
	root context.Context
	base string
	open map[string]context.Context
}

func (ts *tabs) get(user string) context.Context {
	if ctx, ok := ts.open[user]; ok {
		return ctx
	}
	ctx, cancel := chromedp.NewContext(ts.root, chromedp.WithNewBrowserContext())
	ts.t.Cleanup(cancel)
	// Made here, the tab lives as long as ctx, not a step's timeout.
	if err := chromedp.Run(ctx); err != nil {
		ts.t.Fatal(err)
	}
	steps := chromedp.Tasks{chromedp.Navigate(ts.base + "/login")}
	if user != "" {
		steps = login(ts.base, user)
	}
	sctx, scancel := context.WithTimeout(ctx, 20*time.Second)
	defer scancel()
	if err := chromedp.Run(sctx, steps); err != nil {
		ts.t.Fatalf("signing in %q: %v", user, err)
	}
	ts.open[user] = ctx
	return ctx
}

// as is the node seen by a second set of users, of the same agencies and
// roles: a language is kept with its user, so two sets can read the pages
// in two languages at once.
func (n a11yNode) as(suffix string) a11yNode {
	n.analyst, n.border, n.auditor, n.adm = n.analyst+suffix, n.border+suffix, n.auditor+suffix, n.adm+suffix
	return n
}

func newTabs(t *testing.T, base string) *tabs {
	return &tabs{t: t, root: browser(t), base: base, open: map[string]context.Context{}}
}

// TestAxeEveryPage runs axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules
// on every page, as each role sees it, in each of the six languages, and
// fails on any violation. Two sets of users read the pages at once, each
// in three languages, in tabs of one browser.
func TestAxeEveryPage(t *testing.T) {
	n := seedA11y(t)
	root := browser(t)
	start := time.Now()
	type worker struct {
		node  a11yNode
		tabs  *tabs
		langs []string
	}
	workers := []worker{{node: n, langs: languages[:3]}, {node: n.as("2"), langs: languages[3:]}}
	for i := range workers {
		w := &workers[i]
		w.tabs = &tabs{t: t, root: root, base: n.base, open: map[string]context.Context{}}
		for _, p := range w.node.pages() {
			w.tabs.get(p.user) // signed in here, on the test's goroutine
		}
	}
	var mu sync.Mutex
	var problems []string
	checked := 0
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, lang := range w.langs {
				chosen := map[string]bool{}
				for _, p := range w.node.pages() {
					found, err := checkPage(w.tabs.open[p.user], w.node.base, p, lang, !chosen[p.user])
					chosen[p.user] = true
					mu.Lock()
					checked++
					problems = append(problems, found...)
					mu.Unlock()
					if err != nil {
						mu.Lock()
						problems = append(problems, err.Error())
						mu.Unlock()
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("axe checked %d pages in %v", checked, time.Since(start).Round(time.Millisecond))
}

// checkPage opens a page in a user's tab, in lang (choosing it first
// when choose is set), and runs axe on it: each violation is a line of
// what is found.
func checkPage(ctx context.Context, base string, p a11yPage, lang string, choose bool) (found []string, err error) {
	where := fmt.Sprintf("%s %s", lang, p.path)
	if p.fill != nil {
		where += " (sent)"
	}
	if p.user != "" {
		where += " as " + p.user
	}
	steps := chromedp.Tasks{}
	if choose {
		// The tab is on a page of the node already: its language form.
		steps = append(steps, chooseLanguage(lang))
	}
	steps = append(steps, chromedp.Navigate(base+p.path))
	for _, f := range p.fill {
		steps = append(steps, chromedp.SetValue(f[0], f[1], chromedp.ByQuery))
	}
	if p.fill != nil {
		steps = append(steps, chromedp.Click(p.submit, chromedp.ByQuery))
	}
	var got []axeViolation
	var htmlLang string
	steps = append(steps, chromedp.WaitVisible(p.wait, chromedp.ByQuery), loaded,
		chromedp.AttributeValue("html", "lang", &htmlLang, nil, chromedp.ByQuery), runAxe(&got))
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(sctx, steps); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if htmlLang != lang {
		found = append(found, fmt.Sprintf("%s: the page is in %q", where, htmlLang))
	}
	for _, v := range got {
		found = append(found, fmt.Sprintf("%s: %s (%s) %s — %s\n\t%s", where, v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "), strings.ReplaceAll(v.Summary, "\n", "\n\t")))
	}
	return found, nil
}

// focusState is what the keyboard journeys learn of the focused element.
type focusState struct {
	Matches bool   `json:"matches"`
	Visible bool   `json:"visible"`
	What    string `json:"what"`
}

// focusOf reads whether the focused element matches a selector, and
// whether its focus is seen: an outline or a box shadow drawn.
func focusOf(selector string, f *focusState) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return {matches: false, visible: false, what: "body"};
		const s = getComputedStyle(e);
		const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
		const shadow = s.boxShadow !== "" && s.boxShadow !== "none";
		return {matches: e.matches(%q), visible: outline || shadow,
			what: e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.getAttribute("href") ? "[href=" + e.getAttribute("href") + "]" : "") +
				(outline || shadow ? "" : " (outline " + s.outlineStyle + " " + s.outlineWidth + ", box-shadow " + s.boxShadow + ")")};
	})()`, selector), f)
}

// keyboard drives a tab with keys alone: Tab, Enter, Space and typed
// text, never the mouse nor a script's click.
type keyboard struct {
	t   *testing.T
	ctx context.Context
}

func (k keyboard) run(what string, actions ...chromedp.Action) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(k.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		k.t.Fatalf("%s: %v", what, err)
	}
}

// tabTo presses Tab until the focus is on selector, and holds every
// element the focus passes to having its focus seen.
func (k keyboard) tabTo(selector string) {
	k.t.Helper()
	for range 80 {
		var f focusState
		k.run("tab to "+selector, chromedp.KeyEvent(kb.Tab), focusOf(selector, &f))
		if f.What != "body" && !f.Visible {
			k.t.Errorf("tabbing to %s: the focus on %s is not seen", selector, f.What)
		}
		if f.Matches {
			return
		}
	}
	k.t.Fatalf("80 presses of Tab never reached %s", selector)
}

// focused holds the focus to be on selector, and seen.
func (k keyboard) focused(selector string) {
	k.t.Helper()
	var f focusState
	k.run("focus", focusOf(selector, &f))
	if !f.Matches || !f.Visible {
		k.t.Errorf("the focus is on %s (seen: %v), want it seen on %s", f.What, f.Visible, selector)
	}
}

// signIn signs in from the login page with the keyboard: the name field
// has the focus when the page opens.
func (k keyboard) signIn(base, user string) {
	k.t.Helper()
	k.run("login page", chromedp.Navigate(base+"/login"), chromedp.WaitVisible("#username", chromedp.ByID))
	k.focused("#username")
	k.run("name", chromedp.KeyEvent(user))
	k.tabTo("#password")
	k.run("password", chromedp.KeyEvent(password+kb.Enter), chromedp.WaitVisible("#banner", chromedp.ByID))
}

// keyboardNode seeds a node and opens a browser of its own on it, driven
// by the keyboard alone.
func keyboardNode(t *testing.T) (a11yNode, keyboard) {
	n := seedA11y(t)
	tabs := newTabs(t, n.base)
	ctx, cancel := chromedp.NewContext(tabs.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return n, keyboard{t, ctx}
}

// TestKeyboardScreening: a border officer signs in, goes to the screening
// page, screens a name and reaches the result and its hit, with the
// keyboard alone; the focus is seen at every step.
func TestKeyboardScreening(t *testing.T) {
	n, k := keyboardNode(t)
	start := time.Now()
	k.signIn(n.base, n.border)
	k.tabTo(`nav a[href="/screen"]`)
	k.run("open screening", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#name", chromedp.ByID))
	k.tabTo("#name")
	k.run("type a name", chromedp.KeyEvent("Omar Faruq Zayani"))
	k.tabTo("#purpose")
	k.run("type a purpose", chromedp.KeyEvent("border check 18"))
	k.tabTo("#screen")
	var text string
	k.run("screen with Space", chromedp.KeyEvent(" "), chromedp.WaitVisible(".result .hit", chromedp.ByQuery),
		chromedp.Text(".result", &text, chromedp.ByQuery))
	// The result takes the focus, so the officer is at it at once.
	k.focused("section.result")
	if !strings.Contains(text, "Omar Farouk Zayani") {
		t.Errorf("the result reached:\n%s", text)
	}
	t.Logf("keyboard screening took %v", time.Since(start).Round(time.Millisecond))
}

// TestKeyboardReview: an analyst opens the review queue, gives the
// purpose it asks for, and decides three hits — confirm, false positive,
// escalate — with the keyboard alone; the focus is seen at every step.
func TestKeyboardReview(t *testing.T) {
	n, k := keyboardNode(t)
	start := time.Now()
	k.signIn(n.base, n.analyst)
	k.tabTo(`nav a[href="/review"]`)
	k.run("open the queue", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#ask-purpose", chromedp.ByID))
	k.focused("#purpose")
	k.run("give a purpose", chromedp.KeyEvent("case 17"+kb.Enter), chromedp.WaitVisible(".hit", chromedp.ByQuery))
	for _, d := range []struct{ button, status, key string }{
		{`.hit button[value=confirmed]`, "confirmed", kb.Enter},
		{`.hit button[value=false_positive]`, "false_positive", " "},
		{`.hit button[value=escalated]`, "escalated", kb.Enter},
	} {
		var id string
		k.run("first hit", chromedp.AttributeValue(".hit", "id", &id, nil, chromedp.ByQuery))
		k.tabTo(".hit input[name=reason]")
		k.run("type a reason", chromedp.KeyEvent("checked the passport"))
		k.tabTo(d.button)
		k.run("decide "+d.status, chromedp.KeyEvent(d.key), chromedp.WaitNotPresent("#"+id, chromedp.ByID))
		var status string
		k.run("the decision", chromedp.Navigate(n.base+"/review?status="+d.status), chromedp.WaitVisible("#"+id, chromedp.ByID),
			chromedp.Text("#"+id+" .status", &status, chromedp.ByQuery))
		if want := map[string]string{"confirmed": "confirmed", "false_positive": "false positive", "escalated": "escalated"}[d.status]; !strings.HasPrefix(status, want) {
			t.Errorf("hit %s after %s: status %q", id, d.status, status)
		}
		k.run("back to the queue", chromedp.Navigate(n.base+"/review"), chromedp.WaitReady("main h1", chromedp.ByQuery))
	}
	t.Logf("keyboard review took %v", time.Since(start).Round(time.Millisecond))
}

// TestNarrowScreens: every page fits a 360-pixel-wide screen (a border
// officer's tablet) in English and Arabic without scrolling sideways, and
// the screening and review pages fit at 200% zoom (640 CSS pixels at
// twice the density). Screenshots of the narrow screening and review
// pages, and of the login, screening, review and entity pages in Arabic
// and Chinese, go to $CTIS_ARTIFACTS when it is set.
func TestNarrowScreens(t *testing.T) {
	n := seedA11y(t)
	tabs := newTabs(t, n.base)
	dir := os.Getenv("CTIS_ARTIFACTS")
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	save := func(name string) chromedp.Action {
		if dir == "" {
			return chromedp.ActionFunc(func(context.Context) error { return nil })
		}
		return shot(dir, name)
	}
	start := time.Now()
	visit := func(ctx context.Context, p a11yPage, extra ...chromedp.Action) int {
		t.Helper()
		steps := chromedp.Tasks{chromedp.Navigate(n.base + p.path)}
		for _, f := range p.fill {
			steps = append(steps, chromedp.SetValue(f[0], f[1], chromedp.ByQuery))
		}
		if p.fill != nil {
			steps = append(steps, chromedp.Click(p.submit, chromedp.ByQuery))
		}
		var width int
		steps = append(steps, chromedp.WaitVisible(p.wait, chromedp.ByQuery), loaded, chromedp.Evaluate(`document.documentElement.scrollWidth`, &width))
		steps = append(steps, extra...)
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Run(sctx, steps); err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		return width
	}
	viewport := func(w, h int64, scale float64) chromedp.Action {
		return chromedp.EmulateViewport(w, h, chromedp.EmulateScale(scale))
	}
	for _, lang := range []string{"en", "ar"} {
		chosen := map[string]bool{}
		for _, p := range n.pages() {
			ctx := tabs.get(p.user)
			if !chosen[p.user] {
				home := "/"
				if p.user == "" {
					home = "/login"
				}
				if err := chromedp.Run(ctx, viewport(360, 740, 1), chromedp.Navigate(n.base+home), chooseLanguage(lang)); err != nil {
					t.Fatal(err)
				}
				chosen[p.user] = true
			}
			var extra []chromedp.Action
			if lang == "en" && p.user == n.border && p.fill != nil {
				extra = append(extra, save("a11y-360-screen"))
			}
			if lang == "en" && p.user == n.analyst && strings.HasPrefix(p.path, "/review") {
				extra = append(extra, save("a11y-360-review"))
			}
			if w := visit(ctx, p, extra...); w > 360 {
				t.Errorf("%s %s as %q at 360 px: %d px wide", lang, p.path, p.user, w)
			}
		}
	}
	// 200% zoom of a 1280-pixel screen.
	ctx := tabs.get(n.analyst)
	if err := chromedp.Run(ctx, viewport(640, 400, 2), chromedp.Navigate(n.base+"/"), chooseLanguage("en")); err != nil {
		t.Fatal(err)
	}
	for _, p := range n.pages() {
		if p.user == n.analyst && (strings.HasPrefix(p.path, "/screen") || strings.HasPrefix(p.path, "/review")) {
			if w := visit(ctx, p); w > 640 {
				t.Errorf("%s at 200%% zoom: %d CSS px wide, more than 640", p.path, w)
			}
		}
	}
	// The pages in Arabic and Chinese, on a desktop screen.
	for _, lang := range []string{"ar", "zh"} {
		for _, user := range []string{"", n.analyst} {
			ctx := tabs.get(user)
			home := "/"
			if user == "" {
				home = "/login"
			}
			if err := chromedp.Run(ctx, viewport(1280, 800, 1), chromedp.Navigate(n.base+home), chooseLanguage(lang)); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []struct {
			name string
			page a11yPage
		}{
			{"login", a11yPage{user: "", path: "/login", wait: "#username"}},
			{"screen", a11yPage{user: n.analyst, path: "/screen", fill: [][2]string{{"#name", "عمر فاروق الزياني"}, {"#purpose", "case 17"}}, submit: "#screen", wait: ".result"}},
			{"review", a11yPage{user: n.analyst, path: "/review", wait: ".hit"}},
			{"entity", a11yPage{user: n.analyst, path: "/entities/" + n.entity, wait: "#entity"}},
		} {
			visit(tabs.get(s.page.user), s.page, save(lang+"-"+s.name))
		}
	}
	t.Logf("narrow screens took %v", time.Since(start).Round(time.Millisecond))
}
