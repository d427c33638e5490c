package ctistest

import (
	"testing"

	"ctis"
)

// referralMatrix has the border officers of every agency receive a
// traveller their own targeting rule referred, and reads and decides the
// queues as the analysts and frontline officers of every agency: an
// agency's referrals are its own, in the list, in the one-referral read
// and in a decision; another's reads exactly as an absent one; frontline
// officers, who receive the data, read no queue.
func referralMatrix(t *testing.T, s ctis.Services) {
	if s.Targeting == nil {
		t.Skip("the node has no referral queue")
	}
	journey := &ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-01-11T09:00"}
	owner := map[string]string{} // referral ID → agency
	for i, agency := range Codes {
		locator, name := "ABC12"+string(rune('0'+i)), "Traveller of "+agency
		referral := ctis.TravellerReferral{Reference: "P1", Locator: locator, Traveller: ctis.Subject{Name: name, Journey: journey},
			Rule: ctis.Referral{RuleID: ctis.NewID(), RuleVersion: 1, RuleName: "one way", Score: 0.3, Expression: "one_way", Facts: map[string]any{"one_way": true}}}
		records, err := s.Travel.ReceiveTravel(As(agency, ctis.RoleFrontline), []ctis.NewTravelRecord{{Kind: ctis.TravelPNR, Reference: "P1", Locator: locator,
			Journey: *journey, Personal: ctis.TravelPersonal{Name: name}, Referrals: []ctis.TravellerReferral{referral}}})
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.Targeting.Referrals(As(agency, ctis.RoleAnalyst), ctis.ReferralFilter{})
		if err != nil || len(page.Referrals) != 1 {
			t.Fatalf("%s queued %+v: %v", agency, page, err)
		}
		if got := page.Referrals[0]; got.Agency != agency || got.Status != ctis.HitOpen || got.RecordID != records[0] || got.Traveller.Name != name {
			t.Fatalf("%s queued %+v", agency, got)
		}
		owner[page.Referrals[0].ID] = agency
	}
	_, absent := s.Targeting.Referral(As(DE, ctis.RoleAnalyst), ctis.NewID())
	if ctis.ErrorCode(absent) != ctis.ENOTFOUND {
		t.Fatalf("absent referral: %v", absent)
	}
	for _, reader := range Codes {
		if _, err := s.Targeting.Referrals(As(reader, ctis.RoleFrontline), ctis.ReferralFilter{}); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
			t.Errorf("%s frontline reads the referral queue: %v", reader, err)
		}
		page, err := s.Targeting.Referrals(As(reader, ctis.RoleAnalyst), ctis.ReferralFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Referrals) != 1 || owner[page.Referrals[0].ID] != reader || page.Referrals[0].Traveller.Name != "Traveller of "+reader {
			t.Errorf("%s's referral queue: %+v", reader, page.Referrals)
		}
		for id, agency := range owner {
			r, err := s.Targeting.Referral(As(reader, ctis.RoleAnalyst), id)
			_, decideErr := s.Targeting.DecideReferral(As(reader, ctis.RoleAnalyst), id, ctis.HitEscalated, "look again")
			switch {
			case agency == reader && (err != nil || r.ID != id || decideErr != nil):
				t.Errorf("%s reading and escalating its own referral: %v, %v", reader, err, decideErr)
			case agency != reader && (ctis.ErrorCode(err) != ctis.ENOTFOUND || ctis.ErrorMessage(err) != ctis.ErrorMessage(absent)):
				t.Errorf("%s reads %s's referral: %v", reader, agency, err)
			case agency != reader && ctis.ErrorCode(decideErr) != ctis.ENOTFOUND:
				t.Errorf("%s decides %s's referral: %v", reader, agency, decideErr)
			}
		}
		if _, err := s.Targeting.DecideReferral(As(reader, ctis.RoleFrontline), page.Referrals[0].ID, ctis.HitConfirmed, "seen"); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
			t.Errorf("%s frontline decides a referral: %v", reader, err)
		}
		r, err := s.Targeting.DecideReferral(As(reader, ctis.RoleAnalyst), page.Referrals[0].ID, ctis.HitConfirmed, "travel pattern fits")
		if err != nil || r.Status != ctis.HitConfirmed || r.Decision == nil || r.Decision.Agency != reader {
			t.Errorf("%s confirming its escalated referral: %+v, %v", reader, r, err)
		}
	}
}
