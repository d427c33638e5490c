package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ctis"
)

// TestBrowserSideBySide decides by keyboard in a real browser: a
// reviewer confirms a hit from its side-by-side view and a referral from
// the referral queue, each with the c key on the focused item, and the
// entity page draws the network, the timeline and the map, each saved as
// a screenshot.
func TestBrowserSideBySide(t *testing.T) {
	srv, db, svc, _ := serveNode(t)
	ctx := browser(t)
	dir := shots(t)
	base := srv.URL
	person := network(t, svc)
	fr := ctis.WithPurpose(ctis.NewContext(context.Background(), ctis.Identity{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}), "case 7")
	res, err := svc.Screen(fr, ctis.Subject{Name: "Karim Tearline", Nationality: "TR"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("screening: %+v %v", res, err)
	}
	hitID := res.Hits[0].ID
	journey := ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-11-21T09:00"}
	if _, err := db.ReceiveTravel(fr, []ctis.NewTravelRecord{{Kind: ctis.TravelPNR, Reference: "PNR-77", Locator: "QX7ZK2", Journey: journey,
		Personal: ctis.TravelPersonal{Name: "Elif Yıldırım", Nationality: "TR"},
		Referrals: []ctis.TravellerReferral{{Reference: "PNR-77", Locator: "QX7ZK2", Traveller: ctis.Subject{Name: "Elif Yıldırım", Nationality: "TR", Journey: &journey},
			Rule: ctis.Referral{RuleID: ctis.NewID(), RuleVersion: 2, RuleName: "one way, booked late", Score: 0.4, Expression: "one_way && days_to_departure <= 3",
				Facts: map[string]any{"one_way": true, "days_to_departure": 1}}}}}}); err != nil {
		t.Fatal(err)
	}
	refs, err := db.Referrals(fr, ctis.ReferralFilter{})
	if err != nil || len(refs.Referrals) != 1 {
		t.Fatalf("referral queue: %+v %v", refs, err)
	}
	refID := refs.Referrals[0].ID

	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		for i, a := range actions {
			sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
			err := chromedp.Run(sctx, a)
			cancel()
			if err != nil {
				chromedp.Run(ctx, shot(dir, "side-by-side-failed"))
				t.Fatalf("%s, step %d: %v", what, i+1, err)
			}
		}
	}
	element := func(sel, name string) chromedp.Action {
		return chromedp.ActionFunc(func(ctx context.Context) error {
			var b []byte
			if err := chromedp.Screenshot(sel, &b, chromedp.ByQuery).Do(ctx); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
		})
	}
	var text string
	run("side-by-side review", append(login(base, "fr.analyst"),
		chromedp.Navigate(base+"/review?purpose=case+7"), chromedp.WaitVisible("#hit-"+hitID+" table.compare", chromedp.ByQuery),
		chromedp.Text("#hit-"+hitID+" table.compare", &text, chromedp.ByQuery), shot(dir, "side-by-side-review"),
		chromedp.SendKeys("#reason-"+hitID, "same name and nationality", chromedp.ByQuery),
		chromedp.Focus("#hit-"+hitID, chromedp.ByQuery), chromedp.KeyEvent("c"),
		chromedp.WaitNotPresent("#hit-"+hitID, chromedp.ByQuery),
	)...)
	if !strings.Contains(text, "Karim Tearline") || !strings.Contains(text, "Nationality") || !strings.Contains(text, "same nationality") {
		t.Errorf("side-by-side table:\n%s", text)
	}
	run("confirmed hit", chromedp.Navigate(base+"/review?status=confirmed"), chromedp.Text("#hit-"+hitID+" .status", &text, chromedp.ByQuery))
	if text != "confirmed" {
		t.Errorf("hit after the c key: %q", text)
	}

	run("referral queue", chromedp.Navigate(base+"/referrals"), chromedp.WaitVisible("#referral-"+refID, chromedp.ByQuery),
		chromedp.Text("#referral-"+refID+" table.compare", &text, chromedp.ByQuery), shot(dir, "referral-queue"),
		chromedp.SendKeys("#reason-"+refID, "travel pattern fits case 12", chromedp.ByQuery),
		chromedp.Focus("#referral-"+refID, chromedp.ByQuery), chromedp.KeyEvent("c"),
		chromedp.WaitNotPresent("#referral-"+refID, chromedp.ByQuery))
	if !strings.Contains(text, "one_way && days_to_departure <= 3") || !strings.Contains(text, "days_to_departure = 1") || !strings.Contains(text, "IST → CDG") {
		t.Errorf("referral side by side:\n%s", text)
	}
	run("confirmed referral", chromedp.Navigate(base+"/referrals?status=confirmed"), chromedp.Text("#referral-"+refID+" .status", &text, chromedp.ByQuery))
	if text != "confirmed" {
		t.Errorf("referral after the c key: %q", text)
	}

	run("pictures", chromedp.Navigate(base+"/entities/"+person), chromedp.WaitVisible("#network svg", chromedp.ByQuery),
		element("#network", "entity-graph"), element("svg.timeline", "entity-timeline"), element("svg.worldmap", "entity-map"),
		shot(dir, "entity-pictures"))
}
