package paxlst_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"ctis/paxlst"
)

func parseFile(t *testing.T, name string) *paxlst.Manifest {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := paxlst.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(ms) != 1 {
		t.Fatalf("%s: %d manifests", name, len(ms))
	}
	return ms[0]
}

// brief renders what the tests assert of a manifest.
func brief(m *paxlst.Manifest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s>%s %s crew=%v tn=%s\n", m.Sender, m.Recipient, m.Version, m.Crew, m.Transaction)
	for _, l := range m.Legs {
		fmt.Fprintf(&b, "leg %s/%s %s %s → %s %s\n", l.Carrier, l.Flight, l.From, l.Departure, l.To, l.Arrival)
	}
	for _, tr := range m.Travellers {
		fmt.Fprintf(&b, "%s %s|%s %s %s %s %s>%s", tr.Role, tr.Surname, tr.GivenNames, tr.Sex, tr.BirthDate, tr.Nationality, tr.Embarkation, tr.Debarkation)
		for _, d := range tr.Documents {
			fmt.Fprintf(&b, " doc %s %s %s %s", d.Type, d.Number, d.IssuingCountry, d.Expiry)
		}
		if tr.Bags > 0 || len(tr.BagTags) > 0 || tr.BagWeight != "" {
			fmt.Fprintf(&b, " bags %d %v %s%s", tr.Bags, tr.BagTags, tr.BagWeight, tr.BagWeightUnit)
		}
		b.WriteString("\n")
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(&b, "warning %s\n", w)
	}
	return b.String()
}

func TestSamples(t *testing.T) {
	for file, want := range map[string]string{
		"01_wco_guide_ex5_1_single_sector.edi": `ZZAIRLINE>CUSTOMS D:15B crew=false tn=1234567890
leg ZZ/ZZ123 SYD 2013-06-21T09:00 → HNL 2013-06-21T22:00
FL WILLIAMS|JOHN DONALD M 1972-09-07 GBR SYD>HNL doc P MB140241 GBR 2015-12-31 bags 2 [{ZZ012345 3}] 
warning segment 31 (CNT): declares 160 travellers; the message lists 1
`,
		"02_wco_guide_ex5_2_crew.edi": `ZZAIRLINE>CUSTOMS D:15B crew=true tn=
leg ZZ/ZZ123 SYD 2013-06-21T09:00 → HNL 2013-06-21T22:00
FM CLARK|MICHAEL M 1972-09-07 CAN SYD>HNL doc P MB140241 CAN 2015-10-21
warning segment 22 (CNT): declares 8 travellers; the message lists 1
warning segment 23 (UNT): declares 20 segments; the message has 21
`,
		"03_wco_guide_ex5_3_progressive_two_pax.edi": `XYZAIRLINES>CUSTOMS D:15B crew=false tn=BART34567890
leg XZ/XZ877 BCN 2014-07-08T11:00 → IAD 2014-07-08T17:00
leg XZ/ZX877 IAD 2014-07-08T19:30 → SFO 2014-07-08T23:30
FL MARTINEZ|JULIO XAVIER M 1968-02-23 ESP BCN>SFO doc P YY3478621 ESP 2018-12-30
FL MARTINEZ|SORINA MARIA F 1969-06-06 ESP BCN>SFO doc P TRQWE9980 ESP 2017-09-16
`,
		"04_gtas_apisMessage_multileg_noDOC.edi": `AIR1>DHS D:05B crew=false tn=AJYTR1070219
leg AA/AA123 ATL 2007-02-19T15:40 → ORD 2007-02-19T17:40
leg AA/AA124 ORD 2007-02-19T18:40 → JFK 2007-02-19T19:55
FL CLARK|MICHAEL M 1972-09-07  ATL>JFK
FL CLARK|CHERYL F 1973-04-07  ORD>JFK
`,
		"05_gtas_multiple_flight_leg_one_line.edi": `APIS*ABE>USADHS D:05B crew=false tn=BART34567890
leg QQ/QQ877 MIA 2008-07-10T15:00 → IAD 2008-07-10T17:55
leg QQ/QQ827 IAD 2008-08-10T18:30 → JFK 2008-08-10T19:30
leg QQ/QQ827 JFK 2008-08-10T20:00 → CDG 2008-08-11T06:30
FL BARRETT|TODD M 1968-02-23 FRA MIA>CDG doc P YY3478621G FRA 2008-12-30
FL LANG|KRISTIN F 1960-06-06 ESP MIA>CDG doc P TRQWE99800 ESP 2009-09-16
`,
	} {
		if got := brief(parseFile(t, file)); got != want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", file, got, want)
		}
	}
}

func TestPartsAreJoined(t *testing.T) {
	part := func(seq, status, name string) string {
		return "UNH+M" + seq + "+PAXLST:D:05B:UN:IATA+BATCH7+" + seq + ":" + status + "'BGM+745'TDT+20+XY1+++XY'LOC+125+AMM'DTM+189:2601021000:201'LOC+87+FRA'" +
			"NAD+FL+++" + name + "'ATT+2++M'DTM+329:800101'UNT+10+M" + seq + "'"
	}
	in := "UNB+UNOA:4+XY+DE'" + part("02", "C", "ZWEI:B") + part("01", "C", "EINS:A") + part("03", "F", "DREI:C") + "UNZ+3+1'"
	ms, err := paxlst.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].Parts != 3 || len(ms[0].Travellers) != 3 || ms[0].Travellers[0].Surname != "EINS" || ms[0].Travellers[2].Surname != "DREI" {
		t.Fatalf("%+v", ms)
	}
	if len(ms[0].Warnings) != 0 {
		t.Errorf("warnings: %v", ms[0].Warnings)
	}
}

func TestMalformed(t *testing.T) {
	for in, want := range map[string]string{
		"UNB+UNOA:4+A+B'UNH+1+PNRGOV:11:1:IA'UNT+2+1'":        "segment 2 (UNH, line 1): message type \"PNRGOV\" is not PAXLST",
		"UNB+UNOA:4+A+B'NAD+FL+++X'":                          "segment 2 (NAD, line 1): comes before the message header UNH",
		"UNB+UNOA:4+A+B'UNH+1+PAXLST:D:05B:UN:IATA'DOC+P+1'":  "segment 3 (DOC, line 1): a document before any traveller (NAD)",
		"UNB+UNOA:4+A+B'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'":  "segment 3 (BGM, line 1): the message has no trailer UNT",
		"UNB+UNOA:4+A+B'\nUNH+1+PAXLST:D:05B:UN:IATA+X+zz:C'": "segment 2 (UNH, line 2): part number \"zz\" is not a number",
	} {
		_, err := paxlst.Parse(strings.NewReader(in))
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", in, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"01_wco_guide_ex5_1_single_sector.edi", "05_gtas_multiple_flight_leg_one_line.edi",
		"gtas/PaxlstParserUSedifactTest.testProgressiveFlightDtm.edi", "gtas/multiple_flight_leg_apis.txt",
		"gtas/PaxlstParserUNedifactTest.testAPISParsingWithBagWeightAndCountInMEASegment.edi"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		ms, err := paxlst.Parse(strings.NewReader(in))
		if err == nil && len(ms) == 0 {
			t.Fatal("no manifest and no error")
		}
		for _, m := range ms {
			for _, tr := range m.Travellers {
				if tr.Bags < 0 {
					t.Fatalf("%d bags", tr.Bags)
				}
			}
		}
	})
}
