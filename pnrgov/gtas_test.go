package pnrgov_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ctis/pnrgov"
)

// The GTAS conformance test: every value that the unit tests of US CBP's
// GTAS (gtas-parsers PnrGovParserTest and PnrUtilsTest, gtas-loader
// PnrMessageServiceIT) assert about their sample PNRGOV messages, checked
// against what ctis reads of the same samples (testdata/gtas, copied
// unchanged; see testdata/SOURCES.md). Where ctis reads a value otherwise
// on purpose, the row says so and why, and checks ctis's value; where ctis
// has no field for it, the row says that.

// gtasValue is one asserted value.
type gtasValue struct {
	file string // under testdata/gtas, or "inline" for the text a test holds
	test string // the Java test that asserts it
	what string
	want string // what GTAS asserts
	// got reads ctis's value; nil when ctis has no field for it.
	got func(m *pnrgov.Message) string
	// ctis is what ctis reads when it departs from GTAS on purpose, and
	// why is the reason, from the standard.
	ctis, why string
}

// parsed is the value of assertions that a sample is read without error.
func parsed(*pnrgov.Message) string { return "parsed" }

func pax(m *pnrgov.Message, pnr, i int) *pnrgov.Passenger {
	if pnr < len(m.PNRs) && i < len(m.PNRs[pnr].Passengers) {
		return &m.PNRs[pnr].Passengers[i]
	}
	return &pnrgov.Passenger{}
}

func legOf(m *pnrgov.Message, i int) pnrgov.Leg {
	if len(m.PNRs) > 0 && i < len(m.PNRs[0].Itinerary) {
		return m.PNRs[0].Itinerary[i]
	}
	return pnrgov.Leg{}
}

// seatOn is the seat of passenger x from one airport to another.
func seatOn(x *pnrgov.Passenger, from, to string) pnrgov.Seat {
	for _, s := range x.Seats {
		if s.From == from && s.To == to {
			return s
		}
	}
	return pnrgov.Seat{}
}

func nth(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

func firstBag(m *pnrgov.Message) pnrgov.Bag {
	for _, x := range m.PNRs[0].Passengers {
		if len(x.Bags) > 0 {
			return x.Bags[0]
		}
	}
	return pnrgov.Bag{}
}

func firstVisa(m *pnrgov.Message) pnrgov.Visa {
	if v := pax(m, 0, 0).Visas; len(v) > 0 {
		return v[0]
	}
	return pnrgov.Visa{}
}

// getSinglePnr is the message PnrUtilsTest.testgetSinglePnr splits.
const getSinglePnr = "UNA:+.?*'\n" + "UNB+IATA:1+DL++101209:2100+020A07'\n" + "UNH+1+PNRGOV:10:1:IA+F6C2C268'\n" +
	"MSG+:22'\n" + "ORG+DL:ATL+52519950'\n" + "TVL+121210:0915+LHR+JFK+DL+324'\n" + "EQN+2'" + "SRC'" +
	"RCI+DL:MFN4TI1'" + "SRC'" + "RCI+DL:MFN4TI2'" + "SRC'" + "RCI+DL:MFN4TI3'" + "UNT+135+1'\n" + "UNZ+1+020A07'"

var gtasValues = []gtasValue{
	// gtas-parsers PnrGovParserTest
	{file: "parsers/pnrMessageExample.txt", test: "PnrGovParserTest.PnrOriginTest", what: "origin of the booking (first itinerary leg)", want: "WDH",
		got: func(m *pnrgov.Message) string { return legOf(m, 0).From }},
	{file: "parsers/pnrMessageExample.txt", test: "PnrGovParserTest.pnrSeatClassTest", what: "cabin class of the first passenger's checked-in seat (SSD)", want: "Y",
		got: func(m *pnrgov.Message) string { return seatOn(pax(m, 0, 0), "FRA", "IAD").Cabin }},
	{file: "parsers/pnrMessagePg77.txt", test: "PnrGovParserTest.reservationDateMapsToRCITimeCreated", what: "booking created (RCI)", want: "2013-05-23T18:13:48",
		got: func(m *pnrgov.Message) string { return m.PNRs[0].Created }},
	{file: "parsers/modifyPnr77ForCodeShare.txt", test: "PnrGovParserTest.pnrCodeShare", what: "codeshare legs", want: "2",
		got: func(m *pnrgov.Message) string {
			n := 0
			for _, l := range m.PNRs[0].Itinerary {
				if l.OperatingFlight != "" {
					n++
				}
			}
			return fmt.Sprint(n)
		}},
	{file: "parsers/modifyPnr77ForCodeShare.txt", test: "PnrGovParserTest.pnrCodeShare", what: "first codeshare: operating flight (TRA)", want: "1524",
		got: func(m *pnrgov.Message) string { return legOf(m, 0).OperatingFlight }},
	{file: "parsers/modifyPnr77ForCodeShare.txt", test: "PnrGovParserTest.pnrCodeShare", what: "first codeshare: marketing flight", want: "SQ5678",
		got: func(m *pnrgov.Message) string { return legOf(m, 0).Carrier + legOf(m, 0).Flight }},
	{file: "parsers/modifyPnr77ForCodeShare.txt", test: "PnrGovParserTest.pnrCodeShare", what: "second codeshare: marketing flight", want: "DL8976",
		got: func(m *pnrgov.Message) string { return legOf(m, 1).Carrier + legOf(m, 1).Flight }},
	{file: "parsers/modifyPnr77ForCodeShare.txt", test: "PnrGovParserTest.pnrCodeShare", what: "second codeshare: operating flight (TVL of a flight number alone)", want: "0972",
		got: func(m *pnrgov.Message) string { return legOf(m, 1).OperatingFlight }, ctis: "972",
		why: "a flight number is kept as sent (TVL flight number, 1-4 digits, IATA AIRIMP); zero-padding is GTAS's presentation"},
	{file: "parsers/pnrMessagePg77.txt", test: "PnrGovParserTest.dateBookedMapsToPaymentMadeDate", what: "date booked (GTAS takes the RCI creation)", want: "2013-05-23T18:13:48",
		got: func(m *pnrgov.Message) string { return m.PNRs[0].Created }},
	{file: "parsers/pnrMessagePg76.txt", test: "PnrGovParserTest.bookingDateMapsToFirstDateWithCode710", what: "date booked (GTAS takes the RCI creation day)", want: "2013-02-15",
		got: func(m *pnrgov.Message) string { return m.PNRs[0].Created[:min(10, len(m.PNRs[0].Created))] }},
	{file: "parsers/pnrBadFormat.txt", test: "PnrGovParserTest.badFormattingAtEndOfMessage", what: "a message with text after UNZ is read", want: "parsed", got: parsed},
	{file: "parsers/bigMessagePnr.txt", test: "PnrGovParserTest.pnrWithBgs", what: "bag details are read (list not empty)", want: "true",
		got: func(m *pnrgov.Message) string { return fmt.Sprint(firstBag(m).Count > 0) }},
	{file: "parsers/pnrMessageExample.txt", test: "PnrGovParserTest.pnrExampleTest", what: "bags of the booking", want: "18",
		got: func(m *pnrgov.Message) string { return fmt.Sprint(m.PNRs[0].Bags) }, ctis: "9",
		why: "a through-checked bag is listed by a TBD on each leg with the same tag (ET0847 on WDH-ADD and ADD-FRA); it is one bag, so each tag counts once"},
	{file: "parsers/pnrEdge.txt", test: "PnrGovParserTest.testingEscapeCharacter", what: "e-mail (OSI CTCE, ?+ released, AIRIMP .. and //)", want: " MOLLY_LOUUNT+50BB@GMAIL.COM",
		got: func(m *pnrgov.Message) string { return nth(m.PNRs[0].Emails, 0) }, ctis: "MOLLY_LOUUNT+50BB@GMAIL.COM",
		why: "the space after CTCE separates the code from the address (AIRIMP); it is no part of the address"},
	{file: "parsers/pnrPhoneCTC_M.txt", test: "PnrGovParserTest.pnrPhoneWithSpaceTest", what: "second telephone number (OSI CTC M)", want: "123456789",
		got: func(m *pnrgov.Message) string { return nth(m.PNRs[0].Phones, 1) }},
	{file: "parsers/pnrPhoneCTCM.txt", test: "PnrGovParserTest.pnrPhoneNumberNoSpaceTest", what: "second telephone number (OSI CTCM)", want: "123456789",
		got: func(m *pnrgov.Message) string { return nth(m.PNRs[0].Phones, 1) }},
	{file: "parsers/pnrAddressPhoneCTCM.txt", test: "PnrGovParserTest.pnrAddressPhoneNumber", what: "second telephone number (second ADD, CTC M)", want: "5432109876",
		got: func(m *pnrgov.Message) string { return nth(m.PNRs[0].Phones, 1) }},
	{file: "parsers/pnrSeatFormats.txt", test: "PnrGovParserTest.pnrSeatVo", what: "seats of the first passenger (SSR SEAT, SSR NSST)", want: "2",
		got: func(m *pnrgov.Message) string { return fmt.Sprint(len(pax(m, 0, 0).Seats)) }},
	{file: "parsers/pnrSeatFormats.txt", test: "PnrGovParserTest.pnrSeatVo", what: "second seat: from APIS", want: "false"},
	{file: "parsers/pnrSeatFormats.txt", test: "PnrGovParserTest.pnrSeatVo", what: "second seat: destination", want: "IAD",
		got: func(m *pnrgov.Message) string { return nthSeat(m, 1).To }},
	{file: "parsers/pnrSeatFormats.txt", test: "PnrGovParserTest.pnrSeatVo", what: "second seat: origin", want: "SFO",
		got: func(m *pnrgov.Message) string { return nthSeat(m, 1).From }},
	{file: "parsers/pnrSeatFormats.txt", test: "PnrGovParserTest.pnrSeatVo", what: "second seat: number is not 074E", want: "not 074E",
		got: func(m *pnrgov.Message) string {
			if nthSeat(m, 1).Number == "074E" {
				return "074E"
			}
			return "not 074E"
		}},
	{file: "parsers/pnrSeatFormats.txt", test: "PnrGovParserTest.pnrSeatVo", what: "second seat: number", want: "74E",
		got: func(m *pnrgov.Message) string { return nthSeat(m, 1).Number }},
	{file: "parsers/pnrSeatFormats.txt", test: "PnrGovParserTest.pnrSeatVo", what: "second seat: passenger reference", want: "1",
		got: func(m *pnrgov.Message) string { return pax(m, 0, 0).Ref }},
	{file: "parsers/pnrNoOrgMsg.txt", test: "PnrGovParserTest.pnrNoMSGField", what: "a message without MSG is read", want: "parsed", got: parsed},
	{file: "parsers/pnrNoOrgMsg.txt", test: "PnrGovParserTest.pnrNoOrgField", what: "a message without ORG is read", want: "parsed", got: parsed},
	{file: "parsers/pnrMessagePg77.txt", test: "PnrGovParserTest.pnrPassengerVo", what: "first passenger's booking locator", want: "W9TEND",
		got: func(m *pnrgov.Message) string { return m.PNRs[0].Locator }},
	{file: "parsers/pnrMessagePg77.txt", test: "PnrGovParserTest.pnrPassengerVo", what: "first passenger's reference (TIF)", want: "43576",
		got: func(m *pnrgov.Message) string { return pax(m, 0, 0).Ref }},
	{file: "parsers/pnrWithDoco.txt", test: "PnrGovParserTest.pnrDocoTest", what: "visa (SSR DOCO) number", want: "8675309",
		got: func(m *pnrgov.Message) string { return firstVisa(m).Number }},
	{file: "parsers/pnrWithDoco.txt", test: "PnrGovParserTest.pnrDocoTest", what: "visa type", want: "V",
		got: func(m *pnrgov.Message) string { return firstVisa(m).Type }},
	{file: "parsers/pnrWithDoco.txt", test: "PnrGovParserTest.pnrDocoTest", what: "visa place of issue", want: "OTHER PLACE",
		got: func(m *pnrgov.Message) string { return firstVisa(m).IssuePlace }},
	{file: "parsers/pnrWithDoco.txt", test: "PnrGovParserTest.pnrDocoTest", what: "visa issue date", want: "2006-12-22",
		got: func(m *pnrgov.Message) string { return firstVisa(m).Issued }},
	{file: "parsers/pnrWithDoco.txt", test: "PnrGovParserTest.pnrDocoTest", what: "visa expiry: none (DOCO has none)", want: "null"},
	{file: "parsers/pnrWithPrefixesAndBookingDetailBags.txt", test: "PnrGovParserTest.pnrWithPrefixesAndBagsTest", what: "bags of the booking", want: "4",
		got: func(m *pnrgov.Message) string { return fmt.Sprint(m.PNRs[0].Bags) }},
	{file: "parsers/pnrWithPrefixesAndBookingDetailBags.txt", test: "PnrGovParserTest.pnrWithPrefixesAndBagsTest", what: "first bag: carrier", want: "UA",
		got: func(m *pnrgov.Message) string { return firstBag(m).Carrier }},
	{file: "parsers/pnrWithPrefixesAndBookingDetailBags.txt", test: "PnrGovParserTest.pnrWithPrefixesAndBagsTest", what: "first bag: destination (tag)", want: "KWI",
		got: func(m *pnrgov.Message) string {
			if t := firstBag(m).Tags; len(t) > 0 {
				return t[0].Destination
			}
			return ""
		}},
	{file: "parsers/pnrWithPrefixesAndBookingDetailBags.txt", test: "PnrGovParserTest.pnrWithPrefixesAndBagsTest", what: "first bag: on the message's flight", want: "false",
		got: func(m *pnrgov.Message) string {
			g := firstBag(m)
			return fmt.Sprint(g.Carrier+g.Flight == m.Flight.Carrier+m.Flight.Flight && g.From == m.Flight.From)
		}},
	{file: "parsers/danglingMetaCharacter.txt", test: "PnrGovParserTest.theMetaCharacterTest", what: "a message with a dangling ? is read", want: "parsed", got: parsed},
	// gtas-parsers PnrUtilsTest
	{file: "inline", test: "PnrUtilsTest.testgetSinglePnr", what: "bookings of the message", want: "3",
		got: func(m *pnrgov.Message) string { return fmt.Sprint(len(m.PNRs)) }},
	{file: "inline", test: "PnrUtilsTest.testgetSinglePnr", what: "first booking's locator", want: "MFN4TI1",
		got: func(m *pnrgov.Message) string { return m.PNRs[0].Locator }},
	{file: "inline", test: "PnrUtilsTest.testgetSinglePnr", what: "second booking's locator", want: "MFN4TI2",
		got: func(m *pnrgov.Message) string { return m.PNRs[1].Locator }},
	{file: "inline", test: "PnrUtilsTest.testgetSinglePnr", what: "third booking's locator", want: "MFN4TI3",
		got: func(m *pnrgov.Message) string { return m.PNRs[2].Locator }},
	{file: "parsers/bigbigPnr.txt", test: "PnrUtilsTest.testBigFile", what: "a 47th booking", want: "true",
		got: func(m *pnrgov.Message) string { return fmt.Sprint(len(m.PNRs) > 46) }},
	// gtas-loader PnrMessageServiceIT (loads the message; asserts only that)
	{file: "loader/2_pnrs_basic.edi", test: "PnrMessageServiceIT.testRunService", what: "is read", want: "parsed", got: parsed},
	{file: "parsers/pnrMessageExample.txt", test: "PnrMessageServiceIT.testServiceWithBags", what: "is read", want: "parsed", got: parsed},
	{file: "loader/multiple_flight_leg_pnr.txt", test: "PnrMessageServiceIT.smokeTestGtasLoaderImpl", what: "is read", want: "parsed", got: parsed},
}

func nthSeat(m *pnrgov.Message, i int) pnrgov.Seat {
	if s := pax(m, 0, 0).Seats; i < len(s) {
		return s[i]
	}
	return pnrgov.Seat{}
}

// brokenUNA are the GTAS samples whose UNA service string advice is
// itself malformed: codeshare.edi gives five characters for six
// ("UNA:+\*'" then a line break), infant.edi a typographic quote as its
// segment terminator and ASCII quotes in its segments. ctis reads them
// with the standard delimiters, as GTAS does, and warns.
var brokenUNA = map[string]bool{"loader/codeshare.edi": true, "loader/infant.edi": true}

func readGTAS(t *testing.T, file string) (*pnrgov.Message, error) {
	t.Helper()
	var text string
	if file == "inline" {
		text = getSinglePnr
	} else {
		b, err := os.ReadFile("testdata/gtas/" + file)
		if err != nil {
			t.Fatal(err)
		}
		text = string(b)
	}
	ms, err := pnrgov.Parse(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	if len(ms) != 1 {
		t.Fatalf("%s: %d messages", file, len(ms))
	}
	return ms[0], nil
}

func TestGTASConformance(t *testing.T) {
	var agreed, departed, nofield, failed int
	for _, v := range gtasValues {
		t.Run(v.test+"/"+v.what, func(t *testing.T) {
			if v.got == nil {
				nofield++
				t.Skipf("%s asserts %s = %s; ctis has no field for it", v.test, v.what, v.want)
			}
			m, err := readGTAS(t, v.file)
			if err != nil {
				failed++
				t.Fatalf("%s: %v", v.file, err)
			}
			want := v.want
			if v.why != "" {
				want = v.ctis
			}
			switch got := v.got(m); {
			case got != want:
				failed++
				t.Errorf("%s: %s = %q, want %q (GTAS %s asserts %q)", v.file, v.what, got, want, v.test, v.want)
			case v.why != "":
				departed++
			default:
				agreed++
			}
		})
	}
	t.Logf("GTAS-asserted values: %d; agreed %d, departed on purpose %d, no ctis field %d, disagreed %d",
		len(gtasValues), agreed, departed, nofield, failed)
}

// TestGTASSamples reads every GTAS sample: each parses, but for those the
// edifact change will let through and those with a malformed UNA.
func TestGTASSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/gtas/*/*")
	if err != nil || len(files) < 30 {
		t.Fatalf("%d samples, %v", len(files), err)
	}
	for _, f := range files {
		name := strings.TrimPrefix(filepath.ToSlash(f), "testdata/gtas/")
		t.Run(name, func(t *testing.T) {
			m, err := readGTAS(t, name)
			if err != nil {
				t.Fatal(err)
			}
			if brokenUNA[name] && (len(m.Warnings) == 0 || !strings.Contains(m.Warnings[0].Msg, "service string advice")) {
				t.Errorf("a broken UNA read without a warning: %v", m.Warnings)
			}
		})
	}
}
