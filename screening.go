package ctis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Subject is whom a frontline officer or analyst screens: a name in any
// script and what else is known of the person or organisation.
type Subject struct {
	Name string `json:"name"`
	// BirthDate is a date in the forms statements take ("1971", "1971-07-28",
	// "1970~", "1973/1974").
	BirthDate      string `json:"birth_date,omitempty"`
	Nationality    string `json:"nationality,omitempty"`
	Gender         string `json:"gender,omitempty"`
	DocumentNumber string `json:"document_number,omitempty"`
	// Schema is Person (the default) or Organization.
	Schema string `json:"schema,omitempty"`
	// Journey is the travel the subject was screened for, when screened
	// from a manifest; a confirmed hit can be recorded as a Movement of
	// the matched person from it. It plays no part in matching.
	Journey *Journey `json:"journey,omitempty"`
}

// Journey is one traveller's flight as a manifest gave it.
type Journey struct {
	Carrier string `json:"carrier,omitempty"`
	Flight  string `json:"flight,omitempty"`
	// From and To are IATA airport codes; Departure and Arrival local
	// times as sent, YYYY-MM-DDTHH:MM or a day.
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Departure string `json:"departure,omitempty"`
	Arrival   string `json:"arrival,omitempty"`
	// Document is the travel document the traveller used.
	Document string `json:"document,omitempty"`
}

// validate checks the lengths and forms of a journey's fields.
func (j *Journey) validate() error {
	for _, f := range []struct{ name, v string }{{"carrier", j.Carrier}, {"flight", j.Flight}, {"from", j.From}, {"to", j.To}, {"document", j.Document}} {
		if len(f.v) > MaxIDLen {
			return Invalid("journey."+f.name, "longer than %d bytes", MaxIDLen)
		}
	}
	for _, f := range []struct{ name, v string }{{"departure", j.Departure}, {"arrival", j.Arrival}} {
		if f.v == "" {
			continue
		}
		if len(f.v) < 10 || ValidDate(f.v[:10]) != nil || len(f.v) > 10 && !validClock(f.v[10:]) {
			return Invalid("journey."+f.name, "%q is not a day or a time of day (YYYY-MM-DD or YYYY-MM-DDTHH:MM)", f.v)
		}
	}
	return nil
}

// validClock reports whether s is "THH:MM".
func validClock(s string) bool {
	_, err := time.Parse("T15:04", s)
	return err == nil
}

// journeyDay returns the day of a journey time, "" when there is none.
func journeyDay(t string) string {
	if len(t) < 10 {
		return ""
	}
	return t[:10]
}

// MinDocumentChars is the fewest letters and digits a document number
// needs for a subject to be screened by it alone, without a name: a
// shorter number is shared by too many documents to point at one person.
const MinDocumentChars = 6

// documentOnly reports whether a document number can carry a screening
// alone. Only ASCII letters and digits count, as the matcher compares
// document numbers by those.
func documentOnly(number string) bool {
	n := 0
	for _, r := range number {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			n++
		}
	}
	return n >= MinDocumentChars && len(number) <= MaxIDLen
}

// Validate normalises s and checks it. A subject needs a name, or a
// document number of at least MinDocumentChars letters and digits to be
// screened by alone.
func (s *Subject) Validate() error {
	if strings.TrimSpace(s.Name) == "" && documentOnly(strings.TrimSpace(s.DocumentNumber)) {
		s.Name = ""
	} else {
		if strings.TrimSpace(s.Name) == "" {
			return Invalid("name", "no name given, nor a document number of at least %d letters and digits to screen by alone", MinDocumentChars)
		}
		name, err := NormalizeValue(Property{Type: TypeName}, s.Name)
		if err != nil {
			return Invalid("name", "%s", ErrorMessage(err))
		}
		s.Name = name
	}
	if s.Schema == "" {
		s.Schema = "Person"
	}
	if s.Schema != "Person" && s.Schema != "Organization" {
		return Invalid("schema", "screening takes Person or Organization, not %q", s.Schema)
	}
	s.BirthDate, s.Nationality, s.DocumentNumber = strings.TrimSpace(s.BirthDate), strings.TrimSpace(s.Nationality), strings.TrimSpace(s.DocumentNumber)
	s.Gender = strings.ToLower(strings.TrimSpace(s.Gender))
	if s.BirthDate != "" {
		if err := ValidDate(s.BirthDate); err != nil {
			return Invalid("birth_date", "%s", ErrorMessage(err))
		}
	}
	if s.Nationality != "" {
		c, ok := CountryCode(s.Nationality)
		if !ok {
			return Invalid("nationality", "%q is not a country", s.Nationality)
		}
		s.Nationality = c
	}
	switch s.Gender {
	case "", "male", "female", "other", "unknown":
	default:
		return Invalid("gender", "gender must be male, female, other or unknown")
	}
	if len(s.DocumentNumber) > MaxIDLen {
		return Invalid("document_number", "longer than %d bytes", MaxIDLen)
	}
	if s.Journey != nil {
		return s.Journey.validate()
	}
	return nil
}

// Salvage makes s ready to screen on what passes, so that a subject is
// screened on the rest of what is known rather than not at all: it
// normalises s as Validate does, and leaves out each detail that fails (a
// malformed birth date, a nationality that is no country, an unknown
// gender, an over-long document number, a journey with a bad field), with
// a warning that says which and why. A name that fails is left out too
// when the document number can carry the screening alone.
//
// The error says why s cannot be screened at all: it has no usable name
// and no document number to screen by alone (field "name"), or a schema
// that screening does not take. s then holds what passed, without a name.
// Manifests, batches and single screenings all salvage subjects this way.
func (s *Subject) Salvage() (warnings []string, err error) {
	if !utf8.ValidString(s.Name) {
		s.Name = ""
		err = Invalid("name", "the name is not valid UTF-8")
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"birth_date", &s.BirthDate}, {"nationality", &s.Nationality}, {"gender", &s.Gender}, {"document_number", &s.DocumentNumber}} {
		if *f.v != "" && !utf8.ValidString(*f.v) {
			*f.v = ""
			warnings = append(warnings, "screened without "+f.name+" (not valid UTF-8)")
		}
	}
	if j := s.Journey; j != nil {
		for _, v := range []string{j.Carrier, j.Flight, j.From, j.To, j.Departure, j.Arrival, j.Document} {
			if !utf8.ValidString(v) {
				s.Journey = nil
				warnings = append(warnings, "screened without journey (not valid UTF-8)")
				break
			}
		}
	}
	if s.Name != "" {
		if _, nerr := NormalizeValue(Property{Type: TypeName}, s.Name); nerr != nil {
			s.Name, err = "", Invalid("name", "%s", ErrorMessage(nerr))
		}
	}
	named := strings.TrimSpace(s.Name) != ""
	// The name is settled above; the rest is checked with a stand-in, a
	// field at a time, each that fails left out.
	for {
		t := *s
		if !named {
			t.Name = "-"
		}
		verr := t.Validate()
		var ce *Error
		if verr == nil {
			if !named {
				t.Name = ""
			}
			*s = t
			break
		}
		if !errors.As(verr, &ce) {
			return warnings, verr
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
			return warnings, verr
		}
		warnings = append(warnings, "screened without "+ce.Field+" ("+ce.Message+")")
	}
	if named {
		return warnings, nil
	}
	s.Name = ""
	if !documentOnly(s.DocumentNumber) {
		if err == nil {
			err = Invalid("name", "no name given, nor a document number of at least %d letters and digits to screen by alone", MinDocumentChars)
		}
		return warnings, err
	}
	why := "none given"
	if err != nil {
		why = ErrorMessage(err)
	}
	return append(warnings, "no name to screen against the database ("+why+"); screened by document number alone"), nil
}

// ScoreComponent is one part of a hit's score, explained.
type ScoreComponent struct {
	// Component is what was compared: name, birth_date, nationality,
	// gender, document.
	Component string  `json:"component"`
	Weight    float64 `json:"weight"`
	Score     float64 `json:"score"`
	// Detail says in words what matched, such as "Usama ~ Osama (same
	// consonant skeleton)".
	Detail string `json:"detail"`
}

// HitStatus is where a hit stands in review.
type HitStatus string

// Review states. Every hit starts open; no hit is a decision about a
// person until a human has reviewed it.
const (
	HitOpen          HitStatus = "open"
	HitConfirmed     HitStatus = "confirmed"
	HitFalsePositive HitStatus = "false_positive"
	HitEscalated     HitStatus = "escalated"
)

// Hit is a match of a screened subject against an entity. The store keeps
// it as the screening agency saw it; every reader gets the view its own
// handling allows, through ViewFor.
type Hit struct {
	ID       string   `json:"id"`
	EntityID string   `json:"entity_id,omitempty"`
	Schema   string   `json:"schema"`
	Score    float64  `json:"score"`
	Matched  string   `json:"matched_name"`
	Agencies []string `json:"agencies"`
	// Reference is the entry's own reference on a list, such as the UN's
	// "QDi.299", and Program the list or regime.
	Reference   string           `json:"reference,omitempty"`
	Program     string           `json:"program,omitempty"`
	Explanation []ScoreComponent `json:"explanation"`
	Status      HitStatus        `json:"status"`
	// Screened is the subject as given, and who screened it when.
	Subject    Subject   `json:"subject"`
	ScreenedBy string    `json:"screened_by,omitempty"`
	Agency     string    `json:"agency"`
	ScreenedAt time.Time `json:"screened_at"`
	// MaskedAt is set once the travel-data retention policy masked a hit
	// of a traveller screened from travel data: Subject then holds only
	// the journey, and the explanation's details, which quote the
	// traveller, are withheld. The record itself can be unmasked.
	MaskedAt *time.Time `json:"masked_at,omitempty"`
	Decision *Decision  `json:"decision,omitempty"`
	// Sources are the statements that produced the hit, one per
	// originator and handling, with the parts of the subject each matched.
	Sources []HitSource `json:"sources"`
	// Notice, in a hit's notice form, names the agencies to contact about
	// a match the reader may not see, an agency of a peer node with its
	// node ("IT-AISE at node rome", as HitNotice.Contact says it); such a
	// hit carries nothing else of the match.
	Notice []string `json:"notice,omitempty"`
	// Fingerprint identifies the entry as the screener saw it, so that a
	// clearance lapses when the entry changes.
	Fingerprint string `json:"-"`
}

// HitSource is one handling class of the statements behind a hit: their
// originator, their handling and the parts of the subject they matched
// ("name", "birth_date", "nationality", "gender", "document").
type HitSource struct {
	Originator string   `json:"originator"`
	Handling   Handling `json:"handling"`
	Components []string `json:"components"`
}

// HitView is what a reader may see of a hit.
type HitView int

// Views of a hit, from nothing to all of it.
const (
	// HitHidden: the reader learns nothing of the hit.
	HitHidden HitView = iota
	// HitNoticed: the reader learns that a screening matched statements
	// it may not see, and whom to contact — the hit notice.
	HitNoticed
	// HitPartial: the reader sees the hit as far as the statements it may
	// see go: the entity, the subject's details those statements matched,
	// the status and decision; not the score, the matched name or the
	// explanation, which came from statements it may not see.
	HitPartial
	// HitFull: the screening agency's reader who may see every source.
	HitFull
)

// ViewFor returns what v may see of h, and how much that is. A reader of
// the screening agency who may see every source sees the whole hit; a
// reader of an agency the hit was escalated to sees what the sources it
// may see contributed; anyone else sees the notice form when a source
// hidden from them carries a hit notice, and nothing otherwise. A hit
// without recorded sources is the screening agency's analysts' only.
func (h Hit) ViewFor(v Viewer) (Hit, HitView) {
	var visible []HitSource
	var notice []string
	for _, s := range h.Sources {
		switch {
		case CanSee(v, s.Originator, s.Handling):
			visible = append(visible, s)
		case s.Handling.HitNotice && !slices.Contains(notice, s.Originator):
			notice = append(notice, s.Originator)
		}
	}
	own := v.Agency == h.Agency
	switch {
	case len(h.Sources) == 0 && own && !v.FrontlineOnly,
		len(h.Sources) > 0 && own && len(visible) == len(h.Sources):
		return h, HitFull
	case !own && len(visible) > 0:
		return h.partial(visible), HitPartial
	case len(notice) > 0:
		slices.Sort(notice)
		return Hit{ID: h.ID, Schema: h.Schema, Agency: h.Agency, ScreenedAt: h.ScreenedAt, MaskedAt: h.MaskedAt, Status: h.Status,
			Subject: Subject{Name: h.Subject.Name, Schema: h.Subject.Schema}, Agencies: []string{}, Explanation: []ScoreComponent{},
			Sources: []HitSource{}, Notice: notice}, HitNoticed
	}
	return Hit{}, HitHidden
}

// partial is h as far as the sources in visible go.
func (h Hit) partial(visible []HitSource) Hit {
	var parts []string
	out := Hit{ID: h.ID, EntityID: h.EntityID, Schema: h.Schema, Status: h.Status, ScreenedBy: h.ScreenedBy, Agency: h.Agency,
		ScreenedAt: h.ScreenedAt, MaskedAt: h.MaskedAt, Decision: h.Decision, Sources: visible, Agencies: []string{}, Explanation: []ScoreComponent{}}
	for _, s := range visible {
		parts = append(parts, s.Components...)
		if !slices.Contains(out.Agencies, s.Originator) {
			out.Agencies = append(out.Agencies, s.Originator)
		}
	}
	slices.Sort(out.Agencies)
	out.Subject = h.Subject.only(parts)
	return out
}

// only keeps of s the details named in parts, and its schema.
func (s Subject) only(parts []string) Subject {
	out := Subject{Schema: s.Schema}
	has := func(p string) bool { return slices.Contains(parts, p) }
	if has("name") {
		out.Name = s.Name
	}
	if has("birth_date") {
		out.BirthDate = s.BirthDate
	}
	if has("nationality") {
		out.Nationality = s.Nationality
	}
	if has("gender") {
		out.Gender = s.Gender
	}
	if has("document") {
		out.DocumentNumber = s.DocumentNumber
	}
	if s.Journey != nil {
		j := *s.Journey
		if !has("document") {
			j.Document = ""
		}
		out.Journey = &j
	}
	return out
}

// Key returns what identifies a subject for clearances: the folded name
// and the other details as given.
// Depersonalised is s as the travel-data retention policy leaves it once
// masked: what it is and the journey, none of the traveller's details.
func (s Subject) Depersonalised() Subject { return Subject{Schema: s.Schema, Journey: s.Journey} }

func (s Subject) Key() string {
	h := sha256.Sum256([]byte(strings.Join([]string{Fold(s.Name), s.BirthDate, s.Nationality, s.Gender, FoldIdentifier(s.DocumentNumber), s.Schema}, "\x00")))
	return hex.EncodeToString(h[:16])
}

// HiddenMatch is a match on statements the screener may not see that carry
// a hit notice: the screener learns only Originator, and the originator's
// auditors learn the rest.
type HiddenMatch struct {
	EntityID   string
	Statements []string
	Originator string
}

// Screening is one screened subject with what the screening engine found,
// for the store to record.
type Screening struct {
	Subject Subject
	Hits    []Hit
	Hidden  []HiddenMatch
}

// Decision is a reviewer's verdict on a hit.
type Decision struct {
	Status HitStatus `json:"status"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	Agency string    `json:"agency"`
	At     time.Time `json:"at"`
}

// ScreenResult answers one subject: hits best first, notices for matches
// the screener may not see that carry a hit notice, and how many hits were
// left out because this agency cleared them before and the entry has not
// changed since.
type ScreenResult struct {
	Subject Subject     `json:"subject"`
	Hits    []Hit       `json:"hits"`
	Notices []HitNotice `json:"notices"`
	Cleared int         `json:"cleared"`
	// Warnings name the details of the subject that did not pass and
	// were left out, so the subject was screened on the rest (see
	// Subject.Salvage).
	Warnings []string `json:"warnings"`
	// Error, in a batch, says why this subject was not screened at all:
	// it has no usable name nor a document number to screen by alone.
	// Such a subject keeps its place in the batch, with no hits.
	Error *Error `json:"error,omitempty"`
}

// Screener screens subjects against every entity the caller may see.
// Each subject is salvaged first (Subject.Salvage): a detail that does
// not pass is left out with a warning in the subject's result, and the
// subject is screened on the rest.
type Screener interface {
	// Screen screens one subject. Needs RoleFrontline or RoleAnalyst and a
	// purpose; audited; each hit enters the review queue. EINVALID when
	// the subject cannot be screened at all, or the minimum score in ctx
	// (WithMinScore) is out of range.
	Screen(ctx context.Context, s Subject) (*ScreenResult, error)
	// ScreenBatch screens up to MaxBatch subjects, answering in order. A
	// subject that cannot be screened at all does not stop the others:
	// its result carries the Error and no hits. EINVALID for an empty or
	// over-long batch, or a minimum score out of range.
	ScreenBatch(ctx context.Context, s []Subject) ([]ScreenResult, error)
}

// LowestMinScore is the lowest minimum score a screening may ask for, to
// see the candidates just under the screener's threshold. Below it a
// candidate has too little in common with the subject to be worth a
// reviewer's time; every hit, however low, enters the review queue.
const LowestMinScore = 0.5

type minScoreKey struct{}

// WithMinScore returns ctx asking screenings under it for the hits that
// score at least min, from LowestMinScore to 1, instead of those from the
// screener's threshold. It changes what the screener is shown, never
// what a hit notice reveals: notices keep the screener's own threshold.
func WithMinScore(ctx context.Context, min float64) context.Context {
	return context.WithValue(ctx, minScoreKey{}, min)
}

// MinScoreFrom returns the minimum score ctx asks for, zero for none.
func MinScoreFrom(ctx context.Context) float64 {
	v, _ := ctx.Value(minScoreKey{}).(float64)
	return v
}

// ValidMinScore checks a minimum score asked for.
func ValidMinScore(min float64) error {
	if min < LowestMinScore || min > 1 {
		return Invalid("min_score", "min_score must be a number from %g to 1", LowestMinScore)
	}
	return nil
}

// MaxBatch is the most subjects one batch may screen.
const MaxBatch = 1000

// HitFilter selects hits in a review queue.
type HitFilter struct {
	Status   HitStatus
	Agency   string // the contributing agency of the matched entry
	MinScore float64
	From, To time.Time
	Cursor   string
	Limit    int
}

// HitPage is a page of a review queue, newest first.
type HitPage struct {
	Hits []Hit  `json:"hits"`
	Next string `json:"next,omitempty"`
}

// ReviewService is the review queue. A hit is reviewed by the agency that
// screened; an escalated hit also reaches the agencies that contributed the
// matched entry.
type ReviewService interface {
	// Hits lists the hits in the caller's agency's queue, each as
	// Hit.ViewFor shows it to the caller; hits the caller may not see are
	// left out. Needs RoleAnalyst or RoleFrontline and a purpose; audited.
	Hits(ctx context.Context, f HitFilter) (*HitPage, error)
	// Hit returns one hit of the caller's queue, as Hit.ViewFor shows it.
	// Needs RoleAnalyst or RoleFrontline and a purpose; audited.
	// ENOTFOUND when absent or hidden alike.
	Hit(ctx context.Context, hitID string) (*Hit, error)
	// Decide records a decision with its reason. Needs RoleAnalyst;
	// audited. A false positive clears the subject against the entry until
	// the entry changes. The caller must see the hit whole, or in part when
	// it was escalated to the caller's agency. ENOTFOUND, EINVALID,
	// ECONFLICT when decided already.
	Decide(ctx context.Context, hitID string, status HitStatus, reason string) (*Hit, error)
	// RecordMovement records the journey of a confirmed hit's subject as a
	// Movement of the matched person, contributed by the caller's agency
	// under the handling and grading the reviewer chooses. Needs
	// RoleAnalyst; audited. ENOTFOUND, ECONFLICT when the hit is not
	// confirmed or has no journey.
	RecordMovement(ctx context.Context, hitID string, h Handling, grading Grading) (*Entity, error)
}

// MovementOf returns the statements of a Movement recording a journey of
// person.
func MovementOf(person string, j *Journey, h Handling, grading Grading) []NewStatement {
	var st []NewStatement
	add := func(prop, v string) {
		if v != "" {
			st = append(st, NewStatement{Property: prop, Value: v, Handling: h, Grading: grading})
		}
	}
	add("person", person)
	add("from", j.From)
	add("to", j.To)
	add("departureDate", journeyDay(j.Departure))
	add("arrivalDate", journeyDay(j.Arrival))
	add("carrier", j.Carrier)
	add("flight", j.Flight)
	return st
}

// TravellerScreening is one traveller of a manifest and what screening
// found.
type TravellerScreening struct {
	// Index is the traveller's place in the manifest, from 0.
	Index int `json:"index"`
	// Role is passenger, crew or transit.
	Role   string       `json:"role"`
	Result ScreenResult `json:"result"`
	// Referrals are the agency's targeting rules that hold for the
	// traveller, for a person to review.
	Referrals []Referral `json:"referrals,omitempty"`
	// Document is the check of the traveller's travel document against
	// the stolen, lost and revoked document lists.
	Document *DocumentCheck `json:"document,omitempty"`
}

// ManifestScreening is a screened passenger or crew list.
type ManifestScreening struct {
	// Reference is the sender's message reference.
	Reference string    `json:"reference"`
	Crew      bool      `json:"crew"`
	Legs      []Journey `json:"legs"`
	// Warnings are what was odd in the message but did not stop reading
	// it, such as segment counts that disagree.
	Warnings   []string             `json:"warnings"`
	Travellers []TravellerScreening `json:"travellers"`
	// Hits counts the travellers with at least one hit or notice.
	Hits int `json:"hits"`
}

// Audit actions of screening and review.
const (
	ActScreen    = "screen"
	ActHitRead   = "hit.read"
	ActHitDecide = "hit.decide"
)
