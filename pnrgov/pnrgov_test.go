package pnrgov_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ctis/pnrgov"
)

func parseFile(t *testing.T, name string) *pnrgov.Message {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := pnrgov.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(ms) != 1 {
		t.Fatalf("%s: %d messages", name, len(ms))
	}
	return ms[0]
}

// brief renders what the tests assert of a message.
func brief(m *pnrgov.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s>%s v%s flight %s%s %s %s→%s declared %d\n", m.Sender, m.Recipient, m.Version, m.Flight.Carrier, m.Flight.Flight, m.Flight.Departure, m.Flight.From, m.Flight.To, m.Declared)
	for _, p := range m.PNRs {
		fmt.Fprintf(&b, "pnr %s/%s created %s booked %s ticketed %s bags %d agency %q\n", p.LocatorCarrier, p.Locator, p.Created, p.BookedOn, p.TicketedOn, p.Bags, p.Agency)
		for _, a := range p.Addresses {
			fmt.Fprintf(&b, "  address %+v\n", a)
		}
		if len(p.Emails)+len(p.Phones) > 0 {
			fmt.Fprintf(&b, "  emails %v phones %v\n", p.Emails, p.Phones)
		}
		for _, c := range p.Contacts {
			fmt.Fprintf(&b, "  contact %s\n", c)
		}
		for _, r := range p.Remarks {
			fmt.Fprintf(&b, "  remark %s\n", r)
		}
		for _, x := range p.Passengers {
			fmt.Fprintf(&b, "  pax %s|%s title %s %s/%s tickets %v ff %v seats %v\n", x.Surname, x.GivenNames, x.Title, x.Type, x.Ref, x.Tickets, x.FrequentFlyers, x.Seats)
			for _, d := range x.Documents {
				fmt.Fprintf(&b, "    doc %s %s %s nat %s born %s %s exp %s %s|%s\n", d.Type, d.IssuingCountry, d.Number, d.Nationality, d.BirthDate, d.Gender, d.Expiry, d.Surname, d.GivenNames)
			}
			for _, v := range x.Visas {
				fmt.Fprintf(&b, "    visa %+v\n", v)
			}
			for _, a := range x.Addresses {
				fmt.Fprintf(&b, "    address %+v\n", a)
			}
			for _, g := range x.Bags {
				fmt.Fprintf(&b, "    bags %+v\n", g)
			}
			for _, f := range x.Payments {
				fmt.Fprintf(&b, "    fop %s %s %s %s\n", f.Type, f.Vendor, f.Number, f.Expiry)
			}
		}
		for _, l := range p.Itinerary {
			fmt.Fprintf(&b, "  leg %s%s/%s %s %s → %s %s", l.Carrier, l.Flight, l.Class, l.From, l.Departure, l.To, l.Arrival)
			if l.OperatingCarrier+l.OperatingFlight != "" {
				fmt.Fprintf(&b, " operated %s%s", l.OperatingCarrier, l.OperatingFlight)
			}
			fmt.Fprintln(&b)
		}
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(&b, "warning %s\n", w)
	}
	return b.String()
}

func TestSamples(t *testing.T) {
	for file, want := range map[string]string{
		"01_gtas_pnrMessagePg76_spec_example.edi": `TZ>AUCBPS v11:1 flight TZ0006 2013-05-28T22:25 SIN→OOL declared 1
pnr 1A/35K2IO created 2013-02-15T01:49 booked 2013-05-27 ticketed 2013-02-17 bags 0 agency "1A MUC DFW1S4100 1S CA LHSU 7E5AA8 9B"
  pax DORON|NINA title MS /2 tickets [3204694511] ff [] seats []
    doc    nat  born 1953-02-05 F exp  DORON|NINA
  pax LENDROT|CHARLOTTE title MS /1 tickets [3204694509] ff [] seats []
    doc    nat  born 1952-02-14 F exp  LENDROT|CHARLOTTE
  leg LH474/W MUC 2013-05-27T15:50 → YUL 2013-05-27T18:20
warning segment 26 (UNT): declares 173 segments; the message has 24
`,
		"02_gtas_pnrMessage_spec_example_DL324.edi": `DL> v10:1 flight DL324 2010-12-12T09:15 LHR→JFK declared 2
pnr DL/MFN4TI created  booked 2010-12-06 ticketed 2010-12-08 bags 4 agency "DL ATL 52519950 LON A GB GBP D050517"
  address {Type:702 Street:45 HIGHSTREET City:SLOUGH State:BERKSHIRE Country:GB Postcode:SL1AA Phone:00441753637285}
  emails [] phones [00441753637285]
  contact TIMOTHY SIMS 2234 MAIN STREET ATLANTA, GA 30067 7705632891
  remark THIS PASSENGER IS A VIP
  remark CTCR 00115555555555
  pax SMITHJR|JOHN title MR A/1 tickets [0062120234533] ff [DL 1234567890] seats [{15A Y DL 324 LHR JFK} {15E  DL 330 JFK YVR}]
    doc P GBR 123456789 nat GBR born 1964-07-12 M exp 2019-08-23 SMITHJR|JONATHON ROBERT
    fop CC VI XXXXXXXX1186 0211
  pax JONES|WILLIAM title MR A/2 tickets [0062120234534] ff [AF 0093789865] seats [{15B  DL 324 LHR JFK} {15F  DL 330 JFK YVR}]
    doc    nat GBR born 1964-07-12 M exp  JONES|WILLIAMNEVELL
    fop CC VI XXXXXXXX1186 0211
  leg DL324/B LHR 2010-12-12T09:15 → JFK 2010-12-12T12:30
  leg DL330/B JFK 2010-12-12T22:00 → YVR 2010-12-12T23:30
warning segment 71 (UNT): declares 135 segments; the message has 70
warning segment 71 (UNT): declares 2 PNRs (EQN); the message holds 1
`,
	} {
		if got := brief(parseFile(t, file)); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", file, got, want)
		}
	}
}

func TestMalformed(t *testing.T) {
	for in, want := range map[string]string{
		"UNB+IATA:1+A+B+101209:2100+1'UNH+1+PAXLST:D:05B:UN'UNT+2+1'":             "segment 2 (UNH, line 1): message type \"PAXLST\" is not PNRGOV",
		"UNB+IATA:1+A+B+101209:2100+1'SRC'":                                       "segment 2 (SRC, line 1): comes before the message header UNH",
		"UNB+IATA:1+A+B+101209:2100+1'UNH+1+PNRGOV:11:1:IA'SRC'TIF+X+Y:A:1'":      "segment 4 (TIF, line 1): the message has no trailer UNT",
		"UNB+IATA:1+A+B+101209:2100+1'UNZ+1+1'":                                   "the interchange holds no PNRGOV message",
		"UNB+IATA:1+A+B+101209:2100+1'UNH+1+PNRGOV:11:1:IA'UNH+2+PNRGOV:11:1:IA'": "segment 3 (UNH, line 1): a message header before the trailer UNT",
	} {
		_, err := pnrgov.Parse(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob("testdata/gtas/*/*")
	for _, name := range append(names, "testdata/01_gtas_pnrMessagePg76_spec_example.edi", "testdata/02_gtas_pnrMessage_spec_example_DL324.edi") {
		if strings.HasSuffix(name, "pnrWithBags.txt") || strings.HasSuffix(name, "bigbigPnr.txt") {
			continue // too large a seed to mutate well
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		ms, err := pnrgov.Parse(strings.NewReader(in))
		if err == nil && len(ms) == 0 {
			t.Fatal("no message and no error")
		}
	})
}

// TestTitles holds the rule for titles appended to given names: split
// after a space, or glued on when no given name is known to end so and
// three letters or more remain; otherwise the name is left as sent.
func TestTitles(t *testing.T) {
	for _, c := range []struct{ tif, given, title string }{
		{"JOHNMR", "JOHN", "MR"},
		{"ANNMRS", "ANN", "MRS"},
		{"JOHN PAULMSTR", "JOHN PAUL", "MSTR"},
		{"KATEMISS", "KATE", "MISS"},
		{"NINA MS", "NINA", "MS"},
		{"ALEKSANDR DR", "ALEKSANDR", "DR"},
		{"WILLIAMS", "WILLIAMS", ""},   // MS glued on is left: WILLIAMS, ADAMS
		{"ALEKSANDR", "ALEKSANDR", ""}, // and DR: ALEKSANDR
		{"AMR", "AMR", ""},             // too little would remain
		{"SAMR", "SAMR", ""},
		{"MR", "MR", ""},
		{"JOHN", "JOHN", ""},
	} {
		in := "UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+ZZ:ABC123'TIF+SMITH+" + c.tif + ":A:1'UNT+5+1'"
		ms, err := pnrgov.Parse(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		x := ms[0].PNRs[0].Passengers[0]
		if x.GivenNames != c.given || x.Title != c.title {
			t.Errorf("%q: given %q title %q, want %q %q", c.tif, x.GivenNames, x.Title, c.given, c.title)
		}
	}
}
