package ctis

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Instrument is the kind of cooperation a competent authority is
// designated for.
type Instrument string

// Instruments, as the UN documents name the channels of formal
// cooperation (C7).
const (
	InstrumentMLA            Instrument = "mla"                   // central authority for mutual legal assistance
	InstrumentExtradition    Instrument = "extradition"           // central authority for extradition
	InstrumentEEvidence      Instrument = "e_evidence"            // electronic evidence from service providers
	InstrumentPolice         Instrument = "police_cooperation"    // police-to-police cooperation
	InstrumentNetwork247     Instrument = "network_24_7"          // the 24/7 contact point for urgent requests
	InstrumentSanctionsFocal Instrument = "sanctions_focal_point" // the UN sanctions focal point
)

// Instruments lists every instrument in a stable order.
var Instruments = []Instrument{InstrumentMLA, InstrumentExtradition, InstrumentEEvidence, InstrumentPolice, InstrumentNetwork247, InstrumentSanctionsFocal}

// AuthorityStaleAfter is how long a directory entry stays trusted after
// it was last verified: older contact points are flagged to the agency
// that keeps them, because a request sent to a stale address is lost
// time in a case that may be urgent.
const AuthorityStaleAfter = 365 * 24 * time.Hour

// Bounds of a directory entry.
const (
	maxAuthorityText = 500
	maxListItems     = 10
)

// Authority is an entry of the directory of competent authorities: a
// body designated by a country for one instrument, kept by the member
// agency that entered it. It is not an agency of the node (those are
// Agency, kept by the node's administrators): a request is addressed to
// an authority, and the agency keeping it receives the request.
type Authority struct {
	ID string `json:"id"`
	// Agency is the member agency that keeps the entry, and receives the
	// requests addressed to it.
	Agency string `json:"agency"`
	// Country is the designating country (ISO 3166-1 alpha-2) or
	// organisation (Organisations).
	Country    string     `json:"country"`
	Instrument Instrument `json:"instrument"`
	Name       string     `json:"name"`
	// Jurisdiction is what the authority covers: a territory, the
	// offences or the stage of proceedings.
	Jurisdiction string `json:"jurisdiction"`
	// Languages are the languages requests are accepted in, ISO 639-1.
	Languages []string `json:"languages"`
	// Channels are how requests reach it, one per line: "e-CODEX",
	// "INTERPOL I-24/7", "secure e-mail: mla@justice.example".
	Channels []string `json:"channels"`
	// Hours is when it answers, such as "24/7" or "Mon-Fri 08:00-18:00 CET".
	Hours string `json:"hours"`
	// VerifiedOn is the day the entry was last checked (YYYY-MM-DD).
	VerifiedOn string `json:"verified_on"`
	// Stale says the entry was last verified longer ago than
	// AuthorityStaleAfter.
	Stale bool `json:"stale"`
	// Removed says the agency took the entry out of the directory; only
	// the requests that were addressed to it still show it.
	Removed   bool      `json:"removed,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate normalises and checks an entry as its agency gives it, today
// being the day it is checked (a verification date may not lie ahead).
// ID, Agency, Stale and the times are the store's to set.
func (a *Authority) Validate(today string) error {
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if !ValidCountry(a.Country) && !slices.Contains(Organisations, a.Country) {
		return Invalid("country", "%q is neither an ISO 3166-1 alpha-2 country nor a known organisation code", a.Country)
	}
	if !slices.Contains(Instruments, a.Instrument) {
		return Invalid("instrument", "unknown instrument %q (known: %s)", a.Instrument, joinInstruments())
	}
	for _, f := range []struct {
		field    string
		v        *string
		required bool
	}{{"name", &a.Name, true}, {"jurisdiction", &a.Jurisdiction, true}, {"hours", &a.Hours, true}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkText(f.field, *f.v, f.required); err != nil {
			return err
		}
	}
	if len(a.Languages) == 0 || len(a.Languages) > maxListItems {
		return Invalid("languages", "give 1 to %d languages requests are accepted in", maxListItems)
	}
	for i, l := range a.Languages {
		l = strings.ToLower(strings.TrimSpace(l))
		if len(l) != 2 || l[0] < 'a' || l[0] > 'z' || l[1] < 'a' || l[1] > 'z' {
			return Invalid("languages["+itoa(i)+"]", "%q is not an ISO 639-1 language code such as en or fr", a.Languages[i])
		}
		a.Languages[i] = l
	}
	a.Languages = slices.Compact(a.Languages)
	if len(a.Channels) == 0 || len(a.Channels) > maxListItems {
		return Invalid("channels", "give 1 to %d channels requests reach the authority by", maxListItems)
	}
	for i := range a.Channels {
		a.Channels[i] = strings.TrimSpace(a.Channels[i])
		if err := checkText("channels["+itoa(i)+"]", a.Channels[i], true); err != nil {
			return err
		}
	}
	d, err := time.Parse(time.DateOnly, a.VerifiedOn)
	if err != nil {
		return Invalid("verified_on", "give the day the entry was last verified, as YYYY-MM-DD")
	}
	if a.VerifiedOn = d.Format(time.DateOnly); a.VerifiedOn > today {
		return Invalid("verified_on", "%s is after today (%s): an entry cannot be verified ahead of time", a.VerifiedOn, today)
	}
	return nil
}

// StaleOn reports whether an entry last verified on verifiedOn is stale
// at now.
func StaleOn(verifiedOn string, now time.Time) bool {
	d, err := time.Parse(time.DateOnly, verifiedOn)
	return err != nil || now.Sub(d) > AuthorityStaleAfter
}

// checkText checks a free-text field: present if required, UTF-8, no
// control characters, at most maxAuthorityText bytes.
func checkText(field, s string, required bool) error {
	switch {
	case required && s == "":
		return Invalid(field, "%s is required", field)
	case len(s) > maxAuthorityText:
		return Invalid(field, "longer than %d bytes", maxAuthorityText)
	case !utf8.ValidString(s) || hasControl(s, true):
		return Invalid(field, "holds a control character or is not UTF-8")
	}
	return nil
}

func joinInstruments() string {
	names := make([]string, len(Instruments))
	for i, in := range Instruments {
		names[i] = string(in)
	}
	return strings.Join(names, ", ")
}

// AuthorityQuery searches the directory. Every field narrows it.
type AuthorityQuery struct {
	Country    string     `json:"country,omitempty"`
	Instrument Instrument `json:"instrument,omitempty"`
	// Agency keeps the entries of one member agency.
	Agency string `json:"agency,omitempty"`
	// Text is matched, without regard to case, in the name, the
	// jurisdiction and the channels.
	Text string `json:"text,omitempty"`
	// Stale keeps only stale entries.
	Stale bool `json:"stale,omitempty"`
}

// Audit actions of the directory of competent authorities.
const (
	ActAuthorityCreate = "authority.create"
	ActAuthorityUpdate = "authority.update"
	ActAuthorityRemove = "authority.remove"
)

// AuthorityService is the directory of competent authorities. Any member
// reads it (any authenticated identity); an agency's analysts and
// administrators keep its own entries and no other's (EFORBIDDEN, or
// ENOTFOUND for an entry that is not there). Every change is audited.
type AuthorityService interface {
	// CreateAuthority adds an entry kept by the caller's agency.
	// EINVALID names the field at fault.
	CreateAuthority(ctx context.Context, a Authority) (*Authority, error)
	// UpdateAuthority replaces an entry of the caller's agency; giving a
	// new VerifiedOn is how an entry is verified again.
	UpdateAuthority(ctx context.Context, a Authority) (*Authority, error)
	// RemoveAuthority takes an entry of the caller's agency out of the
	// directory; requests already addressed to it keep naming it.
	RemoveAuthority(ctx context.Context, id string) error
	// Authorities lists entries, by country, instrument and name.
	Authorities(ctx context.Context, q AuthorityQuery) ([]Authority, error)
	// Authority returns one entry, removed ones included (a request
	// names the authority it went to).
	Authority(ctx context.Context, id string) (*Authority, error)
}
