package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ctis"
	"ctis/stix"
)

// small is a person marked statement by statement, a member of an
// organisation marked as a whole.
func small() []ctis.Entity {
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true, Restriction: ctis.H0}
	own := ctis.Handling{Distribution: ctis.DistOriginator, Restriction: ctis.H0}
	de := ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA"}, HitNotice: true, Restriction: ctis.H2}
	org := ctis.DerivedID("small", "org")
	person := ctis.DerivedID("small", "person")
	trip := ctis.DerivedID("small", "trip")
	counter = 1000 // the same IDs and gradings whatever ran before
	return []ctis.Entity{
		{ID: person, Schema: "Person", Statements: []ctis.Statement{
			statement(person, "name", "Abu Test", "FR-DGSI", all),
			statement(person, "birthDate", "1980-03", "FR-DGSI", own),
			statement(person, "memberOf", org, "FR-DGSI", de),
		}},
		{ID: org, Schema: "Organization", Statements: []ctis.Statement{statement(org, "name", "Front Test", "FR-DGSI", all)}},
		// Only a reference: the object carries no statement of its own.
		{ID: trip, Schema: "Movement", Statements: []ctis.Statement{statement(trip, "person", person, "FR-DGSI", de)}},
	}
}

// mutate changes the small bundle: fn gets its objects by type (the
// first of each) and the bundle itself.
func mutate(t *testing.T, fn func(objs map[string]map[string]any, b map[string]any)) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(encode(t, small()), &b); err != nil {
		t.Fatal(err)
	}
	objs := map[string]map[string]any{}
	for _, o := range b["objects"].([]any) {
		o := o.(map[string]any)
		typ := o["type"].(string)
		exts, _ := o["extensions"].(map[string]any)
		if typ == "marking-definition" {
			if ext, ok := exts[stix.ExtHandling]; ok {
				typ = "handling " + ext.(map[string]any)["distribution"].(string)
			}
		}
		if ext, ok := exts[stix.ExtStatements]; ok && typ != "relationship" {
			typ = ext.(map[string]any)["schema"].(string)
		}
		if objs[typ] == nil {
			objs[typ] = o
		}
	}
	fn(objs, b)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func handlingExt(o map[string]any) map[string]any {
	return o["extensions"].(map[string]any)[stix.ExtHandling].(map[string]any)
}

func addObject(b map[string]any, o map[string]any) {
	b["objects"] = append(b["objects"].([]any), o)
}

func TestReadRefusesBadInput(t *testing.T) {
	type objs = map[string]map[string]any
	for _, tc := range []struct {
		name, want string
		in         []byte
	}{
		{"malformed", "malformed JSON", []byte(`{"type":"bundle","objects":[{"type":`)},
		{"not a bundle", `type: expected a STIX bundle, got type "identity"`, []byte(`{"type":"identity","id":"identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1","objects":[]}`)},
		{"unknown field of the bundle", `unknown field "extra"`, []byte(`{"type":"bundle","id":"bundle--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1","objects":[],"extra":1}`)},
		{"duplicate key", `duplicate key "type"`, []byte(`{"type":"bundle","type":"bundle","id":"bundle--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1","objects":[]}`)},
		{"unknown type", `unknown type "malware"`, mutate(t, func(_ objs, b map[string]any) {
			addObject(b, map[string]any{"type": "malware", "spec_version": "2.1", "id": "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061", "is_family": false})
		})},
		{"wrong property type", "name: expected string, got JSON number", mutate(t, func(o objs, _ map[string]any) { o["Person"]["name"] = 5 })},
		{"wrong type in a statement", "statements.value: expected string, got JSON array", mutate(t, func(o objs, _ map[string]any) {
			o["Organization"]["extensions"].(map[string]any)[stix.ExtStatements].(map[string]any)["statements"].([]any)[0].(map[string]any)["value"] = []any{"x"}
		})},
		{"missing id", "is not a STIX identifier", mutate(t, func(o objs, _ map[string]any) { delete(o["Organization"], "id") })},
		{"missing spec_version", `spec_version must be "2.1"`, mutate(t, func(o objs, _ map[string]any) { delete(o["relationship"], "spec_version") })},
		{"missing name", "name: missing: a threat-actor needs name", mutate(t, func(o objs, _ map[string]any) { delete(o["Organization"], "name") })},
		{"missing modified", "modified: missing: a relationship needs modified", mutate(t, func(o objs, _ map[string]any) { delete(o["relationship"], "modified") })},
		{"missing target", "target_ref: missing", mutate(t, func(o objs, _ map[string]any) { delete(o["relationship"], "target_ref") })},
		{"missing statements extension", "without the ctis statements extension", mutate(t, func(o objs, _ map[string]any) { delete(o["Organization"], "extensions") })},
		{"unknown distribution", `distribution: unknown distribution "everyone"`, mutate(t, func(o objs, _ map[string]any) { handlingExt(o["handling all"])["distribution"] = "everyone" })},
		{"agencies with distribution all", `distribution "all" takes neither agencies nor a group`, mutate(t, func(o objs, _ map[string]any) {
			handlingExt(o["handling all"])["agencies"] = []any{"JO-GID"}
		})},
		{"H3 without text", "restriction H3 needs a text", mutate(t, func(o objs, _ map[string]any) { handlingExt(o["handling agencies"])["restriction"] = "H3" })},
		{"bad grading", `grading: grading "B9"`, mutate(t, func(o objs, _ map[string]any) { handlingExt(o["handling all"])["grading"] = "B9" })},
		{"frontline as a string", "frontline: expected bool, got JSON string", mutate(t, func(o objs, _ map[string]any) { handlingExt(o["handling all"])["frontline"] = "yes" })},
		{"unknown handling field", `unknown field "releasable_to"`, mutate(t, func(o objs, _ map[string]any) { handlingExt(o["handling all"])["releasable_to"] = "everyone" })},
		{"handling changed under its identifier", "the identifier of this handling is", mutate(t, func(o objs, _ map[string]any) { handlingExt(o["handling all"])["frontline"] = false })},
		{"TLP against handling", "marked TLP:CLEAR, but its ctis handling (distribution all) is TLP:GREEN", mutate(t, func(o objs, _ map[string]any) {
			o["Organization"]["object_marking_refs"].([]any)[0] = stix.TLPs[0].ID
		})},
		{"no handling", "no ctis handling marking applies", mutate(t, func(o objs, _ map[string]any) { delete(o["Organization"], "object_marking_refs") })},
		{"foreign marking", "a marking ctis cannot honour", mutate(t, func(o objs, b map[string]any) {
			id := "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db"
			addObject(b, map[string]any{"type": "marking-definition", "spec_version": "2.1", "id": id, "created": "2026-01-01T00:00:00.000Z",
				"definition_type": "statement", "definition": map[string]any{"statement": "Copyright"}})
			o["relationship"]["object_marking_refs"] = append(o["relationship"]["object_marking_refs"].([]any), id)
		})},
		{"marking not in the bundle", "which is not in the bundle", mutate(t, func(o objs, _ map[string]any) {
			o["relationship"]["object_marking_refs"].([]any)[1] = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41dc"
		})},
		{"selector out of range", "selects no statement", mutate(t, func(o objs, _ map[string]any) {
			gm := o["Person"]["granular_markings"].([]any)[0].(map[string]any)
			gm["selectors"] = []any{"extensions." + stix.ExtStatements + ".statements.[9]"}
		})},
		{"non-canonical value", `value: "Front  Test" is not in canonical form`, mutate(t, func(o objs, _ map[string]any) {
			o["Organization"]["extensions"].(map[string]any)[stix.ExtStatements].(map[string]any)["statements"].([]any)[0].(map[string]any)["value"] = "Front  Test"
		})},
		{"entity ID not behind the identifier", "the identifier of entity", mutate(t, func(o objs, _ map[string]any) {
			o["Organization"]["extensions"].(map[string]any)[stix.ExtStatements].(map[string]any)["entity_id"] = ctis.DerivedID("other", "x")
		})},
		{"wrong STIX type for the schema", "a Document travels as x-ctis-document, not threat-actor", mutate(t, func(o objs, _ map[string]any) {
			o["Organization"]["extensions"].(map[string]any)[stix.ExtStatements].(map[string]any)["schema"] = "Document"
		})},
		{"relationship without source", "is no ctis entity of this bundle", mutate(t, func(o objs, _ map[string]any) {
			o["relationship"]["source_ref"] = "identity--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"
		})},
		{"relationship to another target", "is not the Organization", mutate(t, func(o objs, _ map[string]any) {
			o["relationship"]["target_ref"] = "threat-actor--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061"
		})},
		{"relationship of another type", `travels as "member-of", not "related-to"`, mutate(t, func(o objs, _ map[string]any) { o["relationship"]["relationship_type"] = "related-to" })},
		{"bad timestamp", "is not a STIX timestamp", mutate(t, func(o objs, _ map[string]any) { o["Person"]["created"] = "yesterday" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stix.Read(bytes.NewReader(tc.in), 0)
			if err == nil || got != nil {
				t.Fatalf("accepted: %d entities", len(got))
			}
			if !strings.Contains(err.Error(), tc.want) || ctis.ErrorCode(err) != ctis.EINVALID {
				t.Fatalf("got %v (%s), want %q", err, ctis.ErrorCode(err), tc.want)
			}
		})
	}
	// The object is named by position and identifier.
	_, err := stix.Read(bytes.NewReader(mutate(t, func(o map[string]map[string]any, _ map[string]any) { o["Person"]["name"] = 5 })), 0)
	var oe *stix.ObjectError
	if !errors.As(err, &oe) || !strings.HasPrefix(err.Error(), "objects[") || !strings.Contains(err.Error(), "(threat-actor--") {
		t.Errorf("error does not name the object: %v", err)
	}
}

func TestReadRefusesOversizedBundle(t *testing.T) {
	data := encode(t, small())
	if _, err := stix.Read(bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	got, err := stix.Read(bytes.NewReader(data), int64(len(data))-1)
	if ctis.ErrorCode(err) != ctis.ETOOLARGE || got != nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
	}
}

var update = flag.Bool("update", false, "rewrite the golden bundle testdata/small.stix.json")

// TestGolden: the small bundle, as testdata/small.stix.json shows it,
// reads back as the entities it was made of.
func TestGolden(t *testing.T) {
	in := small()
	data := encode(t, in)
	golden := filepath.Join("testdata", "small.stix.json")
	if *update {
		if err := os.WriteFile(golden, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, want) {
		t.Errorf("the bundle differs from %s (go test ./stix/ -run TestGolden -update to accept)", golden)
	}
	got, err := stix.Read(bytes.NewReader(want), 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := sorted(in); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// FuzzRead feeds arbitrary bundles to the reader: it must never panic,
// every error must say something, and whatever it accepts must export
// and read back as the same entities.
func FuzzRead(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "small.stix.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(golden))
	f.Add(`{"type":"bundle","id":"bundle--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1","objects":[]}`)
	f.Add(`{"type":"bundle","id":"bundle--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1","objects":[{"type":"malware"}]}`)
	f.Add(`{"type":"bundle","objects":[{"type":"identity","id":"identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1","spec_version":"2.1","name":5}]}`)
	f.Add("\xff\xfe{")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := stix.Read(strings.NewReader(in), 1<<20)
		if err != nil {
			if err.Error() == "" || got != nil {
				t.Fatalf("error %q with %d entities", err, len(got))
			}
			return
		}
		var out bytes.Buffer
		if err := stix.Write(&out, got); err != nil {
			t.Fatalf("accepted entities do not export: %v", err)
		}
		again, err := stix.Read(&out, 0)
		if err != nil {
			t.Fatalf("an export of accepted entities does not read: %v", err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("round trip changed the entities:\n%+v\n%+v", got, again)
		}
	})
}
