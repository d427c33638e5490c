package stix_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ctis"
	"ctis/stix"
)

// journey is a member of an organisation and a journey of theirs, its
// arrival country under a narrower handling than its port.
func journey() []ctis.Entity {
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true, Restriction: ctis.H0}
	own := ctis.Handling{Distribution: ctis.DistOriginator, Restriction: ctis.H0}
	person, org, trip := ctis.DerivedID("journey", "person"), ctis.DerivedID("journey", "org"), ctis.DerivedID("journey", "trip")
	counter = 2000
	es := []ctis.Entity{
		{ID: person, Schema: "Person", Statements: []ctis.Statement{
			statement(person, "name", "Abu Test", "FR-DGSI", all), statement(person, "memberOf", org, "FR-DGSI", all)}},
		{ID: org, Schema: "Organization", Statements: []ctis.Statement{statement(org, "name", "Front Test", "FR-DGSI", all)}},
		{ID: trip, Schema: "Movement", Statements: []ctis.Statement{
			statement(trip, "person", person, "FR-DGSI", all),
			statement(trip, "from", "CDG", "FR-DGSI", all),
			statement(trip, "fromCountry", "FR", "FR-DGSI", all),
			statement(trip, "to", "Gaziantep", "FR-DGSI", all),
			statement(trip, "toCountry", "TR", "FR-DGSI", own),
			statement(trip, "via", "IST", "FR-DGSI", all), // no viaCountry: no location
			statement(trip, "departureDate", "2014-09-12", "FR-DGSI", all),
			statement(trip, "arrivalDate", "2014-09~", "FR-DGSI", all),
			statement(trip, "flight", "TK 1830", "FR-DGSI", all),
		}},
	}
	// One grading and no review date, so that handling alone tells the
	// markings apart.
	for i := range es {
		for j := range es[i].Statements {
			es[i].Statements[j].Grading, es[i].Statements[j].ReviewBy = "B2", ""
		}
	}
	return es
}

func objectsByType(t *testing.T, es []ctis.Entity) map[string][]map[string]any {
	t.Helper()
	raws, err := stix.Objects(es)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, raw := range raws {
		var o map[string]any
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		out[o["type"].(string)] = append(out[o["type"].(string)], o)
	}
	return out
}

// TestMovementSighting: a Movement is a sighting of its person, where
// each country of the journey is a location (named after its port when
// the pairing is plain), from its departure to the end of its arrival
// date, every property marked as the statement it shows; and it reads
// back as the same statements.
func TestMovementSighting(t *testing.T) {
	es := journey()
	objs := objectsByType(t, es)
	if len(objs["relationship"]) != 1 || len(objs["sighting"]) != 1 || len(objs["x-ctis-movement"]) != 0 {
		t.Fatalf("objects: %d relationships, %d sightings, %d x-ctis-movement", len(objs["relationship"]), len(objs["sighting"]), len(objs["x-ctis-movement"]))
	}
	s := objs["sighting"][0]
	if want := "threat-actor--" + stix.EntityUUID(es[0].ID); s["sighting_of_ref"] != want {
		t.Errorf("sighting_of_ref %v, want %s", s["sighting_of_ref"], want)
	}
	if s["first_seen"] != "2014-09-12T00:00:00.000Z" || s["last_seen"] != "2014-09-30T23:59:59.999Z" {
		t.Errorf("seen %v to %v", s["first_seen"], s["last_seen"])
	}
	if _, ok := s["name"]; ok {
		t.Error("a sighting has no name in STIX")
	}
	locs := objs["location"]
	if len(locs) != 2 {
		t.Fatalf("%d locations, want FR and TR", len(locs))
	}
	where, _ := s["where_sighted_refs"].([]any)
	if len(where) != 2 || where[0] != locs[0]["id"] || where[1] != locs[1]["id"] {
		t.Errorf("where_sighted_refs %v", where)
	}
	from, to := locs[0], locs[1]
	if from["country"] != "FR" || from["name"] != "CDG" || from["object_marking_refs"] == nil {
		t.Errorf("departure: %v", from)
	}
	gm, _ := json.Marshal(to["granular_markings"])
	if to["country"] != "TR" || to["name"] != "Gaziantep" || to["object_marking_refs"] != nil ||
		!strings.Contains(string(gm), `"marking_ref":"`+stix.TLPs[4].ID+`","selectors":["country"]`) ||
		!strings.Contains(string(gm), `"marking_ref":"`+stix.TLPs[1].ID+`","selectors":["name"]`) {
		t.Errorf("arrival: %v %s", to, gm)
	}
	// The sighting's own markings are per statement, and its derived
	// properties are marked with them.
	sgm, _ := json.Marshal(s["granular_markings"])
	if !strings.Contains(string(sgm), "where_sighted_refs.[1]") || !strings.Contains(string(sgm), `"sighting_of_ref"`) {
		t.Errorf("sighting markings: %s", sgm)
	}

	data := encode(t, es)
	got, err := stix.Read(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := sorted(es); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestSightingOf: a sighting is of the first live person, else the first
// live document, else a withdrawn one; a journey naming neither stays an
// x-ctis-movement.
func TestSightingOf(t *testing.T) {
	h := ctis.Handling{Distribution: ctis.DistAll, Restriction: ctis.H0}
	person, doc, trip := ctis.DerivedID("of", "person"), ctis.DerivedID("of", "doc"), ctis.DerivedID("of", "trip")
	withdrawn := func(s ctis.Statement) ctis.Statement {
		s.Withdrawn = &ctis.Withdrawal{At: s.RecordedAt.Add(1), By: s.Originator, Reason: "wrong"}
		return s
	}
	for _, tc := range []struct {
		name  string
		stmts []ctis.Statement
		want  string
	}{
		{"person", []ctis.Statement{statement(trip, "document", doc, "FR-DGSI", h), statement(trip, "person", person, "FR-DGSI", h)}, "identity--" + stix.EntityUUID(person)},
		{"document when the person is withdrawn", []ctis.Statement{withdrawn(statement(trip, "person", person, "FR-DGSI", h)), statement(trip, "document", doc, "FR-DGSI", h)},
			"x-ctis-document--" + stix.EntityUUID(doc)},
		{"withdrawn person", []ctis.Statement{withdrawn(statement(trip, "person", person, "FR-DGSI", h)), statement(trip, "to", "IST", "FR-DGSI", h)}, "identity--" + stix.EntityUUID(person)},
		{"nobody", []ctis.Statement{statement(trip, "to", "IST", "FR-DGSI", h)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := []ctis.Entity{{ID: trip, Schema: "Movement", Statements: tc.stmts}}
			objs := objectsByType(t, es)
			if tc.want == "" {
				if len(objs["x-ctis-movement"]) != 1 || len(objs["sighting"]) != 0 {
					t.Fatalf("objects %v", objs)
				}
			} else if len(objs["sighting"]) != 1 || objs["sighting"][0]["sighting_of_ref"] != tc.want {
				t.Fatalf("sighting %v, want of %s", objs["sighting"], tc.want)
			}
			got, err := stix.Read(bytes.NewReader(encode(t, es)), 0)
			if err != nil || !reflect.DeepEqual(got, sorted(es)) {
				t.Fatalf("read back %+v, %v", got, err)
			}
		})
	}
}

// TestReadBeforeSightings: a bundle written when every Movement was an
// x-ctis-movement, its person a movement-of relationship (as earlier
// exports and peers of an earlier version send), reads as the same
// entities.
func TestReadBeforeSightings(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "small-before-sightings.stix.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"type":"x-ctis-movement"`)) || !bytes.Contains(data, []byte(`"relationship_type":"movement-of"`)) {
		t.Fatal("the sample is not of the earlier form")
	}
	got, err := stix.Read(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := sorted(small()); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestReadRefusesBadSightings: a sighting of anything but what its
// statements name, a relationship from a sighting, and a location
// carrying statements are refused.
func TestReadRefusesBadSightings(t *testing.T) {
	var b map[string]any
	if err := json.Unmarshal(encode(t, journey()), &b); err != nil {
		t.Fatal(err)
	}
	find := func(b map[string]any, typ string) map[string]any {
		for _, o := range b["objects"].([]any) {
			if o := o.(map[string]any); o["type"] == typ {
				return o
			}
		}
		t.Fatalf("no %s", typ)
		return nil
	}
	for _, tc := range []struct {
		name, want string
		change     func(b map[string]any)
	}{
		{"sighting of another", "sighting_of_ref", func(b map[string]any) {
			find(b, "sighting")["sighting_of_ref"] = "threat-actor--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"
		}},
		{"sighting of the wrong type", "sighting_of_ref", func(b map[string]any) {
			s := find(b, "sighting")
			s["sighting_of_ref"] = strings.Replace(s["sighting_of_ref"].(string), "threat-actor--", "malware--", 1)
		}},
		{"sighting without sighting_of_ref", "sighting_of_ref: missing", func(b map[string]any) { delete(find(b, "sighting"), "sighting_of_ref") }},
		{"relationship from a sighting", "a sighting is no relationship's source", func(b map[string]any) {
			find(b, "relationship")["source_ref"] = find(b, "sighting")["id"]
		}},
		{"location with statements", "a location carries no statements", func(b map[string]any) {
			find(b, "location")["extensions"] = find(b, "sighting")["extensions"]
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c map[string]any
			raw, _ := json.Marshal(b)
			json.Unmarshal(raw, &c)
			tc.change(c)
			in, _ := json.Marshal(c)
			got, err := stix.Read(bytes.NewReader(in), 0)
			if err == nil || got != nil || !strings.Contains(err.Error(), tc.want) || ctis.ErrorCode(err) != ctis.EINVALID {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}
