package paxlst_test

import (
	"fmt"
	"strings"
	"testing"

	"ctis/paxlst"
)

func parseString(t *testing.T, in string) *paxlst.Manifest {
	t.Helper()
	ms, err := paxlst.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%d manifests", len(ms))
	}
	return ms[0]
}

// TestUSEDIFACT: the older US/EDIFACT PAXLST (001:000) gives its
// travellers in PDT segments and its places as country and airport.
func TestUSEDIFACT(t *testing.T) {
	m := parseFile(t, "gtas/PaxlstParserUSedifactTest.testRandomApis.edi")
	want := `SAMPLAIR>USCS 001:000 crew=false tn=
leg SA/SA812 AKL 2002-01-31T10:30 → LAX 2002-01-31T22:00
FL MANGUS|SIMON P M 1959-04-29  AKL>LAX doc P 182345345 US 1999-09-09
FL FEFE|THEODORE C U 1956-07-04  AKL>LAX doc P 122222345 US 1997-09-02
FL BOYLE|ALVIN U 1952-12-21  AKL>LAX doc P C76543D GB 1992-04-29
FL O'LEARY|KRIS ANN F 1933-12-31  AKL>LAX doc P E54321A IE 1998-08-31
warning segment 15 (UNT): declares 000011 segments; the message has 13
`
	if got := brief(m); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if m.Contact != "FRED SAMPLES 1-703-644-5200 1-703-566-8224" {
		t.Errorf("contact %q", m.Contact)
	}
	m = parseString(t, "UNB+UNOA:1+A+B+020131:2359+1'UNH+1+PAXLST:001:000:NZ+X'TDT++SA812C+40+SA'LOC+005+NZAKL:50'LOC+008+USLAX:50'UNS+D'"+
		"PDT+V/X1::NZ+SMITH:JO::800101:F+CRW+NZAKL:USLAX'PDT+P/X2::NZ+SMITH:AL::800101:M+ITI+NZAKL:USLAX'UNT+9+1'")
	if got := m.Travellers[0].Role + m.Travellers[0].Documents[0].Type + m.Travellers[1].Role; got != "FMVDDT" {
		t.Errorf("roles and type %q", got)
	}
}

// TestTravellerSegmentsReadOrRefused: a message that holds traveller
// segments never yields an empty manifest without an error.
func TestTravellerSegmentsReadOrRefused(t *testing.T) {
	_, err := paxlst.Parse(strings.NewReader("UNB+UNOA:4+A+B+260101:1000'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'NAD+ZZ+++SMITH:JO'NAD+XX+++SMITH:AL'UNT+5+1'"))
	if err == nil || err.Error() != "segment 6 (UNT, line 1): the message holds 2 traveller segments (NAD, PDT) and no traveller could be read of them" {
		t.Errorf("got %v", err)
	}
	// A message with no traveller segment at all, such as a flight
	// notice, is no error.
	if m := parseString(t, "UNB+UNOA:4+A+B'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+ZZ1'UNT+4+1'"); len(m.Legs) != 1 {
		t.Errorf("%+v", m)
	}
}

// TestLegsOfOneFlight: one TDT followed by several LOC/DTM pairs gives a
// leg for each pair.
func TestLegsOfOneFlight(t *testing.T) {
	const head = "UNB+UNOA:4+A+B+140131:1200'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'"
	for in, want := range map[string]string{
		"TDT+20+KE250+++KE'LOC+92+JFK'DTM+189:1402010220:201'LOC+92+ANC'DTM+232:1402010550:201'LOC+125+ANC'DTM+189:1402010650:201'LOC+87+ICN'DTM+232:1402020840:201'": `leg KE/KE250 JFK 2014-02-01T02:20 → ANC 2014-02-01T05:50
leg KE/KE250 ANC 2014-02-01T06:50 → ICN 2014-02-02T08:40
`,
		"TDT+20+KE250+++KE'LOC+125+JFK'DTM+189:1402010220:201'LOC+87+ANC'DTM+232:1402010550:201'LOC+87+ICN'DTM+232:1402020840:201'": `leg KE/KE250 JFK 2014-02-01T02:20 → ANC 2014-02-01T05:50
leg KE/KE250 ANC  → ICN 2014-02-02T08:40
`,
		"TDT+20+KE250+++KE'LOC+125+JFK'DTM+189:1402010220:201'DTM+189:1402010230:201'LOC+87+ANC'": `leg KE/KE250 JFK 2014-02-01T02:20 → ANC 
warning segment 7 (DTM): a second departure time for the leg from JFK; the first is kept
`,
		"TDT+20+KE250'LOC+125+JFK'DTM+189:1402014321:201'LOC+87+ANC'": `leg KE/KE250 JFK 1402014321 → ANC 
warning segment 6 (DTM): "1402014321" is not a date and time (YYMMDDHHMM); kept as sent
`,
	} {
		m := parseString(t, head+in+"UNT+99+1'")
		var b strings.Builder
		for _, l := range m.Legs {
			fmt.Fprintf(&b, "leg %s/%s %s %s → %s %s\n", l.Carrier, l.Flight, l.From, l.Departure, l.To, l.Arrival)
		}
		for _, w := range m.Warnings {
			if !strings.Contains(w.Msg, "declares 99 segments") {
				fmt.Fprintf(&b, "warning %s\n", w)
			}
		}
		if b.String() != want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", in, b.String(), want)
		}
	}
	// A flight with 120 stops gives 120 legs, and says it has more places
	// than the standard allows.
	var b strings.Builder
	b.WriteString(head + "TDT+20+ZZ1+++ZZ'LOC+125+A000'")
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&b, "LOC+92+A%03d'", i)
		if i < 120 {
			fmt.Fprintf(&b, "LOC+92+A%03d'", i)
		}
	}
	b.WriteString("UNT+2+1'")
	m := parseString(t, b.String())
	if len(m.Legs) != 120 || m.Legs[119].From != "A119" || m.Legs[119].To != "A120" {
		t.Fatalf("%d legs, last %+v", len(m.Legs), m.Legs[len(m.Legs)-1])
	}
	if !strings.Contains(fmt.Sprint(m.Warnings), "more than 99 places") {
		t.Errorf("warnings %v", m.Warnings)
	}
}

// TestBaggage: every FTX+BAG tag is kept, and MEA gives the count and
// the weight.
func TestBaggage(t *testing.T) {
	const head = "UNB+UNOA:4+A+B+180601:1200'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'NAD+FL+++FENNER:JACKI'"
	for in, want := range map[string]string{
		"MEA+CT++4'MEA+WT++KGM:80'FTX+BAG+++UA0443'FTX+BAG+++UA0444'": "[{UA0443 1} {UA0444 1}] 4 80 KGM",
		"FTX+BAG+++UA0443'FTX+BAG+++UA0446:2'":                        "[{UA0443 1} {UA0446 2}] 3  ",
		"MEA+CT++:2'FTX+BAG+++ZZ012345:3'":                            "[{ZZ012345 3}] 2  ",
		"MEA+WT++LBR:44.5'":                                           "[] 0 44.5 LBR",
	} {
		m := parseString(t, head+in+"UNT+9+1'")
		tr := m.Travellers[0]
		if tr.BagTags == nil {
			tr.BagTags = []paxlst.BagTag{}
		}
		if got := fmt.Sprintf("%v %d %s %s", tr.BagTags, tr.Bags, tr.BagWeight, tr.BagWeightUnit); got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}

// TestPartsMissing: a part whose earlier parts never came is a warning,
// so that nobody takes the travellers read for the whole flight.
func TestPartsMissing(t *testing.T) {
	part := func(seq, status string) string {
		return "UNH+M" + seq + "+PAXLST:D:05B:UN:IATA+BATCH7+" + seq + status + "'BGM+745'NAD+FL+++P" + seq + "'UNT+4+M" + seq + "'"
	}
	for in, want := range map[string]string{
		part("10", ":F"):                                     "segment 2 (UNH): part 10 of a message sent in parts (BATCH7); the parts before it are missing",
		part("01", ":C") + part("03", ":F"):                  "segment 6 (UNH): part 3 follows part 1",
		part("01", ":C") + part("02", ""):                    "segment 6 (UNH): the final part (F) is missing",
		part("01", ":C") + part("02", "") + part("03", ":F"): "",
	} {
		m := parseString(t, "UNB+UNOA:4+A+B'"+in)
		var got []string
		for _, w := range m.Warnings {
			got = append(got, w.String())
		}
		if strings.Join(got, "\n") != want {
			t.Errorf("%s:\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestTwoDigitYears: a two-digit year resolves against the date the
// message was prepared: a birth is not after it, an expiry and a flight
// are within fifty years of it.
func TestTwoDigitYears(t *testing.T) {
	for unb, want := range map[string]string{
		"020131:2359":   "1902-05-05 2002-01-01 1953-07-01 2049-07-01 2002-02-01T10:30",
		"20020131:2359": "1902-05-05 2002-01-01 1953-07-01 2049-07-01 2002-02-01T10:30",
		"690101:0000":   "1902-05-05 1902-01-01 1953-07-01 1949-07-01 2002-02-01T10:30",
	} {
		m := parseString(t, "UNB+UNOA:4+A+B+"+unb+"'UNH+1+PAXLST:D:05B:UN:IATA'TDT+20+ZZ1'LOC+125+AKL'DTM+189:0202011030:201'"+
			"NAD+FL+++A'DTM+329:020505'NAD+FL+++B'DTM+329:020101'DOC+P+1'DTM+36:530701'NAD+FL+++C'DOC+P+2'DTM+36:490701'UNT+14+1'")
		got := fmt.Sprintf("%s %s %s %s %s", m.Travellers[0].BirthDate, m.Travellers[1].BirthDate, m.Travellers[1].Documents[0].Expiry,
			m.Travellers[2].Documents[0].Expiry, m.Legs[0].Departure)
		if got != want {
			t.Errorf("%s: got %s, want %s", unb, got, want)
		}
	}
	m := parseString(t, "UNB+UNOA:4+A+B+020131:2359'UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++A'DTM+329:021332'UNT+4+1'")
	if m.Travellers[0].BirthDate != "021332" || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0].Msg, `"021332" is not a date`) {
		t.Errorf("%+v %v", m.Travellers[0], m.Warnings)
	}
}
