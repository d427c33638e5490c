package api

import (
	"net/http"
	"os"
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

// TestPNRs keeps a PNRGOV push's passengers as travel data and screens
// them; at six months the PNR's personal data is masked like the rest.
func TestPNRs(t *testing.T) {
	f := newFixture(t)
	f.create("fr.analyst", person("Jonathon Robert Smithjr"))
	body, err := os.ReadFile("../pnrgov/testdata/02_gtas_pnrMessage_spec_example_DL324.edi")
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Messages []ctis.ManifestScreening }
	f.do(call{method: "POST", path: "/api/v1/pnrs", as: "fr.analyst", contentType: "application/edifact", body: string(body)}).want(t, http.StatusOK).decode(t, &got)
	m := got.Messages[0]
	if len(m.Travellers) != 2 || m.Hits != 1 || m.Travellers[0].Result.Subject.DocumentNumber != "123456789" || m.Travellers[0].Role != "passenger, booking MFN4TI" {
		t.Fatalf("%+v", m)
	}
	var found struct{ Records []ctis.TravelRecord }
	f.do(call{method: "GET", path: "/api/v1/travel?name=smithjr", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &found)
	if len(found.Records) != 1 {
		t.Fatalf("%+v", found)
	}
	r := found.Records[0]
	if r.Kind != ctis.TravelPNR || r.Locator != "MFN4TI" || !strings.Contains(r.Personal.Payment, "XXXXXXXX1186") || !strings.Contains(r.Personal.Address, "SLOUGH") ||
		r.Personal.FrequentFlyer != "DL 1234567890" || len(r.Personal.CoTravellers) != 1 || !strings.Contains(r.Personal.Contact, "TIMOTHY SIMS") {
		t.Errorf("PNR record %+v %+v", r, r.Personal)
	}
	f.ahead.Store(int64(184 * 24 * time.Hour))
	if _, err := f.db.ApplyRetention(system); err != nil {
		t.Fatal(err)
	}
	if r := f.do(call{method: "GET", path: "/api/v1/travel/export", as: "fr.analyst"}).want(t, http.StatusOK); strings.Contains(string(r.body), "SLOUGH") ||
		strings.Contains(string(r.body), "1186") || strings.Contains(string(r.body), "SMITHJR") || strings.Contains(string(r.body), "TIMOTHY") {
		t.Errorf("masked PNRs export: %s", r.body)
	}
}
