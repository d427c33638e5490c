package manifest_test

import (
	"os"
	"strings"
	"testing"

	"ctis/manifest"
	"ctis/pnrgov"
)

// A PNR travel record keeps, in its masked part, every address, the
// e-mail addresses and telephone numbers, the visas, seats and bags; and
// an infant known only from its DOCS is a traveller of its own.
func TestPNRRecordsKeepContents(t *testing.T) {
	read := func(name string) *pnrgov.Message {
		f, err := os.Open("../pnrgov/testdata/gtas/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ms, err := pnrgov.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		return ms[0]
	}
	rs := manifest.PNRRecords(read("parsers/pnrWithDoco.txt"))
	if len(rs) != 1 {
		t.Fatalf("%d records", len(rs))
	}
	p := rs[0].Personal
	for _, c := range []struct{ field, got, want string }{
		{"contact", p.Contact, "CHARLES.ACKARY@YAHOO.COM"},
		{"contact", p.Contact, "64885200435"},
		{"address", p.Address, "3285 LEYSHON AVENUE, ESSEN, DE"},
		{"visa", p.Visa, "V 8675309 OTHER PLACE 2006-12-22 for LI"},
		{"seats", p.Seats, "23K Y UA988 FRA-IAD"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s %q lacks %q", c.field, c.got, c.want)
		}
	}
	rs = manifest.PNRRecords(read("parsers/pnrMessageExample.txt"))
	if b := rs[4].Personal.Bags; !strings.Contains(b, "4 bag(s) 24LB ET834 ET0853 to FRA, ET0854 to FRA") {
		t.Errorf("bags %q", b)
	}
	rs = manifest.PNRRecords(read("loader/adult_and_infant.edi"))
	if len(rs) != 2 || rs[1].Personal.BirthDate != "2011-08-10" || rs[0].Personal.BirthDate != "1976-05-30" {
		t.Errorf("%+v", rs)
	}
}
