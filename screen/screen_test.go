package screen_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"ctis"
	"ctis/screen"
	"ctis/sqlite"
)

var system = ctis.NewContext(context.Background(), ctis.SystemIdentity("test"))

func as(agency string, roles ...ctis.Role) context.Context {
	id := ctis.Identity{UserID: agency + "-" + string(roles[0]), Username: agency + "." + string(roles[0]), Agency: agency, Roles: roles}
	return ctis.WithPurpose(ctis.NewContext(context.Background(), id), "border check 2026/88")
}

// node opens a store with agencies FR-DGSI, DE-BKA and JO-GID, FR and DE
// sharing the group "western", and a screening service over it.
func node(t *testing.T) (*sqlite.DB, *screen.Service) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, a := range []ctis.Agency{{Code: "FR-DGSI", Country: "FR"}, {Code: "DE-BKA", Country: "DE"}, {Code: "JO-GID", Country: "JO"}} {
		a.Name = a.Code
		if _, err := db.CreateAgency(system, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PutGroup(system, ctis.SharingGroup{Name: "western", Agencies: []string{"FR-DGSI", "DE-BKA"}}); err != nil {
		t.Fatal(err)
	}
	svc, err := screen.New(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return db, svc
}

func statements(h ctis.Handling, kv ...string) []ctis.NewStatement {
	var out []ctis.NewStatement
	for i := 0; i < len(kv); i += 2 {
		out = append(out, ctis.NewStatement{Property: kv[i], Value: kv[i+1], Handling: h, Grading: "B2"})
	}
	return out
}

// TestScreeningHandling screens one name as every viewer against the same
// person recorded under every handling: a hit shows only what the viewer
// may see, a hidden match with a hit notice shows only the agency to
// contact, and a hidden match without one shows nothing at all.
func TestScreeningHandling(t *testing.T) {
	groups := map[string][]string{"FR-DGSI": {"western"}, "DE-BKA": {"western"}}
	for _, h := range ctis.EveryHandling("DE-BKA", "western") {
		name := fmt.Sprintf("%s/frontline=%v/notice=%v", h.Distribution, h.Frontline, h.HitNotice)
		t.Run(name, func(t *testing.T) {
			_, svc := node(t)
			e, err := svc.CreateEntity(as("FR-DGSI", ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
				Statements: statements(h, "name", "Oussama Ben Laden", "birthDate", "1957-03-10", "nationality", "SA")})
			if err != nil {
				t.Fatal(err)
			}
			for _, agency := range []string{"FR-DGSI", "DE-BKA", "JO-GID"} {
				for _, role := range []ctis.Role{ctis.RoleAnalyst, ctis.RoleFrontline} {
					v := ctis.Viewer{Agency: agency, FrontlineOnly: role == ctis.RoleFrontline, Groups: groups[agency]}
					want := ctis.CanSee(v, "FR-DGSI", h)
					res, err := svc.Screen(as(agency, role), ctis.Subject{Name: "Usama bin Ladin", BirthDate: "1957"})
					if err != nil {
						t.Fatal(err)
					}
					label := fmt.Sprintf("%s/%s", agency, role)
					if got := len(res.Hits) == 1 && res.Hits[0].EntityID == e.ID; got != want || len(res.Hits) > 1 {
						t.Errorf("%s: hits %+v, want hit %v", label, res.Hits, want)
					}
					for _, hit := range res.Hits {
						if len(hit.Agencies) != 1 || hit.Agencies[0] != "FR-DGSI" || hit.Score < 0.8 {
							t.Errorf("%s: hit %+v", label, hit)
						}
					}
					wantNotice := !want && h.HitNotice
					if got := len(res.Notices) == 1 && res.Notices[0].Agency == "FR-DGSI"; got != wantNotice || len(res.Notices) > 1 {
						t.Errorf("%s: notices %+v, want notice %v", label, res.Notices, wantNotice)
					}
				}
			}
		})
	}
}

// TestHiddenStatementsDoNotMoveScores gives a visible entry hidden
// statements that would match better; a viewer who may not see them gets
// the same hits and scores as without them.
func TestHiddenStatementsDoNotMoveScores(t *testing.T) {
	screenAs := func(withHidden bool) []ctis.Hit {
		_, svc := node(t)
		fr := as("FR-DGSI", ctis.RoleAnalyst)
		all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
		e, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all, "name", "Abdullah Yusuf Azzam", "nationality", "PS")})
		if err != nil {
			t.Fatal(err)
		}
		if withHidden {
			secret := ctis.Handling{Distribution: ctis.DistOriginator}
			if _, err := svc.AddStatements(fr, e.ID, statements(secret, "alias", "Abdallah Azam", "birthDate", "1941-11-14", "passportNumber", "X1234567")); err != nil {
				t.Fatal(err)
			}
			// And many hidden entries that match the subject better.
			for i := range 60 {
				if _, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(secret, "name", fmt.Sprintf("Abdallah Azam %d", i))}); err != nil {
					t.Fatal(err)
				}
			}
		}
		res, err := svc.Screen(as("DE-BKA", ctis.RoleFrontline), ctis.Subject{Name: "Abdallah Azam", BirthDate: "1941-11-14", DocumentNumber: "X1234567"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Hits
	}
	without, with := screenAs(false), screenAs(true)
	if len(without) != 1 || len(with) != 1 || without[0].Score != with[0].Score || fmt.Sprint(without[0].Explanation) != fmt.Sprint(with[0].Explanation) {
		scores := func(hs []ctis.Hit) []float64 {
			var out []float64
			for _, h := range hs {
				out = append(out, h.Score)
			}
			return out
		}
		t.Fatalf("hidden statements moved the result: without them %v, with them %v", scores(without), scores(with))
	}
}

// TestReview walks a hit through review: a false positive is not raised
// again for the same subject until the entry changes; an escalated hit
// reaches the contributing agency without what it may not see.
func TestReview(t *testing.T) {
	db, svc := node(t)
	fr, de := as("FR-DGSI", ctis.RoleAnalyst), as("DE-BKA", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	e, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all, "name", "Mokhtar Belmokhtar", "nationality", "DZ")})
	if err != nil {
		t.Fatal(err)
	}
	subject := ctis.Subject{Name: "Mokhtar Belmokhtar", Nationality: "DZ"}
	res, err := svc.Screen(de, subject)
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	hit := res.Hits[0]
	if _, err := db.Decide(de, hit.ID, ctis.HitFalsePositive, ""); ctis.ErrorField(err) != "reason" {
		t.Fatalf("a decision without reason: %v", err)
	}
	if _, err := db.Decide(fr, hit.ID, ctis.HitConfirmed, "x"); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Fatalf("another agency decides: %v", err)
	}
	if _, err := db.Decide(de, hit.ID, ctis.HitFalsePositive, "different date of birth on the passport"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(de, hit.ID, ctis.HitConfirmed, "changed my mind"); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Fatalf("deciding twice: %v", err)
	}
	res, _ = svc.Screen(de, subject)
	if len(res.Hits) != 0 || res.Cleared != 1 {
		t.Fatalf("a cleared subject is raised again: %+v", res)
	}
	// The entry changes: the clearance lapses.
	if _, err := svc.AddStatements(fr, e.ID, statements(all, "alias", "Khaled Abou El Abass")); err != nil {
		t.Fatal(err)
	}
	res, _ = svc.Screen(de, subject)
	if len(res.Hits) != 1 || res.Cleared != 0 {
		t.Fatalf("after the entry changed: %+v", res)
	}
	esc, err := db.Decide(de, res.Hits[0].ID, ctis.HitEscalated, "please confirm identity")
	if err != nil || esc.Status != ctis.HitEscalated {
		t.Fatal(err)
	}
	page, err := db.Hits(fr, ctis.HitFilter{Status: ctis.HitEscalated})
	if err != nil || len(page.Hits) != 1 {
		t.Fatalf("escalated hit at the originator: %+v %v", page, err)
	}
	if got := page.Hits[0]; got.Matched != "" || len(got.Explanation) != 0 || got.Subject.Name != subject.Name {
		t.Errorf("the originator sees %+v", got)
	}
	if _, err := db.Decide(fr, res.Hits[0].ID, ctis.HitConfirmed, "same person; contact us"); err != nil {
		t.Fatal(err)
	}
	queue, _ := db.Hits(de, ctis.HitFilter{})
	if len(queue.Hits) != 2 || queue.Hits[0].Status != ctis.HitConfirmed || queue.Hits[0].Decision.Agency != "FR-DGSI" {
		t.Fatalf("DE's queue: %+v", queue.Hits)
	}
	if rep, err := db.Verify(system, nil); err != nil || !rep.OK {
		t.Fatalf("audit: %+v %v", rep, err)
	}
}

// TestRestrictedDocumentGivesNotice screens a visible person with the
// number of a passport another agency holds under a hit notice.
func TestRestrictedDocumentGivesNotice(t *testing.T) {
	_, svc := node(t)
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	e, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(ctis.Handling{Distribution: ctis.DistAll, Frontline: true}, "name", "Abou Moussa al-Faransi")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddStatements(fr, e.ID, statements(ctis.Handling{HitNotice: true}, "passportNumber", "18FR44120")); err != nil {
		t.Fatal(err)
	}
	de := as("DE-BKA", ctis.RoleFrontline)
	res, err := svc.Screen(de, ctis.Subject{Name: "Abu Musa al-Faransi", DocumentNumber: "18 FR 44120"})
	if err != nil || len(res.Hits) != 1 || len(res.Notices) != 1 || res.Notices[0].Agency != "FR-DGSI" {
		t.Fatalf("%+v %v", res, err)
	}
	for _, c := range res.Hits[0].Explanation {
		if c.Component == "document" {
			t.Errorf("the hit explains a document the officer may not see: %+v", c)
		}
	}
	// Another passport number: the hidden statement does not match, no notice.
	res, _ = svc.Screen(de, ctis.Subject{Name: "Abu Musa al-Faransi", DocumentNumber: "X999"})
	if len(res.Hits) != 1 || len(res.Notices) != 0 {
		t.Fatalf("%+v", res)
	}
}
