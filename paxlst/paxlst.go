// Package paxlst reads UN/EDIFACT PAXLST messages, the Advance Passenger
// Information that carriers send before a flight: the flight legs, and
// each passenger or crew member with their documents. Directories D02B to
// D15B are read alike, and so is the older US/EDIFACT form (version
// 001:000: travellers in PDT, places in LOC 5/8/PT). Messages sent in
// parts (01:C … 03:F) are joined. Counts that disagree with what was sent
// are warnings, not errors: real traffic gets them wrong. A message that
// holds traveller segments yet yields no traveller is an error, never an
// empty manifest.
package paxlst

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"ctis/edifact"
)

// Manifest is one PAXLST message, its parts joined.
type Manifest struct {
	Sender, Recipient string
	// Prepared is when the interchange was prepared (UNB).
	Prepared time.Time
	// Reference is the message reference; Version its directory, such as
	// "D:05B".
	Reference, Version string
	// Crew is set for a crew list (BGM 250); passenger lists are 745.
	Crew bool
	// Transaction is the sender's reference for the flight (RFF+TN).
	Transaction string
	Contact     string
	Legs        []Leg
	Travellers  []Traveller
	// Parts is how many messages the manifest was sent in.
	Parts    int
	Warnings []Warning
}

// Leg is one flight leg.
type Leg struct {
	Flight, Carrier    string
	From, To           string
	Departure, Arrival string // YYYY-MM-DDTHH:MM as sent, local time
}

// Traveller is a passenger or crew member.
type Traveller struct {
	// Role is the NAD qualifier: FL passenger, FM crew, DDT and DDU in
	// transit.
	Role                                string
	Surname                             string
	GivenNames                          string
	Sex                                 string
	BirthDate                           string // YYYY-MM-DD
	Nationality                         string
	Residence                           string
	BirthPlace                          string
	Address                             string
	Embarkation, Debarkation, Clearance string
	Documents                           []Document
	// References are the RFF values by qualifier: AVF booking, ABO
	// traveller, SEA seat, CR customer.
	References map[string]string
	// BagTags are the checked bags' tags (FTX+BAG), each the first of a
	// run of consecutive tag numbers.
	BagTags []BagTag
	// Bags is the number of checked bags: MEA+CT when sent, otherwise
	// the tags counted with their runs.
	Bags int
	// BagWeight is the bags' weight (MEA+WT) as sent, in BagWeightUnit
	// (KGM, LBR).
	BagWeight, BagWeightUnit string
}

// BagTag is a bag tag number and how many consecutive numbers, itself
// included, the bags carry.
type BagTag struct {
	Tag   string
	Count int
}

// Name returns given names then surname.
func (t *Traveller) Name() string { return strings.TrimSpace(t.GivenNames + " " + t.Surname) }

// Document is a travel document of a traveller.
type Document struct {
	Type, Number, IssuingCountry, Expiry, Issued string
}

// Warning is something odd that did not stop the reading.
type Warning = edifact.Warning

// Error is a message that cannot be read, placed by segment.
type Error = edifact.Error

// Parse reads an interchange of PAXLST messages and returns one manifest
// per message, parts joined, in the order their first parts came.
func Parse(r io.Reader) ([]*Manifest, error) {
	ic, err := edifact.Read(r)
	if err != nil {
		return nil, err
	}
	p := &parser{}
	if err := p.run(ic.Segments); err != nil {
		return nil, err
	}
	ms := p.join()
	for _, m := range ms {
		// What is odd of the interchange is odd of each of its messages.
		m.Warnings = append(slices.Clone(ic.Warnings), m.Warnings...)
	}
	return ms, nil
}

type part struct {
	m        *Manifest
	group    string
	sequence int
	final    bool
	at       int // the UNH's segment
}

type parser struct {
	sender, recipient string
	prepared          time.Time
	parts             []*part
	cur               *part
	traveller         *Traveller
	doc               *Document
	// leg is the flight of the last TDT, legs the legs it has given so
	// far; from and to are the legs whose departure and arrival place came
	// last, for the DTM that follows.
	leg          *Leg
	legs, places int
	from, to     int
	unhAt        int
	// travellerSegs counts the segments that name a traveller (NAD but
	// MS, PDT) of the message.
	travellerSegs int
	// bagsSent is set when the traveller's MEA+CT gave the bags.
	bagsSent bool
}

func fail(s *edifact.Segment, format string, args ...any) error {
	return &edifact.Error{Segment: s.Index, Line: s.Line, Tag: s.Tag, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) warn(s *edifact.Segment, format string, args ...any) {
	if p.cur != nil {
		p.cur.m.Warnings = append(p.cur.m.Warnings, Warning{Segment: s.Index, Tag: s.Tag, Msg: fmt.Sprintf(format, args...)})
	}
}

func (p *parser) run(segs []edifact.Segment) error {
	for i := range segs {
		s := &segs[i]
		if p.cur == nil && s.Tag != "UNB" && s.Tag != "UNG" && s.Tag != "UNH" && s.Tag != "UNE" && s.Tag != "UNZ" {
			return fail(s, "comes before the message header UNH")
		}
		switch s.Tag {
		case "UNB":
			p.sender, p.recipient = s.Element(1, 0), s.Element(2, 0)
			p.prepared = prepared(s.Element(3, 0), s.Element(3, 1))
		case "UNG":
			if p.prepared.IsZero() {
				p.prepared = prepared(s.Element(3, 0), s.Element(3, 1))
			}
		case "UNE", "UNZ":
		case "UNH":
			if s.Element(1, 0) != "PAXLST" {
				return fail(s, "message type %q is not PAXLST", s.Element(1, 0))
			}
			pt := &part{m: &Manifest{Sender: p.sender, Recipient: p.recipient, Prepared: p.prepared, Reference: s.Element(0, 0),
				Version: s.Element(1, 1) + ":" + s.Element(1, 2), Parts: 1}, group: s.Element(2, 0), sequence: 1, final: true, at: s.Index}
			// S010, the status of the transfer: the part's number, C on
			// the first part and F on the last; parts between carry none.
			if seq := s.Element(3, 0); seq != "" {
				n, err := strconv.Atoi(seq)
				if err != nil {
					return fail(s, "part number %q is not a number", seq)
				}
				pt.sequence, pt.final = n, s.Element(3, 1) == "F"
			}
			p.parts = append(p.parts, pt)
			p.cur, p.traveller, p.doc, p.leg, p.unhAt, p.travellerSegs = pt, nil, nil, nil, s.Index, 0
		case "UNT":
			declared, err := strconv.Atoi(s.Element(0, 0))
			if got := s.Index - p.unhAt + 1; err != nil || declared != got {
				p.warn(s, "declares %s segments; the message has %d", s.Element(0, 0), got)
			}
			if m := p.cur.m; p.travellerSegs > 0 && len(m.Travellers) == 0 {
				return fail(s, "the message holds %d traveller segments (NAD, PDT) and no traveller could be read of them", p.travellerSegs)
			}
			p.cur, p.traveller, p.doc, p.leg = nil, nil, nil, nil
		default:
			if err := p.segment(s); err != nil {
				return err
			}
		}
	}
	if p.cur != nil {
		return &edifact.Error{Segment: len(segs), Line: segs[len(segs)-1].Line, Tag: segs[len(segs)-1].Tag, Msg: "the message has no trailer UNT"}
	}
	if len(p.parts) == 0 {
		return &edifact.Error{Segment: 1, Line: segs[0].Line, Tag: segs[0].Tag, Msg: "the interchange holds no PAXLST message"}
	}
	return nil
}

// segment reads a segment of the message body.
func (p *parser) segment(s *edifact.Segment) error {
	m := p.cur.m
	t := p.traveller
	switch s.Tag {
	case "BGM":
		m.Crew = s.Element(0, 0) == "250"
	case "RFF":
		if t == nil {
			if s.Element(0, 0) == "TN" {
				m.Transaction = s.Element(0, 1)
			}
			return nil
		}
		if t.References == nil {
			t.References = map[string]string{}
		}
		t.References[s.Element(0, 0)] = s.Element(0, 1)
	case "NAD":
		switch q := s.Element(0, 0); q {
		case "MS":
			m.Contact = strings.TrimSpace(strings.Join(append(s.Elements[min(3, len(s.Elements)-1)], s.Element(1, 0)), " "))
		case "FL", "FM", "DDT", "DDU", "COT", "BEN":
			p.travellerSegs++
			t = p.newTraveller(Traveller{Role: q, Surname: s.Element(3, 0),
				GivenNames: strings.TrimSpace(s.Element(3, 1) + " " + s.Element(3, 2))})
			parts := []string{s.Element(4, 0), s.Element(5, 0), strings.Trim(strings.Join(elementOr(s, 6), " "), " "), s.Element(7, 0), s.Element(8, 0)}
			t.Address = strings.Join(nonEmpty(parts), ", ")
		default:
			p.travellerSegs++
			p.warn(s, "party qualifier %q is not a traveller; left out", q)
		}
	case "PDT":
		p.travellerSegs++
		p.pdt(s)
	case "CTA":
		if m.Contact == "" {
			var phones []string
			for _, e := range s.Elements[min(2, len(s.Elements)):] {
				phones = append(phones, e[0])
			}
			m.Contact = strings.Join(nonEmpty(append([]string{s.Element(1, 1)}, phones...)), " ")
		}
	case "UNS":
		p.traveller, p.doc = nil, nil
	case "TDT":
		flight, carrier := s.Element(1, 0), s.Element(4, 0)
		if carrier == "" {
			// US/EDIFACT puts the carrier in the fourth element; a bare
			// designator names its own.
			carrier = s.Element(3, 0)
			if carrier == "" || carrier != strings.ToUpper(carrier) || len(carrier) > 3 {
				carrier = designatorCarrier(flight)
			}
		}
		m.Legs = append(m.Legs, Leg{Flight: flight, Carrier: carrier})
		p.leg, p.traveller, p.doc = &Leg{Flight: flight, Carrier: carrier}, nil, nil
		p.places, p.from, p.to = 0, -1, -1
	case "LOC":
		q, place := s.Element(0, 0), s.Element(1, 0)
		if place == "" {
			place = strings.TrimSpace(s.Element(1, 3))
		}
		switch {
		case p.doc != nil && q == "91":
			p.doc.IssuingCountry = place
		case t != nil:
			switch q {
			case "22":
				t.Clearance = place
			case "174":
				t.Residence = place
			case "178":
				t.Embarkation = place
			case "179":
				t.Debarkation = place
			case "180":
				t.BirthPlace = place
			}
		case p.leg != nil:
			p.place(s, q, place)
		}
	case "DTM":
		q, v := s.Element(0, 0), strings.TrimSpace(s.Element(0, 1))
		if v == "" && s.Element(1, 0) != "" {
			// US/EDIFACT: DTM+136+YYMMDD+HHMM+offset.
			v = strings.TrimSpace(s.Element(1, 0) + s.Element(2, 0))
		}
		switch {
		case q == "329" && t != nil:
			t.BirthDate = p.day(s, v, past)
		case q == "36" && p.doc != nil:
			p.doc.Expiry = p.day(s, v, near)
		case q == "182" && p.doc != nil:
			p.doc.Issued = p.day(s, v, past)
		case (q == "189" || q == "136") && p.leg != nil && p.from >= 0:
			l := &m.Legs[p.from]
			if l.Departure != "" {
				p.warn(s, "a second departure time for the leg from %s; the first is kept", l.From)
				break
			}
			l.Departure = p.minute(s, v)
		case (q == "232" || q == "132") && p.leg != nil && p.to >= 0:
			l := &m.Legs[p.to]
			if l.Arrival != "" {
				p.warn(s, "a second arrival time for the leg to %s; the first is kept", l.To)
				break
			}
			l.Arrival = p.minute(s, v)
		}
	case "ATT":
		if t != nil && s.Element(0, 0) == "2" {
			t.Sex = s.Element(2, 0)
		}
	case "NAT":
		if t != nil {
			t.Nationality = s.Element(1, 0)
		}
	case "DOC":
		if t == nil {
			return fail(s, "a document before any traveller (NAD)")
		}
		t.Documents = append(t.Documents, Document{Type: s.Element(0, 0), Number: s.Element(1, 0)})
		p.doc = &t.Documents[len(t.Documents)-1]
	case "FTX":
		if t != nil && s.Element(0, 0) == "BAG" {
			tag := BagTag{Tag: strings.TrimSpace(s.Element(3, 0)), Count: 1}
			if c := strings.TrimSpace(s.Element(3, 1)); c != "" {
				n, err := strconv.Atoi(c)
				if err != nil || n < 1 {
					p.warn(s, "the count of consecutive bag tags %q is not a number; one bag counted", c)
				} else {
					tag.Count = n
				}
			}
			t.BagTags = append(t.BagTags, tag)
			if !p.bagsSent {
				t.Bags += tag.Count
			}
		}
	case "MEA":
		if t == nil {
			return nil
		}
		// C174: the unit, then the value; "MEA+CT++4" puts the value
		// where the unit goes.
		unit, value := strings.TrimSpace(s.Element(2, 0)), strings.TrimSpace(s.Element(2, 1))
		if _, err := strconv.ParseFloat(unit, 64); value == "" && err == nil {
			unit, value = "", unit
		}
		switch s.Element(0, 0) {
		case "CT":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				p.warn(s, "the count of bags %q is not a number", value)
				break
			}
			t.Bags, p.bagsSent = n, true
		case "WT":
			t.BagWeight, t.BagWeightUnit = value, unit
		}
	case "CNT":
		n, err := strconv.Atoi(s.Element(0, 1))
		if err != nil {
			p.warn(s, "count %q is not a number", s.Element(0, 1))
		} else if p.cur.final && n != len(m.Travellers) && p.cur.sequence == 1 {
			p.warn(s, "declares %d travellers; the message lists %d", n, len(m.Travellers))
		}
		p.traveller, p.doc = nil, nil
	case "COM", "GEI", "EMP", "QTY":
	default:
		p.warn(s, "unknown segment; left out")
	}
	return nil
}

// newTraveller adds a traveller to the message; the segments that follow
// are theirs.
func (p *parser) newTraveller(t Traveller) *Traveller {
	m := p.cur.m
	m.Travellers = append(m.Travellers, t)
	p.traveller, p.doc, p.leg, p.bagsSent = &m.Travellers[len(m.Travellers)-1], nil, nil, false
	return p.traveller
}

// place reads a LOC of a flight. One TDT may give several legs: a
// departure place after a leg that has one starts the next leg, as does an
// arrival after a leg that has one; LOC+92 (routing) fills the departure,
// then the arrival, then starts the next leg; US/EDIFACT's LOC+PT (a
// place of transit) ends one leg and starts the next.
func (p *parser) place(s *edifact.Segment, q, place string) {
	m := p.cur.m
	switch q {
	case "5", "005", "8", "008", "PT":
		place = airport(place)
	case "125", "87", "92":
	default:
		return
	}
	p.places++
	if p.places == 100 {
		p.warn(s, "more than 99 places for one flight (TDT); read all the same")
	}
	// next starts a leg of the same flight from a place.
	next := func(from string) *Leg {
		m.Legs = append(m.Legs, Leg{Flight: p.leg.Flight, Carrier: p.leg.Carrier, From: from})
		p.from, p.to = len(m.Legs)-1, -1
		return &m.Legs[len(m.Legs)-1]
	}
	cur := &m.Legs[len(m.Legs)-1]
	switch {
	case q == "125" || q == "5" || q == "005" || q == "92" && cur.To != "":
		if cur.From != "" || cur.To != "" {
			next(place)
			return
		}
		cur.From, p.from = place, len(m.Legs)-1
	case q == "92" && cur.From == "":
		cur.From, p.from = place, len(m.Legs)-1
	default: // 87, 8, 92 after a departure, PT
		if cur.To != "" {
			cur = next(cur.To)
		}
		cur.To, p.to = place, len(m.Legs)-1
		if q == "PT" {
			next(place)
			p.to = len(m.Legs) - 2
		}
	}
}

// pdt reads a US/EDIFACT traveller: PDT+document type/number:expiry:issuing
// country+surname:given name:middle name:birth date:sex+PAX|CRW|ITI
// +embarkation:debarkation, the places as country and airport (NZAKL).
func (p *parser) pdt(s *edifact.Segment) {
	t := Traveller{Role: "FL", Surname: strings.TrimSpace(s.Element(1, 0)),
		GivenNames: strings.TrimSpace(s.Element(1, 1) + " " + s.Element(1, 2)), Sex: s.Element(1, 4)}
	switch status := s.Element(2, 0); status {
	case "PAX", "":
	case "CRW":
		t.Role = "FM"
	case "ITI":
		t.Role = "DDT"
	default:
		p.warn(s, "traveller status %q is not PAX, CRW or ITI; read as a passenger", status)
	}
	t.Embarkation, t.Debarkation = airport(s.Element(3, 0)), airport(s.Element(3, 1))
	tp := p.newTraveller(t)
	tp.BirthDate = p.day(s, s.Element(1, 3), past)
	if doc := s.Element(0, 0); doc != "" {
		typ, number, ok := strings.Cut(doc, "/")
		if !ok {
			typ, number = "", doc
		}
		tp.Documents = append(tp.Documents, Document{Type: typ, Number: number, IssuingCountry: s.Element(0, 2), Expiry: p.day(s, s.Element(0, 1), near)})
	}
	p.traveller, p.doc = nil, nil // PDT is whole: what follows is not this traveller's
}

// airport takes the airport of a US/EDIFACT place: its country then its
// airport, NZAKL.
func airport(place string) string {
	if len(place) == 5 {
		return place[2:]
	}
	return place
}

// designatorCarrier is the airline of a flight designator such as UA0989
// or 4U123, or "" when the flight is no designator.
func designatorCarrier(flight string) string {
	if len(flight) < 3 {
		return ""
	}
	c, rest := flight[:2], strings.TrimRight(flight[2:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	if rest == "" || len(rest) > 4 || strings.Trim(rest, "0123456789") != "" || strings.Trim(c, "0123456789") == "" {
		return ""
	}
	for _, r := range c {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return c
}

func elementOr(s *edifact.Segment, e int) []string {
	if e < len(s.Elements) {
		return s.Elements[e]
	}
	return nil
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// prepared reads the date and time of a UNB or UNG: YYMMDD or CCYYMMDD,
// and HHMM.
func prepared(date, clock string) time.Time {
	layout := "0601021504"
	if len(date) == 8 {
		layout = "200601021504"
	}
	t, err := time.Parse(layout, date+clock)
	if err != nil {
		t, _ = time.Parse(layout[:len(layout)-4], date)
	}
	return t
}

// span says which century a two-digit year falls in.
type span int

const (
	// past is a birth or an issue: not after the message was sent.
	past span = iota
	// near is an expiry or a flight: within fifty years of the message.
	near
)

// ref is the date two-digit years resolve against: when the interchange
// was prepared, or today for an interchange that does not say.
func (p *parser) ref() time.Time {
	if p.prepared.IsZero() {
		return time.Now().UTC()
	}
	return p.prepared
}

// century puts t, read with a two-digit year, in the century span asks.
func century(t, ref time.Time, sp span) time.Time {
	at := func(y int) time.Time { return time.Date(y, t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC) }
	y := ref.Year()/100*100 + t.Year()%100
	switch {
	case sp == past && at(y).After(ref):
		y -= 100
	case sp == near && y > ref.Year()+50:
		y -= 100
	case sp == near && y <= ref.Year()-50:
		y += 100
	}
	return at(y)
}

// day turns YYMMDD or CCYYMMDD into YYYY-MM-DD, a two-digit year resolved
// against the message's date. Other text is kept, with a warning.
func (p *parser) day(s *edifact.Segment, v string, sp span) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if len(v) == 8 {
		if t, err := time.Parse("20060102", v); err == nil {
			return t.Format("2006-01-02")
		}
	} else if t, err := time.Parse("060102", v); err == nil && len(v) == 6 {
		return century(t, p.ref(), sp).Format("2006-01-02")
	}
	p.warn(s, "%q is not a date (YYMMDD); kept as sent", v)
	return v
}

// minute turns YYMMDDHHMM or CCYYMMDDHHMM into YYYY-MM-DDTHH:MM, a
// two-digit year resolved near the message's date. Other text, such as
// an hour 43, is kept, with a warning.
func (p *parser) minute(s *edifact.Segment, v string) string {
	if len(v) == 12 {
		if t, err := time.Parse("200601021504", v); err == nil {
			return t.Format("2006-01-02T15:04")
		}
	} else if t, err := time.Parse("0601021504", v); err == nil && len(v) == 10 {
		return century(t, p.ref(), near).Format("2006-01-02T15:04")
	}
	if v != "" {
		p.warn(s, "%q is not a date and time (YYMMDDHHMM); kept as sent", v)
	}
	return v
}

// join merges the parts of each message by their common reference.
func (p *parser) join() []*Manifest {
	var out []*Manifest
	groups := map[string][]*part{}
	var order []string
	for _, pt := range p.parts {
		key := pt.group
		if key == "" {
			key = fmt.Sprintf("\x00%p", pt)
		}
		if groups[key] == nil {
			order = append(order, key)
		}
		groups[key] = append(groups[key], pt)
	}
	for _, key := range order {
		ps := groups[key]
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].sequence < ps[j].sequence })
		m := ps[0].m
		if ps[0].sequence > 1 {
			// Parts come in order: a first part numbered 3 means parts 1
			// and 2 were not received, and their travellers are unscreened.
			m.Warnings = append(m.Warnings, Warning{Segment: ps[0].at, Tag: "UNH",
				Msg: fmt.Sprintf("part %d of a message sent in parts (%s); the parts before it are missing", ps[0].sequence, ps[0].group)})
		}
		for i, pt := range ps[1:] {
			m.Travellers = append(m.Travellers, pt.m.Travellers...)
			m.Warnings = append(m.Warnings, pt.m.Warnings...)
			if len(m.Legs) == 0 {
				m.Legs = pt.m.Legs
			}
			if pt.sequence != ps[i].sequence+1 {
				m.Warnings = append(m.Warnings, Warning{Segment: pt.at, Tag: "UNH", Msg: fmt.Sprintf("part %d follows part %d", pt.sequence, ps[i].sequence)})
			}
		}
		m.Parts = len(ps)
		if !ps[len(ps)-1].final {
			m.Warnings = append(m.Warnings, Warning{Segment: ps[len(ps)-1].at, Tag: "UNH", Msg: "the final part (F) is missing"})
		}
		out = append(out, m)
	}
	return out
}
