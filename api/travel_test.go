package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"ctis"
)

// TestTravelMasking follows a manifest's travel data through the API:
// whole at first and for the receiving agency only; after six months no
// response — search, read, export — carries the name, and a name search
// finds nothing; at five years the records are gone.
func TestTravelMasking(t *testing.T) {
	f := newFixture(t)
	f.do(call{method: "POST", path: "/api/v1/manifests", as: "fr.border", contentType: "application/edifact", body: manifestOf("ZABIHULLAH", "AHMAD")}).want(t, http.StatusOK)
	var found struct{ Records []ctis.TravelRecord }
	f.do(call{method: "GET", path: "/api/v1/travel?name=ahmad+zabihullah", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &found)
	if len(found.Records) != 1 || found.Records[0].Personal.Document != "X1234567" {
		t.Fatalf("before masking: %+v", found)
	}
	id := found.Records[0].ID
	if r := f.do(call{method: "GET", path: "/api/v1/travel/" + id, as: "de.analyst"}); r.status != http.StatusNotFound {
		t.Errorf("another agency reads the record: %d", r.status)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/travel?name=ahmad", as: "de.analyst"}).want(t, http.StatusOK); strings.Contains(string(r.body), "ZABIHULLAH") {
		t.Error("another agency finds the name")
	}

	f.ahead.Store(int64(184 * 24 * time.Hour))
	if rep, err := f.db.ApplyRetention(system); err != nil || rep.Masked != 2 {
		t.Fatalf("retention: %v %+v", err, rep)
	}
	for _, path := range []string{"/api/v1/travel?name=ahmad+zabihullah", "/api/v1/travel?flight=ZZ123", "/api/v1/travel/" + id, "/api/v1/travel/export"} {
		r := f.do(call{method: "GET", path: path, as: "fr.analyst"}).want(t, http.StatusOK)
		if body := string(r.body); strings.Contains(body, "ZABIHULLAH") || strings.Contains(body, "X1234567") || strings.Contains(body, "1980-01-02") {
			t.Errorf("%s after masking: %s", path, body)
		}
	}
	f.do(call{method: "GET", path: "/api/v1/travel?name=ahmad+zabihullah", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &found)
	if len(found.Records) != 0 {
		t.Errorf("a masked name is found: %+v", found)
	}
	var req ctis.UnmaskRequest
	f.post("fr.analyst", "/api/v1/travel/"+id+"/unmask", map[string]string{"reason": "case 17"}).want(t, http.StatusCreated).decode(t, &req)
	f.post("fr.analyst", "/api/v1/unmask-requests/"+req.ID+"/decision", map[string]any{"approve": true, "reason": "mine"}).want(t, http.StatusForbidden)
	f.post("fr.approver", "/api/v1/unmask-requests/"+req.ID+"/decision", map[string]any{"approve": true, "reason": "proportionate"}).want(t, http.StatusOK)
	var rec ctis.TravelRecord
	f.do(call{method: "GET", path: "/api/v1/travel/" + id, as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &rec)
	if !rec.Masked || rec.Personal == nil || rec.Personal.Name != "AHMAD ZABIHULLAH" {
		t.Errorf("approved unmasking: %+v", rec)
	}

	f.ahead.Store(int64(5*366*24*time.Hour + 24*time.Hour))
	if rep, err := f.db.ApplyRetention(system); err != nil || rep.Deleted != 2 {
		t.Fatalf("deletion: %v %+v", err, rep)
	}
	f.do(call{method: "GET", path: "/api/v1/travel/" + id, as: "fr.analyst"}).want(t, http.StatusNotFound)
	if r := f.do(call{method: "GET", path: "/api/v1/travel/export", as: "fr.analyst"}).want(t, http.StatusOK); len(r.body) != 0 {
		t.Errorf("export after deletion: %s", r.body)
	}
}
