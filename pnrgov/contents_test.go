package pnrgov_test

import (
	"fmt"
	"strings"
	"testing"

	"ctis/pnrgov"
)

func parseText(t *testing.T, text string) *pnrgov.Message {
	t.Helper()
	ms, err := pnrgov.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return ms[0]
}

func warnings(m *pnrgov.Message) string {
	var ws []string
	for _, w := range m.Warnings {
		ws = append(ws, w.String())
	}
	return strings.Join(ws, "\n")
}

// An infant's SSR DOCS (gender FI or MI) is the infant's, not that of the
// adult whose TIF it follows; the infant's own TIF may come later, or
// not at all, and the infant is screened all the same.
func TestInfantDocuments(t *testing.T) {
	m := parseFile(t, "gtas/loader/adult_and_infant.edi")
	ps := m.PNRs[0].Passengers
	if len(ps) != 2 {
		t.Fatalf("%d passengers", len(ps))
	}
	adult, infant := ps[0], ps[1]
	if len(adult.Documents) != 1 || adult.Documents[0].Number != "52263000" || adult.Documents[0].BirthDate != "1976-05-30" {
		t.Errorf("adult's documents %+v", adult.Documents)
	}
	if !infant.Infant() || len(infant.Documents) != 1 || infant.Documents[0].Number != "AO234000" || infant.Documents[0].BirthDate != "2011-08-10" {
		t.Errorf("infant %s %+v", infant.Type, infant.Documents)
	}

	// No TIF of the infant: it becomes a passenger of its own.
	m = parseText(t, "UNB+IATA:1+ZZ+XX+130527:0649+1'UNH+1+PNRGOV:11:1:IA+X'TVL+270513:1430+SIN+ICN+SQ+602'SRC'RCI+SQ:ABC123'"+
		"TIF+BELT+ISABELLE MRS:A:2'SSR+DOCS:HK:1:SQ:::::/P/GBR/512731999/GBR/20SEP12/FI/25OCT17/BELT/SOPHY OLIVIA'"+
		"SSR+DOCS:HK:1:SQ:::::/P/GBR/509229987/GBR/01JUL78/F/12NOV22/BELT/ISABELLE RUTH'"+
		"SSR+DOCO:HK:1:SQ:::::/SINGAPORE/V/V123/LONDON/01JAN13/KR/I'UNT+8+1'")
	ps = m.PNRs[0].Passengers
	if len(ps) != 2 || ps[0].Documents[0].Number != "509229987" || len(ps[0].Documents) != 1 || len(ps[0].Visas) != 0 {
		t.Fatalf("%+v", ps)
	}
	if x := ps[1]; x.Surname != "BELT" || x.GivenNames != "SOPHY OLIVIA" || !x.Infant() || x.Documents[0].BirthDate != "2012-09-20" || len(x.Visas) != 1 || x.Visas[0].Number != "V123" {
		t.Errorf("infant %+v", x)
	}
}

// A codeshare keeps its operating carrier and flight, and the TVL that
// gives the operating flight alone is no leg of its own.
func TestCodeshare(t *testing.T) {
	m := parseFile(t, "gtas/loader/multiple_flight_leg_pnr.txt")
	var legs []string
	for _, l := range m.PNRs[0].Itinerary {
		legs = append(legs, fmt.Sprintf("%s%s>%s%s %s-%s", l.Carrier, l.Flight, l.OperatingCarrier, l.OperatingFlight, l.From, l.To))
	}
	got := strings.Join(legs, " ")
	if !strings.Contains(got, "UA8749>LH624 FRA-KWI") || strings.Contains(got, "624 -") || strings.Contains(got, "> -") {
		t.Errorf("legs %s", got)
	}
	m = parseText(t, "UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+ZZ:ABC123'TIF+A+B:A:1'TVL+110122:1900:110122:2230+LHR+ARN+SQ:SK+5678:Q'TRA+SK+1524:W'UNT+6+1'")
	if l := m.PNRs[0].Itinerary; len(l) != 1 || l[0].OperatingCarrier != "SK" || l[0].OperatingFlight != "1524" {
		t.Errorf("%+v", l)
	}
}

// The booking history (ABI, SAC) is past: its flights are not the
// itinerary, its requests not the passengers'.
func TestHistoryIsNoItinerary(t *testing.T) {
	m := parseText(t, "UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+TZ:W9TEND::230513:181348'TIF+VANDENBERG+KEVIN:A:1'"+
		"TVL+280513:2225:290513:0750+SIN+OOL+TZ+0006:S'ABI+4++++TZ'DAT+T:230513:1813'SAC+++X'"+
		"TVL+310513::310513+OOL+SIN+TZ+0005:S'SSR+DOCS:HK:1:TZ:::::/P/USA/1/USA/04JUL80/M/12JAN19/VANDENBERG/KEVIN'UNT+10+1'")
	b := m.PNRs[0]
	if len(b.Itinerary) != 1 || b.Itinerary[0].Flight != "0006" || len(b.Passengers[0].Documents) != 0 {
		t.Errorf("itinerary %+v documents %+v", b.Itinerary, b.Passengers[0].Documents)
	}
	if b.Created != "2013-05-23T18:13:48" {
		t.Errorf("created %q", b.Created)
	}
}

// Two-digit years resolve against the day the message was sent: a birth
// is before it, an expiry or a flight within fifty years of it.
func TestTwoDigitYears(t *testing.T) {
	m := parseText(t, "UNB+IATA:1+ZZ+XX+130523:2210+1'UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+ZZ:ABC123'TIF+A+B:A:1'"+
		"SSR+DOCS:HK:1:TZ:::::/P/USA/1/USA/04JUL14/M/12JAN19/A/B'TVL+280563:2225:290563:0750+SIN+OOL+TZ+6'UNT+7+1'")
	d := m.PNRs[0].Passengers[0].Documents[0]
	if d.BirthDate != "1914-07-04" || d.Expiry != "2019-01-12" {
		t.Errorf("born %s expires %s", d.BirthDate, d.Expiry)
	}
	if l := m.PNRs[0].Itinerary[0]; l.Departure != "2063-05-28T22:25" {
		t.Errorf("departure %s", l.Departure)
	}
}

// What cannot be taken as sent is a warning: a time no day has, a
// creation date in the wrong component of RCI.
func TestOddValuesWarn(t *testing.T) {
	m := parseText(t, "UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+UA:7C789A:230818:1220'TIF+A+B:A:1'TVL+310513:0900:310513:4321+OOL+SIN+TZ+0002:S'UNT+6+1'")
	b := m.PNRs[0]
	if b.Created != "" || b.Itinerary[0].Arrival != "2013-05-31" {
		t.Errorf("created %q arrival %q", b.Created, b.Itinerary[0].Arrival)
	}
	w := warnings(m)
	if !strings.Contains(w, `"4321" is not a time of day`) || !strings.Contains(w, `creation date "230818" is in component 3`) {
		t.Errorf("warnings:\n%s", w)
	}
}

// Contacts: e-mail addresses and telephone numbers from SSR CTCx, OSI CTC
// and every ADD; every address is kept, and a passenger's DOCA.
func TestContactsAndAddresses(t *testing.T) {
	m := parseText(t, "UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+ZZ:ABC123'"+
		"ADD++702:8095 KIRBY AVENUE:RIO DE JANEIRO:::BR::8675309'ADD++700:::::::EK CTC M 5432109876'ADD++700:1 MAIN ST:SLOUGH:::GB'"+
		"TIF+LOBB+MOLLY:A:1'SSR+CTCE:HK:1:YY:::::MOLLY..LOBB./X//EXAMPLE.COM'SSR+CTCM:HK:1:YY:::::447700900123/EN'"+
		"IFT+4:28+YY CTCH 0207 946 0000'SSR+DOCA:HK:1:YY:::::/D/USA/1 RIVER RD/NEW YORK/NY/10001'UNT+11+1'")
	b := m.PNRs[0]
	if got := fmt.Sprint(b.Emails, b.Phones); got != "[MOLLY_LOBB-X@EXAMPLE.COM] [8675309 5432109876 447700900123 0207 946 0000]" {
		t.Errorf("contacts %s", got)
	}
	if len(b.Addresses) != 3 || b.Addresses[2].City != "SLOUGH" {
		t.Errorf("addresses %+v", b.Addresses)
	}
	if a := b.Passengers[0].Addresses; len(a) != 1 || a[0].Type != "D" || a[0].City != "NEW YORK" || a[0].Postcode != "10001" {
		t.Errorf("DOCA %+v", a)
	}
	if len(b.Passengers[0].Remarks) != 0 {
		t.Errorf("remarks %v", b.Passengers[0].Remarks)
	}
}

// Seats: a seat request's and check-in's seat on a leg is one seat, XXX
// is none, and NSST names its flight in its free text.
func TestSeats(t *testing.T) {
	m := parseFile(t, "gtas/parsers/pnrSeatFormats.txt")
	if got := fmt.Sprintf("%+v", m.PNRs[0].Passengers[0].Seats); got != "[{Number:36K Cabin: Carrier:UA Flight:988 From:FRA To:IAD} {Number:74E Cabin: Carrier:UA Flight:0226 From:SFO To:IAD}]" {
		t.Errorf("seats %s", got)
	}
	m = parseFile(t, "gtas/parsers/pnrWithDoco.txt")
	if got := fmt.Sprintf("%+v", m.PNRs[0].Passengers[0].Seats); got != "[{Number:23K Cabin:Y Carrier:UA Flight:988 From:FRA To:IAD}]" {
		t.Errorf("seats %s", got)
	}
}

// An infant's DOCS with no name, outside any passenger, is a warning,
// not a crash; a DOCO for an infant after more passengers were added
// stays with the passenger it followed.
func TestInfantWithoutName(t *testing.T) {
	m := parseText(t, "UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+ZZ:ABC123'TIF+A+B:A:1'TVL+280513:2225+SIN+OOL+TZ+6'SSR+DOCS:HK:1:TZ:::::/P/USA/1/USA/04JUL12/FI/12JAN19'UNT+7+1'")
	if w := warnings(m); !strings.Contains(w, "follows no passenger; left out") {
		t.Errorf("warnings:\n%s", w)
	}
	m = parseText(t, "UNH+1+PNRGOV:11:1:IA+X'SRC'RCI+ZZ:ABC123'TIF+A+B:A:1'SSR+DOCO:HK:1:SQ:::::/SINGAPORE/V/V123/LONDON/01JAN13/KR/I'TIF+C+D:A:2'TIF+E+F:A:3'TIF+G+H:A:4'UNT+9+1'")
	if v := m.PNRs[0].Passengers[0].Visas; len(v) != 1 || v[0].Number != "V123" {
		t.Errorf("visas %+v", v)
	}
}
