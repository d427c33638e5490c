package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/paxlst"
)

// problemReply is the part of a problem document the probe tests read.
type problemReply struct {
	Code   string `json:"code"`
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// TestProbeJSONBodiesAreNotChanged replays issue 11, item 14: a JSON body
// with a string that is not UTF-8 was stored with U+FFFD in its place, and
// one with a key given twice was taken with the last value. Both are
// refused, naming the field, and nothing is stored.
func TestProbeJSONBodiesAreNotChanged(t *testing.T) {
	p := newProbeNode(t)
	for _, c := range []struct {
		name, path, body, field, detail string
	}{
		{"invalid UTF-8", "/api/v1/entities", "{\"schema\":\"Person\",\"statements\":[{\"property\":\"name\",\"value\":\"Zebul\xf3n Quartermaine\"}]}",
			"statements[0].value", "invalid UTF-8"},
		{"duplicate key", "/api/v1/entities", `{"schema":"Person","statements":[{"property":"name","value":"Zebulon Quartermaine","value":"Zebulon Quartermaine"}]}`,
			"statements[0].value", `duplicate key "value"`},
		{"duplicate key in a screening", "/api/v1/screen", `{"name":"Zebulon Quartermaine","name":"Someone Else"}`, "name", `duplicate key "name"`},
	} {
		var prob problemReply
		p.API(t, "analyst.de", "POST", c.path, c.body, "Ctis-Purpose: probe").Want(t, http.StatusBadRequest).JSON(t, &prob)
		if prob.Code != "invalid" || prob.Field != c.field || prob.Detail != c.detail {
			t.Errorf("%s: %+v", c.name, prob)
		}
	}
	if found := p.API(t, "analyst.de", "GET", "/api/v1/search?name=Zebulon+Quartermaine", nil, "Ctis-Purpose: probe").Want(t, http.StatusOK); strings.Contains(found.Body, "Quartermaine") {
		t.Errorf("a refused entity was stored: %s", found.Body)
	}
}

// probeManifest is a PAXLST interchange of flight ZZ123 with two
// passengers, the second named surname.
func probeManifest(t *testing.T, surname string) string {
	m := &paxlst.Manifest{Sender: "ZZAIR", Recipient: "DEPIU", Reference: "M1", Prepared: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
		Legs: []paxlst.Leg{{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "FRA", Departure: "2026-11-21T09:00", Arrival: "2026-11-21T12:30"}},
		Travellers: []paxlst.Traveller{
			{Role: "FL", Surname: "MARTINEZ", GivenNames: "JULIO", Nationality: "ESP", Embarkation: "IST", Debarkation: "FRA"},
			{Role: "FL", Surname: surname, GivenNames: "ANN", Nationality: "DEU", Embarkation: "IST", Debarkation: "FRA",
				Documents: []paxlst.Document{{Type: "P", Number: "C01X00T47", IssuingCountry: "DEU"}}},
		}}
	var b bytes.Buffer
	if err := paxlst.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// probePNR is a PNRGOV interchange of flight ZZ123 with one booking of
// two passengers, the second named surname.
func probePNR(surname string) string {
	return "UNA:+.?*'UNB+IATA:1+ZZ++261120:0800+1'UNH+1+PNRGOV:11:1:IA+P1'MSG+:22'TVL+211126:0900+IST+FRA+ZZ+123'EQN+1'" +
		"SRC'RCI+ZZ:ABC123'TIF+MARTINEZ+JULIOMR:A:1'TIF+" + surname + "+ANNMRS:A:2'UNT+9+1'UNZ+1+1'"
}

// travelOnZZ123 lists what DE-BKA keeps of the day of flight ZZ123.
func travelOnZZ123(t *testing.T, p *probeNode) []ctis.TravelRecord {
	var found struct{ Records []ctis.TravelRecord }
	p.API(t, "analyst.de", "GET", "/api/v1/travel?day=2026-11-21", nil, "Ctis-Purpose: probe").Want(t, http.StatusOK).JSON(t, &found)
	return found.Records
}

// TestProbeRefusedTravelIsNotStored replays issue 11, item 2: a manifest
// or PNR push whose second traveller had a name of 400 or 500,000
// characters, or one that is not UTF-8, was answered 400, yet both
// travellers were stored, and neither screened. Such a push is accepted
// whole now: both travellers kept and listed with their screening, the
// bad name dropped with a warning. One that cannot be read is refused,
// and nothing of it is kept.
func TestProbeRefusedTravelIsNotStored(t *testing.T) {
	p := newProbeNode(t)
	kept := 0
	for _, bad := range []string{strings.Repeat("N", 400), strings.Repeat("N", 500_000), "M\xdcLLER"} {
		for _, c := range []struct{ path, key, body string }{
			{"/api/v1/manifests", "manifests", probeManifest(t, bad)},
			{"/api/v1/pnrs", "messages", probePNR(bad)},
		} {
			var got map[string][]ctis.ManifestScreening
			p.API(t, "border.de", "POST", c.path, c.body, "Content-Type: application/edifact", "Ctis-Purpose: probe").Want(t, http.StatusOK).JSON(t, &got)
			kept += 2
			res := got[c.key]
			if len(res) != 1 || len(res[0].Travellers) != 2 {
				t.Fatalf("%s %.12q: %+v", c.path, bad, res)
			}
			for i, tr := range res[0].Travellers {
				if tr.Index != i || tr.Result.Hits == nil {
					t.Errorf("%s %.12q: traveller %d not listed with its screening: %+v", c.path, bad, i+1, tr)
				}
			}
			if first := res[0].Travellers[0].Result.Subject.Name; first != "JULIO MARTINEZ" {
				t.Errorf("%s %.12q: first traveller screened as %q", c.path, bad, first)
			}
			if w := strings.Join(res[0].Warnings, "\n"); !strings.Contains(w, "traveller 2: no name to screen") {
				t.Errorf("%s %.12q: warnings %.400q", c.path, bad, w)
			}
			if n := len(travelOnZZ123(t, p)); n != kept {
				t.Errorf("%s %.12q: %d records kept, want %d", c.path, bad, n, kept)
			}
		}
	}

	// Refused: an interchange whose second message cannot be read keeps
	// nothing of the first; nor does a push without a purpose.
	for _, c := range []struct{ path, body, header string }{
		{"/api/v1/manifests", strings.TrimSuffix(probeManifest(t, "ROE"), "UNZ+1+1'") + "UNH+2+PAXLST:D:05B:UN:IATA'BGM+745'NAD+FL+++X:Y'", "Ctis-Purpose: probe"},
		{"/api/v1/pnrs", strings.TrimSuffix(probePNR("ROE"), "UNZ+1+1'") + "UNH+2+PNRGOV:11:1:IA+P2'SRC'TIF+X+Y:A:1'", "Ctis-Purpose: probe"},
		{"/api/v1/manifests", probeManifest(t, "ROE"), "X-None: none"},
		{"/api/v1/pnrs", probePNR("ROE"), "X-None: none"},
	} {
		r := p.API(t, "border.de", "POST", c.path, c.body, "Content-Type: application/edifact", c.header)
		if r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", c.path, r.Status, r.Body)
		}
		if n := len(travelOnZZ123(t, p)); n != kept {
			t.Errorf("%s refused, yet %d records kept, want %d", c.path, n, kept)
		}
	}
}
