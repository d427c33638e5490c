package ctis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
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

// Validate normalises s and checks it.
func (s *Subject) Validate() error {
	name, err := NormalizeValue(Property{Type: TypeName}, s.Name)
	if err != nil {
		return Invalid("name", "%s", ErrorMessage(err))
	}
	s.Name = name
	if s.Schema == "" {
		s.Schema = "Person"
	}
	if s.Schema != "Person" && s.Schema != "Organization" {
		return Invalid("schema", "screening takes Person or Organization, not %q", s.Schema)
	}
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
	Decision   *Decision `json:"decision,omitempty"`
	// Sources are the statements that produced the hit, one per
	// originator and handling, with the parts of the subject each matched.
	Sources []HitSource `json:"sources"`
	// Notice, in a hit's notice form, names the agencies to contact about
	// a match the reader may not see; such a hit carries nothing else of
	// the match.
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
		return Hit{ID: h.ID, Schema: h.Schema, Agency: h.Agency, ScreenedAt: h.ScreenedAt, Status: h.Status,
			Subject: Subject{Name: h.Subject.Name, Schema: h.Subject.Schema}, Agencies: []string{}, Explanation: []ScoreComponent{},
			Sources: []HitSource{}, Notice: notice}, HitNoticed
	}
	return Hit{}, HitHidden
}

// partial is h as far as the sources in visible go.
func (h Hit) partial(visible []HitSource) Hit {
	var parts []string
	out := Hit{ID: h.ID, EntityID: h.EntityID, Schema: h.Schema, Status: h.Status, ScreenedBy: h.ScreenedBy, Agency: h.Agency,
		ScreenedAt: h.ScreenedAt, Decision: h.Decision, Sources: visible, Agencies: []string{}, Explanation: []ScoreComponent{}}
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
}

// Screener screens subjects against every entity the caller may see.
type Screener interface {
	// Screen screens one subject. Needs RoleFrontline or RoleAnalyst and a
	// purpose; audited; each hit enters the review queue.
	Screen(ctx context.Context, s Subject) (*ScreenResult, error)
	// ScreenBatch screens up to MaxBatch subjects, answering in order.
	ScreenBatch(ctx context.Context, s []Subject) ([]ScreenResult, error)
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
