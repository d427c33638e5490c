// Package pnrgov reads PNRGOV, the UN/EDIFACT message in which airlines
// push Passenger Name Records to a passenger information unit: each
// booking's locator and dates, its passengers (TIF) with their travel
// documents (SSR DOCS), tickets, frequent-flyer numbers and forms of
// payment, its itinerary (TVL) and seats, the booking office, contacts
// and free text. History sections (MSG+8) are skipped. It does no I/O
// beyond its reader; errors name the segment and its position, and what
// is odd but readable is a warning.
package pnrgov

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis/edifact"
)

// Message is one PNRGOV message.
type Message struct {
	Sender, Recipient string
	Reference         string
	// Version is the message version and release, such as "11:1".
	Version string
	// Flight is the flight the push is for (the header TVL).
	Flight Leg
	PNRs   []PNR
	// Declared is how many PNRs the message said it holds (EQN).
	Declared int
	Warnings []Warning
}

// PNR is one booking.
type PNR struct {
	Locator, LocatorCarrier string
	// Created is when the booking was made (RCI), BookedOn and
	// TicketedOn the days of DAT 700 and 710, as YYYY-MM-DD.
	Created, BookedOn, TicketedOn string
	// Agency is the booking office or travel agency (ORG), as sent.
	Agency     string
	Address    *Address
	Contacts   []string
	Remarks    []string
	Passengers []Passenger
	Itinerary  []Leg
	Payments   []Payment
	// Bags is the number of checked bags (EBD).
	Bags int
}

// Passenger is a traveller of a booking (TIF) with what follows it.
type Passenger struct {
	Surname, GivenNames string
	// Title is the title that reservations practice appends to the given
	// names (JOHNMR, NINA MS), split off them; see splitTitle.
	Title string
	// Type is the passenger type code (A adult, C child, I infant…), Ref
	// the passenger's reference number in the booking.
	Type, Ref      string
	Documents      []Document
	Tickets        []string
	FrequentFlyers []string
	Payments       []Payment
	Seats          []string
	Remarks        []string
}

// Name returns given names then surname.
func (p *Passenger) Name() string { return strings.TrimSpace(p.GivenNames + " " + p.Surname) }

// Document is an SSR DOCS: a travel document as the passenger gave it.
type Document struct {
	Type, IssuingCountry, Number, Nationality string
	// BirthDate and Expiry are YYYY-MM-DD when the message's form was
	// read, else as sent.
	BirthDate, Gender, Expiry string
	Surname, GivenNames       string
}

// Leg is a flight: the message's own, or one of a booking's itinerary.
type Leg struct {
	Carrier, Flight, Class string
	From, To               string
	// Departure and Arrival are YYYY-MM-DDTHH:MM, or a day, as far as
	// sent.
	Departure, Arrival string
}

// Payment is a form of payment (FOP): its type (CC card, CA cash, MS
// miscellaneous…), the card vendor, the number as sent (usually masked)
// and its expiry.
type Payment struct {
	Type, Vendor, Number, Expiry string
}

// Address is an address of the booking (ADD).
type Address struct {
	Street, City, State, Country, Postcode, Phone string
}

// Warning is something odd that did not stop the reading.
type Warning = edifact.Warning

// Error is a reading error, with the segment and its position.
type Error = edifact.Error

// Parse reads the PNRGOV messages of an interchange.
func Parse(r io.Reader) ([]*Message, error) {
	segs, _, err := edifact.Parse(r)
	if err != nil {
		return nil, err
	}
	p := &parser{}
	for i := range segs {
		if err := p.segment(&segs[i]); err != nil {
			return nil, err
		}
	}
	if p.msg != nil {
		last := &segs[len(segs)-1]
		return nil, &Error{Segment: last.Index, Line: last.Line, Tag: last.Tag, Msg: "the message has no trailer UNT"}
	}
	if len(p.out) == 0 {
		return nil, &Error{Segment: 1, Line: segs[0].Line, Tag: segs[0].Tag, Msg: "the interchange holds no PNRGOV message"}
	}
	return p.out, nil
}

type parser struct {
	sender, recipient string
	out               []*Message
	msg               *Message
	unhAt             int
	pnr               *PNR
	pax               *Passenger
	history           bool // inside MSG+8: past versions, not the booking
	// seatOf is the passenger an itinerary's TIF named, for SSD.
	seatOf *Passenger
}

func fail(s *edifact.Segment, format string, args ...any) error {
	return &Error{Segment: s.Index, Line: s.Line, Tag: s.Tag, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) warn(s *edifact.Segment, format string, args ...any) {
	p.msg.Warnings = append(p.msg.Warnings, Warning{Segment: s.Index, Tag: s.Tag, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) segment(s *edifact.Segment) error {
	switch s.Tag {
	case "UNB":
		p.sender, p.recipient = s.Element(1, 0), s.Element(2, 0)
		return nil
	case "UNG", "UNE", "UNZ":
		return nil
	case "UNH":
		if p.msg != nil {
			return fail(s, "a message header before the trailer UNT of the message before")
		}
		if s.Element(1, 0) != "PNRGOV" {
			return fail(s, "message type %q is not PNRGOV", s.Element(1, 0))
		}
		p.msg = &Message{Sender: p.sender, Recipient: p.recipient, Reference: s.Element(0, 0), Version: s.Element(1, 1) + ":" + s.Element(1, 2)}
		p.unhAt, p.pnr, p.pax, p.seatOf, p.history = s.Index, nil, nil, nil, false
		return nil
	}
	if p.msg == nil {
		return fail(s, "comes before the message header UNH")
	}
	m := p.msg
	switch s.Tag {
	case "UNT":
		if n, err := strconv.Atoi(s.Element(0, 0)); err != nil || n != s.Index-p.unhAt+1 {
			p.warn(s, "declares %s segments; the message has %d", s.Element(0, 0), s.Index-p.unhAt+1)
		}
		if m.Declared != 0 && m.Declared != len(m.PNRs) {
			p.warn(s, "declares %d PNRs (EQN); the message holds %d", m.Declared, len(m.PNRs))
		}
		p.out, p.msg = append(p.out, m), nil
		return nil
	case "SRC":
		m.PNRs = append(m.PNRs, PNR{})
		p.pnr, p.pax, p.seatOf, p.history = &m.PNRs[len(m.PNRs)-1], nil, nil, false
		return nil
	case "MSG":
		// Function 8 opens the booking's history: past versions, not the
		// booking as it stands.
		p.history = s.Element(0, 0) == "8" || s.Element(0, 1) == "8"
		return nil
	}
	if p.history {
		return nil
	}
	if p.pnr == nil {
		switch s.Tag {
		case "TVL":
			m.Flight = leg(s)
		case "EQN":
			m.Declared, _ = strconv.Atoi(s.Element(0, 0))
		case "ORG":
		default:
			p.warn(s, "before the first PNR (SRC); left out")
		}
		return nil
	}
	b, x := p.pnr, p.pax
	switch s.Tag {
	case "RCI":
		if b.Locator == "" {
			b.LocatorCarrier, b.Locator = s.Element(0, 0), s.Element(0, 1)
			b.Created = day(s.Element(0, 3))
		}
	case "DAT":
		for _, e := range s.Elements {
			if len(e) > 1 {
				switch e[0] {
				case "700":
					b.BookedOn = day(e[1])
				case "710":
					b.TicketedOn = day(e[1])
				}
			}
		}
	case "ORG":
		b.Agency = strings.Trim(strings.Join(nonEmpty(s.Elements...), " "), " ")
	case "ADD":
		b.Address = &Address{Street: s.Element(1, 1), City: s.Element(1, 2), State: s.Element(1, 3), Country: s.Element(1, 5), Postcode: s.Element(1, 6), Phone: s.Element(1, 7)}
	case "EBD":
		b.Bags, _ = strconv.Atoi(s.Element(1, 0))
	case "TIF":
		if len(b.Itinerary) > 0 {
			// Within the itinerary a TIF names a booked passenger, for
			// the check-in data that follows (TRI, SSD).
			given, _ := splitTitle(s.Element(1, 0))
			p.pax, p.seatOf = nil, byName(b.Passengers, s.Element(0, 0), given)
			return nil
		}
		given, title := splitTitle(s.Element(1, 0))
		b.Passengers = append(b.Passengers, Passenger{Surname: s.Element(0, 0), GivenNames: given, Title: title, Type: s.Element(1, 1), Ref: s.Element(1, 2)})
		p.pax = &b.Passengers[len(b.Passengers)-1]
	case "SSD":
		if x := p.seatOf; x != nil && s.Element(0, 0) != "" && !slices.Contains(x.Seats, s.Element(0, 0)) {
			x.Seats = append(x.Seats, s.Element(0, 0))
		}
	case "TVL":
		b.Itinerary = append(b.Itinerary, leg(s))
		p.pax, p.seatOf = nil, nil // what follows an itinerary segment is of the flight
	case "SSR":
		p.ssr(s)
	case "TKT":
		if x == nil {
			p.warn(s, "a ticket before any passenger (TIF); left out")
			return nil
		}
		x.Tickets = append(x.Tickets, s.Element(0, 0))
	case "FTI":
		if x != nil {
			x.FrequentFlyers = append(x.FrequentFlyers, s.Element(0, 0)+" "+s.Element(0, 1))
		}
	case "FOP":
		for _, e := range s.Elements {
			if len(e) == 0 || e[0] == "" {
				continue
			}
			pay := Payment{Type: e[0], Vendor: at(e, 3), Number: at(e, 4), Expiry: at(e, 5)}
			if x != nil {
				x.Payments = append(x.Payments, pay)
			} else {
				b.Payments = append(b.Payments, pay)
			}
		}
	case "IFT":
		text := strings.Join(nonEmpty(s.Elements[min(1, len(s.Elements)):]...), " ")
		switch {
		case s.Element(0, 1) == "43": // contact information, often repeated per passenger
			if !slices.Contains(b.Contacts, text) {
				b.Contacts = append(b.Contacts, text)
			}
		case x != nil:
			x.Remarks = append(x.Remarks, text)
		default:
			b.Remarks = append(b.Remarks, text)
		}
	case "REF", "FAR", "MON", "PTK", "TXD", "APD", "RPI", "EQN", "TRI", "ABI", "SAC", "LTS", "TXT", "PRE":
		// Fare, pricing, equipment and status details: not kept.
	default:
		p.warn(s, "unknown segment; left out")
	}
	return nil
}

// ssr reads a special service request: DOCS (travel document) for the
// passenger it follows or names, SEAT for the passengers it names.
func (p *parser) ssr(s *edifact.Segment) {
	b := p.pnr
	switch s.Element(0, 0) {
	case "DOCS":
		d := docs(s.Element(0, 8))
		x := p.pax
		if x == nil {
			x = byName(b.Passengers, d.Surname, d.GivenNames)
		}
		if x == nil {
			p.warn(s, "a travel document for no passenger of the booking; left out")
			return
		}
		x.Documents = append(x.Documents, d)
	case "SEAT":
		for _, e := range s.Elements[1:] {
			seat, ref := at(e, 0), at(e, 2)
			for i := range b.Passengers {
				if b.Passengers[i].Ref == ref && seat != "" {
					b.Passengers[i].Seats = append(b.Passengers[i].Seats, seat)
				}
			}
		}
	}
}

// Titles that reservations practice (IATA AIRIMP) appends to a
// passenger's given names, after a space or glued on: "NINA MS",
// "JOHNMR". After a space, any of spacedTitles is split off. Glued on,
// only gluedTitles are, longest first, and only when at least three
// letters of the name remain: given names end in MS (WILLIAMS, ADAMS) and
// DR (ALEKSANDR), and AMR is a name, so those are left as sent. A title
// left in costs screening little; a name cut short would cost it the
// person. Generational suffixes glued to a surname (SMITHJR) are left as
// sent for the same reason (ALNASR).
var (
	spacedTitles = map[string]bool{"MR": true, "MRS": true, "MS": true, "MISS": true, "MSTR": true, "DR": true, "PROF": true, "REV": true, "CAPT": true, "SIR": true, "LADY": true, "LORD": true}
	gluedTitles  = []string{"MSTR", "MISS", "MRS", "MR"}
)

// splitTitle splits the title off the given names of a TIF, as the
// rules above allow, and returns the names and the title ("" for none).
func splitTitle(given string) (names, title string) {
	g := strings.TrimSpace(given)
	if i := strings.LastIndexByte(g, ' '); i > 0 && spacedTitles[g[i+1:]] {
		return strings.TrimSpace(g[:i]), g[i+1:]
	}
	last := g[strings.LastIndexByte(g, ' ')+1:]
	for _, t := range gluedTitles {
		if len(last)-len(t) >= 3 && strings.HasSuffix(last, t) {
			return g[:len(g)-len(t)], t
		}
	}
	return g, ""
}

func byName(ps []Passenger, surname, given string) *Passenger {
	for i := range ps {
		if strings.EqualFold(ps[i].Surname, surname) && strings.HasPrefix(strings.ToUpper(ps[i].GivenNames), strings.ToUpper(given)) {
			return &ps[i]
		}
	}
	return nil
}

// docs reads the free text of an SSR DOCS:
// /type/issuing state/number/nationality/birth/gender/expiry/surname/given/middle.
func docs(text string) Document {
	f := strings.Split(strings.TrimPrefix(text, "/"), "/")
	given := strings.TrimSpace(at(f, 8) + " " + at(f, 9))
	return Document{Type: at(f, 0), IssuingCountry: at(f, 1), Number: at(f, 2), Nationality: at(f, 3), BirthDate: docDay(at(f, 4), false),
		Gender: at(f, 5), Expiry: docDay(at(f, 6), true), Surname: at(f, 7), GivenNames: given}
}

// leg reads a TVL: dates and times, airports, carrier, flight and class.
func leg(s *edifact.Segment) Leg {
	return Leg{Departure: stamp(s.Element(0, 0), s.Element(0, 1)), Arrival: stamp(firstOf(s.Element(0, 2), s.Element(0, 0)), s.Element(0, 3)),
		From: s.Element(1, 0), To: s.Element(2, 0), Carrier: s.Element(3, 0), Flight: s.Element(4, 0), Class: s.Element(4, 1)}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// stamp turns DDMMYY and HHMM into YYYY-MM-DDTHH:MM (or a day).
func stamp(date, clock string) string {
	d := day(date)
	if d == "" || len(clock) != 4 {
		return d
	}
	return d + "T" + clock[:2] + ":" + clock[2:]
}

// day turns DDMMYY into YYYY-MM-DD; other text is kept.
func day(v string) string {
	t, err := time.Parse("020106", v)
	if err != nil {
		return v
	}
	return t.Format("2006-01-02")
}

// docDay turns DDMMMYY into YYYY-MM-DD, a birth date's century in the
// past, an expiry's in the next fifty years.
func docDay(v string, future bool) string {
	t, err := time.Parse("02Jan06", strings.ToUpper(v[:min(len(v), 2)])+titleMonth(v))
	if err != nil {
		return v
	}
	year, now := t.Year(), time.Now().Year()
	switch {
	case !future && year > now:
		year -= 100
	case future && year > now+50:
		year -= 100
	}
	return fmt.Sprintf("%04d-%02d-%02d", year, t.Month(), t.Day())
}

// titleMonth returns "Feb53" from "05FEB53", for time.Parse.
func titleMonth(v string) string {
	if len(v) != 7 {
		return ""
	}
	return v[2:3] + strings.ToLower(v[3:5]) + v[5:]
}

func at(s []string, i int) string {
	if i < len(s) {
		return strings.TrimSpace(s[i])
	}
	return ""
}

func nonEmpty(elems ...[]string) []string {
	var out []string
	for _, e := range elems {
		for _, c := range e {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}
