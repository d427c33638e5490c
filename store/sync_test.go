package store_test

import (
	"testing"

	"ctis"
	"ctis/store"
)

func TestSyncFollowsAFeed(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "UN", "UN")
	mustAgency(t, db, "DE-BKA", "DE")
	un := as("UN", ctis.RoleAnalyst)
	h := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	entry := func(key string, names ...string) ctis.NewEntity {
		e := ctis.NewEntity{ID: ctis.DerivedID("test-feed", key), Schema: "Person"}
		for _, n := range names {
			e.Statements = append(e.Statements, ctis.NewStatement{Property: "name", Value: n, Handling: h, Grading: "A2"})
		}
		return e
	}
	rep, err := db.Sync(un, []ctis.NewEntity{entry("1", "Alpha One"), entry("2", "Bravo Two", "Bravo 2"), entry("3", "Charlie Three")}, true, "de-listed")
	if err != nil || *rep != (ctis.SyncReport{Created: 3, Added: 4}) {
		t.Fatalf("first sync: %+v %v", rep, err)
	}
	// The feed's keys are its own: entry 3 is stored under an ID scoped to UN.
	third := ctis.ScopedID("UN", entry("3", "x").ID)
	// Another agency's statement on a listed entity is never touched by the feed.
	if _, err := db.AddStatements(as("DE-BKA", ctis.RoleAnalyst), third, []ctis.NewStatement{{Property: "alias", Value: "Charlie", Handling: h}}); err != nil {
		t.Fatal(err)
	}
	rep, err = db.Sync(un, []ctis.NewEntity{entry("1", "Alpha One"), entry("2", "Bravo Two", "Bravo II")}, true, "de-listed")
	if err != nil || *rep != (ctis.SyncReport{Changed: 1, Unchanged: 1, Removed: 1, Added: 1, Withdrawn: 2}) {
		t.Fatalf("second sync: %+v %v", rep, err)
	}
	de := as("DE-BKA", ctis.RoleAnalyst)
	got, err := db.Entity(de, third)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got.Statements {
		if (s.Originator == "UN") != (s.Withdrawn != nil) {
			t.Errorf("after de-listing: %+v", s)
		}
		if s.Withdrawn != nil && s.Withdrawn.Reason != "de-listed" {
			t.Errorf("withdrawal reason %q", s.Withdrawn.Reason)
		}
	}
	res, _ := db.Search(de, ctis.SearchQuery{Name: "bravo 2"})
	if len(res.Entities) != 0 {
		t.Error("a name withdrawn by the feed still matches")
	}
	if _, err := db.Sync(un, []ctis.NewEntity{entry("1", "Alpha One"), entry("1", "Alpha One")}, false, "x"); ctis.ErrorField(err) != "[1].id" {
		t.Fatalf("duplicate entry: %v", err)
	}
	if rep, err := db.Verify(system, nil); err != nil || !rep.OK {
		t.Fatalf("audit: %+v %v", rep, err)
	}
}
