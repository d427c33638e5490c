package ctistest

import (
	"fmt"
	"testing"

	"ctis"
)

// screeningMatrix screens one name as every viewer against the same
// person recorded under every handling: a hit shows only what the viewer
// may see, a hidden match with a hit notice shows only the agency to
// contact, and a hidden match without one shows nothing at all.
func screeningMatrix(t *testing.T, open func(*testing.T) ctis.Services) {
	for _, h := range ctis.EveryHandling(DE, Western) {
		t.Run(handlingName(h), func(t *testing.T) {
			s := open(t)
			e, err := s.Entities.CreateEntity(As(FR, ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
				Statements: Statements(h, "name", "Oussama Ben Laden", "birthDate", "1957-03-10", "nationality", "SA")})
			if err != nil {
				t.Fatal(err)
			}
			for _, agency := range Codes {
				for _, role := range Readers {
					want := ctis.CanSee(ViewerOf(agency, role), FR, h)
					res, err := s.Screener.Screen(As(agency, role), ctis.Subject{Name: "Usama bin Ladin", BirthDate: "1957"})
					if err != nil {
						t.Fatal(err)
					}
					label := fmt.Sprintf("%s/%s", agency, role)
					if got := len(res.Hits) == 1 && res.Hits[0].EntityID == e.ID; got != want || len(res.Hits) > 1 {
						t.Errorf("%s: hits %+v, want hit %v", label, res.Hits, want)
					}
					for _, hit := range res.Hits {
						if len(hit.Agencies) != 1 || hit.Agencies[0] != FR || hit.Score < 0.8 {
							t.Errorf("%s: hit %+v", label, hit)
						}
					}
					wantNotice := !want && h.HitNotice
					if got := len(res.Notices) == 1 && res.Notices[0].Agency == FR; got != wantNotice || len(res.Notices) > 1 {
						t.Errorf("%s: notices %+v, want notice %v", label, res.Notices, wantNotice)
					}
				}
			}
		})
	}
}

// handlingName names a handling of ctis.EveryHandling for a subtest.
func handlingName(h ctis.Handling) string {
	return fmt.Sprintf("%s/frontline=%v/notice=%v", h.Distribution, h.Frontline, h.HitNotice)
}
