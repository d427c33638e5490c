package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"ctis"
	"ctis/demo"
	"ctis/sqlite"
)

func TestSeed(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	logins, err := demo.Seed(ctis.NewContext(context.Background(), ctis.SystemIdentity("test")), db)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[ctis.Role]bool{}
	for _, l := range logins {
		for _, r := range l.Roles {
			roles[r] = true
		}
		if _, err := db.Authenticate(context.Background(), l.Token); err != nil {
			t.Errorf("%s's token: %v", l.Username, err)
		}
	}
	if len(roles) != len(ctis.Roles) {
		t.Errorf("demo users cover roles %v", roles)
	}
	// A German border officer finds the tearline name and learns of the
	// restricted passport only as a notice.
	border := ctis.WithPurpose(ctis.NewContext(context.Background(), ctis.Identity{Username: "border.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleFrontline}}), "demo")
	res, err := db.Search(border, ctis.SearchQuery{Name: "Abou Moussa"})
	if err != nil || len(res.Entities) != 1 {
		t.Fatalf("search: %+v %v", res, err)
	}
	for _, s := range res.Entities[0].Statements {
		if !s.Handling.Frontline {
			t.Errorf("a border officer sees a statement not released to frontline: %s", s.Property)
		}
	}
	res, err = db.Search(border, ctis.SearchQuery{Property: "passportNumber", Value: "18FR44120"})
	if err != nil || len(res.Entities) != 0 || len(res.Notices) != 1 || res.Notices[0].Agency != "FR-DGSI" {
		t.Fatalf("passport search: %+v %v", res, err)
	}
	// The UN list is there, released to frontline.
	res, err = db.Search(border, ctis.SearchQuery{Property: "listReference", Value: "QDi.299"})
	if err != nil || len(res.Entities) != 1 {
		t.Fatalf("UN entry QDi.299: %+v %v", res, err)
	}
}
