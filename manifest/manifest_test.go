package manifest_test

import (
	"context"
	"strings"
	"testing"

	"ctis"
	"ctis/manifest"
	"ctis/paxlst"
)

// echo is a screener that finds nothing and answers each subject as it
// received it, so tests see what the manifest turned into subjects.
type echo struct{ batches, screened int }

func (e *echo) Screen(ctx context.Context, s ctis.Subject) (*ctis.ScreenResult, error) {
	return &ctis.ScreenResult{Subject: s}, nil
}

func (e *echo) ScreenBatch(ctx context.Context, ss []ctis.Subject) ([]ctis.ScreenResult, error) {
	e.batches++
	e.screened += len(ss)
	out := make([]ctis.ScreenResult, len(ss))
	for i, s := range ss {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		out[i] = ctis.ScreenResult{Subject: s}
	}
	return out, nil
}

func TestSubjectsAndJourneys(t *testing.T) {
	m := &paxlst.Manifest{Legs: []paxlst.Leg{
		{Carrier: "XZ", Flight: "XZ877", From: "BCN", To: "IAD", Departure: "2014-07-08T11:00", Arrival: "2014-07-08T17:00"},
		{Carrier: "XZ", Flight: "XZ878", From: "IAD", To: "SFO", Departure: "2014-07-08T19:30", Arrival: "2014-07-08T23:30"},
	}, Travellers: []paxlst.Traveller{
		{Role: "FL", Surname: "MARTINEZ", GivenNames: "JULIO XAVIER", Sex: "M", BirthDate: "1968-02-23", Nationality: "ESP", Embarkation: "BCN", Debarkation: "SFO",
			Documents: []paxlst.Document{{Type: "P", Number: "YY3478621"}}},
		{Role: "FL", Surname: "ROE", GivenNames: "ANN", Sex: "F", Nationality: "D", Embarkation: "IAD", Debarkation: "SFO"},
		{Role: "FM", Surname: "DOE", GivenNames: "JO", BirthDate: "1980-13-45", Nationality: "XXA", Sex: "Q"},
	}}
	e := &echo{}
	res, err := manifest.Screen(context.Background(), e, nil, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := res.Travellers[0].Result.Subject, res.Travellers[1].Result.Subject, res.Travellers[2].Result.Subject
	if a.Name != "JULIO XAVIER MARTINEZ" || a.Nationality != "ES" || a.Gender != "male" || a.DocumentNumber != "YY3478621" ||
		a.Journey.From != "BCN" || a.Journey.To != "SFO" || a.Journey.Flight != "XZ877" || a.Journey.Arrival != "2014-07-08T23:30" {
		t.Errorf("through traveller %+v %+v", a, a.Journey)
	}
	if b.Nationality != "DE" || b.Journey.From != "IAD" || b.Journey.Flight != "XZ878" || b.Journey.Departure != "2014-07-08T19:30" {
		t.Errorf("joining traveller %+v %+v", b, b.Journey)
	}
	if c.BirthDate != "" || c.Nationality != "" || c.Gender != "" || c.Name != "JO DOE" || res.Travellers[2].Role != "crew" {
		t.Errorf("bad fields kept: %+v", c)
	}
	if len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "traveller 3: screened without birth_date") || !strings.Contains(res.Warnings[1], "nationality") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestLargeManifestInBatches(t *testing.T) {
	m := &paxlst.Manifest{}
	for range ctis.MaxBatch + 5 {
		m.Travellers = append(m.Travellers, paxlst.Traveller{Role: "FL", Surname: "SMITH", GivenNames: "JO"})
	}
	e := &echo{}
	res, err := manifest.Screen(context.Background(), e, nil, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	if e.batches != 2 || len(res.Travellers) != ctis.MaxBatch+5 || res.Travellers[ctis.MaxBatch+4].Index != ctis.MaxBatch+4 {
		t.Errorf("%d batches, %d travellers", e.batches, len(res.Travellers))
	}
}

// TestNamelessTravellerScreenedByDocument: a traveller whose name does
// not pass is screened by document number alone when it is long enough,
// and listed unscreened otherwise; each traveller's result carries what
// was left out of it.
func TestNamelessTravellerScreenedByDocument(t *testing.T) {
	m := &paxlst.Manifest{Travellers: []paxlst.Traveller{
		{Role: "FL", Surname: strings.Repeat("N", 400), Documents: []paxlst.Document{{Type: "P", Number: "YY3478621"}}},
		{Role: "FL", Surname: strings.Repeat("N", 400), Documents: []paxlst.Document{{Type: "P", Number: "Y1"}}},
		{Role: "FL", Surname: "DOE", GivenNames: "JO", BirthDate: "1969-7-16"},
	}}
	e := &echo{}
	res, err := manifest.Screen(context.Background(), e, nil, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	if e.batches != 1 || e.screened != 2 {
		t.Errorf("%d batches, %d subjects screened; want the first and last traveller", e.batches, e.screened)
	}
	w := strings.Join(res.Warnings, "\n")
	for _, want := range []string{"traveller 1: no name to screen against the database (name is longer than 300 characters); screened by document number alone",
		"traveller 2: no name to screen against the database", "traveller 3: screened without birth_date"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", res.Warnings, want)
		}
	}
	for i, tr := range res.Travellers {
		if len(tr.Result.Warnings) == 0 {
			t.Errorf("traveller %d: no warnings in its result", i+1)
		}
	}
}
