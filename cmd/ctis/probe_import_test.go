package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"ctis"
	"ctis/unlist"
)

// importLine is one JSON line of an import: an entity under id with one
// name statement released to all.
func importLine(id, schema, name string) string {
	b, _ := json.Marshal(ctis.NewEntity{ID: id, Schema: schema, Statements: []ctis.NewStatement{
		{Property: "name", Value: name, Handling: ctis.Handling{Distribution: ctis.DistAll}}}})
	return string(b) + "\n"
}

// TestProbeImportHiddenIDReadsAsAbsent: importing under the ID of another
// agency's hidden entity answered "entity … exists and is not visible to
// agency JO-GID", where an unused ID was created. The two must answer
// alike, and the hidden entity must stay as it was.
func TestProbeImportHiddenIDReadsAsAbsent(t *testing.T) {
	p := newProbeNode(t)
	hide := func() ctis.Entity {
		var e ctis.Entity
		p.API(t, "analyst.fr", "POST", "/api/v1/entities", ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
			{Property: "name", Value: "Subject Under Watch", Handling: ctis.Handling{Distribution: ctis.DistOriginator}}}}).
			Want(t, http.StatusCreated).JSON(t, &e)
		return e
	}
	var hidden ctis.Entity

	// answer is a reply with the stored IDs left out: they differ as the
	// keys given do.
	answer := func(r probeReply) (int, map[string]any) {
		var v map[string]any
		r.JSON(t, &v)
		delete(v, "ids")
		return r.Status, v
	}
	// Under the hidden entity's schema and another, each time a new one.
	for _, schema := range []string{"Person", "Organization"} {
		hidden = hide()
		absent := ctis.NewID()
		hs, hb := answer(p.API(t, "analyst.jo", "POST", "/api/v1/import", importLine(hidden.ID, schema, "JO Subject"), "Content-Type: application/x-ndjson"))
		as, ab := answer(p.API(t, "analyst.jo", "POST", "/api/v1/import", importLine(absent, schema, "JO Subject"), "Content-Type: application/x-ndjson"))
		if hs != as || !reflect.DeepEqual(hb, ab) {
			t.Errorf("%s under a hidden ID: %d %v; under an absent ID: %d %v", schema, hs, hb, as, ab)
		}
		if hs != http.StatusOK {
			t.Errorf("%s: import refused: %d %v", schema, hs, hb)
		}
	}
	var got ctis.Entity
	p.API(t, "analyst.fr", "GET", "/api/v1/entities/"+hidden.ID+"?purpose=case-1", nil).Want(t, http.StatusOK).JSON(t, &got)
	if got.Schema != "Person" || len(got.Statements) != 1 || got.Statements[0].Originator != "FR-DGSI" {
		t.Errorf("FR-DGSI's entity after JO-GID's imports: %+v", got)
	}
	miss := p.API(t, "analyst.jo", "GET", "/api/v1/entities/"+hidden.ID+"?purpose=case-1", nil).Want(t, http.StatusNotFound)
	gone := p.API(t, "analyst.jo", "GET", "/api/v1/entities/"+ctis.NewID()+"?purpose=case-1", nil).Want(t, http.StatusNotFound)
	if miss.Body != gone.Body {
		t.Errorf("hidden: %s; absent: %s", miss.Body, gone.Body)
	}
}

// TestProbeUNListNotBlockedByTakenIDs: an analyst of another agency who
// imported an Organization under the derived ID of a listed person made
// the UN list import refuse the whole list. Taking the ID of an entry
// that a future list will add must not block that list either.
func TestProbeUNListNotBlockedByTakenIDs(t *testing.T) {
	p := newProbeNode(t)
	b, err := os.ReadFile("../../demo/testdata/un-consolidated.xml")
	if err != nil {
		t.Fatal(err)
	}
	list := string(b)
	// A newer list adds one entry, a copy of the first under a new DATAID.
	start, end := strings.Index(list, "<INDIVIDUAL>"), strings.Index(list, "</INDIVIDUAL>")+len("</INDIVIDUAL>")
	added := strings.Replace(strings.Replace(list[start:end], "<DATAID>6907993</DATAID>", "<DATAID>9999001</DATAID>", 1),
		"<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>", "<REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER>", 1)
	newer := list[:start] + added + "\n" + list[start:]
	parsed, err := unlist.Parse(strings.NewReader(newer))
	if err != nil {
		t.Fatal(err)
	}

	// JO-GID takes the IDs of a listed person and of the coming entry.
	body := importLine(ctis.DerivedID(unlist.Namespace, "6907993"), "Organization", "Squatter One") +
		importLine(ctis.DerivedID(unlist.Namespace, "9999001"), "Organization", "Squatter Two")
	p.API(t, "analyst.jo", "POST", "/api/v1/import", body, "Content-Type: application/x-ndjson").Want(t, http.StatusOK)

	rep, _, err := unlist.Import(operator(context.Background()), p.db, parsed)
	if err != nil {
		t.Fatalf("the UN list is refused: %v", err)
	}
	if rep.Created != 1 || rep.Removed != 0 {
		t.Errorf("UN list report: %+v", rep)
	}
	var res ctis.SearchResult
	p.API(t, "analyst.jo", "GET", "/api/v1/search?property=listReference&value=QDi.999&purpose=case-1", nil).Want(t, http.StatusOK).JSON(t, &res)
	if len(res.Entities) != 1 || res.Entities[0].Schema != "Person" {
		t.Errorf("the new entry: %+v", res)
	}
	p.API(t, "analyst.jo", "GET", "/api/v1/search?name=Squatter&purpose=case-1", nil).Want(t, http.StatusOK).JSON(t, &res)
	if len(res.Entities) != 2 || res.Entities[0].Schema != "Organization" || res.Entities[1].Schema != "Organization" {
		t.Errorf("JO-GID's entities: %+v", res)
	}
}
