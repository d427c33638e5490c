package ctis

import (
	"context"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"time"
)

// RequestKind is what a formal cooperation request asks for.
type RequestKind string

// Request kinds.
const (
	KindMLA         RequestKind = "mla"         // mutual legal assistance
	KindExtradition RequestKind = "extradition" // surrender of a person
	// Electronic evidence from a service provider, by the category of
	// data: subscriber data, traffic data (metadata), content.
	KindSubscriber   RequestKind = "e_evidence_subscriber"
	KindTraffic      RequestKind = "e_evidence_traffic"
	KindContent      RequestKind = "e_evidence_content"
	KindPreservation RequestKind = "preservation" // keep data until a production request follows
	KindUrgent       RequestKind = "urgent_24_7"  // through the 24/7 network
	// KindSpontaneous is information sent without being asked for; it
	// expects no answer and so takes no deadline.
	KindSpontaneous RequestKind = "spontaneous"
)

// RequestKinds lists every kind in a stable order.
var RequestKinds = []RequestKind{KindMLA, KindExtradition, KindSubscriber, KindTraffic, KindContent, KindPreservation, KindUrgent, KindSpontaneous}

// RequestState is where a request stands.
type RequestState string

// Request states. Answered, refused, withdrawn and expired are final.
const (
	StateDraft        RequestState = "draft"
	StateSent         RequestState = "sent"
	StateAcknowledged RequestState = "acknowledged"
	StateInProgress   RequestState = "in_progress"
	StateAnswered     RequestState = "answered"
	StateRefused      RequestState = "refused"
	StateWithdrawn    RequestState = "withdrawn"
	// StateExpired is a preservation request whose period ran out
	// without an extension.
	StateExpired RequestState = "expired"
)

// RequestStates lists every state in a stable order.
var RequestStates = []RequestState{StateDraft, StateSent, StateAcknowledged, StateInProgress, StateAnswered, StateRefused, StateWithdrawn, StateExpired}

// Final reports whether nothing more can happen to a request in state s.
func (s RequestState) Final() bool {
	return s == StateAnswered || s == StateRefused || s == StateWithdrawn || s == StateExpired
}

// RequestAction is a step a party takes on a request.
type RequestAction string

// Request actions.
const (
	ActionSend        RequestAction = "send"
	ActionAcknowledge RequestAction = "acknowledge"
	ActionStart       RequestAction = "start" // the receiver begins to execute it
	ActionAnswer      RequestAction = "answer"
	ActionRefuse      RequestAction = "refuse" // needs a reason
	ActionWithdraw    RequestAction = "withdraw"
	ActionExtend      RequestAction = "extend" // a preservation request, for another period
	// ActionExpire is the clock's: a preservation request lapses.
	ActionExpire RequestAction = "expire"
)

// Entries of a request's timeline that are not moves of the state
// machine: Next knows nothing of them.
const (
	ActionCreate RequestAction = "create" // the draft made
	ActionEdit   RequestAction = "edit"   // the draft's contents replaced
	ActionShare  RequestAction = "share"  // an agency added to the readers
)

// RequestActions lists every action of the state machine in a stable order.
var RequestActions = []RequestAction{ActionSend, ActionAcknowledge, ActionStart, ActionAnswer, ActionRefuse, ActionWithdraw, ActionExtend, ActionExpire}

// Party is who may take a step: the sending agency, the receiving one,
// or the node's clock.
type Party string

// Parties.
const (
	PartySender   Party = "sender"
	PartyReceiver Party = "receiver"
	PartyClock    Party = "clock"
)

// Move is one allowed step of the request state machine.
type Move struct {
	From   RequestState
	Action RequestAction
	By     Party
	To     RequestState
	// Kind, when set, limits the move to requests of that kind.
	Kind RequestKind
}

// Moves is the request state machine: every step a request may take,
// and no other. A draft is the sender's alone; once sent, the receiver
// acknowledges, may start, and answers or refuses; the sender may
// withdraw until the request is settled; a preservation request lapses
// at the end of its period unless the sender extends it.
var Moves = []Move{
	{StateDraft, ActionSend, PartySender, StateSent, ""},
	{StateDraft, ActionWithdraw, PartySender, StateWithdrawn, ""},

	{StateSent, ActionAcknowledge, PartyReceiver, StateAcknowledged, ""},
	{StateSent, ActionRefuse, PartyReceiver, StateRefused, ""},
	{StateSent, ActionWithdraw, PartySender, StateWithdrawn, ""},
	{StateSent, ActionExtend, PartySender, StateSent, KindPreservation},
	{StateSent, ActionExpire, PartyClock, StateExpired, KindPreservation},

	{StateAcknowledged, ActionStart, PartyReceiver, StateInProgress, ""},
	{StateAcknowledged, ActionAnswer, PartyReceiver, StateAnswered, ""},
	{StateAcknowledged, ActionRefuse, PartyReceiver, StateRefused, ""},
	{StateAcknowledged, ActionWithdraw, PartySender, StateWithdrawn, ""},
	{StateAcknowledged, ActionExtend, PartySender, StateAcknowledged, KindPreservation},
	{StateAcknowledged, ActionExpire, PartyClock, StateExpired, KindPreservation},

	{StateInProgress, ActionAnswer, PartyReceiver, StateAnswered, ""},
	{StateInProgress, ActionRefuse, PartyReceiver, StateRefused, ""},
	{StateInProgress, ActionWithdraw, PartySender, StateWithdrawn, ""},
	{StateInProgress, ActionExtend, PartySender, StateInProgress, KindPreservation},
	{StateInProgress, ActionExpire, PartyClock, StateExpired, KindPreservation},
}

// Next is the state a request of kind in state from reaches when by
// takes action: EINVALID for an unknown action, ECONFLICT for a step the
// state does not allow, EFORBIDDEN for a party that may not take it.
func Next(kind RequestKind, from RequestState, action RequestAction, by Party) (RequestState, error) {
	if !slices.Contains(RequestActions, action) {
		return "", Invalid("action", "unknown action %q (known: send, acknowledge, start, answer, refuse, withdraw, extend)", action)
	}
	if action == ActionExtend && kind != KindPreservation {
		return "", Invalid("action", "only a preservation request is extended; this one is %s", kind)
	}
	if action == ActionExpire && kind != KindPreservation {
		return "", Invalid("action", "only a preservation request expires; this one is %s", kind)
	}
	for _, m := range Moves {
		if m.From != from || m.Action != action || m.Kind != "" && m.Kind != kind {
			continue
		}
		if m.By != by {
			switch m.By {
			case PartyClock:
				return "", Errorf(EFORBIDDEN, "a request expires by the clock alone, at the end of its period")
			default:
				return "", &Error{Code: EFORBIDDEN, Field: "action", Message: "only the " + string(m.By) + " of a request may " + string(action) + " it"}
			}
		}
		return m.To, nil
	}
	if from.Final() {
		return "", &Error{Code: ECONFLICT, Field: "action", Message: "the request is " + string(from) + ": nothing more can be done to it"}
	}
	return "", &Error{Code: ECONFLICT, Field: "action", Message: "a request that is " + string(from) + " cannot take the step " + string(action)}
}

// Bounds of a request.
const (
	// MaxAttachments bounds the attachments of one step.
	MaxAttachments = 20
	// MaxAttachmentSize is the largest attachment a request may name.
	MaxAttachmentSize = 2 << 30
	// MaxRequestEntities bounds the entities one request names.
	MaxRequestEntities = 50
	// MaxRequestText bounds the request's free texts.
	MaxRequestText = 10000
	// MaxDeadline is how far ahead a deadline may be set.
	MaxDeadline = 2 * 365 * 24 * time.Hour
	// PreservationPeriod is how long a preservation request holds the
	// data, and how long each extension adds: the ninety days of the
	// Budapest Convention (article 16).
	PreservationPeriod = 90 * 24 * time.Hour
)

// ReminderBefore is how long before its deadline a request's receiver is
// reminded of it: hours for an urgent request, a week for the others.
func ReminderBefore(kind RequestKind) time.Duration {
	if kind == KindUrgent {
		return 12 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// Attachment is a file that went with a request or its answer. The node
// keeps only what identifies the file, never its bytes: they travel on
// the authorities' own channels, and the hash lets either side prove
// which file it was.
type Attachment struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Agency is the agency that attached it; Step the step of the
	// request's timeline it came with (0 for the request as created).
	Agency string `json:"agency,omitempty"`
	Step   int    `json:"step"`
}

// validateAttachments checks a step's attachments.
func validateAttachments(as []Attachment) error {
	if len(as) > MaxAttachments {
		return Invalid("attachments", "at most %d attachments a step; give the rest in another", MaxAttachments)
	}
	for i := range as {
		a := &as[i]
		f := "attachments[" + itoa(i) + "]"
		a.Name = strings.TrimSpace(a.Name)
		if err := checkText(f+".name", a.Name, true); err != nil {
			return err
		}
		if strings.ContainsAny(a.Name, "/\\\n") || len(a.Name) > 255 {
			return Invalid(f+".name", "a file name of at most 255 bytes, without a path")
		}
		a.SHA256 = strings.ToLower(strings.TrimSpace(a.SHA256))
		if b, err := hex.DecodeString(a.SHA256); err != nil || len(b) != 32 {
			return Invalid(f+".sha256", "give the file's SHA-256 as 64 hexadecimal digits")
		}
		if a.Size < 1 || a.Size > MaxAttachmentSize {
			return Invalid(f+".size", "an attachment is 1 byte to %d bytes (2 GiB)", int64(MaxAttachmentSize))
		}
	}
	return nil
}

// NewRequest is a request as its sender drafts it.
type NewRequest struct {
	Kind RequestKind `json:"kind"`
	// Authority is the directory entry the request is addressed to; the
	// agency keeping it receives the request.
	Authority  string `json:"authority"`
	LegalBasis string `json:"legal_basis"`
	Offence    string `json:"offence"`
	// Description is what is asked, or for spontaneous information what
	// is given.
	Description string `json:"description"`
	// Entities are the persons and entities concerned: entities the
	// sender may see.
	Entities    []string     `json:"entities,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// Deadline is when an answer is needed. Every kind but spontaneous
	// information and preservation needs one.
	Deadline *time.Time `json:"deadline,omitempty"`
}

// Validate normalises and checks r at now.
func (r *NewRequest) Validate(now time.Time) error {
	if !slices.Contains(RequestKinds, r.Kind) {
		names := make([]string, len(RequestKinds))
		for i, k := range RequestKinds {
			names[i] = string(k)
		}
		return Invalid("kind", "unknown kind %q (known: %s)", r.Kind, strings.Join(names, ", "))
	}
	if !ValidID(r.Authority) {
		return Invalid("authority", "give the ID of the directory entry the request is addressed to")
	}
	for _, f := range []struct {
		field string
		v     *string
	}{{"legal_basis", &r.LegalBasis}, {"offence", &r.Offence}, {"description", &r.Description}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" && (f.field != "legal_basis" || r.Kind != KindSpontaneous) {
			return Invalid(f.field, "%s is required", f.field)
		}
		if len(*f.v) > MaxRequestText {
			return Invalid(f.field, "longer than %d bytes", MaxRequestText)
		}
	}
	if len(r.Entities) > MaxRequestEntities {
		return Invalid("entities", "at most %d entities a request", MaxRequestEntities)
	}
	for i, e := range r.Entities {
		if !ValidID(e) {
			return Invalid("entities["+itoa(i)+"]", "%q is not an entity ID", e)
		}
	}
	slices.Sort(r.Entities)
	r.Entities = slices.Compact(r.Entities)
	if err := validateAttachments(r.Attachments); err != nil {
		return err
	}
	switch {
	case r.Kind == KindSpontaneous && r.Deadline != nil:
		return Invalid("deadline", "spontaneous information expects no answer and takes no deadline")
	case r.Deadline == nil && r.Kind != KindSpontaneous && r.Kind != KindPreservation:
		return Invalid("deadline", "a request of kind %s needs a deadline", r.Kind)
	case r.Deadline != nil:
		return checkDeadline(*r.Deadline, now)
	}
	return nil
}

// checkDeadline refuses a deadline already past or too far ahead.
func checkDeadline(d, now time.Time) error {
	if !d.After(now) {
		return Invalid("deadline", "the deadline %s is already past", d.UTC().Format(time.RFC3339))
	}
	if d.Sub(now) > MaxDeadline {
		return Invalid("deadline", "the deadline %s is more than two years ahead", d.UTC().Format(time.RFC3339))
	}
	return nil
}

// Step is a step taken on a request: what its party asks the store to do.
type Step struct {
	Action RequestAction `json:"action"`
	// Reason is why a request is refused (required) or withdrawn.
	Reason string `json:"reason,omitempty"`
	// Note is a message with the step: the answer's summary, what was
	// done.
	Note        string       `json:"note,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Validate normalises and checks s.
func (s *Step) Validate() error {
	if !slices.Contains(RequestActions, s.Action) {
		return Invalid("action", "unknown action %q (known: send, acknowledge, start, answer, refuse, withdraw, extend)", s.Action)
	}
	s.Reason, s.Note = strings.TrimSpace(s.Reason), strings.TrimSpace(s.Note)
	if s.Action == ActionRefuse && s.Reason == "" {
		return Invalid("reason", "a refusal needs its reason")
	}
	if len(s.Reason) > MaxRequestText || len(s.Note) > MaxRequestText {
		return Invalid("note", "a reason or a note is at most %d bytes", MaxRequestText)
	}
	return validateAttachments(s.Attachments)
}

// Kinds of reminder a request's timeline records, where both parties
// see them.
const (
	ReminderDeadlineNear = "deadline_near" // the deadline is within ReminderBefore: for the receiver to answer
	ReminderOverdue      = "overdue"       // the deadline passed unanswered
	ReminderExpiryNear   = "expiry_near"   // a preservation lapses within ReminderBefore: for the sender to extend
)

// TimelineStep is one entry of a request's timeline: a step a party took,
// a lapse, or a reminder the clock gave.
type TimelineStep struct {
	Seq    int           `json:"seq"`
	Time   time.Time     `json:"time"`
	Action RequestAction `json:"action,omitempty"`
	// Reminder is the kind of reminder, for a reminder.
	Reminder string       `json:"reminder,omitempty"`
	From     RequestState `json:"from,omitempty"`
	To       RequestState `json:"to,omitempty"`
	// Agency and Username are who took the step; empty for the clock.
	Agency   string `json:"agency,omitempty"`
	Username string `json:"username,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Note     string `json:"note,omitempty"`
}

// RequestEntity is an entity a request concerns, as the reader sees it:
// always its ID, which the sender chose to give, and its schema only when
// the reader's own handling lets it see the entity. Linking an entity to
// a request releases nothing of it.
type RequestEntity struct {
	ID     string `json:"id"`
	Schema string `json:"schema,omitempty"`
	// Visible says the reader may see some of the entity's statements
	// (and read them at /entities/{id}, under their own handling).
	Visible bool `json:"visible"`
}

// Request is a formal cooperation request between two agencies, as one
// of the agencies it is shared with reads it.
type Request struct {
	ID        string       `json:"id"`
	Kind      RequestKind  `json:"kind"`
	State     RequestState `json:"state"`
	Sender    string       `json:"sender"`
	Receiver  string       `json:"receiver"`
	Authority Authority    `json:"authority"`
	// Agencies are the agencies the sender or the receiver added, which
	// read the request too; no other agency sees it. Agencies, Entities,
	// Attachments and Timeline are left out of lists.
	Agencies    []string        `json:"agencies,omitempty"`
	LegalBasis  string          `json:"legal_basis"`
	Offence     string          `json:"offence"`
	Description string          `json:"description"`
	Entities    []RequestEntity `json:"entities,omitempty"`
	Attachments []Attachment    `json:"attachments,omitempty"`
	Deadline    *time.Time      `json:"deadline,omitempty"`
	// ExpiresAt is when a sent preservation request lapses.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// Overdue says the deadline passed before the request was settled.
	Overdue bool `json:"overdue"`
	// Reason is why it was refused or withdrawn.
	Reason         string         `json:"reason,omitempty"`
	CreatedBy      string         `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	SentAt         *time.Time     `json:"sent_at,omitempty"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at,omitempty"`
	ClosedAt       *time.Time     `json:"closed_at,omitempty"`
	Timeline       []TimelineStep `json:"timeline,omitempty"`
}

// RequestQuery lists requests. Every field narrows it.
type RequestQuery struct {
	Kind  RequestKind  `json:"kind,omitempty"`
	State RequestState `json:"state,omitempty"`
	// Role keeps the requests the caller's agency sent ("sender") or
	// received ("receiver").
	Role Party `json:"role,omitempty"`
	// Overdue keeps the open requests whose deadline passed.
	Overdue bool `json:"overdue,omitempty"`
	Limit   int  `json:"limit,omitempty"`
}

// Validate checks q.
func (q *RequestQuery) Validate() error {
	if q.Kind != "" && !slices.Contains(RequestKinds, q.Kind) {
		return Invalid("kind", "unknown kind %q", q.Kind)
	}
	if q.State != "" && !slices.Contains(RequestStates, q.State) {
		return Invalid("state", "unknown state %q", q.State)
	}
	return checkRoleAndLimit(q.Role, q.Limit)
}

// checkRoleAndLimit checks the party and the limit of a query of shared
// cases (requests, content referrals).
func checkRoleAndLimit(role Party, limit int) error {
	if role != "" && role != PartySender && role != PartyReceiver {
		return Invalid("role", "role is sender or receiver")
	}
	if limit < 0 || limit > MaxLimit {
		return Invalid("limit", "limit is 1 to %d", MaxLimit)
	}
	return nil
}

// RequestFigures are the oversight figures of one kind of request: how
// many, how they ended, and how fast.
type RequestFigures struct {
	Kind RequestKind `json:"kind"`
	// Sent counts requests that left their draft; the others count
	// among them.
	Sent         int `json:"sent"`
	Open         int `json:"open"`
	Acknowledged int `json:"acknowledged"`
	Answered     int `json:"answered"`
	Refused      int `json:"refused"`
	Withdrawn    int `json:"withdrawn"`
	Expired      int `json:"expired"`
	// MedianHoursToAcknowledge and MedianHoursToAnswer run from the
	// sending; nil when nothing was acknowledged or answered.
	MedianHoursToAcknowledge *float64 `json:"median_hours_to_acknowledge"`
	MedianHoursToAnswer      *float64 `json:"median_hours_to_answer"`
	// AnsweredInTime of the AnsweredWithDeadline answers came by the
	// deadline; ShareAnsweredInTime is the one over the other, nil when
	// no answered request had a deadline.
	AnsweredWithDeadline int      `json:"answered_with_deadline"`
	AnsweredInTime       int      `json:"answered_in_time"`
	ShareAnsweredInTime  *float64 `json:"share_answered_in_time"`
}

// FiguresOf computes the oversight figures of sent requests, one entry per
// kind in RequestKinds order.
func FiguresOf(rs []Request) []RequestFigures {
	out := make([]RequestFigures, len(RequestKinds))
	ack := make([][]float64, len(out))
	ans := make([][]float64, len(out))
	for i, k := range RequestKinds {
		out[i].Kind = k
	}
	for _, r := range rs {
		i := slices.Index(RequestKinds, r.Kind)
		if i < 0 || r.SentAt == nil {
			continue
		}
		f := &out[i]
		f.Sent++
		if r.AcknowledgedAt != nil {
			f.Acknowledged++
			ack[i] = append(ack[i], r.AcknowledgedAt.Sub(*r.SentAt).Hours())
		}
		switch r.State {
		case StateAnswered:
			f.Answered++
			ans[i] = append(ans[i], r.ClosedAt.Sub(*r.SentAt).Hours())
			if r.Deadline != nil {
				f.AnsweredWithDeadline++
				if !r.ClosedAt.After(*r.Deadline) {
					f.AnsweredInTime++
				}
			}
		case StateRefused:
			f.Refused++
		case StateWithdrawn:
			f.Withdrawn++
		case StateExpired:
			f.Expired++
		default:
			f.Open++
		}
	}
	for i := range out {
		out[i].MedianHoursToAcknowledge = median(ack[i])
		out[i].MedianHoursToAnswer = median(ans[i])
		if n := out[i].AnsweredWithDeadline; n > 0 {
			share := float64(out[i].AnsweredInTime) / float64(n)
			out[i].ShareAnsweredInTime = &share
		}
	}
	return out
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	sort.Float64s(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + m) / 2
	}
	return &m
}

// SweepReport is what one run of the request clock did.
type SweepReport struct {
	Reminders int `json:"reminders"`
	Expired   int `json:"expired"`
}

// Audit actions of cooperation requests. Each step's event names the
// request and its action; the sender, the receiver and the added
// agencies oversee it.
const (
	ActRequestCreate = "request.create"
	ActRequestEdit   = "request.edit"
	ActRequestStep   = "request.step"
	ActRequestShare  = "request.share"
	ActRequestRead   = "request.read"
	ActRequestRemind = "request.remind"
	ActRequestExpire = "request.expire"
)

// CooperationService carries formal cooperation requests between
// agencies. A request is seen only by its sender, by its receiver once
// sent, and by the agencies either of them added (ENOTFOUND to anyone
// else, as for a request that does not exist); a draft is the sender's
// alone. The analysts of the sending and receiving agencies act on it;
// their auditors and data-protection officers read it. Every step is
// audited.
type CooperationService interface {
	// CreateRequest drafts a request from the caller's agency to the
	// agency keeping the addressed authority. Needs RoleAnalyst; the
	// entities must be ones the caller may see (EINVALID naming the
	// entity otherwise, as for one that does not exist).
	CreateRequest(ctx context.Context, r NewRequest) (*Request, error)
	// EditRequest replaces the contents of a draft of the caller's
	// agency with r, checked as CreateRequest checks it; attachments
	// given are added, with the edit on the timeline. Needs RoleAnalyst
	// of the sender; ECONFLICT once the request is sent, ENOTFOUND for
	// one the caller may not see.
	EditRequest(ctx context.Context, id string, r NewRequest) (*Request, error)
	// TakeStep moves a request along Moves. Needs RoleAnalyst of the
	// party the move belongs to; EINVALID, ECONFLICT or EFORBIDDEN as
	// Next says, with nothing changed.
	TakeStep(ctx context.Context, id string, s Step) (*Request, error)
	// ShareRequest lets another agency read a request. Needs RoleAnalyst
	// of the sender or the receiver.
	ShareRequest(ctx context.Context, id, agency string) (*Request, error)
	// Request returns a request with its timeline. Needs RoleAnalyst,
	// RoleAuditor or RoleDPO; audited.
	Request(ctx context.Context, id string) (*Request, error)
	// Requests lists the requests the caller's agency sees, newest
	// first, without timelines.
	Requests(ctx context.Context, q RequestQuery) ([]Request, error)
	// RequestFigures gives the oversight figures, by kind, of the
	// requests the caller's agency sent or received (every agency's, for
	// the node's operator). Needs RoleAnalyst, RoleAuditor or RoleDPO.
	RequestFigures(ctx context.Context) ([]RequestFigures, error)
	// SweepRequests runs the clock: it records the reminders that are
	// due and lets preservation requests past their period lapse. Only
	// the node's operator runs it (serve, hourly).
	SweepRequests(ctx context.Context) (*SweepReport, error)
}

// Handling is a request's own handling, as a statement's would read: a
// draft is its sender's alone; a sent request goes to its sender, its
// receiver and the agencies added to it, and to no one else. It is what
// a page shows in its handling banner.
func (r *Request) Handling() Handling {
	if r.State == StateDraft {
		return Handling{Distribution: DistOriginator}
	}
	agencies := append([]string{r.Receiver}, r.Agencies...)
	slices.Sort(agencies)
	return Handling{Distribution: DistAgencies, Agencies: slices.Compact(agencies), Restriction: H0}
}

// Allowed are the actions party may take on r now, in Moves order: what
// a page offers.
func (r *Request) Allowed(party Party) []RequestAction {
	var out []RequestAction
	for _, m := range Moves {
		if m.From == r.State && m.By == party && (m.Kind == "" || m.Kind == r.Kind) && !slices.Contains(out, m.Action) {
			out = append(out, m.Action)
		}
	}
	return out
}
