// Package paxlst reads UN/EDIFACT PAXLST messages, the Advance Passenger
// Information that carriers send before a flight: the flight legs, and
// each passenger or crew member with their documents. Directories D02B to
// D15B are read alike. Messages sent in parts (01:C … 03:F) are joined.
// Counts that disagree with what was sent are warnings, not errors: real
// traffic gets them wrong.
package paxlst

import (
	"fmt"
	"io"
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
	Bags       string
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
	segs, _, err := edifact.Parse(r)
	if err != nil {
		return nil, err
	}
	p := &parser{}
	if err := p.run(segs); err != nil {
		return nil, err
	}
	return p.join(), nil
}

type part struct {
	m        *Manifest
	group    string
	sequence int
	final    bool
}

type parser struct {
	sender, recipient string
	prepared          time.Time
	parts             []*part
	cur               *part
	traveller         *Traveller
	doc               *Document
	leg               *Leg
	unhAt             int
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
			p.prepared, _ = time.Parse("0601021504", s.Element(3, 0)+strings.ReplaceAll(s.Element(3, 1), ":", ""))
		case "UNG", "UNE", "UNZ":
		case "UNH":
			if s.Element(1, 0) != "PAXLST" {
				return fail(s, "message type %q is not PAXLST", s.Element(1, 0))
			}
			pt := &part{m: &Manifest{Sender: p.sender, Recipient: p.recipient, Prepared: p.prepared, Reference: s.Element(0, 0),
				Version: s.Element(1, 1) + ":" + s.Element(1, 2), Parts: 1}, group: s.Element(2, 0), sequence: 1, final: true}
			if seq := s.Element(3, 0); seq != "" {
				n, err := strconv.Atoi(seq)
				if err != nil {
					return fail(s, "part number %q is not a number", seq)
				}
				pt.sequence, pt.final = n, s.Element(3, 1) != "C"
			}
			p.parts = append(p.parts, pt)
			p.cur, p.traveller, p.doc, p.leg, p.unhAt = pt, nil, nil, nil, s.Index
		case "UNT":
			declared, err := strconv.Atoi(s.Element(0, 0))
			if got := s.Index - p.unhAt + 1; err != nil || declared != got {
				p.warn(s, "declares %s segments; the message has %d", s.Element(0, 0), got)
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
			m.Travellers = append(m.Travellers, Traveller{Role: q, Surname: s.Element(3, 0),
				GivenNames: strings.TrimSpace(s.Element(3, 1) + " " + s.Element(3, 2))})
			t = &m.Travellers[len(m.Travellers)-1]
			parts := []string{s.Element(4, 0), s.Element(5, 0), strings.Trim(strings.Join(elementOr(s, 6), " "), " "), s.Element(7, 0), s.Element(8, 0)}
			t.Address = strings.Join(nonEmpty(parts), ", ")
			p.traveller, p.doc, p.leg = t, nil, nil
		default:
			p.warn(s, "party qualifier %q is not a traveller; left out", q)
		}
	case "TDT":
		m.Legs = append(m.Legs, Leg{Flight: s.Element(1, 0), Carrier: s.Element(4, 0)})
		p.leg, p.traveller, p.doc = &m.Legs[len(m.Legs)-1], nil, nil
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
			switch {
			case q == "125" || q == "92" && p.leg.From == "":
				p.leg.From = place
			case q == "87" || q == "92":
				p.leg.To = place
			}
		}
	case "DTM":
		q, v := s.Element(0, 0), strings.TrimSpace(s.Element(0, 1))
		switch {
		case q == "329" && t != nil:
			t.BirthDate = day(v, p.prepared, false)
		case q == "36" && p.doc != nil:
			p.doc.Expiry = day(v, p.prepared, true)
		case q == "182" && p.doc != nil:
			p.doc.Issued = day(v, p.prepared, false)
		case q == "189" && p.leg != nil:
			p.leg.Departure = minute(v)
		case q == "232" && p.leg != nil:
			p.leg.Arrival = minute(v)
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
			t.Bags = strings.Join(nonEmpty(elementOr(s, 3)), ":")
		}
	case "CNT":
		n, err := strconv.Atoi(s.Element(0, 1))
		if err != nil {
			p.warn(s, "count %q is not a number", s.Element(0, 1))
		} else if p.cur.final && n != len(m.Travellers) && p.cur.sequence == 1 {
			p.warn(s, "declares %d travellers; the message lists %d", n, len(m.Travellers))
		}
		p.traveller, p.doc = nil, nil
	case "COM", "MEA", "GEI", "EMP", "QTY", "CTA":
	default:
		p.warn(s, "unknown segment; left out")
	}
	return nil
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

// day turns YYMMDD into YYYY-MM-DD, the century taken before ref for
// births and within 50 years of it for expiries; other text is kept.
func day(v string, ref time.Time, future bool) string {
	if len(v) != 6 {
		return v
	}
	t, err := time.Parse("060102", v)
	if err != nil {
		return v
	}
	if ref.IsZero() {
		ref = time.Now()
	}
	year := ref.Year()/100*100 + t.Year()%100
	if future && year > ref.Year()+50 || !future && year > ref.Year() {
		year -= 100
	}
	return fmt.Sprintf("%04d-%02d-%02d", year, t.Month(), t.Day())
}

// minute turns YYMMDDHHMM into YYYY-MM-DDTHH:MM; other text is kept.
func minute(v string) string {
	t, err := time.Parse("0601021504", v)
	if err != nil {
		return v
	}
	return t.Format("2006-01-02T15:04")
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
		for i, pt := range ps[1:] {
			m.Travellers = append(m.Travellers, pt.m.Travellers...)
			m.Warnings = append(m.Warnings, pt.m.Warnings...)
			if len(m.Legs) == 0 {
				m.Legs = pt.m.Legs
			}
			if pt.sequence != i+2 {
				m.Warnings = append(m.Warnings, Warning{Tag: "UNH", Msg: fmt.Sprintf("part %d follows part %d", pt.sequence, ps[i].sequence)})
			}
		}
		m.Parts = len(ps)
		if !ps[len(ps)-1].final {
			m.Warnings = append(m.Warnings, Warning{Tag: "UNH", Msg: "the final part (F) is missing"})
		}
		out = append(out, m)
	}
	return out
}
