// Package manifest screens what airlines send about their travellers —
// passenger and crew lists (PAXLST) and booking records (PNRGOV): every
// traveller by name, date of birth, nationality, sex and travel document,
// with the journey kept beside each subject so that a confirmed hit can
// become a Movement of the matched person.
package manifest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/mrz"
	"ctis/paxlst"
	"ctis/pnrgov"
	"ctis/rules"
)

// Subjects turns a manifest's travellers into screening subjects, in
// order. A traveller's journey is the leg they board and leave, as far as
// the manifest tells (its first and last legs otherwise).
func Subjects(m *paxlst.Manifest) []ctis.Subject {
	out := make([]ctis.Subject, len(m.Travellers))
	for i := range m.Travellers {
		t := &m.Travellers[i]
		s := ctis.Subject{Name: t.Name(), BirthDate: t.BirthDate, Nationality: t.Nationality, Gender: gender(t.Sex), Schema: "Person"}
		if len(t.Documents) > 0 {
			s.DocumentNumber = t.Documents[0].Number
		}
		if j := journey(m.Legs, t); j != nil {
			j.Document = s.DocumentNumber
			s.Journey = j
		}
		out[i] = s
	}
	return out
}

// journey finds the legs between the traveller's embarkation and
// debarkation airports.
func journey(legs []paxlst.Leg, t *paxlst.Traveller) *ctis.Journey {
	if len(legs) == 0 {
		return nil
	}
	first, last := 0, len(legs)-1
	for i, l := range legs {
		if t.Embarkation != "" && l.From == t.Embarkation {
			first = i
			break
		}
	}
	for i := len(legs) - 1; i >= first; i-- {
		if t.Debarkation != "" && legs[i].To == t.Debarkation {
			last = i
			break
		}
	}
	if last < first {
		last = first
	}
	a, b := legs[first], legs[last]
	return &ctis.Journey{Carrier: a.Carrier, Flight: a.Flight, From: a.From, To: b.To, Departure: a.Departure, Arrival: b.Arrival}
}

// gender maps the PAXLST sex codes (M, F, U, X).
func gender(sex string) string {
	switch strings.ToUpper(sex) {
	case "M":
		return "male"
	case "F":
		return "female"
	case "X":
		return "other"
	case "U":
		return "unknown"
	}
	return ""
}

// role names a NAD qualifier.
func role(q string) string {
	switch q {
	case "FL":
		return "passenger"
	case "FM":
		return "crew"
	case "DDT", "DDU":
		return "transit"
	}
	return strings.ToLower(q)
}

// Screen screens every traveller of m, checks their documents when docs
// is given, and refers them to the rules in force. A traveller whose
// details do not pass as a subject (a nationality code that is no
// country, a name too long to be one) is screened on what remains rather
// than dropped, and the manifest's warnings say so: a bad field must not
// let a traveller pass unscreened.
func Screen(ctx context.Context, sc ctis.Screener, docs ctis.DocumentService, active []*rules.Compiled, m *paxlst.Manifest) (*ctis.ManifestScreening, error) {
	b := manifestBatch(m)
	if err := b.screen(ctx, sc, docs, active); err != nil {
		return nil, err
	}
	return b.out, nil
}

// PNRRecords turns a PNRGOV message's passengers into PNR travel records,
// with what the retention policy masks: names and co-travellers,
// address and contacts, payment, frequent-flyer numbers and free text.
// Each field that cannot be kept as sent is left out.
func PNRRecords(m *pnrgov.Message) []ctis.NewTravelRecord { return pnrBatch(m).records }

// batch is one message made ready to screen and keep, before anything is
// screened or kept: its travellers as subjects and as records, every
// field that does not pass already dropped with a warning in out.
type batch struct {
	out      *ctis.ManifestScreening // reference, legs and warnings so far
	subjects []ctis.Subject
	roles    []string
	facts    []rules.Facts
	records  []ctis.NewTravelRecord
	// documents are the travellers' first documents, to check against
	// the document lists (manifests only).
	documents []ctis.DocumentQuery
	holders   []int
	// screenable says of each traveller whether it can be screened
	// against the database; warnings are what add said of it.
	screenable []bool
	warnings   [][]string
}

// manifestBatch prepares a PAXLST manifest.
func manifestBatch(m *paxlst.Manifest) *batch {
	b := &batch{out: &ctis.ManifestScreening{Reference: m.Reference, Crew: m.Crew, Legs: []ctis.Journey{}, Warnings: []string{}, Travellers: []ctis.TravellerScreening{}}}
	for _, l := range m.Legs {
		b.out.Legs = append(b.out.Legs, ctis.Journey{Carrier: l.Carrier, Flight: l.Flight, From: l.From, To: l.To, Departure: l.Departure, Arrival: l.Arrival})
	}
	for _, w := range m.Warnings {
		b.out.Warnings = append(b.out.Warnings, w.String())
	}
	subjects := Subjects(m)
	for i := range m.Travellers {
		t := &m.Travellers[i]
		s := subjects[i]
		r := ctis.NewTravelRecord{Kind: ctis.TravelAPI, Reference: m.Reference, Personal: ctis.TravelPersonal{
			Name: s.Name, BirthDate: s.BirthDate, Nationality: s.Nationality, Gender: s.Gender, Document: s.DocumentNumber, Address: t.Address}}
		if s.Journey != nil {
			r.Journey = *s.Journey
		}
		b.add(s, role(t.Role), rules.FactsOfTraveller(m, t), r)
		if len(t.Documents) == 0 || b.subjects[i].DocumentNumber == "" {
			continue
		}
		d := t.Documents[0]
		q := ctis.DocumentQuery{Number: b.subjects[i].DocumentNumber, IssuingCountry: d.IssuingCountry, Type: documentTypes[d.Type]}
		if q.Validate() != nil {
			q.IssuingCountry = "" // an issuing code that is no country: checked by number alone
			if q.Validate() != nil {
				continue
			}
		}
		b.documents, b.holders = append(b.documents, q), append(b.holders, i)
	}
	return b
}

// pnrBatch prepares a PNRGOV message, booking by booking.
func pnrBatch(m *pnrgov.Message) *batch {
	b := &batch{out: &ctis.ManifestScreening{Reference: m.Reference, Legs: []ctis.Journey{}, Warnings: []string{}, Travellers: []ctis.TravellerScreening{}}}
	f := m.Flight
	b.out.Legs = append(b.out.Legs, ctis.Journey{Carrier: f.Carrier, Flight: f.Flight, From: f.From, To: f.To, Departure: f.Departure, Arrival: f.Arrival})
	for _, w := range m.Warnings {
		b.out.Warnings = append(b.out.Warnings, w.String())
	}
	for i := range m.PNRs {
		bk := &m.PNRs[i]
		for j := range bk.Passengers {
			x := &bk.Passengers[j]
			s := pnrSubject(f, x)
			per := ctis.TravelPersonal{Name: s.Name, BirthDate: s.BirthDate, Nationality: s.Nationality, Gender: s.Gender, Document: s.DocumentNumber,
				Contact:       strings.Join(slices.Concat(bk.Contacts, bk.Emails, bk.Phones), "; "),
				FrequentFlyer: strings.Join(x.FrequentFlyers, "; "),
				Remarks:       strings.Join(slices.Concat(bk.Remarks, x.Remarks), "; ")}
			var addrs, visas, seats, bags []string
			for _, a := range slices.Concat(bk.Addresses, x.Addresses) {
				addrs = append(addrs, strings.Join(nonEmpty(a.Street, a.City, a.State, a.Postcode, a.Country), ", "))
			}
			for _, v := range x.Visas {
				visas = append(visas, strings.Join(nonEmpty(v.Type, v.Number, v.IssuePlace, v.Issued, labelled("for ", v.Country)), " "))
			}
			for _, st := range x.Seats {
				seats = append(seats, strings.Join(nonEmpty(st.Number, st.Cabin, st.Carrier+st.Flight, labelled(st.From+"-", st.To)), " "))
			}
			for _, g := range x.Bags {
				tags := make([]string, 0, len(g.Tags))
				for _, t := range g.Tags {
					tags = append(tags, t.Carrier+t.Number+labelled(" to ", t.Destination))
				}
				bags = append(bags, strings.Join(nonEmpty(labelled(strconv.Itoa(g.Count), " bag(s)"), g.Weight+g.Unit, g.Carrier+g.Flight, strings.Join(tags, ", ")), " "))
			}
			per.Address, per.Visa, per.Seats, per.Bags = strings.Join(addrs, "; "), strings.Join(visas, "; "), strings.Join(seats, "; "), strings.Join(bags, "; ")
			var pays []string
			for _, p := range append(append([]pnrgov.Payment{}, bk.Payments...), x.Payments...) {
				pays = append(pays, strings.Join(nonEmpty(p.Type, p.Vendor, p.Number), " "))
			}
			per.Payment = strings.Join(pays, "; ")
			for k := range bk.Passengers {
				if other := &bk.Passengers[k]; other != x {
					per.CoTravellers = append(per.CoTravellers, other.Name())
				}
			}
			r := ctis.NewTravelRecord{Kind: ctis.TravelPNR, Reference: m.Reference, Locator: bk.Locator, Journey: *s.Journey, Personal: per}
			b.add(s, "passenger, booking "+bk.Locator, rules.FactsOf(bk, x), r)
		}
	}
	return b
}

// pnrSubject turns a passenger into a subject, with the details of their
// first travel document and the journey of the message's flight. The
// name is the document's when it passes as a name, else the booking's.
func pnrSubject(f pnrgov.Leg, x *pnrgov.Passenger) ctis.Subject {
	s := ctis.Subject{Name: x.Name(), Schema: "Person",
		Journey: &ctis.Journey{Carrier: f.Carrier, Flight: f.Flight, From: f.From, To: f.To, Departure: f.Departure, Arrival: f.Arrival}}
	if len(x.Documents) > 0 {
		d := x.Documents[0]
		if name := strings.TrimSpace(d.GivenNames + " " + d.Surname); d.Surname != "" && (validName(name) || !validName(s.Name)) {
			s.Name = name
		}
		s.BirthDate, s.Nationality, s.Gender, s.DocumentNumber = d.BirthDate, d.Nationality, gender(d.Gender), d.Number
		s.Journey.Document = d.Number
	}
	return s
}

func validName(name string) bool {
	_, err := ctis.NormalizeValue(ctis.Property{Type: ctis.TypeName}, name)
	return err == nil
}

// add takes in the next traveller: the subject with the fields that do
// not pass dropped, and the record with the same name and the fields
// that cannot be kept dropped, each with a warning. A traveller with no
// usable name is screened by document number alone when it can carry a
// screening, and kept and listed for a person to check otherwise.
func (b *batch) add(s ctis.Subject, role string, facts rules.Facts, r ctis.NewTravelRecord) {
	n := len(b.subjects) + 1
	warnings, err := s.Salvage()
	if err != nil {
		why := ctis.ErrorMessage(err)
		if ctis.ErrorField(err) == "name" && s.Name == "" {
			why = "no name to screen against the database (" + why + "); kept, and listed here for a person to check"
		}
		warnings = append(warnings, why)
	}
	if s.Name == "" {
		r.Personal.Name = "" // the warnings say why
	}
	for _, w := range warnings {
		b.out.Warnings = append(b.out.Warnings, fmt.Sprintf("traveller %d: %s", n, w))
	}
	for _, err := range r.DropInvalid() {
		b.out.Warnings = append(b.out.Warnings, fmt.Sprintf("traveller %d: %s not kept (%s)", n, ctis.ErrorField(err), ctis.ErrorMessage(err)))
	}
	b.subjects, b.roles, b.facts, b.records = append(b.subjects, s), append(b.roles, role), append(b.facts, facts), append(b.records, r)
	b.screenable, b.warnings = append(b.screenable, err == nil), append(b.warnings, warnings)
}

// screen refers the batch's travellers to the rules in force, then
// screens them and checks their documents when docs is given, into b.out.
func (b *batch) screen(ctx context.Context, sc ctis.Screener, docs ctis.DocumentService, active []*rules.Compiled) error {
	b.refer(active)
	return b.match(ctx, sc, docs)
}

// refer lists the batch's travellers in b.out with the rules that hold
// for each. A rule that cannot be evaluated for a traveller is a warning;
// the other rules still refer the traveller.
func (b *batch) refer(active []*rules.Compiled) {
	b.out.Travellers = make([]ctis.TravellerScreening, len(b.subjects))
	for i, s := range b.subjects {
		refs, err := rules.Refer(active, b.facts[i], s.Name)
		if err != nil { // the other rules still refer the traveller
			b.out.Warnings = append(b.out.Warnings, fmt.Sprintf("traveller %d: %v", i+1, err))
		}
		b.out.Travellers[i] = ctis.TravellerScreening{Index: i, Role: b.roles[i], Referrals: refs,
			Result: ctis.ScreenResult{Subject: s, Hits: []ctis.Hit{}, Notices: []ctis.HitNotice{}, Warnings: b.travellerWarnings(i, nil)}}
	}
}

// match screens the travellers that refer listed, and checks their
// documents when docs is given.
func (b *batch) match(ctx context.Context, sc ctis.Screener, docs ctis.DocumentService) error {
	out := b.out
	// Those with a name or a document number to screen by against the
	// database, in batches; one with neither keeps its empty result, and
	// the warnings say why.
	var named []int
	for i := range b.subjects {
		if b.screenable[i] {
			named = append(named, i)
		}
	}
	for start := 0; start < len(named); start += ctis.MaxBatch {
		part := named[start:min(start+ctis.MaxBatch, len(named))]
		subjects := make([]ctis.Subject, len(part))
		for k, i := range part {
			subjects[k] = b.subjects[i]
		}
		res, err := sc.ScreenBatch(ctx, subjects)
		if err != nil {
			return err
		}
		for k, r := range res {
			r.Warnings = b.travellerWarnings(part[k], r.Warnings)
			out.Travellers[part[k]].Result = r
			if len(r.Hits) > 0 || len(r.Notices) > 0 {
				out.Hits++
			}
		}
	}
	if docs == nil {
		return nil
	}
	// Every traveller's first document against the document lists, in one
	// round for the whole manifest.
	for start := 0; start < len(b.documents); start += ctis.MaxBatch {
		end := min(start+ctis.MaxBatch, len(b.documents))
		checks, err := docs.CheckDocuments(ctx, b.documents[start:end])
		if err != nil {
			return err
		}
		for k := range checks {
			tr := &out.Travellers[b.holders[start+k]]
			tr.Document = &checks[k]
			if checks[k].Hit && len(tr.Result.Hits)+len(tr.Result.Notices) == 0 {
				out.Hits++
			}
		}
	}
	return nil
}

// travellerWarnings are what was left out of traveller i, then more.
func (b *batch) travellerWarnings(i int, more []string) []string {
	return append(append([]string{}, b.warnings[i]...), more...)
}

// documentTypes maps the document codes of PAXLST (UN/EDIFACT 1001 and
// ICAO) to the Document schema's types.
var documentTypes = map[string]string{"P": "passport", "PT": "passport", "I": "id_card", "A": "id_card", "C": "id_card", "V": "visa", "IP": "passport", "F": "other"}

// labelled is label and v together, or "" when v is empty.
func labelled(label, v string) string {
	if v == "" {
		return ""
	}
	return label + v
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// FillFromMRZ completes s from a travel document's machine-readable zone:
// the name, birth date, nationality, document number and sex the MRZ
// gives, where s lacks them. A bad check digit is an error naming the
// field, and fills nothing.
func FillFromMRZ(s *ctis.Subject, text string, now time.Time) error {
	d, err := mrz.Parse(text)
	if err != nil {
		return ctis.Invalid("mrz", "%s", err.Error())
	}
	if s.Name == "" {
		s.Name = d.Name()
	}
	if s.BirthDate == "" {
		s.BirthDate = d.Birth(now)
	}
	if c, ok := ctis.CountryCode(d.Nationality); ok && s.Nationality == "" {
		s.Nationality = c
	}
	if s.DocumentNumber == "" {
		s.DocumentNumber = d.DocumentNumber
	}
	if s.Gender == "" {
		s.Gender = gender(d.Sex)
	}
	return nil
}
