package stix_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/stix"
)

// handlings are every kind of handling: each distribution with and
// without frontline release and hit notice (ctis.EveryHandling), and each
// use restriction.
func handlings() []ctis.Handling {
	hs := ctis.EveryHandling("DE-BKA", "western")
	hs = append(hs,
		ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA", "JO-GID"}, Restriction: ctis.H1},
		ctis.Handling{Distribution: ctis.DistAll, Frontline: true, Restriction: ctis.H2},
		ctis.Handling{Distribution: ctis.DistGroup, Group: "western", HitNotice: true, Restriction: ctis.H3, RestrictionText: "Not to be shared with the host service of the event."},
	)
	for i := range hs {
		if err := hs[i].Normalize(); err != nil {
			panic(err)
		}
	}
	return hs
}

// valueFor returns a canonical value of p; refs name the entity each
// schema's references point to.
func valueFor(p ctis.Property, refs map[string]string) string {
	switch p.Type {
	case ctis.TypeName:
		return "Абу Мухаммад аль-Тест"
	case ctis.TypeDate:
		return "1971-07-28"
	case ctis.TypeCountry:
		return "IQ"
	case ctis.TypeIdentifier:
		return "A 123456"
	case ctis.TypeEntity:
		return refs[p.Range]
	}
	if len(p.Values) > 0 {
		return p.Values[len(p.Values)-1]
	}
	return "Travels via Gaziantep;\nuses \"couriers\" <and> cash."
}

var (
	t0      = time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	counter int
)

func statement(entity, property, value, originator string, h ctis.Handling) ctis.Statement {
	counter++
	grading := []ctis.Grading{"", "A1", "B2", "C3", "X4"}[counter%5]
	review := ""
	if counter%3 == 0 {
		review = "2027-06-30"
	}
	return ctis.Statement{ID: ctis.DerivedID("test", fmt.Sprint(counter)), EntityID: entity, Property: property, Value: value,
		Originator: originator, Handling: h, Grading: grading, ReviewBy: review, RecordedAt: t0.Add(time.Duration(counter) * time.Second)}
}

// sample is, for every schema, an entity under each handling with a
// statement of every property, and an entity whose statements each have
// their own handling, from two agencies, one withdrawn.
func sample() []ctis.Entity {
	refs := map[string]string{}
	for _, s := range ctis.SchemaNames() {
		refs[s] = ctis.DerivedID("target", s)
	}
	refs["Person"] = ctis.DerivedID("test", "entity Person 0") // in the bundle
	var out []ctis.Entity
	for _, name := range ctis.SchemaNames() {
		schema := ctis.Schemas[name]
		for i, h := range handlings() {
			e := ctis.Entity{ID: ctis.DerivedID("test", fmt.Sprintf("entity %s %d", name, i)), Schema: name}
			for _, p := range schema.Properties {
				e.Statements = append(e.Statements, statement(e.ID, p.Name, valueFor(p, refs), "FR-DGSI", h))
			}
			out = append(out, e)
		}
		if name == "Movement" {
			// A journey naming neither a person nor a document, which
			// cannot be a sighting.
			e := ctis.Entity{ID: ctis.DerivedID("test", "journey"), Schema: name}
			for _, p := range []string{"from", "toCountry", "departureDate"} {
				prop, _ := schema.Property(p)
				e.Statements = append(e.Statements, statement(e.ID, p, valueFor(prop, refs), "FR-DGSI", handlings()[3]))
			}
			out = append(out, e)
		}
		e := ctis.Entity{ID: ctis.DerivedID("test", "mixed "+name), Schema: name}
		hs := handlings()
		for i, p := range schema.Properties {
			orig := []string{"FR-DGSI", "JO-GID"}[i%2]
			s := statement(e.ID, p.Name, valueFor(p, refs), orig, hs[i%len(hs)])
			if i == 2 {
				s.Withdrawn = &ctis.Withdrawal{At: t0.Add(time.Hour + 7), By: orig, Reason: "superseded"}
				s.PastReview = true
			}
			e.Statements = append(e.Statements, s)
		}
		out = append(out, e)
	}
	return out
}

func sorted(es []ctis.Entity) []ctis.Entity {
	out := slices.Clone(es)
	for i := range out {
		out[i].Statements = slices.Clone(out[i].Statements)
		slices.SortFunc(out[i].Statements, func(a, b ctis.Statement) int { return strings.Compare(a.ID, b.ID) })
	}
	return out
}

func encode(t testing.TB, es []ctis.Entity) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := stix.Write(&b, es); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestRoundTrip: every schema under every handling, to STIX and back,
// gives the same statements — provenance, handling, grading, review date
// and withdrawal — and a second export the same bytes.
func TestRoundTrip(t *testing.T) {
	in := sample()
	data := encode(t, in)
	got, err := stix.Read(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := sorted(in)
	if len(got) != len(want) {
		t.Fatalf("got %d entities, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			for j := range want[i].Statements {
				if j < len(got[i].Statements) && !reflect.DeepEqual(got[i].Statements[j], want[i].Statements[j]) {
					t.Errorf("entity %s statement %d:\n got %+v\nwant %+v", want[i].ID, j, got[i].Statements[j], want[i].Statements[j])
				}
			}
			t.Fatalf("entity %d differs:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if again := encode(t, got); !bytes.Equal(again, data) {
		t.Error("re-exporting what was read gives other bytes")
	}
	if again := encode(t, in); !bytes.Equal(again, data) {
		t.Error("exporting twice gives other bytes")
	}
}

// TestMarkings: an object whose statements share one handling is marked
// as a whole; one whose statements differ is marked statement by
// statement, and its derived properties with them.
func TestMarkings(t *testing.T) {
	h := ctis.Handling{Distribution: ctis.DistAll, Frontline: true, Restriction: ctis.H0}
	secret := ctis.Handling{Distribution: ctis.DistOriginator, Restriction: ctis.H0}
	same := ctis.Entity{ID: ctis.DerivedID("m", "same"), Schema: "Organization", Statements: []ctis.Statement{
		statement("", "name", "Front Test", "FR-DGSI", h), statement("", "alias", "FT", "FR-DGSI", h)}}
	mixed := ctis.Entity{ID: ctis.DerivedID("m", "mixed"), Schema: "Person", Statements: []ctis.Statement{
		statement("", "name", "Abu Test", "FR-DGSI", h), statement("", "birthDate", "1980", "FR-DGSI", secret)}}
	for _, e := range []*ctis.Entity{&same, &mixed} {
		for i := range e.Statements {
			e.Statements[i].EntityID, e.Statements[i].Grading, e.Statements[i].ReviewBy = e.ID, "", ""
			e.Statements[i].ID = fmt.Sprintf("01JB%022d", i)
		}
	}
	objs, err := stix.Objects([]ctis.Entity{same, mixed})
	if err != nil {
		t.Fatal(err)
	}
	byType := map[string]map[string]any{}
	for _, raw := range objs {
		var o map[string]any
		json.Unmarshal(raw, &o)
		byType[o["type"].(string)] = o
	}
	ta, id := byType["threat-actor"], byType["identity"]
	if ta == nil || id == nil || id["identity_class"] != "individual" {
		t.Fatalf("objects: %s", objs)
	}
	if refs, _ := ta["object_marking_refs"].([]any); len(refs) != 2 || refs[0] != stix.TLPs[1].ID || ta["granular_markings"] != nil {
		t.Errorf("organization: %v %v", ta["object_marking_refs"], ta["granular_markings"])
	}
	gm, _ := id["granular_markings"].([]any)
	if id["object_marking_refs"] != nil || len(gm) != 4 {
		t.Fatalf("person: %v %v", id["object_marking_refs"], gm)
	}
	b, _ := json.Marshal(gm)
	sel := "extensions." + stix.ExtStatements + ".statements."
	for _, want := range []string{`{"marking_ref":"` + stix.TLPs[1].ID + `","selectors":["` + sel + `[0]","name"]}`,
		`{"marking_ref":"` + stix.TLPs[4].ID + `","selectors":["` + sel + `[1]"]}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("granular markings %s lack %s", b, want)
		}
	}
}

// TestObjectsValidate: every object ctis emits, and the bundle, validate
// against the OASIS STIX 2.1 JSON schemas.
func TestObjectsValidate(t *testing.T) {
	v := newValidator(t)
	objs, err := stix.Objects(sample())
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, raw := range objs {
		var o struct{ Type, ID string }
		json.Unmarshal(raw, &o)
		types[o.Type]++
		if err := v.object(o.Type, raw); err != nil {
			t.Errorf("%s: %v\n%s", o.ID, err, raw)
		}
	}
	for _, typ := range []string{"identity", "threat-actor", "attack-pattern", "x-ctis-document", "sighting", "location", "x-ctis-movement",
		"relationship", "marking-definition", "extension-definition"} {
		if types[typ] == 0 {
			t.Errorf("no %s emitted", typ)
		}
	}
	// The OASIS bundle schema cannot tell a custom object from a custom
	// observable (its oneOf of core and cyber-observable-core matches
	// both), and its list of the specification's types lacks location,
	// which it takes for a custom object; so the envelope is checked with
	// the objects of the types it lists, the others having been checked
	// above against their own schemas.
	var b struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(encode(t, sample()), &b); err != nil {
		t.Fatal(err)
	}
	b.Objects = slices.DeleteFunc(b.Objects, func(raw json.RawMessage) bool {
		var o struct{ Type string }
		json.Unmarshal(raw, &o)
		return o.Type == "extension-definition" || o.Type == "location" || strings.HasPrefix(o.Type, "x-")
	})
	envelope, _ := json.Marshal(b)
	if err := v.bundle(envelope); err != nil {
		t.Errorf("bundle: %v", err)
	}
}

func TestNewEntities(t *testing.T) {
	es := sample()
	if _, _, err := stix.NewEntities(es, "FR-DGSI"); ctis.ErrorCode(err) != ctis.EFORBIDDEN || !strings.Contains(err.Error(), "originated by JO-GID") {
		t.Fatalf("foreign statements: %v", err)
	}
	var own []ctis.Entity
	for _, e := range es {
		e.Statements = slices.DeleteFunc(slices.Clone(e.Statements), func(s ctis.Statement) bool { return s.Originator != "FR-DGSI" })
		own = append(own, e)
	}
	batch, withdrawn, err := stix.NewEntities(own, "FR-DGSI")
	if err != nil || withdrawn == 0 || len(batch) != len(own) {
		t.Fatalf("%d entities, %d withdrawn, %v", len(batch), withdrawn, err)
	}
	for i := range batch {
		if _, err := batch[i].Validate("2026-01-01"); err != nil {
			t.Fatalf("entity %d: %v", i, err)
		}
	}
}
