package ctistest

import (
	"slices"
	"strings"
	"testing"

	"ctis"
)

// contentReferralMatrix has FR-DGSI refer content to a platform member, under
// the terms of service and as a removal order, and reads both, the
// notices and the figures as every role of every agency, before and
// after the platform shares one with JO-GID. A referral is seen by its
// referrer, its platform and the agencies added to it, and nobody else,
// to whom it reads as absent: in lists, reads, steps, shares, notices,
// figures and the audit view.
func contentReferralMatrix(t *testing.T, s ctis.Services) {
	if _, err := s.Directory.CreateAgency(System, Platform); err != nil {
		t.Fatal(err)
	}
	fr, vh, jo := As(FR, ctis.RoleAnalyst), As(Platform.Code, ctis.RoleAnalyst), As(JO, ctis.RoleAnalyst)
	refer := func(basis ctis.ContentReferralBasis) *ctis.ContentReferral {
		r, err := s.ContentReferrals.Refer(fr, ctis.NewContentReferral{Platform: Platform.Code, Basis: basis, Type: ctis.HashURL,
			Content: "https://videohost.example/v/" + string(basis), Labels: ctis.HashLabels{Behaviours: []ctis.Behaviour{"attack_footage"}},
			Evidence: []ctis.Evidence{{Type: ctis.HashSHA256, Value: strings.Repeat("ab", 32)}}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tos, order := refer(ctis.BasisTermsOfService), refer(ctis.BasisRemovalOrder)
	ids := []string{tos.ID, order.ID}
	agencies := append(slices.Clone(Codes), Platform.Code)

	check := func(stage string, readers map[string][]string) {
		t.Helper()
		for _, agency := range agencies {
			for _, role := range []ctis.Role{ctis.RoleAnalyst, ctis.RoleAuditor, ctis.RoleDPO, ctis.RoleFrontline} {
				ctx := As(agency, role)
				label := stage + ": " + agency + "/" + string(role)
				var told []string
				if role == ctis.RoleAnalyst && agency != FR {
					for _, id := range ids {
						if slices.Contains(readers[id], agency) {
							told = append(told, id)
						}
					}
					slices.Sort(told)
				}
				if got := NoticeRefs(t, s, ctx, ctis.NoticeReferral); !slices.Equal(got, told) {
					t.Errorf("%s: told of referrals %v, want %v", label, got, told)
				}
				figures, err := s.ContentReferrals.ContentReferralFigures(ctx, "", "")
				if err != nil {
					t.Fatalf("%s: figures: %v", label, err)
				}
				seen := 0
				for _, f := range figures {
					seen += f.Referrals
				}
				want := 0
				for _, id := range ids {
					if slices.Contains(readers[id], agency) {
						want++
					}
				}
				if seen != want {
					t.Errorf("%s: figures count %d referrals, want %d", label, seen, want)
				}
				list, err := s.ContentReferrals.ContentReferrals(ctx, ctis.ContentReferralQuery{})
				if role == ctis.RoleFrontline {
					if ctis.ErrorCode(err) != ctis.EFORBIDDEN {
						t.Errorf("%s: list: %v, want forbidden", label, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: list: %v", label, err)
				}
				var listed []string
				for _, r := range list {
					listed = append(listed, r.ID)
				}
				checkListed(t, label, listed, ids, readers, agency)
				_, absent := s.ContentReferrals.ContentReferral(ctx, ctis.NewID())
				for _, id := range ids {
					r, err := s.ContentReferrals.ContentReferral(ctx, id)
					if !slices.Contains(readers[id], agency) {
						if ctis.ErrorCode(err) != ctis.ENOTFOUND || err.Error() != absent.Error() {
							t.Errorf("%s: read of %s: %v, want it to read as absent (%v)", label, id, err, absent)
						}
					} else if err != nil || r.ID != id || len(r.Evidence) != 1 {
						t.Errorf("%s: read of %s: %+v, %v", label, id, r, err)
					}
					if role == ctis.RoleAuditor {
						page, err := s.Audit.Events(ctx, ctis.AuditFilter{Object: id, Limit: ctis.MaxLimit})
						if err != nil {
							t.Fatalf("%s: audit: %v", label, err)
						}
						if got := len(page.Events) > 0; got != slices.Contains(readers[id], agency) {
							t.Errorf("%s: audit of %s shows %d events", label, id, len(page.Events))
						}
					}
				}
			}
		}
		// An agency outside a referral cannot act on it or share it, and
		// is told so as of an absent one.
		for _, id := range ids {
			for _, agency := range agencies {
				if slices.Contains(readers[id], agency) {
					continue
				}
				ctx := As(agency, ctis.RoleAnalyst)
				for _, a := range []ctis.ContentReferralAction{ctis.ContentReferralAcknowledge, ctis.ContentReferralWithdraw} {
					if _, err := s.ContentReferrals.ActOnReferral(ctx, id, ctis.ContentReferralStep{Action: a}); ctis.ErrorCode(err) != ctis.ENOTFOUND {
						t.Errorf("%s: %s taking %s on %s: %v", stage, agency, a, id, err)
					}
				}
				if _, err := s.ContentReferrals.ShareReferral(ctx, id, agency); ctis.ErrorCode(err) != ctis.ENOTFOUND {
					t.Errorf("%s: %s sharing %s with itself: %v", stage, agency, id, err)
				}
			}
		}
	}
	check("referred", map[string][]string{tos.ID: {FR, Platform.Code}, order.ID: {FR, Platform.Code}})

	// The platform adds JO-GID to the order, which then reads it but
	// may not act on it or share it further.
	if _, err := s.ContentReferrals.ShareReferral(vh, order.ID, JO); err != nil {
		t.Fatal(err)
	}
	check("shared", map[string][]string{tos.ID: {FR, Platform.Code}, order.ID: {FR, Platform.Code, JO}})
	if _, err := s.ContentReferrals.ActOnReferral(jo, order.ID, ctis.ContentReferralStep{Action: ctis.ContentReferralRemove}); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("JO-GID, added, removing: %v", err)
	}
	if _, err := s.ContentReferrals.ShareReferral(jo, order.ID, DE); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("JO-GID, added, sharing further: %v", err)
	}
}
