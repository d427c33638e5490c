package ctis

import (
	"context"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Travel data is what carriers send about their passengers: API manifests
// and PNRs. It is kept by the agency that received it (a passenger
// information unit) and seen by that agency only. The law that allows its
// collection limits it: under the default policy (EU PNR Directive
// 2016/681, Art. 12) it is depersonalised six months after receipt —
// names, co-travellers, addresses and contacts, payment details,
// frequent-flyer data, identifying free text and all API data are masked
// and no longer searchable — unmasked only on a request approved by a
// second person, of which the data-protection officer is told, and deleted
// five years after receipt.

// TravelKind is the message a travel record came in.
type TravelKind string

// Travel kinds.
const (
	TravelAPI TravelKind = "api"
	TravelPNR TravelKind = "pnr"
)

// TravelPersonal is the part of a travel record that depersonalisation
// masks. Visa is API data; Seats and Bags (seat numbers, bag tags) are
// kept here too, masked with the rest, since they single a traveller out.
type TravelPersonal struct {
	Name          string   `json:"name"`
	BirthDate     string   `json:"birth_date,omitempty"`
	Nationality   string   `json:"nationality,omitempty"`
	Gender        string   `json:"gender,omitempty"`
	Document      string   `json:"document,omitempty"`
	Address       string   `json:"address,omitempty"`
	Contact       string   `json:"contact,omitempty"`
	Payment       string   `json:"payment,omitempty"`
	FrequentFlyer string   `json:"frequent_flyer,omitempty"`
	Remarks       string   `json:"remarks,omitempty"`
	Visa          string   `json:"visa,omitempty"`
	Seats         string   `json:"seats,omitempty"`
	Bags          string   `json:"bags,omitempty"`
	CoTravellers  []string `json:"co_travellers,omitempty"`
}

// NewTravelRecord is one traveller of a received message.
type NewTravelRecord struct {
	Kind TravelKind `json:"kind"`
	// Reference is the sender's message reference; Locator the booking
	// reference of a PNR.
	Reference string         `json:"reference"`
	Locator   string         `json:"locator,omitempty"`
	Journey   Journey        `json:"journey"`
	Personal  TravelPersonal `json:"personal"`
	// Referrals are this traveller's referrals by the receiving agency's
	// targeting rules, each with the traveller as screened and the rule
	// that held. They enter the agency's queue with the record, and live
	// and are masked as long as it does. Never read from a client.
	Referrals []TravellerReferral `json:"-"`
}

// Validate checks that every field of r can be kept as it was sent: UTF-8
// text of a bounded length without control characters, and a name that
// would pass as a name. A record that fails is not stored; a receiver
// calls DropInvalid first so that a bad field costs the field, not the
// traveller.
func (r *NewTravelRecord) Validate() error {
	if r.Kind != TravelAPI && r.Kind != TravelPNR {
		return Invalid("kind", "kind must be api or pnr")
	}
	for _, f := range r.fields() {
		if err := f.check(); err != nil {
			return err
		}
	}
	return nil
}

// DropInvalid clears each field of r that Validate would refuse, and
// returns one error per field cleared, naming it and saying why.
func (r *NewTravelRecord) DropInvalid() []error {
	var dropped []error
	for _, f := range r.fields() {
		if err := f.check(); err != nil {
			*f.v = ""
			dropped = append(dropped, err)
		}
	}
	r.Personal.CoTravellers = slices.DeleteFunc(r.Personal.CoTravellers, func(s string) bool { return s == "" })
	return dropped
}

// travelField is a text field of a travel record, with what it must be.
type travelField struct {
	name string
	v    *string
	kind PropertyType // TypeName, TypeIdentifier or TypeText
}

func (r *NewTravelRecord) fields() []travelField {
	j, p := &r.Journey, &r.Personal
	fs := []travelField{
		{"reference", &r.Reference, TypeIdentifier}, {"locator", &r.Locator, TypeIdentifier},
		{"journey.carrier", &j.Carrier, TypeIdentifier}, {"journey.flight", &j.Flight, TypeIdentifier},
		{"journey.from", &j.From, TypeIdentifier}, {"journey.to", &j.To, TypeIdentifier},
		{"journey.departure", &j.Departure, TypeIdentifier}, {"journey.arrival", &j.Arrival, TypeIdentifier},
		{"journey.document", &j.Document, TypeIdentifier},
		{"personal.name", &p.Name, TypeName}, {"personal.birth_date", &p.BirthDate, TypeIdentifier},
		{"personal.nationality", &p.Nationality, TypeIdentifier}, {"personal.gender", &p.Gender, TypeIdentifier},
		{"personal.document", &p.Document, TypeIdentifier}, {"personal.address", &p.Address, TypeText},
		{"personal.contact", &p.Contact, TypeText}, {"personal.payment", &p.Payment, TypeText},
		{"personal.frequent_flyer", &p.FrequentFlyer, TypeText}, {"personal.remarks", &p.Remarks, TypeText},
		{"personal.visa", &p.Visa, TypeText}, {"personal.seats", &p.Seats, TypeText}, {"personal.bags", &p.Bags, TypeText},
	}
	for i := range p.CoTravellers {
		fs = append(fs, travelField{"personal.co_travellers[" + strconv.Itoa(i) + "]", &p.CoTravellers[i], TypeName})
	}
	return fs
}

// check applies the rules of the field's type; an empty field passes.
func (f travelField) check() error {
	v := *f.v
	switch {
	case v == "":
		return nil
	case !utf8.ValidString(v):
		return Invalid(f.name, "not valid UTF-8")
	case f.kind == TypeName:
		if _, err := NormalizeValue(Property{Type: TypeName}, v); err != nil {
			return Invalid(f.name, "%s", ErrorMessage(err))
		}
	case f.kind == TypeIdentifier:
		if len(v) > MaxIDLen || hasControl(v, false) {
			return Invalid(f.name, "longer than %d bytes, or with control characters", MaxIDLen)
		}
	case utf8.RuneCountInString(v) > MaxTextLen || hasControl(v, true):
		return Invalid(f.name, "longer than %d characters, or with control characters", MaxTextLen)
	}
	return nil
}

// TravelRecord is a stored travel record as the reader may see it.
type TravelRecord struct {
	ID         string     `json:"id"`
	Kind       TravelKind `json:"kind"`
	Agency     string     `json:"agency"`
	ReceivedAt time.Time  `json:"received_at"`
	Reference  string     `json:"reference"`
	Locator    string     `json:"locator,omitempty"`
	// Journey is the flight; its document number is API data and masked
	// with the rest.
	Journey Journey `json:"journey"`
	// Masked is set once the record is depersonalised; Personal is then
	// nil unless the reader holds an approved unmasking of it.
	Masked   bool            `json:"masked"`
	Personal *TravelPersonal `json:"personal,omitempty"`
	// MaskAt and DeleteAt are when the policy masks and deletes it.
	MaskAt   time.Time `json:"mask_at"`
	DeleteAt time.Time `json:"delete_at"`
}

// TravelQuery selects travel records: by name (unmasked records only), by
// flight, or by day of departure.
type TravelQuery struct {
	Name   string
	Flight string
	Day    string
	Limit  int
}

// RetentionPolicy is how long travel data stays whole, and how long at
// all, counted from receipt in calendar months.
type RetentionPolicy struct {
	MaskMonths   int `json:"mask_months"`
	DeleteMonths int `json:"delete_months"`
}

// EUPNRPolicy is the default: masked after 6 months, deleted after 5 years.
var EUPNRPolicy = RetentionPolicy{MaskMonths: 6, DeleteMonths: 60}

// Validate checks that the policy masks before it deletes.
func (p RetentionPolicy) Validate() error {
	if p.MaskMonths < 0 || p.DeleteMonths < 1 || p.MaskMonths > p.DeleteMonths {
		return Invalid("retention", "masking after %d and deletion after %d months: masking must come first, deletion after at least a month", p.MaskMonths, p.DeleteMonths)
	}
	return nil
}

// UnmaskStatus is where an unmasking request stands.
type UnmaskStatus string

// Unmasking request states.
const (
	UnmaskPending  UnmaskStatus = "pending"
	UnmaskApproved UnmaskStatus = "approved"
	UnmaskRefused  UnmaskStatus = "refused"
)

// UnmaskRequest asks to see a depersonalised record whole again.
type UnmaskRequest struct {
	ID             string       `json:"id"`
	RecordID       string       `json:"record_id"`
	Agency         string       `json:"agency"`
	RequestedBy    string       `json:"requested_by"`
	RequestedAt    time.Time    `json:"requested_at"`
	Reason         string       `json:"reason"`
	Status         UnmaskStatus `json:"status"`
	DecidedBy      string       `json:"decided_by,omitempty"`
	DecidedAt      *time.Time   `json:"decided_at,omitempty"`
	DecisionReason string       `json:"decision_reason,omitempty"`
}

// RetentionReport says what a retention run did.
type RetentionReport struct {
	Masked  int `json:"masked"`
	Deleted int `json:"deleted"`
	// ReferralsMasked and ReferralsDeleted count the targeting rules'
	// referrals masked and deleted with their records.
	ReferralsMasked  int `json:"referrals_masked"`
	ReferralsDeleted int `json:"referrals_deleted"`
	// HitsMasked and HitsDeleted count the hits of travellers screened
	// from travel data, masked and deleted at the records' ages.
	HitsMasked  int `json:"hits_masked"`
	HitsDeleted int `json:"hits_deleted"`
}

// TravelService keeps received travel data under its retention policy.
type TravelService interface {
	// ReceiveTravel stores the travellers of a received message for the
	// caller's agency: all of them, or none when one of them does not
	// validate (EINVALID), with the referrals each record carries, open,
	// in the agency's queue. Needs RoleAnalyst or RoleFrontline; audited
	// without personal data.
	ReceiveTravel(ctx context.Context, records []NewTravelRecord) ([]string, error)
	// SearchTravel finds the agency's records. Needs RoleAnalyst and a
	// purpose; audited. A name never finds a masked record.
	SearchTravel(ctx context.Context, q TravelQuery) ([]TravelRecord, error)
	// TravelRecord reads one record. Needs RoleAnalyst and a purpose;
	// audited. ENOTFOUND for another agency's record.
	TravelRecord(ctx context.Context, id string) (*TravelRecord, error)
	// ExportTravel calls fn with each of the agency's records as
	// TravelRecord shows them. Needs RoleAnalyst and a purpose; audited.
	ExportTravel(ctx context.Context, fn func(TravelRecord) error) error
	// RequestUnmask asks to see a masked record whole. Needs RoleAnalyst;
	// audited. ECONFLICT when the record is not masked.
	RequestUnmask(ctx context.Context, recordID, reason string) (*UnmaskRequest, error)
	// DecideUnmask approves or refuses a pending request of the agency.
	// Needs RoleApprover, and may not be the requester; audited, and an
	// approval is put before the agency's data-protection officers.
	DecideUnmask(ctx context.Context, requestID string, approve bool, reason string) (*UnmaskRequest, error)
	// UnmaskRequests lists the agency's requests, newest first. Needs
	// RoleAnalyst, RoleApprover or RoleDPO.
	UnmaskRequests(ctx context.Context, status UnmaskStatus) ([]UnmaskRequest, error)
	// ApplyRetention masks and deletes what the policy says is due. Needs
	// RoleAdmin; audited.
	ApplyRetention(ctx context.Context) (*RetentionReport, error)
}

// Audit actions of travel data.
const (
	ActTravelReceive  = "travel.receive"
	ActTravelSearch   = "travel.search"
	ActTravelRead     = "travel.read"
	ActTravelExport   = "travel.export"
	ActUnmaskRequest  = "travel.unmask_request"
	ActUnmaskDecide   = "travel.unmask_decide"
	ActTravelRetained = "travel.retention"
)
