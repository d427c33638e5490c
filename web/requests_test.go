package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ctis"
)

// TestRequestPages walks a request through the pages: the German
// analyst lists the central authority in the directory, the French
// analyst drafts a request to it and sends it, the German acknowledges
// and refuses it, which the form refuses without a reason; each page
// shows the request's own handling in its banner, and the timeline. A
// frontline officer, who may not read requests, is turned away.
func TestRequestPages(t *testing.T) {
	srv, db, _, _ := serveNode(t)
	base := srv.URL
	fr, de := signIn(t, base, "fr.analyst"), signIn(t, base, "de.analyst")
	post := func(c *http.Client, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		return postFollowed(t, c, base, path, form)
	}
	res, body := post(de, "/authorities", url.Values{"country": {"DE"}, "instrument": {"mla"}, "name": {"Bundesamt für Justiz"}, "jurisdiction": {"Germany"},
		"languages": {"de, en"}, "channels": {"e-CODEX\nsecure e-mail"}, "hours": {"Mon-Fri 08:00-17:00"}, "verified_on": {time.Now().UTC().Format(time.DateOnly)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Bundesamt für Justiz") {
		t.Fatalf("adding a directory entry: %d\n%s", res.StatusCode, body)
	}
	list, err := db.Authorities(ctis.NewContext(t.Context(), ctis.Identity{Username: "x", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}), ctis.AuthorityQuery{})
	if err != nil || len(list) != 1 {
		t.Fatalf("directory %v %v", list, err)
	}
	_, body = get(t, fr, base+"/authorities?q=justiz")
	if !strings.Contains(body, "Bundesamt für Justiz") || strings.Contains(body, `action="/authorities/`+list[0].ID) || strings.Contains(body, "edit="+list[0].ID) {
		t.Errorf("FR-DGSI's view of DE-BKA's entry: it must be listed, with no form to change it")
	}
	if status, _ := get(t, fr, base+"/authorities?edit="+list[0].ID); status != http.StatusForbidden {
		t.Errorf("FR-DGSI opening DE-BKA's entry to edit: %d", status)
	}
	// DE-BKA edits its entry in the form, which holds its values.
	_, body = get(t, de, base+"/authorities?edit="+list[0].ID)
	if !strings.Contains(body, `action="/authorities/`+list[0].ID+`" class="card" id="authority-form"`) || !strings.Contains(body, `value="Mon-Fri 08:00-17:00"`) ||
		!strings.Contains(body, "e-CODEX\nsecure e-mail</textarea>") {
		t.Errorf("DE-BKA's edit form:\n%s", body)
	}
	res, body = post(de, "/authorities/"+list[0].ID, url.Values{"do": {"save"}, "country": {"DE"}, "instrument": {"mla"}, "name": {"Bundesamt für Justiz"},
		"jurisdiction": {"Germany"}, "languages": {"de, en, fr"}, "channels": {"e-CODEX"}, "hours": {"24/7"}, "verified_on": {time.Now().UTC().Format(time.DateOnly)}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "de, en, fr") || !strings.Contains(body, "24/7") {
		t.Errorf("DE-BKA saving its entry: %d\n%s", res.StatusCode, body)
	}
	if res, _ := post(fr, "/authorities/"+list[0].ID, url.Values{"do": {"save"}, "country": {"FR"}, "instrument": {"mla"}, "name": {"x"},
		"jurisdiction": {"x"}, "languages": {"fr"}, "channels": {"x"}, "hours": {"x"}, "verified_on": {time.Now().UTC().Format(time.DateOnly)}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("FR-DGSI saving DE-BKA's entry: %d", res.StatusCode)
	}

	deadline := time.Now().UTC().Add(10 * 24 * time.Hour).Format("2006-01-02T15:04")
	res, body = post(fr, "/requests", url.Values{"kind": {"mla"}, "authority": {list[0].ID}, "legal_basis": {"bilateral treaty"},
		"offence": {"financing of terrorism"}, "description": {"bank records of account 123"}, "deadline": {deadline},
		"attachments": {strings.Repeat("ab", 32) + " 20480 request letter.pdf"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Request.URL.Path, "/requests/") {
		t.Fatalf("drafting: %d %s\n%s", res.StatusCode, res.Request.URL.Path, body)
	}
	path := res.Request.URL.Path
	if !strings.Contains(body, "request letter.pdf") || !strings.Contains(body, "most restrictive: originator") {
		t.Errorf("the draft's page:\n%s", body)
	}
	// A draft is the sender's alone, and its sender edits it: the form
	// holds the draft's values.
	if status, _ := get(t, de, base+path); status != http.StatusNotFound {
		t.Errorf("DE-BKA reading FR-DGSI's draft: %d", status)
	}
	if !strings.Contains(body, `id="edit-draft"`) || !strings.Contains(body, `value="bilateral treaty"`) || !strings.Contains(body, `value="`+deadline+`"`) {
		t.Errorf("the draft's edit form:\n%s", body)
	}
	if res, _ := post(de, path+"/edit", url.Values{"kind": {"mla"}, "authority": {list[0].ID}, "offence": {"x"}, "description": {"y"}, "deadline": {deadline}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("DE-BKA editing FR-DGSI's draft: %d", res.StatusCode)
	}
	res, body = post(fr, path+"/edit", url.Values{"kind": {"mla"}, "authority": {list[0].ID}, "legal_basis": {"2000 EU MLA Convention"},
		"offence": {"financing of terrorism"}, "description": {"bank records of accounts 123 and 456"}, "deadline": {deadline}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "accounts 123 and 456") || !strings.Contains(body, "draft edited") || !strings.Contains(body, "request letter.pdf") {
		t.Errorf("the edited draft: %d\n%s", res.StatusCode, body)
	}
	res, body = post(fr, path+"/steps", url.Values{"action": {"send"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "agencies: DE-BKA") || strings.Contains(body, `id="edit-draft"`) {
		t.Errorf("sent: %d\n%s", res.StatusCode, body)
	}
	status, body := get(t, de, base+path)
	if status != http.StatusOK || !strings.Contains(body, `value="acknowledge"`) || strings.Contains(body, `value="withdraw"`) {
		t.Errorf("DE-BKA's page of the sent request: %d\n%s", status, body)
	}
	post(de, path+"/steps", url.Values{"action": {"acknowledge"}, "note": {"received, under way"}})
	res, body = post(de, path+"/steps", url.Values{"action": {"refuse"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason") {
		t.Errorf("refusing without a reason: %d", res.StatusCode)
	}
	res, body = post(de, path+"/steps", url.Values{"action": {"refuse"}, "reason": {"dual criminality not met"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "dual criminality not met") || !strings.Contains(body, "received, under way") {
		t.Errorf("refused: %d\n%s", res.StatusCode, body)
	}
	_, body = get(t, fr, base+"/requests")
	if !strings.Contains(body, path) || !strings.Contains(body, `id="figures"`) || !strings.Contains(body, `<figure class="chart" id="requests-chart">`) ||
		!strings.Contains(body, "<title>Mutual legal assistance — Sent: 1</title>") {
		t.Errorf("FR-DGSI's list, its figures and their chart:\n%s", body)
	}
	if status, _ := get(t, signIn(t, base, "de.border"), base+"/requests"); status != http.StatusForbidden {
		t.Errorf("a frontline officer's list of requests: %d", status)
	}
}
