package screen_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ctis"
)

// queueCase is one screening of one marked person: who screened, under
// which handling FR-DGSI recorded the person.
type queueCase struct {
	marker, entity, doc string
	screener            string
	h                   ctis.Handling
	hit                 string // the hit's ID, "" when the screener saw no hit
}

// TestReviewQueueHandlingMatrix records a person under every handling,
// has analysts of three agencies screen each one and escalate what they
// found, then reads every queue as the analysts and frontline officers of
// the three agencies: each hit shows whole, in part, in its notice form or
// not at all exactly as Hit.ViewFor says for that reader — in the list, in
// the one-hit read, a decision and a recorded movement — and a hidden hit
// reads as an absent one.
func TestReviewQueueHandlingMatrix(t *testing.T) {
	db, svc := node(t)
	groups := map[string][]string{"FR-DGSI": {"western"}, "DE-BKA": {"western"}}
	agencies := []string{"FR-DGSI", "DE-BKA", "JO-GID"}
	// Sixteen names far apart, so that each subject hits one person.
	names := strings.Fields(`Mirzakhanov Oyelaran Brzezinska Thorvaldsen Quispehuaman Nakashima Fitzgerald Abernathy
		Kowalczyk Papadimitriou Szczepanik Vandersloot Oyarzabal Haverkamp Lindqvist Castellanos`)
	var cases []*queueCase
	for i, h := range ctis.EveryHandling("DE-BKA", "western") {
		marker := names[i] + " " + names[15-i][:4] + "ka"
		doc := fmt.Sprintf("QX%d%07d", i, 4711*(i+3))
		e, err := svc.CreateEntity(as("FR-DGSI", ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
			Statements: statements(h, "name", marker, "passportNumber", doc)})
		if err != nil {
			t.Fatal(err)
		}
		for _, screener := range agencies {
			cases = append(cases, &queueCase{marker: marker, entity: e.ID, doc: doc, screener: screener, h: h})
		}
	}
	for _, c := range cases {
		res, err := svc.Screen(as(c.screener, ctis.RoleAnalyst), ctis.Subject{Name: c.marker, DocumentNumber: c.doc})
		if err != nil {
			t.Fatal(err)
		}
		sees := ctis.CanSee(ctis.Viewer{Agency: c.screener, Groups: groups[c.screener]}, "FR-DGSI", c.h)
		if sees != (len(res.Hits) == 1) || len(res.Hits) > 1 {
			t.Fatalf("%s screening %s: %d hits, want a hit %v", c.screener, c.marker, len(res.Hits), sees)
		}
		if sees {
			c.hit = res.Hits[0].ID
			if got := res.Hits[0].Sources; len(got) != 1 || got[0].Originator != "FR-DGSI" || !slices.Contains(got[0].Components, "document") {
				t.Fatalf("hit sources %+v", got)
			}
			if c.screener != "FR-DGSI" {
				if _, err := db.Decide(as(c.screener, ctis.RoleAnalyst), c.hit, ctis.HitEscalated, "ask the originator"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	_, absentErr := db.Hit(as("DE-BKA", ctis.RoleAnalyst), ctis.NewID())
	if ctis.ErrorCode(absentErr) != ctis.ENOTFOUND {
		t.Fatalf("absent hit: %v", absentErr)
	}
	views := map[ctis.HitView]int{}
	for _, agency := range agencies {
		for _, role := range []ctis.Role{ctis.RoleAnalyst, ctis.RoleFrontline} {
			ctx := as(agency, role)
			viewer := ctis.Viewer{Agency: agency, FrontlineOnly: role == ctis.RoleFrontline, Groups: groups[agency]}
			page, err := db.Hits(ctx, ctis.HitFilter{Limit: ctis.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			listed := map[string]ctis.Hit{}
			for _, h := range page.Hits {
				listed[h.ID] = h
			}
			want := 0
			for _, c := range cases {
				label := fmt.Sprintf("%s %s reads %s's hit on %s", agency, role, c.screener, c.marker)
				how := expectedView(c, viewer)
				views[how]++
				if how != ctis.HitHidden {
					want++
				}
				got, inList := listed[c.hit]
				one, err := db.Hit(ctx, c.hit)
				if how == ctis.HitHidden {
					if inList {
						t.Errorf("%s: listed, want hidden: %+v", label, got)
					}
					if c.hit != "" && (err == nil || ctis.ErrorMessage(err) != ctis.ErrorMessage(absentErr) || ctis.ErrorCode(err) != ctis.ENOTFOUND) {
						t.Errorf("%s: one-hit read %v, want it to read as an absent hit (%v)", label, err, absentErr)
					}
					if role == ctis.RoleAnalyst && c.hit != "" {
						if _, err := db.Decide(ctx, c.hit, ctis.HitConfirmed, "seen"); ctis.ErrorMessage(err) != ctis.ErrorMessage(absentErr) {
							t.Errorf("%s: deciding a hidden hit: %v", label, err)
						}
					}
				}
				if role == ctis.RoleAnalyst && c.hit != "" {
					// Only the screening agency records a journey, from the
					// whole hit; to anyone else the hit reads as absent.
					_, err := db.RecordMovement(ctx, c.hit, ctis.Handling{Distribution: ctis.DistOriginator}, "B2")
					if wantCode := map[bool]string{true: ctis.ECONFLICT, false: ctis.ENOTFOUND}[how == ctis.HitFull]; ctis.ErrorCode(err) != wantCode {
						t.Errorf("%s: recording the movement: %v, want %s", label, err, wantCode)
					}
				}
				if how == ctis.HitHidden {
					continue
				}
				if !inList || err != nil {
					t.Errorf("%s: listed %v, one-hit read %v; want view %d", label, inList, err, how)
					continue
				}
				a, _ := json.Marshal(got)
				b, _ := json.Marshal(one)
				if string(a) != string(b) {
					t.Errorf("%s: list and one-hit read differ:\n%s\n%s", label, a, b)
				}
				checkView(t, label, got, string(a), c, how)
			}
			if len(page.Hits) != want {
				t.Errorf("%s %s: %d hits listed, want %d", agency, role, len(page.Hits), want)
			}
		}
	}
	if len(views) != 4 {
		t.Errorf("the matrix met views %v; it must meet all four", views)
	}
}

// expectedView is the view the matrix expects, written out from the rule
// rather than by calling Hit.ViewFor.
func expectedView(c *queueCase, v ctis.Viewer) ctis.HitView {
	if c.hit == "" {
		return ctis.HitHidden
	}
	own := v.Agency == c.screener
	// Escalated hits go to the originator, FR-DGSI.
	if !own && v.Agency != "FR-DGSI" {
		return ctis.HitHidden
	}
	switch sees := ctis.CanSee(v, "FR-DGSI", c.h); {
	case sees && own:
		return ctis.HitFull
	case sees:
		return ctis.HitPartial
	case c.h.HitNotice:
		return ctis.HitNoticed
	}
	return ctis.HitHidden
}

func checkView(t *testing.T, label string, h ctis.Hit, text string, c *queueCase, how ctis.HitView) {
	t.Helper()
	switch how {
	case ctis.HitFull:
		if h.EntityID != c.entity || h.Matched == "" || h.Subject.DocumentNumber != c.doc || len(h.Explanation) == 0 || len(h.Notice) != 0 {
			t.Errorf("%s: want the whole hit, got %s", label, text)
		}
	case ctis.HitPartial:
		if h.EntityID != c.entity || h.Matched != "" || h.Score != 0 || len(h.Explanation) != 0 || h.Subject.DocumentNumber != c.doc || len(h.Notice) != 0 {
			t.Errorf("%s: want the hit in part, got %s", label, text)
		}
	case ctis.HitNoticed:
		if !slices.Equal(h.Notice, []string{"FR-DGSI"}) || h.EntityID != "" || len(h.Sources) != 0 {
			t.Errorf("%s: want the notice form, got %s", label, text)
		}
		for _, leak := range []string{c.entity, c.doc, `"matched_name":"` + c.marker, "passport"} {
			if strings.Contains(text, leak) {
				t.Errorf("%s: the notice form shows %q: %s", label, leak, text)
			}
		}
	}
}

// TestEscalationShowsOnlyVisibleContributions is the probe's case: FR-DGSI
// holds a person shared with all, KZ-KNB adds a passport number released
// to DE-BKA only, and DE-BKA screens the name with that number and
// escalates. FR-DGSI must not learn the number from its queue; KZ-KNB,
// whose statement matched it and who may see FR-DGSI's name, sees both.
func TestEscalationShowsOnlyVisibleContributions(t *testing.T) {
	db, svc := node(t)
	if _, err := db.CreateAgency(system, ctis.Agency{Code: "KZ-KNB", Name: "KZ-KNB", Country: "KZ"}); err != nil {
		t.Fatal(err)
	}
	e, err := svc.CreateEntity(as("FR-DGSI", ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
		Statements: statements(ctis.Handling{Distribution: ctis.DistAll, Frontline: true}, "name", "Ilyas Qaderov")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddStatements(as("KZ-KNB", ctis.RoleAnalyst), e.ID,
		statements(ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA"}}, "passportNumber", "N09113344")); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Screen(as("DE-BKA", ctis.RoleAnalyst), ctis.Subject{Name: "Ilyas Qaderov", DocumentNumber: "N09113344"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("screening: %v %+v", err, res)
	}
	if _, err := db.Decide(as("DE-BKA", ctis.RoleAnalyst), res.Hits[0].ID, ctis.HitEscalated, "ask the contributors"); err != nil {
		t.Fatal(err)
	}
	fr, err := db.Hit(as("FR-DGSI", ctis.RoleAnalyst), res.Hits[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := json.Marshal(fr)
	if strings.Contains(string(text), "N09113344") || fr.Subject.Name != "Ilyas Qaderov" || !slices.Equal(fr.Agencies, []string{"FR-DGSI"}) {
		t.Errorf("FR-DGSI's view of the escalated hit: %s", text)
	}
	kz, err := db.Hit(as("KZ-KNB", ctis.RoleAnalyst), res.Hits[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if kz.Subject.DocumentNumber != "N09113344" || kz.Subject.Name != "Ilyas Qaderov" || !slices.Equal(kz.Agencies, []string{"FR-DGSI", "KZ-KNB"}) {
		t.Errorf("KZ-KNB's view of the escalated hit: %+v", kz)
	}
	// The recipients' decision stands, and shows them no more.
	decided, err := db.Decide(as("FR-DGSI", ctis.RoleAnalyst), res.Hits[0].ID, ctis.HitConfirmed, "our man")
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := json.Marshal(decided); strings.Contains(string(text), "N09113344") {
		t.Errorf("the decision shows FR-DGSI the number: %s", text)
	}
}

// TestHitReadsNeedPurposeAndAreAudited: reading the queue is a read of
// personal data.
func TestHitReadsNeedPurposeAndAreAudited(t *testing.T) {
	db, svc := node(t)
	if _, err := svc.CreateEntity(as("DE-BKA", ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
		Statements: statements(ctis.Handling{Distribution: ctis.DistOriginator}, "name", "Rashid Talbi")}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Screen(as("DE-BKA", ctis.RoleAnalyst), ctis.Subject{Name: "Rashid Talbi"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("screening: %v %+v", err, res)
	}
	noPurpose := ctis.WithPurpose(as("DE-BKA", ctis.RoleAnalyst), "")
	if _, err := db.Hits(noPurpose, ctis.HitFilter{}); ctis.ErrorField(err) != "purpose" {
		t.Errorf("hits without a purpose: %v", err)
	}
	if _, err := db.Hit(noPurpose, res.Hits[0].ID); ctis.ErrorField(err) != "purpose" {
		t.Errorf("one hit without a purpose: %v", err)
	}
	for _, read := range []func() error{
		func() error { _, err := db.Hits(as("DE-BKA", ctis.RoleAnalyst), ctis.HitFilter{}); return err },
		func() error { _, err := db.Hit(as("DE-BKA", ctis.RoleAnalyst), res.Hits[0].ID); return err },
	} {
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := db.Events(as("DE-BKA", ctis.RoleAuditor), ctis.AuditFilter{Action: ctis.ActHitRead})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Events) != 2 {
		t.Fatalf("%d hit.read events, want 2", len(ev.Events))
	}
	for _, e := range ev.Events {
		if e.Purpose != "border check 2026/88" || !strings.Contains(e.Detail, res.Hits[0].ID) {
			t.Errorf("audit event %+v", e)
		}
	}
}
