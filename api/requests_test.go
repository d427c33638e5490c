package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"ctis"
)

// requestCalls reaches every route of the directory of competent
// authorities and of cooperation requests, for TestOpenAPIResponses.
func requestCalls(t *testing.T, f *fixture, linked string) {
	t.Helper()
	entry := map[string]any{"country": "DE", "instrument": "mla", "name": "Bundesamt für Justiz", "jurisdiction": "Germany",
		"languages": []string{"de", "en"}, "channels": []string{"e-CODEX", "secure e-mail"}, "hours": "Mon-Fri 08:00-17:00 CET",
		"verified_on": time.Now().UTC().Format(time.DateOnly)}
	var auth ctis.Authority
	f.post("de.analyst", "/api/v1/authorities", entry).want(t, http.StatusCreated).decode(t, &auth)
	entry["name"] = "Federal Office of Justice"
	f.do(call{method: "PUT", path: "/api/v1/authorities/" + auth.ID, as: "de.analyst", contentType: "application/json", body: mustJSON(t, entry)}).want(t, http.StatusOK)
	f.do(call{method: "PUT", path: "/api/v1/authorities/" + auth.ID, as: "fr.analyst", contentType: "application/json", body: mustJSON(t, entry)}).want(t, http.StatusForbidden)
	var list struct{ Authorities []ctis.Authority }
	f.do(call{method: "GET", path: "/api/v1/authorities?country=de&instrument=mla&q=justice&stale=false", as: "fr.border"}).want(t, http.StatusOK).decode(t, &list)
	if len(list.Authorities) != 1 || list.Authorities[0].Name != "Federal Office of Justice" {
		t.Errorf("directory search: %+v", list)
	}
	f.do(call{method: "GET", path: "/api/v1/authorities?instrument=rogatory", as: "fr.border"}).want(t, http.StatusBadRequest)
	f.do(call{method: "GET", path: "/api/v1/authorities/" + auth.ID, as: "fr.analyst"}).want(t, http.StatusOK)

	deadline := time.Now().Add(30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	var req ctis.Request
	f.post("fr.analyst", "/api/v1/cooperation-requests", map[string]any{"kind": "e_evidence_subscriber", "authority": auth.ID, "legal_basis": "Budapest Convention, art. 18",
		"offence": "public provocation to commit a terrorist offence", "description": "subscriber of the account that posted the video",
		"entities": []string{linked}, "deadline": deadline,
		"attachments": []map[string]any{{"name": "order.pdf", "sha256": strings.Repeat("a1", 32), "size": 20480}}}).
		want(t, http.StatusCreated).decode(t, &req)
	f.post("fr.analyst", "/api/v1/cooperation-requests", map[string]any{"kind": "letter", "authority": auth.ID}).want(t, http.StatusBadRequest)
	// The draft is edited before it goes: the receiver cannot see it yet,
	// a bad edit changes nothing.
	edit := map[string]any{"kind": "e_evidence_subscriber", "authority": auth.ID, "legal_basis": "Regulation (EU) 2023/1543, art. 5",
		"offence": "public provocation to commit a terrorist offence", "description": "subscriber and IP logs of the account that posted the video",
		"entities": []string{linked}, "deadline": deadline}
	put := func(who string, body map[string]any) reply {
		return f.do(call{method: "PUT", path: "/api/v1/cooperation-requests/" + req.ID, as: who, contentType: "application/json", body: mustJSON(t, body)})
	}
	put("de.analyst", edit).want(t, http.StatusNotFound)
	put("fr.analyst", map[string]any{"kind": "letter", "authority": auth.ID}).want(t, http.StatusBadRequest)
	var edited ctis.Request
	put("fr.analyst", edit).want(t, http.StatusOK).decode(t, &edited)
	if edited.LegalBasis != "Regulation (EU) 2023/1543, art. 5" || len(edited.Timeline) != 2 || edited.Timeline[1].Action != ctis.ActionEdit || len(edited.Attachments) != 1 {
		t.Errorf("the edited draft: %+v", edited)
	}
	f.post("fr.analyst", "/api/v1/cooperation-requests/"+req.ID+"/steps", map[string]any{"action": "send"}).want(t, http.StatusOK)
	put("fr.analyst", edit).want(t, http.StatusConflict)
	f.post("fr.analyst", "/api/v1/cooperation-requests/"+req.ID+"/steps", map[string]any{"action": "answer"}).want(t, http.StatusConflict)
	f.post("de.analyst", "/api/v1/cooperation-requests/"+req.ID+"/steps", map[string]any{"action": "acknowledge", "note": "received"}).want(t, http.StatusOK)
	f.post("de.analyst", "/api/v1/cooperation-requests/"+req.ID+"/steps", map[string]any{"action": "refuse"}).want(t, http.StatusBadRequest)
	f.post("de.analyst", "/api/v1/cooperation-requests/"+req.ID+"/agencies", map[string]any{"agency": "JO-GID"}).want(t, http.StatusOK)
	f.post("de.analyst", "/api/v1/cooperation-requests/"+req.ID+"/steps", map[string]any{"action": "answer", "note": "subscriber data attached",
		"attachments": []map[string]any{{"name": "subscriber.csv", "sha256": strings.Repeat("b2", 32), "size": 512}}}).want(t, http.StatusOK)
	var got ctis.Request
	f.do(call{method: "GET", path: "/api/v1/cooperation-requests/" + req.ID, as: "de.analyst"}).want(t, http.StatusOK).decode(t, &got)
	if got.State != ctis.StateAnswered || len(got.Timeline) != 6 || len(got.Attachments) != 2 || len(got.Entities) != 1 || got.Entities[0].ID != linked {
		t.Errorf("the answered request: %+v", got)
	}
	f.do(call{method: "GET", path: "/api/v1/cooperation-requests/" + req.ID, as: "fr.border"}).want(t, http.StatusForbidden)
	f.do(call{method: "GET", path: "/api/v1/cooperation-requests?kind=e_evidence_subscriber&state=answered&role=sender&limit=10", as: "fr.auditor"}).want(t, http.StatusOK)
	var figures struct{ Kinds []ctis.RequestFigures }
	f.do(call{method: "GET", path: "/api/v1/cooperation-requests/figures", as: "fr.approver"}).want(t, http.StatusOK).decode(t, &figures)
	if f := figures.Kinds[2]; f.Kind != ctis.KindSubscriber || f.Answered != 1 || f.ShareAnsweredInTime == nil || *f.ShareAnsweredInTime != 1 {
		t.Errorf("figures %+v", figures.Kinds)
	}
	f.do(call{method: "DELETE", path: "/api/v1/authorities/" + auth.ID, as: "de.analyst"}).want(t, http.StatusNoContent)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
