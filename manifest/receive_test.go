package manifest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"ctis"
	"ctis/manifest"
	"ctis/paxlst"
	"ctis/pnrgov"
)

// kept is a travel store that keeps records in memory, refusing what the
// SQLite store refuses.
type kept struct {
	ctis.TravelService
	records []ctis.NewTravelRecord
}

func (k *kept) ReceiveTravel(ctx context.Context, records []ctis.NewTravelRecord) ([]string, error) {
	for i := range records {
		if err := records[i].Validate(); err != nil {
			return nil, err
		}
	}
	k.records = append(k.records, records...)
	return make([]string, len(records)), nil
}

// failing is a screener that fails.
type failing struct{}

func (failing) Screen(context.Context, ctis.Subject) (*ctis.ScreenResult, error) {
	return nil, errors.New("down")
}
func (failing) ScreenBatch(context.Context, []ctis.Subject) ([]ctis.ScreenResult, error) {
	return nil, errors.New("down")
}

func border() context.Context {
	id := ctis.Identity{UserID: "u1", Username: "border", Agency: "FR-PIU", Roles: []ctis.Role{ctis.RoleFrontline}}
	return ctis.WithPurpose(ctis.NewContext(context.Background(), id), "flight ZZ123")
}

// TestReceiverKeepsAndScreensEveryone replays issue 11, item 2: a second
// traveller with a name too long, not UTF-8, or of half a million
// characters made the screening refuse the message after both travellers
// had been kept. Now each is kept and listed, the bad field dropped with
// a warning, and the others screened.
func TestReceiverKeepsAndScreensEveryone(t *testing.T) {
	for _, bad := range []string{strings.Repeat("N", 400), strings.Repeat("N", 500_000), "JOS\xc9", "ROE\x07"} {
		travel, sc := &kept{}, &echo{}
		rc := manifest.Receiver{Screener: sc, Travel: travel}
		m := &paxlst.Manifest{Reference: "M1", Legs: []paxlst.Leg{{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG"}}, Travellers: []paxlst.Traveller{
			{Role: "FL", Surname: "MARTINEZ", GivenNames: "JULIO", Nationality: "ESP"},
			{Role: "FL", Surname: bad, GivenNames: "ANN", Nationality: "DEU", Address: "1 RUE \xff", Documents: []paxlst.Document{{Type: "P", Number: "X1234567"}}},
		}}
		p := &pnrgov.Message{Reference: "P1", Flight: pnrgov.Leg{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG"}, PNRs: []pnrgov.PNR{{
			Locator: "ABC123", Remarks: []string{strings.Repeat("R", 20_000)},
			Passengers: []pnrgov.Passenger{{Surname: "MARTINEZ", GivenNames: "JULIO"}, {Surname: bad, GivenNames: "ANN"}}}}}
		ms, err := rc.ReceiveManifests(border(), []*paxlst.Manifest{m})
		if err != nil {
			t.Fatalf("%.20q: %v", bad, err)
		}
		ps, err := rc.ReceivePNRs(border(), []*pnrgov.Message{p})
		if err != nil {
			t.Fatalf("%.20q: %v", bad, err)
		}
		if len(travel.records) != 4 {
			t.Fatalf("%.20q: %d records kept, want 4", bad, len(travel.records))
		}
		for _, r := range travel.records {
			if r.Personal.Name == "" && r.Personal.Address != "" || strings.Contains(r.Personal.Name, bad) || len(r.Personal.Remarks) > ctis.MaxTextLen {
				t.Errorf("%.20q: kept %+.80v", bad, r.Personal)
			}
		}
		for _, res := range []*ctis.ManifestScreening{ms[0], ps[0]} {
			if len(res.Travellers) != 2 || res.Travellers[0].Result.Subject.Name != "JULIO MARTINEZ" || res.Travellers[1].Index != 1 || res.Travellers[1].Result.Subject.Name != "" {
				t.Errorf("%.20q: travellers %+.300v", bad, res.Travellers)
			}
			if !strings.Contains(strings.Join(res.Warnings, "\n"), "traveller 2: no name to screen against the database") {
				t.Errorf("%.20q: warnings %.300q", bad, res.Warnings)
			}
		}
		if s := ms[0].Travellers[1].Result.Subject; s.Nationality != "DEU" && s.Nationality != "DE" || s.DocumentNumber != "X1234567" {
			t.Errorf("%.20q: the rest of the nameless traveller was lost: %+v", bad, s)
		}
	}
}

// TestReceiverRefusesWhole: what refuses a submission does so before
// anything is kept, and a screening that fails keeps nothing.
func TestReceiverRefusesWhole(t *testing.T) {
	m := &paxlst.Manifest{Reference: "M1", Travellers: []paxlst.Traveller{{Role: "FL", Surname: "MARTINEZ", GivenNames: "JULIO"}}}
	travel := &kept{}
	noPurpose := ctis.NewContext(context.Background(), ctis.Identity{UserID: "u1", Agency: "FR-PIU", Roles: []ctis.Role{ctis.RoleFrontline}})
	sc := &echo{}
	if _, err := (manifest.Receiver{Screener: sc, Travel: travel}).ReceiveManifests(noPurpose, []*paxlst.Manifest{m}); err == nil || sc.batches != 0 {
		t.Errorf("without a purpose: %v, %d batches screened", err, sc.batches)
	}
	if _, err := (manifest.Receiver{Screener: sc, Travel: travel}).ReceiveManifests(border(), nil); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Errorf("no message: %v", err)
	}
	if _, err := (manifest.Receiver{Screener: failing{}, Travel: travel}).ReceiveManifests(border(), []*paxlst.Manifest{m}); err == nil {
		t.Error("a failed screening was answered")
	}
	if len(travel.records) != 0 {
		t.Errorf("%d records kept", len(travel.records))
	}
}
