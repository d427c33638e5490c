package api

import (
	"net/http"
	"strings"
	"testing"

	"ctis"
	"ctis/ctistest"
)

// referralCalls reaches every referral route once, successfully: FR-DGSI
// orders a video removed from a platform member, which acknowledges and
// removes it; the removed URL and its evidence go to a bank in one step;
// the platform shares the referral with DE-BKA; the figures count it.
func referralCalls(t *testing.T, f *fixture) {
	t.Helper()
	if _, err := f.db.CreateAgency(system, ctistest.Platform); err != nil {
		t.Fatal(err)
	}
	u, token, err := f.db.CreateUser(system, ctis.NewUser{Username: "vh.analyst", Agency: ctistest.Platform.Code, Roles: []ctis.Role{ctis.RoleAnalyst}})
	if err != nil {
		t.Fatal(err)
	}
	f.tokens[u.Username], f.users[u.Username] = token, u.ID

	var r ctis.ContentReferral
	f.post("fr.analyst", "/api/v1/content-referrals", map[string]any{"platform": ctistest.Platform.Code, "basis": "removal_order", "type": "url",
		"content": "https://videohost.example/v/attack", "labels": map[string]any{"behaviours": []string{"attack_footage"}, "content_type": "video"},
		"evidence": []map[string]string{{"type": "sha256", "value": strings.Repeat("5e", 32)}}}).want(t, http.StatusCreated).decode(t, &r)
	if r.Deadline == nil || r.State != ctis.ContentReferralSent {
		t.Fatalf("referral %+v", r)
	}
	var list struct{ Referrals []ctis.ContentReferral }
	f.do(call{method: "GET", path: "/api/v1/content-referrals?role=receiver&basis=removal_order", as: "vh.analyst"}).want(t, http.StatusOK).decode(t, &list)
	if len(list.Referrals) != 1 || list.Referrals[0].ID != r.ID {
		t.Fatalf("platform's list %+v", list)
	}
	f.do(call{method: "GET", path: "/api/v1/content-referrals/" + r.ID, as: "de.analyst"}).want(t, http.StatusNotFound)
	f.post("vh.analyst", "/api/v1/content-referrals/"+r.ID+"/steps", map[string]string{"action": "acknowledge"}).want(t, http.StatusOK)
	f.post("vh.analyst", "/api/v1/content-referrals/"+r.ID+"/steps", map[string]string{"action": "keep", "reason": "x"}).want(t, http.StatusBadRequest)
	f.post("vh.analyst", "/api/v1/content-referrals/"+r.ID+"/steps", map[string]string{"action": "withdraw"}).want(t, http.StatusForbidden)
	f.post("vh.analyst", "/api/v1/content-referrals/"+r.ID+"/steps", map[string]string{"action": "remove"}).want(t, http.StatusOK).decode(t, &r)
	f.post("vh.analyst", "/api/v1/content-referrals/"+r.ID+"/steps", map[string]string{"action": "remove"}).want(t, http.StatusConflict)
	f.post("vh.analyst", "/api/v1/content-referrals/"+r.ID+"/agencies", map[string]string{"agency": "DE-BKA"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/content-referrals/" + r.ID, as: "de.analyst"}).want(t, http.StatusOK).decode(t, &r)
	if r.State != ctis.ContentReferralRemoved || r.Overdue || len(r.Timeline) != 4 {
		t.Errorf("after removal: %+v", r)
	}

	var bank ctis.HashBank
	f.post("fr.analyst", "/api/v1/hashbanks", map[string]any{"name": "Removed content", "handling": map[string]any{"distribution": "all"}}).
		want(t, http.StatusCreated).decode(t, &bank)
	var stored struct{ Stored int }
	f.post("fr.analyst", "/api/v1/content-referrals/"+r.ID+"/bank", map[string]string{"bank": bank.ID}).want(t, http.StatusOK).decode(t, &stored)
	if stored.Stored != 2 {
		t.Errorf("stored %d entries from the referral, want its URL and its evidence", stored.Stored)
	}
	var figures struct{ Figures []ctis.ContentReferralFigures }
	f.do(call{method: "GET", path: "/api/v1/content-referrals/figures", as: "fr.auditor"}).want(t, http.StatusOK).decode(t, &figures)
	if len(figures.Figures) != 1 || figures.Figures[0].Removed != 1 || figures.Figures[0].OrdersInTime != 1 {
		t.Errorf("figures %+v", figures.Figures)
	}
	var tr struct{ Referrals []ctis.ContentReferralFigures }
	f.do(call{method: "GET", path: "/api/v1/hashes/transparency", as: "vh.analyst"}).want(t, http.StatusOK).decode(t, &tr)
	if len(tr.Referrals) != 1 || tr.Referrals[0].Platform != ctistest.Platform.Code {
		t.Errorf("transparency's referrals %+v", tr.Referrals)
	}
	// Hostile bodies are refused and change nothing.
	f.post("fr.analyst", "/api/v1/content-referrals", map[string]any{"platform": "DE-BKA", "basis": "removal_order", "type": "url", "content": "example.org"}).want(t, http.StatusBadRequest)
	f.post("fr.analyst", "/api/v1/content-referrals", map[string]any{"platform": ctistest.Platform.Code, "basis": "removal_order", "type": "url", "content": "javascript:alert(1)"}).want(t, http.StatusBadRequest)
	f.post("fr.analyst", "/api/v1/content-referrals", map[string]any{"platform": ctistest.Platform.Code, "basis": "removal_order", "type": "url", "content": "example.org", "state": "removed"}).want(t, http.StatusBadRequest)
	f.do(call{method: "GET", path: "/api/v1/content-referrals?state=lost", as: "fr.analyst"}).want(t, http.StatusBadRequest)
	f.do(call{method: "GET", path: "/api/v1/content-referrals", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &list)
	if len(list.Referrals) != 1 {
		t.Errorf("%d referrals after refused ones", len(list.Referrals))
	}
}
