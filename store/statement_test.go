package store_test

import (
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/store"
)

// TestReviewDateWithinRetention: a review date of 9999-12-31 was taken,
// keeping a statement unreviewed for ever. Every way of writing one is
// now bounded by the node's retention (ReviewPeriod), and the refusal
// names the field and the latest date allowed.
func TestReviewDateWithinRetention(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	db := openDB(t, store.Options{ReviewPeriod: 365 * 24 * time.Hour, Now: func() time.Time { return now }})
	mustAgency(t, db, "FR-DGSI", "FR")
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	late := func(reviewBy string) []ctis.NewStatement {
		return []ctis.NewStatement{{Property: "name", Value: "Long Kept", ReviewBy: reviewBy}}
	}
	refused := func(what string, err error, field string) {
		t.Helper()
		if ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) != field || !strings.Contains(ctis.ErrorMessage(err), "the latest allowed is 2027-03-01") {
			t.Errorf("%s: %v", what, err)
		}
	}
	_, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: late("9999-12-31")})
	refused("create", err, "statements[0].review_by")
	e, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: late("2027-03-01")})
	if err != nil {
		t.Fatalf("the latest allowed date: %v", err)
	}
	_, err = db.AddStatements(fr, e.ID, late("2027-03-02"))
	refused("add", err, "statements[0].review_by")
	_, err = db.Import(fr, []ctis.NewEntity{{ID: ctis.NewID(), Schema: "Person", Statements: late("9999-12-31")}})
	refused("import", err, "[0].statements[0].review_by")
	_, err = db.Sync(fr, []ctis.NewEntity{{ID: ctis.NewID(), Schema: "Person", Statements: late("9999-12-31")}}, false, "feed")
	refused("sync", err, "[0].statements[0].review_by")
	_, err = db.SetReview(fr, e.Statements[0].ID, "9999-12-31")
	refused("set review", err, "review_by")
	if s, err := db.SetReview(fr, e.Statements[0].ID, "2026-12-31"); err != nil || s.ReviewBy != "2026-12-31" {
		t.Fatalf("an earlier date: %+v %v", s, err)
	}
}
