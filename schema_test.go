package ctis_test

import (
	"testing"

	"ctis"
)

func TestNormalizeValue(t *testing.T) {
	prop := func(schema, name string) ctis.Property {
		p, ok := ctis.Schemas[schema].Property(name)
		if !ok {
			t.Fatalf("%s has no %s", schema, name)
		}
		return p
	}
	for _, c := range []struct {
		schema, property, in, want string // want "" means invalid
	}{
		{"Person", "name", "  Абу   Мухаммад ", "Абу Мухаммад"},
		{"Person", "name", "محمد بن سلمان", "محمد بن سلمان"},
		{"Person", "name", "bad\x00name", ""},
		{"Person", "birthDate", "1971", "1971"},
		{"Person", "birthDate", "1971-07", "1971-07"},
		{"Person", "birthDate", "1971-07-28", "1971-07-28"},
		{"Person", "birthDate", "1970~", "1970~"},
		{"Person", "birthDate", "1973/1974", "1973/1974"},
		{"Person", "birthDate", "1974/1973", ""},
		{"Person", "birthDate", "1971-02-30", ""},
		{"Person", "birthDate", "1971-13", ""},
		{"Person", "birthDate", "71-07-28", ""},
		{"Person", "birthDate", "1971~~", ""},
		{"Person", "birthDate", "28/07/1971", ""},
		{"Person", "nationality", "iq", "IQ"},
		{"Person", "nationality", "ZZ", ""},
		{"Person", "nationality", "Iraq", ""},
		{"Person", "gender", "female", "female"},
		{"Person", "gender", "f", ""},
		{"Person", "memberOf", "01JB0000000000000000000000", "01JB0000000000000000000000"},
		{"Person", "memberOf", "Katibat al-Nur", ""},
		{"Document", "status", "stolen", "stolen"},
		{"Document", "status", "missing", ""},
		{"Document", "number", "A 123-45", "A 123-45"},
		{"Person", "notes", "line one\nline two", "line one\nline two"},
		{"Person", "notes", "\xff", ""},
	} {
		got, err := ctis.NormalizeValue(prop(c.schema, c.property), c.in)
		if c.want == "" {
			if err == nil || ctis.ErrorField(err) != "value" {
				t.Errorf("%s.%s %q: accepted as %q (%v)", c.schema, c.property, c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s.%s %q: %q, %v; want %q", c.schema, c.property, c.in, got, err, c.want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Abd al-Raḥmān":  "abd al rahman",
		"  JOSÉ  Müller": "jose muller",
		"Абу Мухаммад":   "абу мухаммад",
		"ＡＢＣ１２３":         "abc123",
	} {
		if got := ctis.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ctis.FoldIdentifier("a 12-34/5"); got != "A12345" {
		t.Errorf("FoldIdentifier: %q", got)
	}
}

func TestHandlingNormalize(t *testing.T) {
	for _, c := range []struct {
		h     ctis.Handling
		field string
	}{
		{ctis.Handling{}, ""},
		{ctis.Handling{Distribution: "secret"}, "handling.distribution"},
		{ctis.Handling{Distribution: ctis.DistAgencies}, "handling.agencies"},
		{ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"de-bka", "DE-BKA"}}, ""},
		{ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"not a code"}}, "handling.agencies[0]"},
		{ctis.Handling{Distribution: ctis.DistGroup}, "handling.group"},
		{ctis.Handling{Distribution: ctis.DistAll, Group: "x"}, "handling.distribution"},
		{ctis.Handling{Restriction: "H4"}, "handling.restriction"},
		{ctis.Handling{Restriction: ctis.H3}, "handling.restriction_text"},
		{ctis.Handling{Restriction: ctis.H1, RestrictionText: "x"}, "handling.restriction_text"},
	} {
		err := c.h.Normalize()
		if ctis.ErrorField(err) != c.field {
			t.Errorf("%+v: %v, want field %q", c.h, err, c.field)
		}
	}
	h := ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"de-bka", "DE-BKA", "FR-DGSI"}}
	h.Normalize()
	if len(h.Agencies) != 2 || h.Agencies[0] != "DE-BKA" || h.Restriction != ctis.H0 {
		t.Errorf("normalised to %+v", h)
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for range 1000 {
		id := ctis.NewID()
		if !ctis.ValidID(id) || seen[id] {
			t.Fatalf("bad or repeated ID %q", id)
		}
		if id[:10] < prev {
			t.Fatalf("IDs do not sort by time: %s after %s", id, prev)
		}
		seen[id], prev = true, id[:10]
	}
	for _, bad := range []string{"", "01JB000000000000000000000", "01JB00000000000000000000OU", "81JB0000000000000000000000"} {
		if ctis.ValidID(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
