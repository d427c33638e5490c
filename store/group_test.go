package store_test

import (
	"testing"
	"time"

	"ctis"
	"ctis/store"
)

// TestPutGroupKeepsCreatedAt: replacing a group's members reset its
// created_at to the time of the change.
func TestPutGroupKeepsCreatedAt(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db := openDB(t, store.Options{Now: func() time.Time { return now }})
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "DE-BKA", "DE")
	created := now
	g, err := db.PutGroup(system, ctis.SharingGroup{Name: "euro-ct", Agencies: []string{"FR-DGSI"}})
	if err != nil || !g.CreatedAt.Equal(created) {
		t.Fatalf("create: %+v %v", g, err)
	}
	now = now.Add(48 * time.Hour)
	g, err = db.PutGroup(system, ctis.SharingGroup{Name: "euro-ct", Agencies: []string{"FR-DGSI", "DE-BKA"}})
	if err != nil || !g.CreatedAt.Equal(created) || len(g.Agencies) != 2 {
		t.Fatalf("replace: %+v %v", g, err)
	}
	groups, err := db.Groups(as("FR-DGSI", ctis.RoleAnalyst))
	if err != nil || len(groups) != 1 || !groups[0].CreatedAt.Equal(created) {
		t.Fatalf("groups: %+v %v", groups, err)
	}
}
