package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ctis"
)

// TestReferralPages walks a removal order through the pages: the French
// analyst refers a URL to a platform member, whose analyst sees it (and
// an agency outside does not), contests it without a reason (refused)
// and removes it; the French analyst sees the outcome and adds the
// removed item's hashes to a bank in one step; the figures show it on
// the transparency page. Each page's banner is the referral's handling.
func TestReferralPages(t *testing.T) {
	srv, db, _, hashes := serveNode(t)
	base := srv.URL
	if _, err := db.CreateAgency(system, ctis.Agency{Code: "VIDEOHOST", Name: "Video host", Country: "IE", Kind: "platform"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "vh.analyst", Agency: "VIDEOHOST", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: password}); err != nil {
		t.Fatal(err)
	}
	fr, vh, kz := signIn(t, base, "fr.analyst"), signIn(t, base, "vh.analyst"), signIn(t, base, "kz.analyst")
	post := func(c *http.Client, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		return postFollowed(t, c, base, path, form)
	}
	_, body := get(t, fr, base+"/content-referrals")
	if !strings.Contains(body, `id="new-referral"`) || !strings.Contains(body, `value="VIDEOHOST"`) {
		t.Fatalf("FR-DGSI's referrals page offers no platform:\n%s", body)
	}
	res, body := post(fr, "/content-referrals", url.Values{"platform": {"VIDEOHOST"}, "basis": {"removal_order"}, "type": {"url"},
		"content": {"https://videohost.example/v/attack"}, "behaviours": {"attack_footage"}, "content_type": {"video"},
		"evidence": {"sha256 " + strings.Repeat("5e", 32)}, "note": {"re-upload of the attack video"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Request.URL.Path, "/content-referrals/") {
		t.Fatalf("referring: %d %s\n%s", res.StatusCode, res.Request.URL.Path, body)
	}
	path := res.Request.URL.Path
	if !strings.Contains(body, "videohost.example/v/attack") || !strings.Contains(body, "agencies: FR-DGSI, VIDEOHOST") {
		t.Errorf("the referral's page:\n%s", body)
	}
	res, _ = post(fr, "/content-referrals", url.Values{"platform": {"VIDEOHOST"}, "basis": {"removal_order"}, "type": {"url"}, "content": {"x"}, "evidence": {"sha256"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad evidence line: %d", res.StatusCode)
	}
	if status, _ := get(t, kz, base+path); status != http.StatusNotFound {
		t.Errorf("KZ-KNB reading the referral: %d", status)
	}
	status, body := get(t, vh, base+path)
	if status != http.StatusOK || !strings.Contains(body, `value="contest"`) || strings.Contains(body, `value="keep"`) || strings.Contains(body, `value="uphold"`) {
		t.Errorf("the platform's page: %d\n%s", status, body)
	}
	if res, _ := post(vh, path+"/steps", url.Values{"action": {"contest"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("contesting without a reason: %d", res.StatusCode)
	}
	res, body = post(vh, path+"/steps", url.Values{"action": {"remove"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="state"`) {
		t.Errorf("removed: %d\n%s", res.StatusCode, body)
	}
	bank, err := hashes.CreateHashBank(ctis.NewContext(t.Context(), ctis.Identity{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}),
		ctis.HashBank{Name: "Removed content", Handling: ctis.Handling{Distribution: ctis.DistAll}})
	if err != nil {
		t.Fatal(err)
	}
	_, body = get(t, fr, base+path)
	if !strings.Contains(body, `id="to-bank"`) || !strings.Contains(body, bank.ID) {
		t.Fatalf("FR-DGSI's page of the removed item offers no bank:\n%s", body)
	}
	res, body = post(fr, path+"/bank", url.Values{"bank": {bank.ID}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "The content’s hashes were added to the bank.") {
		t.Errorf("to a bank: %d\n%s", res.StatusCode, body)
	}
	_, body = get(t, fr, base+"/hashes")
	if !strings.Contains(body, `id="referral-figures"`) || !strings.Contains(body, "<td>VIDEOHOST</td>") {
		t.Errorf("transparency page without the referral figures:\n%s", body)
	}
	_, body = get(t, kz, base+"/hashes")
	if strings.Contains(body, "<td>VIDEOHOST</td>") {
		t.Errorf("KZ-KNB sees figures of a referral it does not read")
	}
}
