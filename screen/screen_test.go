package screen_test

import (
	"fmt"
	"os"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/screen"
	"ctis/store"
)

// system acts as the local operator; as as a user of an agency holding
// roles, for the kit's purpose; statements makes statements under one
// handling from property and value pairs.
var (
	system     = ctistest.System
	as         = ctistest.As
	statements = ctistest.Statements
)

// node opens a store seeded by the test kit — agencies FR-DGSI, DE-BKA and
// JO-GID, FR and DE sharing the group "western" — and the screening
// service over it. The handling matrix of screening and of the review
// queue is the kit's, run by the store package's TestSuite.
func node(t *testing.T) (*store.DB, *screen.Service) {
	t.Helper()
	n := ctistest.SeededStore(t, engine, store.Options{})
	return n.DB, n.Screen
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

// TestEveryHitAboveThresholdIsShown lists one name in many spellings, each
// a different person, and one spelled a little further off; screening
// the name shows every one of them, the furthest last: none is cut from
// the list because others like it scored higher.
func TestEveryHitAboveThresholdIsShown(t *testing.T) {
	_, svc := node(t)
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	names := []string{"Vladimir Putin", "Vladimir Putin", "Wladimir Putin", "Vladimir Poutine", "Vladimir Putine", "Vladimir V. Putin",
		"Vladimir Vladimirovich Putin", "Vladimir Putin Vladimirovich", "PUTIN Vladimir", "Putin, Vladimir", "Wladimir Putine", "Vladimir Pudin"}
	ids := map[string]bool{}
	for _, n := range names {
		e, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all, "name", n)})
		if err != nil {
			t.Fatal(err)
		}
		ids[e.ID] = true
	}
	res, err := svc.Screen(as("DE-BKA", ctis.RoleFrontline), ctis.Subject{Name: "Vladimir Putin"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		delete(ids, h.EntityID)
	}
	if len(ids) > 0 {
		t.Errorf("%d of %d listed spellings were not hits: %+v", len(ids), len(names), res.Hits)
	}
}

// engine is the store engine the package's tests run on: TestMain runs
// them all on each of ctistest.Engines in turn.
var engine ctistest.Engine

func TestMain(m *testing.M) { os.Exit(ctistest.RunEngines(m, &engine)) }
