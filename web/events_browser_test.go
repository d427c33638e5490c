package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"ctis"
)

// TestEventLiveFeedBrowser: the host (FR-DGSI) posts alerts from its page;
// a participating frontline officer's open page (DE-BKA) shows each within
// a second through the live feed, without reloading, and acknowledges
// one; the page of an agency outside the event (KZ-KNB) never shows one.
// The server drops every feed connection each half second, so the alerts
// reach the officer across reconnections, each exactly once.
func TestEventLiveFeedBrowser(t *testing.T) {
	srv, db, _, _ := serveNode(t)
	root := browser(t)
	dir := shots(t)
	fr := ctis.NewContext(context.Background(), ctis.Identity{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}})
	today := time.Now().UTC().Format(time.DateOnly)
	e, err := db.CreateEvent(fr, ctis.NewEvent{Name: "Summit 2026", Starts: today, Ends: time.Now().AddDate(0, 0, 3).UTC().Format(time.DateOnly),
		Venues: []string{"Palais des congrès"}, Agencies: []string{"DE-BKA"}})
	if err != nil {
		t.Fatal(err)
	}
	// Each user browses in a browser context of their own: their own
	// cookies, as on separate machines.
	tab := func() context.Context {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		// Made here, the tab lives as long as ctx, not a step's timeout.
		if err := chromedp.Run(ctx); err != nil {
			t.Fatal(err)
		}
		return ctx
	}
	host, officer, outsider := tab(), tab(), tab()
	run := func(ctx context.Context, what string, actions ...chromedp.Action) {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	page := srv.URL + "/events/" + e.ID
	run(host, "host signs in", login(srv.URL, "fr.analyst"), chromedp.Navigate(page), chromedp.WaitVisible("#post", chromedp.ByID))
	run(officer, "officer opens the event", login(srv.URL, "de.border"), chromedp.Navigate(page), chromedp.WaitVisible("#alerts", chromedp.ByID))
	var outsiderText string
	run(outsider, "outsider opens the pages", login(srv.URL, "kz.analyst"), chromedp.Navigate(page), chromedp.Text("main", &outsiderText, chromedp.ByQuery))
	if strings.Contains(outsiderText, "Summit") {
		t.Errorf("KZ-KNB reads the event page: %q", outsiderText)
	}
	run(outsider, "outsider's event list", chromedp.Navigate(srv.URL+"/events"), chromedp.Text("main", &outsiderText, chromedp.ByQuery))
	if !strings.Contains(outsiderText, "no event") || strings.Contains(outsiderText, "Summit") {
		t.Errorf("KZ-KNB's event list: %q", outsiderText)
	}
	// The live region is there for screen readers.
	var role, live string
	var ok bool
	run(officer, "live region", chromedp.AttributeValue("#alerts", "role", &role, &ok, chromedp.ByID), chromedp.AttributeValue("#alerts", "aria-live", &live, &ok, chromedp.ByID))
	if role != "log" || live != "polite" {
		t.Errorf("the alert list is role %q, aria-live %q", role, live)
	}

	until := time.Now().UTC().Add(6 * time.Hour).Format("2006-01-02T15:04")
	titles := []string{"Drone sighted near venue", "Suspicious vehicle at gate 4", "Crowd surge at fan zone"}
	for i, title := range titles {
		run(host, "host posts "+title,
			chromedp.Navigate(page),
			chromedp.Click("#post-alert summary", chromedp.ByQuery),
			chromedp.SetValue("#severity", "high", chromedp.ByID),
			chromedp.SendKeys("#title", title, chromedp.ByID),
			chromedp.SendKeys("#location", "Palais des congrès", chromedp.ByID),
			chromedp.SetValue("#valid_until", until, chromedp.ByID),
			chromedp.Click("#frontline", chromedp.ByID),
			chromedp.Click("#post", chromedp.ByID),
			chromedp.WaitVisible("#alerts li", chromedp.ByQuery),
		)
		posted := time.Now()
		var n int
		deadline := time.Now().Add(time.Second)
		for time.Now().Before(deadline) && n != i+1 {
			run(officer, "count", chromedp.Evaluate(`document.querySelectorAll("#alerts li").length`, &n))
			time.Sleep(20 * time.Millisecond)
		}
		if n != i+1 {
			t.Fatalf("after %v the officer's page shows %d alerts, want %d", time.Since(posted), n, i+1)
		}
		t.Logf("%q reached the officer's page in %v", title, time.Since(posted))
		// Between posts, the feed connection is dropped at least once.
		time.Sleep(700 * time.Millisecond)
	}
	var shown string
	run(officer, "officer's alerts", chromedp.Text("#alerts", &shown, chromedp.ByID), shot(dir, "event-officer-live"))
	for _, title := range titles {
		if strings.Count(shown, title) != 1 {
			t.Errorf("the officer's page shows %q %d times:\n%s", title, strings.Count(shown, title), shown)
		}
	}
	run(officer, "officer acknowledges", chromedp.Click("#alerts li .ack-button", chromedp.ByQuery), chromedp.WaitVisible(".ack", chromedp.ByQuery),
		chromedp.Text("#alerts li .acks", &shown, chromedp.ByQuery))
	if !strings.Contains(shown, "DE-BKA") {
		t.Errorf("after acknowledging, the alert says %q", shown)
	}
	run(outsider, "outsider's page after the posts", chromedp.Navigate(page), chromedp.Text("main", &outsiderText, chromedp.ByQuery))
	for _, title := range titles {
		if strings.Contains(outsiderText, title) {
			t.Errorf("KZ-KNB sees %q", title)
		}
	}
	var status int
	run(outsider, "outsider's feed", chromedp.Evaluate(`fetch("/events/`+e.ID+`/feed").then(r => r.status)`, &status, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	if status != 404 {
		t.Errorf("KZ-KNB's feed answers %d", status)
	}
}
