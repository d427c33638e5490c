package store_test

import (
	"testing"

	"ctis"
	"ctis/store"
)

func document(number, country, status string, h ctis.Handling) ctis.NewEntity {
	st := []ctis.NewStatement{{Property: "number", Value: number, Handling: h}, {Property: "issuingCountry", Value: country, Handling: h},
		{Property: "documentType", Value: "passport", Handling: h}}
	if status != "" {
		st = append(st, ctis.NewStatement{Property: "status", Value: status, Handling: h})
	}
	return ctis.NewEntity{Schema: "Document", Statements: st}
}

// TestCheckDocument: numbers meet however written (spaces, dashes, the
// letter O for the digit 0); another issuing state is another document;
// a frontline officer learns of a hidden entry only the agency to
// contact, and of a hidden entry without a hit notice nothing.
func TestCheckDocument(t *testing.T) {
	db := openDB(t, store.Options{})
	for _, a := range []string{"FR-DGSI", "DE-BKA", "JO-GID"} {
		mustAgency(t, db, a, a[:2])
	}
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	released := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	for _, e := range []ctis.NewEntity{
		document("X0123456", "FR", "stolen", released),
		document("VALID0001", "FR", "valid", released),
		document("HIDDEN-77", "FR", "lost", ctis.Handling{Distribution: ctis.DistOriginator, HitNotice: true}),
		document("SECRET-88", "FR", "revoked", ctis.Handling{Distribution: ctis.DistOriginator}),
	} {
		if _, err := db.CreateEntity(fr, e); err != nil {
			t.Fatal(err)
		}
	}
	border := as("DE-BKA", ctis.RoleFrontline)
	for _, tt := range []struct {
		q             ctis.DocumentQuery
		hit           bool
		status        string
		docs, notices int
	}{
		{ctis.DocumentQuery{Number: "x 0123-456", IssuingCountry: "FRA"}, true, "stolen", 1, 0},
		{ctis.DocumentQuery{Number: "XO123456"}, true, "stolen", 1, 0},
		{ctis.DocumentQuery{Number: "X0123456", IssuingCountry: "DE"}, false, "", 0, 0},
		{ctis.DocumentQuery{Number: "X0123456", Type: "id_card"}, false, "", 0, 0},
		{ctis.DocumentQuery{Number: "VALID0001"}, false, "", 1, 0},
		{ctis.DocumentQuery{Number: "hidden 77"}, true, "", 0, 1},
		{ctis.DocumentQuery{Number: "SECRET88"}, false, "", 0, 0},
		{ctis.DocumentQuery{Number: "NOTHING1"}, false, "", 0, 0},
	} {
		got, err := db.CheckDocument(border, tt.q)
		if err != nil {
			t.Fatalf("%+v: %v", tt.q, err)
		}
		if got.Hit != tt.hit || got.Status != tt.status || len(got.Documents) != tt.docs || len(got.Notices) != tt.notices {
			t.Errorf("%+v: %+v", tt.q, got)
		}
		for _, n := range got.Notices {
			if n.Agency != "FR-DGSI" {
				t.Errorf("notice %+v", n)
			}
		}
	}
	if _, err := db.CheckDocument(border, ctis.DocumentQuery{Number: " - "}); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Errorf("an empty number: %v", err)
	}
	if _, err := db.CheckDocument(border, ctis.DocumentQuery{Number: "X1", IssuingCountry: "Atlantis"}); ctis.ErrorField(err) != "issuing_country" {
		t.Errorf("a bad issuing state: %v", err)
	}
}
