package ctis

import (
	"context"
	"slices"
	"strings"
	"time"
)

// An Event is a major international event (a summit, a tournament) with a
// threat-exchange channel of its own: its host agency runs the channel,
// and the participating agencies, with the host, see it and post alerts
// in it. No other agency sees anything of it.
type Event struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Host is the agency that runs the channel.
	Host string `json:"host"`
	// Starts and Ends are the event's first and last day (YYYY-MM-DD).
	Starts string   `json:"starts"`
	Ends   string   `json:"ends"`
	Venues []string `json:"venues"`
	// Agencies are the participating agencies, the host among them,
	// sorted.
	Agencies  []string  `json:"agencies"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// ArchivedAt is when the channel was closed: an archived channel is
	// read-only.
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	// Alerts counts the alerts in the channel that the reader may see.
	Alerts int64 `json:"alerts"`
}

// NewEvent is an event as its host creates it.
type NewEvent struct {
	Name   string   `json:"name"`
	Starts string   `json:"starts"`
	Ends   string   `json:"ends"`
	Venues []string `json:"venues"`
	// Agencies are the participants besides the host.
	Agencies []string `json:"agencies"`
}

// Limits of an event's and an alert's text.
const (
	MaxEventName   = 200
	MaxVenues      = 50
	MaxAlertText   = 4000
	MaxAlertTitle  = 200
	MaxAlertLinks  = 50
	MaxEventLength = 366 // days from an event's first day to its last
	// MaxEventLead is how far ahead an event may start: a date further
	// out is a typing error, not a plan.
	MaxEventLead = 5 * 366 // days
)

// Validate normalises e and checks it against today (YYYY-MM-DD): an
// event that ended before today cannot be created.
func (e *NewEvent) Validate(today string) error {
	e.Name = strings.TrimSpace(e.Name)
	if e.Name == "" || len(e.Name) > MaxEventName || hasControl(e.Name, false) {
		return Invalid("name", "give the event's name, of at most %d bytes", MaxEventName)
	}
	starts, err := time.Parse(time.DateOnly, e.Starts)
	if err != nil {
		return Invalid("starts", "%q is not a date (YYYY-MM-DD)", e.Starts)
	}
	ends, err := time.Parse(time.DateOnly, e.Ends)
	if err != nil {
		return Invalid("ends", "%q is not a date (YYYY-MM-DD)", e.Ends)
	}
	now, _ := time.Parse(time.DateOnly, today)
	switch {
	case ends.Before(starts):
		return Invalid("ends", "the event ends (%s) before it starts (%s)", e.Ends, e.Starts)
	case ends.Before(now):
		return Invalid("ends", "the event ended on %s, before today (%s)", e.Ends, today)
	case ends.Sub(starts) > MaxEventLength*24*time.Hour:
		return Invalid("ends", "an event lasts at most %d days", MaxEventLength)
	case starts.Sub(now) > MaxEventLead*24*time.Hour:
		return Invalid("starts", "an event starts at most %d days ahead", MaxEventLead)
	}
	if len(e.Venues) == 0 || len(e.Venues) > MaxVenues {
		return Invalid("venues", "give between 1 and %d venues", MaxVenues)
	}
	for i, v := range e.Venues {
		e.Venues[i] = strings.TrimSpace(v)
		if e.Venues[i] == "" || len(e.Venues[i]) > MaxEventName || hasControl(e.Venues[i], false) {
			return Invalid("venues["+itoa(i)+"]", "a venue is a name of at most %d bytes", MaxEventName)
		}
	}
	for i, a := range e.Agencies {
		e.Agencies[i] = strings.ToUpper(strings.TrimSpace(a))
		if !ValidAgencyCode(e.Agencies[i]) {
			return Invalid("agencies["+itoa(i)+"]", "%q is not an agency code", a)
		}
	}
	slices.Sort(e.Agencies)
	e.Agencies = slices.Compact(e.Agencies)
	return nil
}

// Severity is how grave an alert is.
type Severity string

// Severities, from the least grave.
const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Severities lists every severity, from the least grave.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// An Alert is a warning posted in an event's channel. Its own handling
// narrows who of the event's agencies may see it, as a statement's does
// (and frontline officers see it only when released to them); no agency
// outside the event sees it whatever its handling.
type Alert struct {
	ID      string `json:"id"`
	EventID string `json:"event_id"`
	// Seq numbers the event's alerts in the order they were posted, from
	// 1: a live feed that resumes after seq n misses none posted since.
	Seq        int64     `json:"seq"`
	Originator string    `json:"originator"`
	Severity   Severity  `json:"severity"`
	Title      string    `json:"title"`
	Details    string    `json:"details,omitempty"`
	Location   string    `json:"location"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	// Entities are the IDs of the entities the alert is about; reading
	// them is subject to their statements' handling.
	Entities []string  `json:"entities"`
	Handling Handling  `json:"handling"`
	PostedBy string    `json:"posted_by"`
	PostedAt time.Time `json:"posted_at"`
	// Acks are the acknowledgements of the agencies that saw it.
	Acks []Ack `json:"acks"`
}

// NewAlert is an alert as posted.
type NewAlert struct {
	Severity   Severity  `json:"severity"`
	Title      string    `json:"title"`
	Details    string    `json:"details,omitempty"`
	Location   string    `json:"location"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
	Entities   []string  `json:"entities,omitempty"`
	Handling   Handling  `json:"handling"`
}

// Validate normalises a and checks it against now: an alert that is no
// longer valid when posted is refused, as is one valid before it starts.
// A zero ValidFrom means now.
func (a *NewAlert) Validate(now time.Time) error {
	if !slices.Contains(Severities, a.Severity) {
		return Invalid("severity", "unknown severity %q (known: low, medium, high, critical)", a.Severity)
	}
	a.Title, a.Location, a.Details = strings.TrimSpace(a.Title), strings.TrimSpace(a.Location), strings.TrimSpace(a.Details)
	if a.Title == "" || len(a.Title) > MaxAlertTitle || hasControl(a.Title, false) {
		return Invalid("title", "give a title of at most %d bytes", MaxAlertTitle)
	}
	if a.Location == "" || len(a.Location) > MaxEventName || hasControl(a.Location, false) {
		return Invalid("location", "give the location, of at most %d bytes", MaxEventName)
	}
	if len(a.Details) > MaxAlertText || hasControl(a.Details, true) {
		return Invalid("details", "at most %d bytes of text", MaxAlertText)
	}
	if a.ValidFrom.IsZero() {
		a.ValidFrom = now
	}
	a.ValidFrom, a.ValidUntil = a.ValidFrom.UTC().Truncate(time.Second), a.ValidUntil.UTC().Truncate(time.Second)
	switch {
	case a.ValidUntil.IsZero():
		return Invalid("valid_until", "say until when the alert is valid")
	case !a.ValidUntil.After(a.ValidFrom):
		return Invalid("valid_until", "the alert would end (%s) before it starts (%s)", a.ValidUntil.Format(time.RFC3339), a.ValidFrom.Format(time.RFC3339))
	case !a.ValidUntil.After(now):
		return Invalid("valid_until", "%s is past: an alert must still be valid when posted", a.ValidUntil.Format(time.RFC3339))
	}
	if len(a.Entities) > MaxAlertLinks {
		return Invalid("entities", "at most %d linked entities", MaxAlertLinks)
	}
	slices.Sort(a.Entities)
	a.Entities = slices.Compact(a.Entities)
	for i, id := range a.Entities {
		if !ValidID(id) {
			return Invalid("entities["+itoa(i)+"]", "%q is not an entity ID", id)
		}
	}
	return a.Handling.Normalize()
}

// Ack is one agency's acknowledgement of an alert: someone there saw it.
type Ack struct {
	Agency   string    `json:"agency"`
	Username string    `json:"username"`
	At       time.Time `json:"at"`
}

// Digest is an event's alerts of one day: those valid at any time that
// day, with who has acknowledged each and who has not.
type Digest struct {
	Event Event  `json:"event"`
	Day   string `json:"day"`
	// Alerts are the day's alerts the reader may see, the gravest first.
	Alerts []DigestAlert `json:"alerts"`
	// BySeverity counts Alerts by severity.
	BySeverity map[Severity]int `json:"by_severity"`
}

// DigestAlert is an alert in a digest, with the event's agencies that
// have not acknowledged it.
type DigestAlert struct {
	Alert
	Pending []string `json:"pending"`
}

// EventRetention says how long an event's channel stays open and kept
// after the event. The zero value means DefaultEventRetention.
type EventRetention struct {
	// ArchiveDays after its last day, an event's channel is archived:
	// read-only.
	ArchiveDays int `json:"archive_days"`
	// DeleteDays after its last day, an archived channel and its
	// alerts are deleted.
	DeleteDays int `json:"delete_days"`
}

// DefaultEventRetention archives a channel a week after its event and
// deletes it after three years, the node's retention of statements.
var DefaultEventRetention = EventRetention{ArchiveDays: 7, DeleteDays: 3 * 365}

// Validate checks that the policy archives before it deletes.
func (p EventRetention) Validate() error {
	if p.ArchiveDays < 0 || p.DeleteDays <= p.ArchiveDays {
		return Invalid("event_retention", "archiving after %d and deletion after %d days: archiving must come first", p.ArchiveDays, p.DeleteDays)
	}
	return nil
}

// EventRetentionReport says what applying the event retention did.
type EventRetentionReport struct {
	Archived int `json:"archived"`
	Deleted  int `json:"deleted"`
}

// Audit actions of event channels.
const (
	ActEventCreate  = "event.create"
	ActEventRead    = "event.read"
	ActEventFeed    = "event.feed" // a live feed opened, from the seq it resumes after
	ActEventArchive = "event.archive"
	ActEventDelete  = "event.delete"
	ActAlertPost    = "alert.post"
	ActAlertAck     = "alert.ack"
)

// EventService runs event channels. Every method needs an identity of
// an agency the event names (host or participant); to any other agency
// an event reads as absent (ENOTFOUND), as does an alert to a reader its
// handling does not release it to.
type EventService interface {
	// CreateEvent creates an event hosted by the caller's agency. Needs
	// RoleAnalyst; audited. EINVALID for bad dates or unknown agencies.
	CreateEvent(ctx context.Context, e NewEvent) (*Event, error)
	// ListEvents lists the events of the caller's agency, the latest first.
	// Needs RoleAnalyst or RoleFrontline.
	ListEvents(ctx context.Context) ([]Event, error)
	// Event returns one event.
	Event(ctx context.Context, id string) (*Event, error)
	// PostAlert posts an alert in an event. Needs RoleAnalyst of an
	// agency of the event; audited. ECONFLICT once the channel is
	// archived.
	PostAlert(ctx context.Context, eventID string, a NewAlert) (*Alert, error)
	// Alerts lists the alerts of an event posted after seq after that
	// the caller may see, in order, at most limit (MaxLimit when 0).
	// Audited when audit is true; the live feed audits its opening
	// alone. Unaudited, what it returns depends on the caller only
	// through the key of its viewer (Viewer.Key), so the live feed reads
	// once for all the connections of one viewer.
	Alerts(ctx context.Context, eventID string, after int64, limit int, audit bool) ([]Alert, error)
	// Alert returns one alert.
	Alert(ctx context.Context, id string) (*Alert, error)
	// Acknowledge records that the caller's agency saw the alert. Needs
	// RoleAnalyst or RoleFrontline; audited. ECONFLICT when the agency
	// acknowledged it already or the channel is archived.
	Acknowledge(ctx context.Context, alertID string) (*Alert, error)
	// Digest returns the event's alerts of day (YYYY-MM-DD).
	Digest(ctx context.Context, eventID, day string) (*Digest, error)
	// ArchiveEvent archives an event's channel once the event has ended.
	// Needs RoleAnalyst of the host; audited. ECONFLICT before the end
	// or when archived already.
	ArchiveEvent(ctx context.Context, id string) (*Event, error)
	// FeedOpened audits the opening of a live feed of the event, which
	// resumes after seq after.
	FeedOpened(ctx context.Context, eventID string, after int64) error
}
