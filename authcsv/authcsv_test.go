package authcsv_test

import (
	"strings"
	"testing"

	"ctis"
	"ctis/authcsv"
)

func TestRead(t *testing.T) {
	in := "\ufeffName,Country,Instrument,Jurisdiction,Languages,Channels,Hours,Verified_On\r\n" +
		"\"Ministère de la Justice, BEPI\",FR,extradition,national,fr;en; ,secure e-mail; phone,office hours,2026-05-01\r\n" +
		"'=Office,JO,police,national,ar,phone,24/7,2026-05-02\r\n"
	got, lines, err := authcsv.Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || lines[0] != 2 || lines[1] != 3 {
		t.Fatalf("%+v %v", got, lines)
	}
	a := got[0]
	if a.Name != "Ministère de la Justice, BEPI" || a.Instrument != ctis.InstrumentExtradition || strings.Join(a.Languages, "|") != "fr|en" ||
		strings.Join(a.Channels, "|") != "secure e-mail|phone" || a.VerifiedOn != "2026-05-01" {
		t.Errorf("%+v", a)
	}
	if got[1].Name != "=Office" {
		t.Errorf("a guarded cell: %q", got[1].Name)
	}
}

func TestReadBadInput(t *testing.T) {
	header := strings.Join(authcsv.Columns, ",") + "\n"
	for _, c := range []struct{ in, want string }{
		{"", "the file is empty"},
		{header, "a header and no entries"},
		{"country,instrument,name\n", `column "jurisdiction" is missing`},
		{header[:len(header)-1] + ",phone\n", `line 1: unknown column "phone"`},
		{"country,country," + header, `line 1: column "country" appears twice`},
		{header + "FR,mla,x\n", "line 2: "},
		{header + "FR,mla,\"x,y,z,a,b,2026-01-01\n", "line 2"},
	} {
		got, _, err := authcsv.Read(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) || got != nil {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
	big := header + strings.Repeat("FR,mla,x,y,fr,z,24/7,2026-01-01\n", authcsv.MaxRows+1)
	if _, _, err := authcsv.Read(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "split the file") {
		t.Errorf("too many rows: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(strings.Join(authcsv.Columns, ",") + "\nFR,mla,x,y,fr;en,z,24/7,2026-01-01\n")
	f.Add("country\n\"")
	f.Fuzz(func(t *testing.T, in string) {
		got, lines, err := authcsv.Read(strings.NewReader(in))
		if err != nil {
			if got != nil || lines != nil {
				t.Fatal("entries returned with an error")
			}
			return
		}
		if len(got) == 0 || len(got) != len(lines) {
			t.Fatalf("%d entries, %d lines", len(got), len(lines))
		}
		for _, a := range got {
			if a.Languages == nil || a.Channels == nil {
				t.Fatal("nil list")
			}
		}
	})
}
