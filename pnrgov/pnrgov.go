// Package pnrgov reads PNRGOV, the UN/EDIFACT message in which airlines
// push Passenger Name Records to a passenger information unit: each
// booking's locator and dates, its passengers (TIF) with their travel
// documents (SSR DOCS, an infant's placed with the infant), visas (DOCO)
// and addresses (DOCA), tickets, frequent-flyer numbers, forms of
// payment, seats and checked bags (TBD), its itinerary (TVL) with
// codeshares' operating flights, the booking office, its addresses,
// e-mail addresses and telephone numbers (ADD, CTC remarks) and free
// text. History (MSG+8, and the ABI/SAC groups) is skipped. Two-digit
// years are read against the day the message was sent. It does no I/O
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
	// Created is when the booking was made (RCI): YYYY-MM-DD, with the
	// time (THH:MM or THH:MM:SS) when sent. BookedOn and TicketedOn are
	// the days of DAT 700 and 710, as YYYY-MM-DD.
	Created, BookedOn, TicketedOn string
	// Agency is the booking office or travel agency (ORG), as sent.
	Agency string
	// Addresses are the booking's addresses (ADD), each as sent.
	Addresses []Address
	// Contacts are the contact details of IFT 4:43, as sent.
	Contacts []string
	// Emails and Phones are the e-mail addresses and telephone numbers
	// of the booking: from contact remarks (SSR CTCE, CTCM…, OSI CTC) and
	// the addresses' telephone numbers, in order, each once.
	Emails, Phones []string
	Remarks        []string
	Passengers     []Passenger
	Itinerary      []Leg
	Payments       []Payment
	// Bags is the number of checked bags: of the bag details (TBD), each
	// tagged bag once however many legs it is listed for, or of the
	// excess baggage (EBD) when that says more.
	Bags int
}

// Passenger is a traveller of a booking (TIF) with what follows it.
type Passenger struct {
	Surname, GivenNames string
	// Title is the title that reservations practice appends to the given
	// names (JOHNMR, NINA MS), split off them; see splitTitle.
	Title string
	// Type is the passenger type code (A adult, C child, IN infant…), Ref
	// the passenger's reference number in the booking.
	Type, Ref      string
	Documents      []Document
	Visas          []Visa
	Addresses      []Address
	Tickets        []string
	FrequentFlyers []string
	Payments       []Payment
	Seats          []Seat
	Bags           []Bag
	Remarks        []string
}

// Name returns given names then surname.
func (p *Passenger) Name() string { return strings.TrimSpace(p.GivenNames + " " + p.Surname) }

// Infant reports whether the passenger's type is an infant's.
func (p *Passenger) Infant() bool { return infantTypes[p.Type] }

var infantTypes = map[string]bool{"IN": true, "INF": true, "I": true}

// Document is an SSR DOCS: a travel document as the passenger gave it.
type Document struct {
	Type, IssuingCountry, Number, Nationality string
	// BirthDate and Expiry are YYYY-MM-DD when the message's form was
	// read, else as sent. Gender is as sent: M, F, U, or MI and FI for
	// an infant.
	BirthDate, Gender, Expiry string
	Surname, GivenNames       string
}

// Visa is an SSR DOCO: a visa (type V), or another document a passenger
// gives for the journey (K known traveller, R redress number).
type Visa struct {
	Type, Number string
	// IssuePlace is where it was issued, Issued the day (YYYY-MM-DD, or
	// as sent), Country the state it is valid for; BirthPlace is the
	// holder's place of birth.
	IssuePlace, Issued, Country, BirthPlace string
}

// Seat is a seat of a passenger on a leg: from a seat request (SSR SEAT,
// NSST…) or check-in (SSD). Cabin is the cabin class when sent.
type Seat struct {
	Number, Cabin             string
	Carrier, Flight, From, To string
}

// Bag is what a bag details segment (TBD) says of a passenger's checked
// bags on a leg: how many, their weight, and their tags.
type Bag struct {
	Count int
	// Weight is as sent, Unit KG or LB (or the code sent).
	Weight, Unit              string
	Carrier, Flight, From, To string
	Tags                      []BagTag
}

// BagTag is a bag tag: the carrier that issued it, its number and the
// airport the bag is checked to.
type BagTag struct {
	Carrier, Number, Destination string
}

// Leg is a flight: the message's own, or one of a booking's itinerary.
type Leg struct {
	// Carrier and Flight are the marketing carrier and flight;
	// OperatingCarrier and OperatingFlight those that fly it, when a
	// codeshare says so.
	Carrier, Flight, Class            string
	OperatingCarrier, OperatingFlight string
	From, To                          string
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

// Address is an address of the booking (ADD) or of a passenger (SSR
// DOCA). Type is the ADD purpose code (700, 702…) or the DOCA type (R
// residence, D destination).
type Address struct {
	Type                                          string
	Street, City, State, Country, Postcode, Phone string
}

// Warning is something odd that did not stop the reading.
type Warning = edifact.Warning

// Error is a reading error, with the segment and its position.
type Error = edifact.Error

// Parse reads the PNRGOV messages of an interchange.
func Parse(r io.Reader) ([]*Message, error) {
	ic, err := edifact.Read(r)
	if err != nil {
		return nil, err
	}
	segs := ic.Segments
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
	for _, m := range p.out {
		// What is odd of the interchange is odd of each of its messages.
		m.Warnings = append(slices.Clone(ic.Warnings), m.Warnings...)
	}
	return p.out, nil
}

type parser struct {
	sender, recipient string
	// sent is when the interchange was prepared (UNB), against which
	// two-digit years are resolved.
	sent  time.Time
	out   []*Message
	msg   *Message
	unhAt int
	pnr   *PNR
	pax   *Passenger
	// history is set inside MSG+8 and the booking-history groups
	// (ABI/SAC): past versions, not the booking.
	history bool
	// seatOf is the passenger an itinerary's TIF named, for SSD and TBD.
	seatOf *Passenger
	// infants are what belongs to an infant, to be placed once the
	// booking's passengers are all known.
	infants []infantItem
}

// infantItem is a DOCS, DOCO or DOCA of an infant: the infant is named
// by a DOCS, or is the infant of the passenger it followed (of).
type infantItem struct {
	seg            *edifact.Segment
	surname, given string
	of             int // index of the passenger it followed, or -1
	doc            *Document
	visa           *Visa
	address        *Address
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
		p.sent = time.Time{}
		if t, err := time.Parse("060102", s.Element(3, 0)); err == nil {
			p.sent = t
		}
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
		p.unhAt, p.pnr, p.pax, p.seatOf, p.history, p.infants = s.Index, nil, nil, nil, false, nil
		return nil
	}
	if p.msg == nil {
		return fail(s, "comes before the message header UNH")
	}
	m := p.msg
	switch s.Tag {
	case "UNT":
		p.finish()
		if n, err := strconv.Atoi(s.Element(0, 0)); err != nil || n != s.Index-p.unhAt+1 {
			p.warn(s, "declares %s segments; the message has %d", s.Element(0, 0), s.Index-p.unhAt+1)
		}
		if m.Declared != 0 && m.Declared != len(m.PNRs) {
			p.warn(s, "declares %d PNRs (EQN); the message holds %d", m.Declared, len(m.PNRs))
		}
		p.out, p.msg = append(p.out, m), nil
		return nil
	case "SRC":
		p.finish()
		m.PNRs = append(m.PNRs, PNR{})
		p.pnr, p.pax, p.seatOf, p.history = &m.PNRs[len(m.PNRs)-1], nil, nil, false
		return nil
	case "MSG":
		// Function 8 opens the booking's history: past versions, not the
		// booking as it stands.
		p.history = s.Element(0, 0) == "8" || s.Element(0, 1) == "8"
		return nil
	case "ABI", "SAC":
		// The history of a booking (ABI, then SAC groups of what was
		// added and cancelled) closes it: its flights and requests are
		// past, not the itinerary.
		if p.pnr != nil {
			p.history = true
			return nil
		}
	}
	if p.history {
		return nil
	}
	if p.pnr == nil {
		switch s.Tag {
		case "TVL":
			m.Flight = p.leg(s)
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
		p.rci(s)
	case "DAT":
		for _, e := range s.Elements {
			if len(e) > 1 {
				switch e[0] {
				case "700":
					b.BookedOn = p.day(e[1])
				case "710":
					b.TicketedOn = p.day(e[1])
				}
			}
		}
	case "ORG":
		b.Agency = strings.Trim(strings.Join(nonEmpty(s.Elements...), " "), " ")
	case "ADD":
		a := Address{Type: s.Element(1, 0), Street: s.Element(1, 1), City: s.Element(1, 2), State: s.Element(1, 3), Country: s.Element(1, 5), Postcode: s.Element(1, 6), Phone: strings.TrimSpace(s.Element(1, 7))}
		if a != (Address{Type: a.Type}) {
			b.Addresses = append(b.Addresses, a)
		}
		if a.Phone != "" {
			if kind, v, ok := ctc(unprefixed(a.Phone)); ok {
				p.contact(kind, v)
			} else {
				p.contact("P", a.Phone)
			}
		}
	case "EBD":
		if n, err := strconv.Atoi(s.Element(1, 0)); err == nil && n > b.Bags {
			b.Bags = n
		}
	case "TIF":
		if len(b.Itinerary) > 0 {
			// Within the itinerary a TIF names a booked passenger, for
			// the check-in data that follows (TRI, SSD, TBD).
			given, _ := splitTitle(s.Element(1, 0))
			p.pax, p.seatOf = nil, byName(b.Passengers, s.Element(0, 0), given)
			return nil
		}
		given, title := splitTitle(s.Element(1, 0))
		b.Passengers = append(b.Passengers, Passenger{Surname: s.Element(0, 0), GivenNames: given, Title: title, Type: s.Element(1, 1), Ref: s.Element(1, 2)})
		p.pax = &b.Passengers[len(b.Passengers)-1]
	case "SSD":
		if x := p.seatOf; x != nil {
			p.seat(x, Seat{Number: s.Element(0, 0), Cabin: s.Element(4, 0)}, p.lastLeg())
		}
	case "TBD":
		p.tbd(s)
	case "TVL":
		l := p.leg(s)
		if n := len(b.Itinerary); n > 0 && l.From == "" && l.To == "" && l.Departure == "" && l.Flight != "" {
			// A TVL of a flight number alone is the operating flight of
			// the codeshare before it, not a leg of its own.
			last := &b.Itinerary[n-1]
			last.OperatingFlight = l.Flight
			if last.OperatingCarrier == "" {
				last.OperatingCarrier = l.Carrier
			}
			return nil
		}
		b.Itinerary = append(b.Itinerary, l)
		p.pax, p.seatOf = nil, nil // what follows an itinerary segment is of the flight
	case "TRA":
		// The operating carrier and flight of a codeshare leg.
		if n := len(b.Itinerary); n > 0 {
			last := &b.Itinerary[n-1]
			last.OperatingCarrier, last.OperatingFlight = firstOf(s.Element(0, 0), last.OperatingCarrier), firstOf(s.Element(1, 0), last.OperatingFlight)
		}
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
		case s.Element(0, 1) == "28" && p.osiContact(text):
		case x != nil:
			x.Remarks = append(x.Remarks, text)
		default:
			b.Remarks = append(b.Remarks, text)
		}
	case "REF", "FAR", "MON", "PTK", "TXD", "APD", "RPI", "EQN", "TRI", "LTS", "TXT", "PRE":
		// Fare, pricing, equipment and status details: not kept.
	default:
		p.warn(s, "unknown segment; left out")
	}
	return nil
}

// rci reads the booking's locator and when it was made. The creation day
// and time are components 4 and 5; a date in component 3, the
// reservation control type, is misplaced and not taken.
func (p *parser) rci(s *edifact.Segment) {
	b := p.pnr
	if b.Locator != "" {
		return
	}
	b.LocatorCarrier, b.Locator = s.Element(0, 0), s.Element(0, 1)
	date, clock := s.Element(0, 3), s.Element(0, 4)
	if isDigits(s.Element(0, 2), 6) {
		p.warn(s, "the booking's creation date %q is in component 3, the reservation control type; left out", s.Element(0, 2))
		return
	}
	if date == "" {
		return
	}
	if _, err := time.Parse("020106", date); err != nil {
		p.warn(s, "the booking's creation date %q is not a day (DDMMYY); left out", date)
		return
	}
	b.Created = p.day(date)
	if clock == "" {
		return
	}
	if t := p.clock(s, clock); t != "" {
		b.Created += "T" + t
	}
}

// paxIndex is the index of the passenger whose TIF was just read, or -1.
func (p *parser) paxIndex() int {
	if p.pax == nil {
		return -1
	}
	return len(p.pnr.Passengers) - 1
}

// finish places what belongs to the infants of the booking just read.
func (p *parser) finish() {
	b := p.pnr
	if b == nil {
		return
	}
	for _, it := range p.infants {
		x := p.infantOf(it)
		if x == nil {
			p.warn(it.seg, "for an infant the booking does not name, and follows no passenger; left out")
			continue
		}
		switch {
		case it.doc != nil:
			if !slices.Contains(x.Documents, *it.doc) {
				x.Documents = append(x.Documents, *it.doc)
			}
		case it.visa != nil:
			x.Visas = append(x.Visas, *it.visa)
		case it.address != nil:
			x.Addresses = append(x.Addresses, *it.address)
		}
	}
	p.infants = nil
	b.Bags = max(b.Bags, bagCount(b.Passengers))
}

// infantOf finds the infant an item belongs to: a passenger of the
// name its DOCS gives, or the booking's only infant, or the infant of no
// TIF, who is then added to the booking so as to be screened.
func (p *parser) infantOf(it infantItem) *Passenger {
	b := p.pnr
	var infants []int
	for i := range b.Passengers {
		if b.Passengers[i].Infant() {
			infants = append(infants, i)
		}
	}
	if it.surname != "" {
		for _, i := range infants {
			if sameName(&b.Passengers[i], it.surname, it.given) {
				return &b.Passengers[i]
			}
		}
		for i := range b.Passengers {
			if x := &b.Passengers[i]; !sameName(x, it.surname, it.given) || x.Infant() {
				continue
			} else if len(x.Documents) == 0 || infantGender(x.Documents[0].Gender) {
				// A passenger of the infant's name, not typed an infant
				// and with no adult's document: the infant.
				return x
			}
		}
	}
	if len(infants) == 1 && it.surname == "" {
		return &b.Passengers[infants[0]]
	}
	if it.surname == "" {
		// A DOCO or DOCA of an infant the booking does not name: it stays
		// with the passenger it followed.
		if it.of < 0 {
			return nil
		}
		p.warn(it.seg, "for an infant the booking does not name; kept with the passenger it follows")
		return &b.Passengers[it.of]
	}
	b.Passengers = append(b.Passengers, Passenger{Surname: it.surname, GivenNames: it.given, Type: "IN"})
	return &b.Passengers[len(b.Passengers)-1]
}

func infantGender(g string) bool { return g == "MI" || g == "FI" }

// sameName compares a passenger's name with a document's, spaces aside
// (long names are broken across lines), the shorter given names a
// prefix of the longer.
func sameName(x *Passenger, surname, given string) bool {
	squash := func(v string) string { return strings.ToUpper(strings.ReplaceAll(v, " ", "")) }
	if squash(x.Surname) != squash(surname) {
		return false
	}
	a, g := squash(x.GivenNames), squash(given)
	return strings.HasPrefix(a, g) || strings.HasPrefix(g, a)
}

// bagCount counts the checked bags of the passengers' bag details: each
// tag once, however many legs list it, or as many as a TBD without tags
// says, the most of any leg.
func bagCount(ps []Passenger) int {
	n := 0
	for i := range ps {
		tags, most := map[BagTag]bool{}, 0
		for _, g := range ps[i].Bags {
			for _, t := range g.Tags {
				tags[BagTag{Carrier: t.Carrier, Number: t.Number}] = true
			}
			most = max(most, g.Count)
		}
		n += max(len(tags), most)
	}
	return n
}

// lastLeg is the itinerary leg being read, or nil.
func (p *parser) lastLeg() *Leg {
	if n := len(p.pnr.Itinerary); n > 0 {
		return &p.pnr.Itinerary[n-1]
	}
	return nil
}

// seat gives passenger x seat st on leg l (nil: the leg st names):
// XXX and an empty number are no seat, and a seat the passenger has on
// that leg already takes only its cabin.
func (p *parser) seat(x *Passenger, st Seat, l *Leg) {
	st.Number = strings.TrimLeft(strings.TrimSpace(st.Number), "0")
	if st.Number == "" || st.Number == "XXX" {
		return
	}
	if l != nil {
		st.Carrier, st.Flight, st.From, st.To = l.Carrier, l.Flight, l.From, l.To
	}
	for i := range x.Seats {
		if have := &x.Seats[i]; have.Number == st.Number && have.From == st.From && have.To == st.To {
			have.Cabin = firstOf(have.Cabin, st.Cabin)
			return
		}
	}
	x.Seats = append(x.Seats, st)
}

// tbd reads bag details for the passenger an itinerary TIF named: count,
// weight and unit, then the tags (carrier, number, -, destination).
func (p *parser) tbd(s *edifact.Segment) {
	x := p.seatOf
	if x == nil {
		p.warn(s, "bag details for no passenger of the booking; left out")
		return
	}
	g := Bag{Weight: s.Element(1, 1), Unit: units[s.Element(1, 2)]}
	g.Count, _ = strconv.Atoi(s.Element(1, 0))
	if g.Unit == "" {
		g.Unit = s.Element(1, 2)
	}
	if l := p.lastLeg(); l != nil {
		g.Carrier, g.Flight, g.From, g.To = l.Carrier, l.Flight, l.From, l.To
	}
	for _, e := range s.Elements[min(4, len(s.Elements)):] {
		if t := (BagTag{Carrier: at(e, 0), Number: at(e, 1), Destination: at(e, 3)}); t.Number != "" {
			g.Tags = append(g.Tags, t)
		}
	}
	if g.Count > 0 || len(g.Tags) > 0 {
		x.Bags = append(x.Bags, g)
	}
}

// units are the measure unit qualifiers of a TBD.
var units = map[string]string{"700": "KG", "701": "LB"}

// seatRequests are the SSR codes that request a seat: a seat number, or
// a kind of seat (no smoking, aisle, window…) that may come with one.
var seatRequests = map[string]bool{"SEAT": true, "RQST": true, "NSST": true, "NSSA": true, "NSSB": true, "NSSW": true, "SMST": true, "SMSA": true, "SMSB": true, "SMSW": true}

// ssr reads a special service request: DOCS (travel document), DOCO
// (visa) and DOCA (address) for the passenger it follows or names, seat
// requests and contacts.
func (p *parser) ssr(s *edifact.Segment) {
	b := p.pnr
	code, text := s.Element(0, 0), s.Element(0, 8)
	switch {
	case code == "DOCS":
		d := p.docs(text)
		if infantGender(d.Gender) {
			p.infants = append(p.infants, infantItem{seg: s, surname: d.Surname, given: d.GivenNames, of: p.paxIndex(), doc: &d})
			return
		}
		x := p.pax
		if x == nil {
			x = byName(b.Passengers, d.Surname, d.GivenNames)
		}
		if x == nil {
			p.warn(s, "a travel document for no passenger of the booking; left out")
			return
		}
		if !slices.Contains(x.Documents, d) {
			x.Documents = append(x.Documents, d)
		}
	case code == "DOCO", code == "DOCA":
		f := strings.Split(strings.TrimPrefix(text, "/"), "/")
		var it infantItem
		if code == "DOCO" {
			it.visa = &Visa{BirthPlace: at(f, 0), Type: at(f, 1), Number: at(f, 2), IssuePlace: at(f, 3), Issued: p.docDay(at(f, 4), past), Country: at(f, 5)}
		} else {
			it.address = &Address{Type: at(f, 0), Country: at(f, 1), Street: at(f, 2), City: at(f, 3), State: at(f, 4), Postcode: at(f, 5)}
		}
		last := 6
		if p.pax == nil {
			p.warn(s, "%s for no passenger of the booking; left out", code)
			return
		}
		if at(f, last) == "I" {
			it.seg, it.of = s, p.paxIndex()
			p.infants = append(p.infants, it)
			return
		}
		if it.visa != nil {
			p.pax.Visas = append(p.pax.Visas, *it.visa)
		} else {
			p.pax.Addresses = append(p.pax.Addresses, *it.address)
		}
	case seatRequests[code]:
		leg := &Leg{Carrier: s.Element(0, 3), From: s.Element(0, 6), To: s.Element(0, 7)}
		if l := p.lastLeg(); l != nil && l.From == leg.From && l.To == leg.To {
			leg = l
		} else if f := strings.Fields(text); len(f) == 2 {
			// NSST and the like may name their flight in the free text.
			leg.Carrier, leg.Flight = f[0], f[1]
		}
		for _, e := range s.Elements[1:] {
			number, ref := at(e, 0), at(e, 2)
			for i := range b.Passengers {
				if x := &b.Passengers[i]; x.Ref == ref || ref == "" && len(b.Passengers) == 1 {
					p.seat(x, Seat{Number: number}, leg)
				}
			}
		}
	case strings.HasPrefix(code, "CTC"):
		if kind, v, ok := ctc(code + " " + text); ok {
			p.contact(kind, v)
		}
	}
}

// osiContact takes the contact of an OSI (IFT 4:28) such as "CTCE
// NAME//EXAMPLE.COM" or "YY CTC M 123456789", and reports whether it was
// one.
func (p *parser) osiContact(text string) bool {
	kind, v, ok := ctc(unprefixed(text))
	if ok {
		p.contact(kind, v)
	}
	return ok
}

// unprefixed takes the airline code off a contact remark such as "YY
// CTCM 123456789".
func unprefixed(text string) string {
	if f := strings.Fields(text); len(f) > 1 && len(f[0]) == 2 && strings.HasPrefix(f[1], "CTC") {
		return strings.Join(f[1:], " ")
	}
	return text
}

// ctc reads a contact in reservations form (IATA AIRIMP): CTC, a letter
// for the kind (E e-mail, M mobile, H home, B business, T travel agent,
// A, P) glued on or after a space, then the contact; an e-mail address
// written with // for @, .. for _ and ./ for -. A telephone number may
// end in a language code after a slash. Plain digits are a telephone
// number too. CTCR, a refusal to give contacts, is none.
func ctc(text string) (kind, value string, ok bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "CTC") {
		if isPhone(t) {
			return "P", t, true
		}
		return "", "", false
	}
	t = strings.TrimLeft(t[3:], " ")
	if t == "" {
		return "", "", false
	}
	kind, t = t[:1], strings.TrimSpace(t[1:])
	if !strings.Contains("EMHBTAP", kind) || t == "" {
		return "", "", false
	}
	if kind == "E" {
		t = strings.NewReplacer("//", "@", "..", "_", "./", "-").Replace(t)
		return kind, t, strings.Contains(t, "@")
	}
	t, _, _ = strings.Cut(t, "/")
	t = strings.TrimSpace(t)
	return kind, t, isPhone(t)
}

// isPhone reports whether v is a telephone number: digits, with spaces,
// dashes, brackets or a leading plus.
func isPhone(v string) bool {
	digits := 0
	for i, c := range v {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 5
}

// contact adds an e-mail address or telephone number to the booking,
// once.
func (p *parser) contact(kind, v string) {
	b := p.pnr
	if kind == "E" {
		if !slices.Contains(b.Emails, v) {
			b.Emails = append(b.Emails, v)
		}
	} else if !slices.Contains(b.Phones, v) {
		b.Phones = append(b.Phones, v)
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
func (p *parser) docs(text string) Document {
	f := strings.Split(strings.TrimPrefix(text, "/"), "/")
	given := strings.TrimSpace(at(f, 8) + " " + at(f, 9))
	return Document{Type: at(f, 0), IssuingCountry: at(f, 1), Number: at(f, 2), Nationality: at(f, 3), BirthDate: p.docDay(at(f, 4), past),
		Gender: at(f, 5), Expiry: p.docDay(at(f, 6), near), Surname: at(f, 7), GivenNames: given}
}

// leg reads a TVL: dates and times, airports, carrier (marketing, then
// operating), flight and class.
func (p *parser) leg(s *edifact.Segment) Leg {
	return Leg{Departure: p.stamp(s, s.Element(0, 0), s.Element(0, 1)), Arrival: p.stamp(s, firstOf(s.Element(0, 2), s.Element(0, 0)), s.Element(0, 3)),
		From: s.Element(1, 0), To: s.Element(2, 0), Carrier: s.Element(3, 0), OperatingCarrier: s.Element(3, 1), Flight: s.Element(4, 0), Class: s.Element(4, 1)}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// stamp turns DDMMYY and HHMM into YYYY-MM-DDTHH:MM (or a day).
func (p *parser) stamp(s *edifact.Segment, date, clock string) string {
	d := p.day(date)
	if d == "" || clock == "" {
		return d
	}
	if t := p.clock(s, clock); t != "" {
		return d + "T" + t
	}
	return d
}

// clock turns HHMM or HHMMSS into HH:MM(:SS); a time no day has is a
// warning and gives "".
func (p *parser) clock(s *edifact.Segment, v string) string {
	if (len(v) == 4 || len(v) == 6) && isDigits(v, len(v)) && v[:2] < "24" && v[2:4] < "60" && (len(v) == 4 || v[4:] < "60") {
		if len(v) == 6 {
			return v[:2] + ":" + v[2:4] + ":" + v[4:]
		}
		return v[:2] + ":" + v[2:]
	}
	p.warn(s, "%q is not a time of day; the day is kept without it", v)
	return ""
}

func isDigits(v string, n int) bool {
	if len(v) != n {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// now is when the message was sent (UNB), or the present when it does
// not say.
func (p *parser) now() time.Time {
	if p.sent.IsZero() {
		return time.Now()
	}
	return p.sent
}

// day turns DDMMYY into YYYY-MM-DD, the century the one that puts it
// nearest the sending; other text is kept.
func (p *parser) day(v string) string {
	t, err := time.Parse("020106", v)
	if err != nil {
		return v
	}
	return century(t, p.now(), near).Format("2006-01-02")
}

// Which century a two-digit year is in: past puts the date at or before
// the message was sent (a birth, an issue), near within fifty years of
// it either way (a flight, an expiry).
const (
	past = iota
	near
)

func century(t, sent time.Time, rule int) time.Time {
	y := sent.Year() - sent.Year()%100 + t.Year()%100
	t = t.AddDate(y-t.Year(), 0, 0)
	switch {
	case rule == past && t.After(sent):
		t = t.AddDate(-100, 0, 0)
	case rule == near && t.Year() > sent.Year()+50:
		t = t.AddDate(-100, 0, 0)
	case rule == near && t.Year() <= sent.Year()-50:
		t = t.AddDate(100, 0, 0)
	}
	return t
}

// docDay turns DDMMMYY into YYYY-MM-DD, its century by rule; other text
// is kept.
func (p *parser) docDay(v string, rule int) string {
	t, err := time.Parse("02Jan06", strings.ToUpper(v[:min(len(v), 2)])+titleMonth(v))
	if err != nil {
		return v
	}
	return century(t, p.now(), rule).Format("2006-01-02")
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
