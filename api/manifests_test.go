package api

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/paxlst"
)

// manifestOf is a one-leg PAXLST with one passenger.
func manifestOf(surname, given string) string {
	m := &paxlst.Manifest{Sender: "ZZAIR", Recipient: "FRPIU", Reference: "M1", Prepared: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC),
		Legs: []paxlst.Leg{{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-11-21T09:00", Arrival: "2026-11-21T12:30"}},
		Travellers: []paxlst.Traveller{
			{Role: "FL", Surname: surname, GivenNames: given, Sex: "M", BirthDate: "1980-01-02", Nationality: "GBR", Embarkation: "IST", Debarkation: "CDG",
				Documents: []paxlst.Document{{Type: "P", Number: "X1234567", IssuingCountry: "GBR"}}},
			{Role: "FL", Surname: "TRAVELLER", GivenNames: "ORDINARY", Nationality: "XXA"},
		}}
	var b bytes.Buffer
	paxlst.Encode(&b, m)
	return b.String()
}

func TestManifests(t *testing.T) {
	f := newFixture(t)
	f.create("fr.analyst", person("Second Subject"))
	released := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	f.create("de.analyst", ctis.NewEntity{Schema: "Document", Statements: []ctis.NewStatement{
		{Property: "number", Value: "X1234567", Handling: released}, {Property: "issuingCountry", Value: "GB", Handling: released},
		{Property: "status", Value: "lost", Handling: released}}})
	var got struct{ Manifests []ctis.ManifestScreening }
	f.do(call{method: "POST", path: "/api/v1/manifests", as: "fr.border", contentType: "application/edifact", body: manifestOf("SUBJECT", "SECOND")}).
		want(t, http.StatusOK).decode(t, &got)
	m := got.Manifests[0]
	if len(m.Travellers) != 2 || m.Hits != 1 || len(m.Legs) != 1 || m.Legs[0].Flight != "ZZ123" {
		t.Fatalf("%+v", m)
	}
	if d := m.Travellers[0].Document; d == nil || !d.Hit || d.Status != "lost" || m.Travellers[1].Document != nil {
		t.Errorf("document checks: %+v, %+v", m.Travellers[0].Document, m.Travellers[1].Document)
	}
	tr := m.Travellers[0].Result
	if tr.Subject.Nationality != "GB" || tr.Subject.Journey == nil || tr.Subject.Journey.From != "IST" || tr.Subject.Journey.Document != "X1234567" {
		t.Errorf("subject %+v journey %+v", tr.Subject, tr.Subject.Journey)
	}
	// XXA (stateless) is no country: the traveller is screened without it,
	// and the warning says so.
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "traveller 2") || m.Travellers[1].Result.Subject.Nationality != "" {
		t.Errorf("warnings %q, second traveller %+v", m.Warnings, m.Travellers[1].Result.Subject)
	}

	// A frontline officer cannot record the movement, nor can anyone
	// before the hit is confirmed, and the hit's own agency only once.
	hit := tr.Hits[0].ID
	body := map[string]any{"handling": ctis.Handling{Distribution: ctis.DistAll}}
	f.post("fr.border", "/api/v1/hits/"+hit+"/movement", body).want(t, http.StatusForbidden)
	f.post("fr.analyst", "/api/v1/hits/"+hit+"/movement", body).want(t, http.StatusConflict)
	f.post("fr.analyst", "/api/v1/hits/"+hit+"/decision", map[string]string{"status": "confirmed", "reason": "same document"}).want(t, http.StatusOK)
	f.post("de.analyst", "/api/v1/hits/"+hit+"/movement", body).want(t, http.StatusNotFound)
	var mv ctis.Entity
	f.post("fr.analyst", "/api/v1/hits/"+hit+"/movement", body).want(t, http.StatusCreated).decode(t, &mv)
	props := map[string]string{}
	for _, s := range mv.Statements {
		props[s.Property] = s.Value
	}
	if props["person"] != tr.Hits[0].EntityID || props["from"] != "IST" || props["to"] != "CDG" || props["departureDate"] != "2026-11-21" || props["flight"] != "ZZ123" {
		t.Errorf("movement %v", props)
	}
	f.post("fr.analyst", "/api/v1/hits/"+hit+"/movement", body).want(t, http.StatusConflict)
}

func TestManifestBadInput(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		contentType, body string
		status            int
		says              string
	}{
		{"application/json", manifestOf("A", "B"), http.StatusUnsupportedMediaType, "application/edifact"},
		{"application/edifact", "", http.StatusBadRequest, "body"},
		{"application/edifact", "UNB+UNOA:4+A+B+260101:0000+1'UNH+1+CUSRES:D:05B:UN'UNT+2+1'UNZ+1+1'", http.StatusBadRequest, "not PAXLST"},
		{"application/edifact", "UNB+UNOA:4+A+B+260101:0000+1'UNH+1+PAXLST:D:05B:UN'BGM+745'NAD+FL+++X:Y'", http.StatusBadRequest, "no trailer UNT"},
		{"application/edifact", strings.Repeat("X", int(DefaultImportMaxBody)+1), http.StatusRequestEntityTooLarge, "larger"},
	} {
		r := f.do(call{method: "POST", path: "/api/v1/manifests", as: "fr.border", contentType: c.contentType, body: c.body})
		if r.status != c.status || !strings.Contains(string(r.body), c.says) {
			t.Errorf("%.40q: %d %s", c.body, r.status, r.body)
		}
	}
	var page ctis.HitPage
	f.do(call{method: "GET", path: "/api/v1/hits", as: "fr.border"}).want(t, http.StatusOK).decode(t, &page)
	if len(page.Hits) != 0 {
		t.Errorf("bad manifests left hits: %+v", page.Hits)
	}
}

func TestScreenMRZ(t *testing.T) {
	f := newFixture(t)
	f.create("fr.analyst", person("Anna Maria Eriksson"))
	var res ctis.ScreenResult
	f.post("fr.border", "/api/v1/screen", map[string]string{"mrz": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"}).
		want(t, http.StatusOK).decode(t, &res)
	if len(res.Hits) != 1 || res.Subject.DocumentNumber != "L898902C3" || res.Subject.Gender != "female" || res.Subject.BirthDate != "1974-08-12" {
		t.Errorf("%+v", res)
	}
	p := f.post("fr.border", "/api/v1/screen", map[string]string{"mrz": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C35UTO7408122F1204159ZE184226B<<<<<10"}).
		want(t, http.StatusBadRequest).problem(t)
	if p.Field != "mrz" || !strings.Contains(p.Detail, "check digit") {
		t.Errorf("%+v", p)
	}
	f.post("fr.border", "/api/v1/screen", map[string]string{"birth_date": "1970"}).want(t, http.StatusBadRequest)
}
