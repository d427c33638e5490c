package ctis_test

import (
	"strings"
	"testing"

	"ctis"
)

func TestSalvage(t *testing.T) {
	for _, c := range []struct {
		in       ctis.Subject
		warnings []string // substrings, in order
		err      string   // the field of the error
		want     ctis.Subject
	}{
		{in: ctis.Subject{Name: " Jo  Doe ", BirthDate: "1969-7-16"}, warnings: []string{"screened without birth_date"},
			want: ctis.Subject{Name: "Jo Doe", Schema: "Person"}},
		{in: ctis.Subject{Name: "Jo Doe", BirthDate: "1974-01-32", Nationality: "Atlantis", Gender: "M", DocumentNumber: strings.Repeat("1", 200)},
			warnings: []string{"birth_date", "nationality", "gender", "document_number"}, want: ctis.Subject{Name: "Jo Doe", Schema: "Person"}},
		{in: ctis.Subject{Name: "Jo Doe", BirthDate: "1968-13-30", Nationality: "iraq", Gender: " Female "}, warnings: []string{"birth_date"},
			want: ctis.Subject{Name: "Jo Doe", Nationality: "IQ", Gender: "female", Schema: "Person"}},
		{in: ctis.Subject{Name: "Jo Doe", Journey: &ctis.Journey{Departure: "tomorrow"}}, warnings: []string{"screened without journey.departure"},
			want: ctis.Subject{Name: "Jo Doe", Schema: "Person"}},
		{in: ctis.Subject{Name: strings.Repeat("N", 400), DocumentNumber: "X 123-4567", BirthDate: "1971"},
			warnings: []string{"no name to screen against the database (name is longer than 300 characters); screened by document number alone"},
			want:     ctis.Subject{DocumentNumber: "X 123-4567", BirthDate: "1971", Schema: "Person"}},
		{in: ctis.Subject{DocumentNumber: "X1234567"}, warnings: []string{"(none given); screened by document number alone"},
			want: ctis.Subject{DocumentNumber: "X1234567", Schema: "Person"}},
		{in: ctis.Subject{Name: "M\xdcLLER", Nationality: "DE"}, err: "name", want: ctis.Subject{Nationality: "DE", Schema: "Person"}},
		{in: ctis.Subject{DocumentNumber: "X-12-3"}, err: "name", want: ctis.Subject{DocumentNumber: "X-12-3", Schema: "Person"}},
		{in: ctis.Subject{Name: "Jo Doe", Schema: "Vessel"}, err: "schema", want: ctis.Subject{Name: "Jo Doe", Schema: "Vessel"}},
	} {
		s := c.in
		warnings, err := s.Salvage()
		if ctis.ErrorField(err) != c.err {
			t.Errorf("%+v: error %v, want one about %q", c.in, err, c.err)
		}
		if len(warnings) != len(c.warnings) {
			t.Errorf("%+v: warnings %q, want %q", c.in, warnings, c.warnings)
		} else {
			for i, w := range c.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("%+v: warning %q, want %q", c.in, warnings[i], w)
				}
			}
		}
		if s.Journey != nil || s.Name != c.want.Name || s.BirthDate != c.want.BirthDate || s.Nationality != c.want.Nationality ||
			s.Gender != c.want.Gender || s.DocumentNumber != c.want.DocumentNumber || s.Schema != c.want.Schema {
			t.Errorf("%+v: salvaged %+v, want %+v", c.in, s, c.want)
		}
	}
}

// FuzzSalvage: a subject salvaged without an error validates as it is.
func FuzzSalvage(f *testing.F) {
	f.Add("Jo Doe", "1969-7-16", "Atlantis", "m", "X1234567", "")
	f.Add("", "1971", "IQ", "male", "X 123-4567", "Organization")
	f.Add("M\xdcLLER", "", "", "", "", "Person")
	f.Fuzz(func(t *testing.T, name, birth, nationality, gender, document, schema string) {
		s := ctis.Subject{Name: name, BirthDate: birth, Nationality: nationality, Gender: gender, DocumentNumber: document, Schema: schema}
		if _, err := s.Salvage(); err != nil {
			return
		}
		v := s
		if err := v.Validate(); err != nil || v != s {
			t.Fatalf("salvaged %+v does not validate as is: %v, %+v", s, err, v)
		}
	})
}
