// Package manifest screens what airlines send about their travellers —
// passenger and crew lists (PAXLST) and booking records (PNRGOV): every
// traveller by name, date of birth, nationality, sex and travel document,
// with the journey kept beside each subject so that a confirmed hit can
// become a Movement of the matched person.
package manifest

import (
	"context"
	"errors"
	"fmt"
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
// is given, and refers them to the rules in force. A traveller whose details do not
// pass as a subject (a nationality code that is no country, say) is
// screened on what remains rather than dropped, and the manifest's warnings
// say so: a bad field must not let a traveller pass unscreened.
func Screen(ctx context.Context, sc ctis.Screener, docs ctis.DocumentService, active []*rules.Compiled, m *paxlst.Manifest) (*ctis.ManifestScreening, error) {
	out := &ctis.ManifestScreening{Reference: m.Reference, Crew: m.Crew, Legs: []ctis.Journey{}, Warnings: []string{}, Travellers: []ctis.TravellerScreening{}}
	for _, l := range m.Legs {
		out.Legs = append(out.Legs, ctis.Journey{Carrier: l.Carrier, Flight: l.Flight, From: l.From, To: l.To, Departure: l.Departure, Arrival: l.Arrival})
	}
	for _, w := range m.Warnings {
		out.Warnings = append(out.Warnings, w.String())
	}
	roles := make([]string, len(m.Travellers))
	for i, t := range m.Travellers {
		roles[i] = role(t.Role)
	}
	subjects := Subjects(m)
	if err := screenAll(ctx, sc, subjects, roles, out); err != nil {
		return nil, err
	}
	for i := range out.Travellers {
		refs, err := rules.Refer(active, rules.FactsOfTraveller(m, &m.Travellers[i]), subjects[i].Name)
		if err != nil { // the other rules still refer the traveller
			out.Warnings = append(out.Warnings, fmt.Sprintf("traveller %d: %v", i+1, err))
		}
		out.Travellers[i].Referrals = refs
	}
	if docs == nil {
		return out, nil
	}
	// Every traveller's first document against the document lists, in one
	// round for the whole manifest.
	var qs []ctis.DocumentQuery
	var who []int
	for i, t := range m.Travellers {
		if len(t.Documents) == 0 {
			continue
		}
		d := t.Documents[0]
		q := ctis.DocumentQuery{Number: d.Number, IssuingCountry: d.IssuingCountry, Type: documentTypes[d.Type]}
		if q.Validate() != nil {
			q.IssuingCountry = "" // an issuing code that is no country: checked by number alone
			if q.Validate() != nil {
				continue
			}
		}
		qs, who = append(qs, q), append(who, i)
	}
	for start := 0; start < len(qs); start += ctis.MaxBatch {
		end := min(start+ctis.MaxBatch, len(qs))
		checks, err := docs.CheckDocuments(ctx, qs[start:end])
		if err != nil {
			return nil, err
		}
		for k := range checks {
			tr := &out.Travellers[who[start+k]]
			tr.Document = &checks[k]
			if checks[k].Hit && len(tr.Result.Hits)+len(tr.Result.Notices) == 0 {
				out.Hits++
			}
		}
	}
	return out, nil
}

// documentTypes maps the document codes of PAXLST (UN/EDIFACT 1001 and
// ICAO) to the Document schema's types.
var documentTypes = map[string]string{"P": "passport", "PT": "passport", "I": "id_card", "A": "id_card", "C": "id_card", "V": "visa", "IP": "passport", "F": "other"}

// screenAll screens subjects in batches into out, salvaging what it can of
// a subject whose details do not pass.
func screenAll(ctx context.Context, sc ctis.Screener, subjects []ctis.Subject, roles []string, out *ctis.ManifestScreening) error {
	for i := range subjects {
		var dropped []string
		subjects[i], dropped = salvage(subjects[i])
		for _, d := range dropped {
			out.Warnings = append(out.Warnings, fmt.Sprintf("traveller %d: screened without %s", i+1, d))
		}
	}
	for start := 0; start < len(subjects); start += ctis.MaxBatch {
		end := min(start+ctis.MaxBatch, len(subjects))
		res, err := sc.ScreenBatch(ctx, subjects[start:end])
		if err != nil {
			return err
		}
		for k, r := range res {
			i := start + k
			out.Travellers = append(out.Travellers, ctis.TravellerScreening{Index: i, Role: roles[i], Result: r})
			if len(r.Hits) > 0 || len(r.Notices) > 0 {
				out.Hits++
			}
		}
	}
	return nil
}

// salvage drops the optional fields of a subject that fail validation, so
// that the traveller is still screened by name, and says which fields went
// and why. A name that fails is left for ScreenBatch to report.
func salvage(s ctis.Subject) (ctis.Subject, []string) {
	var dropped []string
	for range 6 {
		t := s
		err := t.Validate()
		var ce *ctis.Error
		if err == nil || !errors.As(err, &ce) {
			return s, dropped
		}
		switch field := ce.Field; {
		case field == "birth_date":
			s.BirthDate = ""
		case field == "nationality":
			s.Nationality = ""
		case field == "gender":
			s.Gender = ""
		case field == "document_number":
			s.DocumentNumber = ""
		case strings.HasPrefix(field, "journey"):
			s.Journey = nil
		default:
			return s, dropped
		}
		dropped = append(dropped, ce.Field+" ("+ce.Message+")")
	}
	return s, dropped
}

// TravelRecords turns a manifest's travellers into API travel records, to
// be kept under the retention policy.
func TravelRecords(m *paxlst.Manifest) []ctis.NewTravelRecord {
	subjects := Subjects(m)
	out := make([]ctis.NewTravelRecord, len(subjects))
	for i, s := range subjects {
		t := &m.Travellers[i]
		r := ctis.NewTravelRecord{Kind: ctis.TravelAPI, Reference: m.Reference, Personal: ctis.TravelPersonal{
			Name: s.Name, BirthDate: s.BirthDate, Nationality: s.Nationality, Gender: s.Gender, Document: s.DocumentNumber, Address: t.Address}}
		if s.Journey != nil {
			r.Journey = *s.Journey
		}
		out[i] = r
	}
	return out
}

// pnrSubjects turns a PNRGOV message's passengers into subjects, booking
// by booking, with the details of their first travel document and the
// journey of the message's flight.
func pnrSubjects(m *pnrgov.Message) ([]ctis.Subject, []*pnrgov.PNR, []*pnrgov.Passenger) {
	var subjects []ctis.Subject
	var pnrs []*pnrgov.PNR
	var pax []*pnrgov.Passenger
	f := m.Flight
	for i := range m.PNRs {
		b := &m.PNRs[i]
		for j := range b.Passengers {
			x := &b.Passengers[j]
			s := ctis.Subject{Name: x.Name(), Schema: "Person",
				Journey: &ctis.Journey{Carrier: f.Carrier, Flight: f.Flight, From: f.From, To: f.To, Departure: f.Departure, Arrival: f.Arrival}}
			if len(x.Documents) > 0 {
				d := x.Documents[0]
				if d.Surname != "" {
					s.Name = strings.TrimSpace(d.GivenNames + " " + d.Surname)
				}
				s.BirthDate, s.Nationality, s.Gender, s.DocumentNumber = d.BirthDate, d.Nationality, gender(d.Gender), d.Number
				s.Journey.Document = d.Number
			}
			subjects, pnrs, pax = append(subjects, s), append(pnrs, b), append(pax, x)
		}
	}
	return subjects, pnrs, pax
}

// ScreenPNRs screens every passenger of a PNRGOV message, booking by
// booking, as Screen does a manifest's travellers, and refers each to the
// rules that hold for it.
func ScreenPNRs(ctx context.Context, sc ctis.Screener, active []*rules.Compiled, m *pnrgov.Message) (*ctis.ManifestScreening, error) {
	out := &ctis.ManifestScreening{Reference: m.Reference, Legs: []ctis.Journey{}, Warnings: []string{}, Travellers: []ctis.TravellerScreening{}}
	f := m.Flight
	out.Legs = append(out.Legs, ctis.Journey{Carrier: f.Carrier, Flight: f.Flight, From: f.From, To: f.To, Departure: f.Departure, Arrival: f.Arrival})
	for _, w := range m.Warnings {
		out.Warnings = append(out.Warnings, w.String())
	}
	subjects, pnrs, pax := pnrSubjects(m)
	roles := make([]string, len(subjects))
	for i, b := range pnrs {
		roles[i] = "passenger, booking " + b.Locator
	}
	if err := screenAll(ctx, sc, subjects, roles, out); err != nil {
		return nil, err
	}
	for i := range out.Travellers {
		refs, err := rules.Refer(active, rules.FactsOf(pnrs[i], pax[i]), subjects[i].Name)
		if err != nil { // the other rules still refer the traveller
			out.Warnings = append(out.Warnings, fmt.Sprintf("traveller %d: %v", i+1, err))
		}
		out.Travellers[i].Referrals = refs
	}
	return out, nil
}

// PNRRecords turns a PNRGOV message's passengers into PNR travel records,
// with what the retention policy masks: names and co-travellers,
// address and contacts, payment, frequent-flyer numbers and free text.
func PNRRecords(m *pnrgov.Message) []ctis.NewTravelRecord {
	subjects, pnrs, pax := pnrSubjects(m)
	out := make([]ctis.NewTravelRecord, len(subjects))
	for i, s := range subjects {
		b, x := pnrs[i], pax[i]
		per := ctis.TravelPersonal{Name: s.Name, BirthDate: s.BirthDate, Nationality: s.Nationality, Gender: s.Gender, Document: s.DocumentNumber,
			Contact: strings.Join(b.Contacts, "; "), FrequentFlyer: strings.Join(x.FrequentFlyers, "; "),
			Remarks: strings.Join(append(append([]string{}, b.Remarks...), x.Remarks...), "; ")}
		if a := b.Address; a != nil {
			per.Address = strings.Join(nonEmpty(a.Street, a.City, a.State, a.Postcode, a.Country), ", ")
			if a.Phone != "" {
				per.Contact = strings.TrimPrefix(per.Contact+"; "+a.Phone, "; ")
			}
		}
		var pays []string
		for _, p := range append(append([]pnrgov.Payment{}, b.Payments...), x.Payments...) {
			pays = append(pays, strings.Join(nonEmpty(p.Type, p.Vendor, p.Number), " "))
		}
		per.Payment = strings.Join(pays, "; ")
		for j := range b.Passengers {
			if other := &b.Passengers[j]; other != x {
				per.CoTravellers = append(per.CoTravellers, other.Name())
			}
		}
		out[i] = ctis.NewTravelRecord{Kind: ctis.TravelPNR, Reference: m.Reference, Locator: b.Locator, Journey: *s.Journey, Personal: per}
	}
	return out
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
