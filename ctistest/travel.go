package ctistest

import (
	"slices"
	"strings"
	"testing"

	"ctis"
)

// travelMatrix has the border officers of two agencies receive travellers
// of the same flight and reads them as the analysts and frontline officers
// of every agency: by name, by flight, one record, the export, and an
// unmasking request. Travel data is the receiving agency's alone: its
// analysts read all of it, whole; another agency's analysts find nothing,
// and another's record reads exactly as an absent one; frontline officers
// read none. An agency's audit trail names only its own records.
func travelMatrix(t *testing.T, s ctis.Services) {
	journey := ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-01-11T09:00", Document: "X1234567"}
	received := map[string][]ctis.NewTravelRecord{
		FR: {
			{Kind: ctis.TravelAPI, Reference: "M1", Journey: journey, Personal: ctis.TravelPersonal{Name: "Julio Xavier Martínez", BirthDate: "1968-02-23", Nationality: "ES"}},
			{Kind: ctis.TravelPNR, Reference: "P1", Locator: "ABC123", Journey: journey, Personal: ctis.TravelPersonal{Name: "Sorina Martinez", Address: "1 rue de la Paix, Paris",
				Contact: "+33 1 23 45 67 89", CoTravellers: []string{"Julio Xavier Martínez"}}},
		},
		DE: {
			{Kind: ctis.TravelAPI, Reference: "M7", Journey: journey, Personal: ctis.TravelPersonal{Name: "Julio Martinez Ortega", BirthDate: "1971-05-02", Nationality: "AR"}},
		},
	}
	owner := map[string]string{} // record ID → receiving agency
	for _, agency := range Codes {
		if len(received[agency]) == 0 {
			continue
		}
		ids, err := s.Travel.ReceiveTravel(As(agency, ctis.RoleFrontline), received[agency])
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != len(received[agency]) {
			t.Fatalf("%s received %d records, stored %d", agency, len(received[agency]), len(ids))
		}
		for _, id := range ids {
			owner[id] = agency
		}
	}
	_, absentErr := s.Travel.TravelRecord(As(DE, ctis.RoleAnalyst), ctis.NewID())
	if ctis.ErrorCode(absentErr) != ctis.ENOTFOUND {
		t.Fatalf("absent travel record: %v", absentErr)
	}
	_, absentUnmask := s.Travel.RequestUnmask(As(DE, ctis.RoleAnalyst), ctis.NewID(), "case 88")
	if ctis.ErrorCode(absentUnmask) != ctis.ENOTFOUND {
		t.Fatalf("unmasking an absent record: %v", absentUnmask)
	}

	for _, agency := range Codes {
		var own []string
		for id, a := range owner {
			if a == agency {
				own = append(own, id)
			}
		}
		slices.Sort(own)
		for _, role := range Readers {
			ctx := As(agency, role)
			label := agency + "/" + string(role)
			if role == ctis.RoleFrontline {
				_, err := s.Travel.SearchTravel(ctx, ctis.TravelQuery{Flight: "ZZ123"})
				if ctis.ErrorCode(err) != ctis.EFORBIDDEN {
					t.Errorf("%s: search: %v, want forbidden", label, err)
				}
				for id := range owner {
					if _, err := s.Travel.TravelRecord(ctx, id); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
						t.Errorf("%s: read of %s's record: %v, want forbidden", label, owner[id], err)
					}
				}
				if err := s.Travel.ExportTravel(ctx, func(ctis.TravelRecord) error { return nil }); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
					t.Errorf("%s: export: %v, want forbidden", label, err)
				}
				continue
			}
			found := func(q ctis.TravelQuery) []string {
				t.Helper()
				recs, err := s.Travel.SearchTravel(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, r := range recs {
					if r.Agency != agency || r.Personal == nil {
						t.Errorf("%s: search %+v finds %+v", label, q, r)
					}
					ids = append(ids, r.ID)
				}
				slices.Sort(ids)
				return ids
			}
			if got := found(ctis.TravelQuery{Flight: "zz 123", Day: "2026-01-11"}); !slices.Equal(got, own) {
				t.Errorf("%s: by flight finds %v, want its own %v", label, got, own)
			}
			if got := found(ctis.TravelQuery{Name: "martinez"}); !slices.Equal(got, own) {
				t.Errorf("%s: by name finds %v, want its own %v", label, got, own)
			}
			var exported []string
			err := s.Travel.ExportTravel(ctx, func(r ctis.TravelRecord) error {
				exported = append(exported, r.ID)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(exported)
			if !slices.Equal(exported, own) {
				t.Errorf("%s: export holds %v, want its own %v", label, exported, own)
			}
			for id, a := range owner {
				r, err := s.Travel.TravelRecord(ctx, id)
				_, unmaskErr := s.Travel.RequestUnmask(ctx, id, "case 88")
				if a == agency {
					if err != nil || r.Personal == nil || r.Personal.Document != journey.Document || r.Journey.Document != "" {
						t.Errorf("%s: its own record reads %+v, %v", label, r, err)
					}
					if ctis.ErrorCode(unmaskErr) != ctis.ECONFLICT {
						t.Errorf("%s: unmasking its own whole record: %v", label, unmaskErr)
					}
					continue
				}
				if err == nil || ctis.ErrorCode(err) != ctis.ENOTFOUND || ctis.ErrorMessage(err) != ctis.ErrorMessage(absentErr) {
					t.Errorf("%s: %s's record reads %+v, %v; want it to read as an absent one (%v)", label, a, r, err, absentErr)
				}
				if ctis.ErrorCode(unmaskErr) != ctis.ENOTFOUND || ctis.ErrorMessage(unmaskErr) != ctis.ErrorMessage(absentUnmask) {
					t.Errorf("%s: unmasking %s's record: %v, want it to read as an absent one (%v)", label, a, unmaskErr, absentUnmask)
				}
			}
		}
		view := AuditText(t, s.Audit, agency)
		for id, a := range owner {
			if got := strings.Contains(view, id); got != (a == agency) {
				t.Errorf("the audit view of %s names %s's record %s: %v", agency, a, id, got)
			}
		}
		if strings.Contains(strings.ToLower(view), "sorina") {
			t.Errorf("the audit view of %s holds a traveller's name:\n%s", agency, view)
		}
	}
}
