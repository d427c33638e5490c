package stix_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/stix"
)

// pageEntities are a person who is a member of an organisation, under
// two handlings, as a TAXII collection pages them.
func pageEntities(t *testing.T) (person, org ctis.Entity, objects []json.RawMessage) {
	t.Helper()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	all := ctis.Handling{Distribution: ctis.DistAll, Restriction: ctis.H0}
	group := ctis.Handling{Distribution: ctis.DistGroup, Group: "western", Restriction: ctis.H0}
	org = ctis.Entity{ID: ctis.NewID(), Schema: "Organization", Statements: []ctis.Statement{
		{ID: ctis.NewID(), Property: "name", Value: "Zq Front", Originator: "FR-DGSI", Handling: all, RecordedAt: at}}}
	person = ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{
		{ID: ctis.NewID(), Property: "memberOf", Value: org.ID, Originator: "FR-DGSI", Handling: group, RecordedAt: at}}}
	objects, err := stix.Objects([]ctis.Entity{org, person})
	if err != nil {
		t.Fatal(err)
	}
	return person, org, objects
}

func typeOf(raw json.RawMessage) (typ, id string) {
	var h struct{ Type, ID string }
	json.Unmarshal(raw, &h)
	return h.Type, h.ID
}

// TestDecodeObjects: a page read alone needs what it names and does not
// hold — its markings and its relationships' sources — and Missing says
// which; an entity whose only statements travel as relationships on
// another page is left out of its page, where a bundle refuses it.
func TestDecodeObjects(t *testing.T) {
	person, _, objects := pageEntities(t)
	var rels, rest []json.RawMessage
	for _, o := range objects {
		if typ, _ := typeOf(o); typ == "relationship" {
			rels = append(rels, o)
		} else {
			rest = append(rest, o)
		}
	}
	missing := stix.Missing(rels)
	if len(missing) != 2 || !slices.ContainsFunc(missing, func(id string) bool { return strings.HasSuffix(id, stix.EntityUUID(person.ID)) }) {
		t.Fatalf("a relationship alone misses %v", missing)
	}
	if _, err := stix.DecodeObjects(rels); err == nil {
		t.Fatal("a relationship read without its source")
	}
	// The page of the rest: the person has no statement of its own.
	got, err := stix.DecodeObjects(rest)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Schema != "Organization" {
		t.Fatalf("the page without relationships reads %+v", got)
	}
	if len(stix.Missing(rest)) != 0 {
		t.Errorf("a page with its markings misses %v", stix.Missing(rest))
	}
	// With what it names, the relationship's page reads.
	byID := map[string]json.RawMessage{}
	for _, o := range objects {
		_, id := typeOf(o)
		byID[id] = o
	}
	page := slices.Clone(rels)
	for _, id := range missing {
		page = append(page, byID[id])
	}
	if extra := stix.Missing(page); len(extra) != 0 {
		// The source's own markings.
		for _, id := range extra {
			page = append(page, byID[id])
		}
	}
	got, err = stix.DecodeObjects(page)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != person.ID || len(got[0].Statements) != 1 || got[0].Statements[0].Property != "memberOf" {
		t.Fatalf("the completed page reads %+v", got)
	}
}

// FuzzDecodeObjects: whatever a page holds, reading it neither panics nor
// returns an entity without statements, and Missing names only
// identifiers the page does not hold.
func FuzzDecodeObjects(f *testing.F) {
	f.Add(`[{"type":"identity","id":"identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","spec_version":"2.1"}]`)
	f.Add(`[{"type":"relationship","id":"relationship--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","source_ref":"identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0062","object_marking_refs":["marking-definition--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0063"]}]`)
	f.Fuzz(func(t *testing.T, in string) {
		var objects []json.RawMessage
		if json.Unmarshal([]byte(in), &objects) != nil {
			return
		}
		held := map[string]bool{}
		for _, o := range objects {
			_, id := typeOf(o)
			held[id] = true
		}
		for _, id := range stix.Missing(objects) {
			if held[id] {
				t.Fatalf("Missing names %s, which the page holds", id)
			}
		}
		entities, err := stix.DecodeObjects(objects)
		if err != nil {
			return
		}
		for _, e := range entities {
			if len(e.Statements) == 0 {
				t.Fatalf("entity %s without statements", e.ID)
			}
		}
	})
}
