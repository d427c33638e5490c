package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"ctis"
	"ctis/demo"
	"ctis/hashbank"
	"ctis/pdq"
	"ctis/store"
)

func TestSeed(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), store.Options{})
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
		if _, err := db.Authenticate(context.Background(), ctis.CredentialAPI, l.Token); err != nil {
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
	// France's request to Germany is theirs alone; Jordan's stale entry
	// is flagged.
	for agency, want := range map[string]int{"FR-DGSI": 1, "DE-BKA": 1, "JO-GID": 0} {
		list, err := db.Requests(ctis.NewContext(context.Background(), ctis.Identity{Username: "x", Agency: agency, Roles: []ctis.Role{ctis.RoleAnalyst}}), ctis.RequestQuery{})
		if err != nil || len(list) != want {
			t.Errorf("%s sees %d requests (%v), want %d", agency, len(list), err, want)
		}
	}
	stale, err := db.Authorities(border, ctis.AuthorityQuery{Stale: true})
	if err != nil || len(stale) != 1 || stale[0].Agency != "JO-GID" {
		t.Errorf("stale entries %+v %v", stale, err)
	}
}

// TestSeedHashes: the sample photograph matches France's demo bank for a
// Jordanian border officer, and Germany's private bank answers only with
// a notice.
func TestSeedHashes(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	system := ctis.NewContext(context.Background(), ctis.SystemIdentity("test"))
	if _, err := demo.Seed(system, db); err != nil {
		t.Fatal(err)
	}
	hs, err := hashbank.New(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedHashes(system, hs); err != nil {
		t.Fatal(err)
	}
	photo, err := os.Open("../pdq/testdata/images/aaa-orig.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer photo.Close()
	f, err := pdq.HashFile(photo, false)
	if err != nil {
		t.Fatal(err)
	}
	border := ctis.NewContext(context.Background(), ctis.Identity{Username: "border.jo", Agency: "JO-GID", Roles: []ctis.Role{ctis.RoleFrontline}})
	res, err := hs.MatchHashes(border, []ctis.HashQuery{{Type: ctis.HashPDQ, Value: f.PDQ}, {Type: ctis.HashMD5, Value: "9e107d9d372bb6826bd81d3542a419d6"}}, ctis.DefaultRadius)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 1 || res.Matches[0].Distance != 0 || len(res.Notices) != 1 || res.Notices[0].Agency != "DE-BKA" {
		t.Fatalf("matches %+v, notices %+v", res.Matches, res.Notices)
	}
}
