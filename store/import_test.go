package store_test

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"

	"ctis"
	"ctis/store"
	"ctis/unlist"
)

// TestImportHiddenEntityReadsAsAbsent imports, as JO-GID, an entity under
// the ID of FR-DGSI's hidden entity and one under an unused ID: the two
// must be indistinguishable, and FR-DGSI's entity untouched.
func TestImportHiddenEntityReadsAsAbsent(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "JO-GID", "JO")
	fr, jo := as("FR-DGSI", ctis.RoleAnalyst), as("JO-GID", ctis.RoleAnalyst)
	shared, err := db.CreateEntity(fr, person("Shared Subject", ctis.Handling{Distribution: ctis.DistAll}))
	if err != nil {
		t.Fatal(err)
	}
	line := func(id, schema string) []ctis.NewEntity {
		return []ctis.NewEntity{{ID: id, Schema: schema, Statements: []ctis.NewStatement{{Property: "name", Value: "Imported By JO", Grading: "C3"}}}}
	}
	// Under the hidden entity's schema and another.
	var hiddenIDs []string
	for _, schema := range []string{"Person", "Organization"} {
		hidden, err := db.CreateEntity(fr, person("Secret Subject", ctis.Handling{Distribution: ctis.DistOriginator}))
		if err != nil {
			t.Fatal(err)
		}
		hiddenIDs = append(hiddenIDs, hidden.ID)
		absent := ctis.NewID()
		repHidden, errHidden := db.Import(jo, line(hidden.ID, schema))
		repAbsent, errAbsent := db.Import(jo, line(absent, schema))
		if errHidden != nil || errAbsent != nil {
			t.Fatalf("%s: hidden ID: %v; absent ID: %v", schema, errHidden, errAbsent)
		}
		if repHidden.IDs[0] != ctis.ScopedID("JO-GID", hidden.ID) || repAbsent.IDs[0] != ctis.ScopedID("JO-GID", absent) {
			t.Errorf("%s: stored as %s and %s, not under IDs scoped to JO-GID", schema, repHidden.IDs[0], repAbsent.IDs[0])
		}
		repHidden.IDs, repAbsent.IDs = nil, nil
		if !reflect.DeepEqual(repHidden, repAbsent) || repHidden.Created != 1 {
			t.Errorf("%s: a hidden ID answers %+v, an absent one %+v", schema, repHidden, repAbsent)
		}
	}
	// FR-DGSI's entities are as they were, and still hidden from JO-GID.
	for _, id := range hiddenIDs {
		got, err := db.Entity(fr, id)
		if err != nil || len(got.Statements) != 1 || got.Statements[0].Originator != "FR-DGSI" || got.Schema != "Person" {
			t.Fatalf("FR-DGSI's entity after JO-GID's import: %+v %v", got, err)
		}
		if _, err := db.Entity(jo, id); ctis.ErrorCode(err) != ctis.ENOTFOUND {
			t.Fatalf("JO-GID reads FR-DGSI's hidden entity: %v", err)
		}
	}
	fresh, err := db.CreateEntity(fr, person("Secret Subject", ctis.Handling{Distribution: ctis.DistOriginator}))
	if err != nil {
		t.Fatal(err)
	}
	hidden := fresh.ID
	// A reference to the hidden entity reads as one to an absent entity.
	movement := func(person string) []ctis.NewEntity {
		return []ctis.NewEntity{{ID: ctis.NewID(), Schema: "Movement", Statements: []ctis.NewStatement{{Property: "person", Value: person}}}}
	}
	_, errHidden := db.Import(jo, movement(hidden))
	absent := ctis.NewID()
	_, errAbsent := db.Import(jo, movement(absent))
	if ctis.ErrorField(errHidden) != "[0].statements[0].value" || ctis.ErrorMessage(errHidden) != "no Person entity "+hidden ||
		ctis.ErrorMessage(errAbsent) != "no Person entity "+absent {
		t.Errorf("reference to a hidden entity: %v; to an absent one: %v", errHidden, errAbsent)
	}
	// A visible entity is still added to under its own ID.
	rep, err := db.Import(jo, line(shared.ID, "Person"))
	if err != nil || rep.IDs[0] != shared.ID || rep.Created != 0 {
		t.Fatalf("import onto a shared entity: %+v %v", rep, err)
	}
	if got, err := db.Entity(fr, shared.ID); err != nil || len(got.Statements) != 1 {
		t.Fatalf("FR-DGSI sees %+v %v", got, err) // JO-GID's statement is released to JO-GID only
	}
	if got, err := db.Entity(jo, shared.ID); err != nil || len(got.Statements) != 2 {
		t.Fatalf("JO-GID sees %+v %v", got, err)
	}
}

// TestUNListNotBlockedByTakenIDs has an analyst create, ahead of the UN
// list, entities under the IDs its entries derive and under the IDs they
// are stored as; the list must import all the same, and leave the
// analyst's entities alone.
func TestUNListNotBlockedByTakenIDs(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "JO-GID", "JO")
	jo := as("JO-GID", ctis.RoleAnalyst)
	f, err := os.Open("../demo/testdata/un-consolidated.xml")
	if err != nil {
		t.Fatal(err)
	}
	list, err := unlist.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := list.Entities()
	var squat []ctis.NewEntity
	for _, e := range entries[:5] {
		for _, id := range []string{e.ID, ctis.ScopedID(unlist.Agency.Code, e.ID)} {
			squat = append(squat, ctis.NewEntity{ID: id, Schema: "Organization", Statements: []ctis.NewStatement{
				{Property: "name", Value: "Squatter", Handling: ctis.Handling{Distribution: ctis.DistAll}}}})
		}
	}
	taken, err := db.Import(jo, squat)
	if err != nil {
		t.Fatal(err)
	}
	rep, _, err := unlist.Import(system, db, list)
	if err != nil || rep.Created != len(entries) {
		t.Fatalf("UN list after IDs were taken: %+v %v", rep, err)
	}
	// And a newer list updates it.
	if rep, _, err = unlist.Import(system, db, list); err != nil || rep.Unchanged != len(entries) {
		t.Fatalf("UN list again: %+v %v", rep, err)
	}
	res, err := db.Search(jo, ctis.SearchQuery{Property: "listReference", Value: list.Entries[0].Reference})
	if err != nil || len(res.Entities) != 1 || res.Entities[0].Schema != entries[0].Schema {
		t.Fatalf("listed entry: %+v %v", res, err)
	}
	for _, id := range taken.IDs {
		got, err := db.Entity(jo, id)
		if err != nil || len(got.Statements) != 1 || got.Statements[0].Originator != "JO-GID" {
			t.Fatalf("JO-GID's entity %s: %+v %v", id, got, err)
		}
	}
}

// TestImportSkipsStatementsAlreadyPresent imports the same lines twice:
// the second run adds nothing and says so.
func TestImportSkipsStatementsAlreadyPresent(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "DE-BKA", "DE")
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll}
	batch := func() []ctis.NewEntity {
		return []ctis.NewEntity{
			{ID: "01K00000000000000000000001", Schema: "Person", Statements: []ctis.NewStatement{
				{Property: "name", Value: "Абу Мухаммад", Handling: all, Grading: "B2"},
				{Property: "birthDate", Value: "1971-07"},
				{Property: "birthDate", Value: "1971-07"}, // twice in one line: once stored
			}},
			{ID: "01K00000000000000000000002", Schema: "Movement", Statements: []ctis.NewStatement{
				{Property: "person", Value: "01K00000000000000000000001"},
			}},
		}
	}
	first, err := db.Import(fr, batch())
	if err != nil || first.Created != 2 || first.Statements != 3 || first.Skipped != 1 {
		t.Fatalf("first import: %+v %v", first, err)
	}
	second, err := db.Import(fr, batch())
	if err != nil || second.Created != 0 || second.Statements != 0 || second.Skipped != 4 || !slices.Equal(second.IDs, first.IDs) {
		t.Fatalf("second import: %+v %v", second, err)
	}
	// What differs in handling or grading is new; a withdrawn statement
	// is no longer there to match.
	b := batch()
	b[0].Statements[0].Grading = "A1"
	third, err := db.Import(fr, b)
	if err != nil || third.Statements != 1 || third.Skipped != 3 {
		t.Fatalf("import with a new grading: %+v %v", third, err)
	}
	got, err := db.Entity(fr, first.IDs[0])
	if err != nil || len(got.Statements) != 3 {
		t.Fatalf("entity: %+v %v", got, err)
	}
	if _, err := db.WithdrawStatement(fr, got.Statements[1].ID, "wrong date"); err != nil {
		t.Fatal(err)
	}
	if fourth, err := db.Import(fr, batch()); err != nil || fourth.Statements != 1 || fourth.Skipped != 3 {
		t.Fatalf("import after a withdrawal: %+v %v", fourth, err)
	}
	// Another agency's identical statement is its own.
	de, err := db.Import(as("DE-BKA", ctis.RoleAnalyst), []ctis.NewEntity{{ID: first.IDs[0], Schema: "Person",
		Statements: []ctis.NewStatement{{Property: "name", Value: "Абу Мухаммад", Handling: all, Grading: "B2"}}}})
	if err != nil || de.Statements != 1 || de.Skipped != 0 || de.IDs[0] != first.IDs[0] {
		t.Fatalf("DE-BKA's import: %+v %v", de, err)
	}
}

// TestImportAcrossHeldRows imports batches longer than a writer holds
// (its rows are inserted a few hundred at a time), whose last lines need
// what earlier lines left held: a key given again, whose second line must
// see what the first stored, and a reference to an entity still held.
func TestImportAcrossHeldRows(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll}
	const persons = 300
	persons300 := func(from int, last ...ctis.NewEntity) []ctis.NewEntity {
		var batch []ctis.NewEntity
		for i := from; i < from+persons; i++ {
			batch = append(batch, ctis.NewEntity{ID: fmt.Sprintf("01K%023d", i), Schema: "Person", Statements: []ctis.NewStatement{
				{Property: "name", Value: fmt.Sprintf("Person %d al-Test", i), Handling: all},
			}})
		}
		return append(batch, last...)
	}

	again := persons300(0, ctis.NewEntity{ID: fmt.Sprintf("01K%023d", persons-1), Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: fmt.Sprintf("Person %d al-Test", persons-1), Handling: all}, // held from its first line
		{Property: "birthDate", Value: "1980-02-03", Handling: all},
	}})
	rep, err := db.Import(fr, again)
	if err != nil || rep.Created != persons || rep.Statements != persons+1 || rep.Skipped != 1 || rep.IDs[persons] != rep.IDs[persons-1] {
		t.Fatalf("a key given again: %+v %v", rep, err)
	}
	if p, err := db.Entity(fr, rep.IDs[persons-1]); err != nil || len(p.Statements) != 2 {
		t.Fatalf("person given twice: %+v %v", p, err)
	}

	ref := persons300(1000, ctis.NewEntity{ID: fmt.Sprintf("01K%023d", 5000), Schema: "Movement", Statements: []ctis.NewStatement{
		{Property: "person", Value: fmt.Sprintf("01K%023d", 1000+persons-1), Handling: all},
	}})
	rep, err = db.Import(fr, ref)
	if err != nil || rep.Created != persons+1 {
		t.Fatalf("a reference to a held entity: %+v %v", rep, err)
	}
	if m, err := db.Entity(fr, rep.IDs[persons]); err != nil || len(m.Statements) != 1 || m.Statements[0].Value != rep.IDs[persons-1] {
		t.Fatalf("movement: %+v %v, want a reference to %s", m, err, rep.IDs[persons-1])
	}
	found, err := db.Search(fr, ctis.SearchQuery{Name: "Person 1299 al-Test"})
	if err != nil || len(found.Entities) == 0 || found.Entities[0].ID != rep.IDs[persons-1] {
		t.Fatalf("search by a name held to the end: %+v %v", found, err)
	}
}
