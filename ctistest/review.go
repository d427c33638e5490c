package ctistest

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

// reviewMatrix records a person under every handling, has analysts of
// three agencies screen each one and escalate what they found, then reads
// every queue as the analysts and frontline officers of the three
// agencies: each hit shows whole, in part, in its notice form or not at
// all exactly as Hit.ViewFor says for that reader — in the list, in the
// one-hit read, a decision and a recorded movement — and a hidden hit
// reads as an absent one. A notice names FR-DGSI, at node when its
// statements came from that peer node.
func reviewMatrix(t *testing.T, s ctis.Services, node string) {
	// Sixteen names far apart, so that each subject hits one person.
	names := strings.Fields(`Mirzakhanov Oyelaran Brzezinska Thorvaldsen Quispehuaman Nakashima Fitzgerald Abernathy
		Kowalczyk Papadimitriou Szczepanik Vandersloot Oyarzabal Haverkamp Lindqvist Castellanos`)
	var cases []*queueCase
	for i, h := range ctis.EveryHandling(DE, Western) {
		marker := names[i] + " " + names[15-i][:4] + "ka"
		doc := fmt.Sprintf("QX%d%07d", i, 4711*(i+3))
		e, err := s.Entities.CreateEntity(As(FR, ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
			Statements: Statements(h, "name", marker, "passportNumber", doc)})
		if err != nil {
			t.Fatal(err)
		}
		for _, screener := range Codes {
			cases = append(cases, &queueCase{marker: marker, entity: e.ID, doc: doc, screener: screener, h: h})
		}
	}
	for _, c := range cases {
		res, err := s.Screener.Screen(As(c.screener, ctis.RoleAnalyst), ctis.Subject{Name: c.marker, DocumentNumber: c.doc})
		if err != nil {
			t.Fatal(err)
		}
		sees := ctis.CanSee(ViewerOf(c.screener, ctis.RoleAnalyst), FR, c.h)
		if sees != (len(res.Hits) == 1) || len(res.Hits) > 1 {
			t.Fatalf("%s screening %s: %d hits, want a hit %v", c.screener, c.marker, len(res.Hits), sees)
		}
		if sees {
			c.hit = res.Hits[0].ID
			if got := res.Hits[0].Sources; len(got) != 1 || got[0].Originator != FR || !slices.Contains(got[0].Components, "document") {
				t.Fatalf("hit sources %+v", got)
			}
			if c.screener != FR {
				if _, err := s.Review.Decide(As(c.screener, ctis.RoleAnalyst), c.hit, ctis.HitEscalated, "ask the originator"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	_, absentErr := s.Review.Hit(As(DE, ctis.RoleAnalyst), ctis.NewID())
	if ctis.ErrorCode(absentErr) != ctis.ENOTFOUND {
		t.Fatalf("absent hit: %v", absentErr)
	}
	views := map[ctis.HitView]int{}
	for _, agency := range Codes {
		for _, role := range Readers {
			ctx := As(agency, role)
			viewer := ViewerOf(agency, role)
			page, err := s.Review.Hits(ctx, ctis.HitFilter{Limit: ctis.MaxLimit})
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
				one, err := s.Review.Hit(ctx, c.hit)
				if how == ctis.HitHidden {
					if inList {
						t.Errorf("%s: listed, want hidden: %+v", label, got)
					}
					if c.hit != "" && (err == nil || ctis.ErrorMessage(err) != ctis.ErrorMessage(absentErr) || ctis.ErrorCode(err) != ctis.ENOTFOUND) {
						t.Errorf("%s: one-hit read %v, want it to read as an absent hit (%v)", label, err, absentErr)
					}
					if role == ctis.RoleAnalyst && c.hit != "" {
						if _, err := s.Review.Decide(ctx, c.hit, ctis.HitConfirmed, "seen"); ctis.ErrorMessage(err) != ctis.ErrorMessage(absentErr) {
							t.Errorf("%s: deciding a hidden hit: %v", label, err)
						}
					}
				}
				if role == ctis.RoleAnalyst && c.hit != "" {
					// Only the screening agency records a journey, from the
					// whole hit; to anyone else the hit reads as absent.
					_, err := s.Review.RecordMovement(ctx, c.hit, ctis.Handling{Distribution: ctis.DistOriginator}, "B2")
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
				checkView(t, label, got, string(a), c, how, node)
			}
			if len(page.Hits) != want {
				t.Errorf("%s %s: %d hits listed, want %d", agency, role, len(page.Hits), want)
			}
			// FR-DGSI's analysts are told of each hit escalated to it
			// that they may see; nobody else is told of any.
			var told []string
			for _, c := range cases {
				if c.hit != "" && c.screener != FR && agency == FR && role == ctis.RoleAnalyst && expectedView(c, viewer) != ctis.HitHidden {
					told = append(told, c.hit)
				}
			}
			slices.Sort(told)
			if got := NoticeRefs(t, s, ctx, ctis.NoticeHit); !slices.Equal(got, told) {
				t.Errorf("%s %s: told of hits %v, want %v", agency, role, got, told)
			}
		}
	}
	if len(views) != 4 {
		t.Errorf("the matrix met views %v; it must meet all four", views)
	}
}

// expectedView is the view the matrix expects of a case.
func expectedView(c *queueCase, v ctis.Viewer) ctis.HitView {
	if c.hit == "" {
		return ctis.HitHidden
	}
	return EscalatedView(v, c.screener, c.h)
}

// EscalatedView is the view a reader v should get of a hit that screener
// found on FR-DGSI's statements under h and, unless FR-DGSI screened,
// escalated to FR-DGSI — written out from the rule rather than by calling
// Hit.ViewFor: whole to the screening agency's reader who may see the
// source, in part to FR-DGSI's, the notice form where the source carries
// a hit notice, nothing otherwise.
func EscalatedView(v ctis.Viewer, screener string, h ctis.Handling) ctis.HitView {
	own := v.Agency == screener
	if !own && v.Agency != FR {
		return ctis.HitHidden
	}
	switch sees := ctis.CanSee(v, FR, h); {
	case sees && own:
		return ctis.HitFull
	case sees:
		return ctis.HitPartial
	case h.HitNotice:
		return ctis.HitNoticed
	}
	return ctis.HitHidden
}

func checkView(t *testing.T, label string, h ctis.Hit, text string, c *queueCase, how ctis.HitView, node string) {
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
		if !slices.Equal(h.Notice, []string{ctis.HitNotice{Agency: FR, Node: node}.Contact()}) || h.EntityID != "" || len(h.Sources) != 0 {
			t.Errorf("%s: want the notice form, got %s", label, text)
		}
		for _, leak := range []string{c.entity, c.doc, `"matched_name":"` + c.marker, "passport"} {
			if strings.Contains(text, leak) {
				t.Errorf("%s: the notice form shows %q: %s", label, leak, text)
			}
		}
	}
}
