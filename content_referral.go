package ctis

import (
	"context"
	"slices"
	"strings"
	"time"
)

// A referral is the notice a member agency gives a platform that content
// it hosts is terrorist content, as Regulation (EU) 2021/784 on
// addressing the dissemination of terrorist content online frames it:
// either a referral under the platform's own terms of service, which the
// platform weighs and may decline, or a removal order, which the platform
// carries out within an hour (article 3(3)) or contests (article 9).

// ContentReferralBasis is the legal basis a referral is made on.
type ContentReferralBasis string

// ContentReferral bases.
const (
	// BasisTermsOfService asks the platform to weigh the content against
	// its terms of service (article 7 of the regulation); it may keep it.
	BasisTermsOfService ContentReferralBasis = "terms_of_service"
	// BasisRemovalOrder orders the content removed or disabled in the
	// Union within RemovalOrderDeadline (article 3).
	BasisRemovalOrder ContentReferralBasis = "removal_order"
)

// ContentReferralBases lists the bases in a stable order.
var ContentReferralBases = []ContentReferralBasis{BasisTermsOfService, BasisRemovalOrder}

// RemovalOrderDeadline is how long a platform has to act on a removal
// order: one hour from its receipt, or from the referrer's upholding of
// an order the platform contested.
const RemovalOrderDeadline = time.Hour

// ContentReferralState is where a referral stands.
type ContentReferralState string

// ContentReferral states. Removed, geo-blocked, kept and withdrawn are final.
const (
	ContentReferralSent         ContentReferralState = "sent"
	ContentReferralAcknowledged ContentReferralState = "acknowledged"
	// ContentReferralContested is a removal order the platform contests; the
	// clock stops until the referrer upholds or withdraws it.
	ContentReferralContested ContentReferralState = "contested"
	// ContentReferralUpheld is a contested order its referrer upheld: the
	// platform has a new hour to act on it.
	ContentReferralUpheld     ContentReferralState = "upheld"
	ContentReferralRemoved    ContentReferralState = "removed"
	ContentReferralGeoBlocked ContentReferralState = "geo_blocked" // access disabled in the Union
	ContentReferralKept       ContentReferralState = "kept"        // the platform declined, with its reason
	ContentReferralWithdrawn  ContentReferralState = "withdrawn"
)

// ContentReferralStates lists every state in a stable order.
var ContentReferralStates = []ContentReferralState{ContentReferralSent, ContentReferralAcknowledged, ContentReferralContested, ContentReferralUpheld,
	ContentReferralRemoved, ContentReferralGeoBlocked, ContentReferralKept, ContentReferralWithdrawn}

// Final reports whether nothing more can happen to a referral in state s.
func (s ContentReferralState) Final() bool {
	return s == ContentReferralRemoved || s == ContentReferralGeoBlocked || s == ContentReferralKept || s == ContentReferralWithdrawn
}

// Acted reports whether s is the platform acting against the content.
func (s ContentReferralState) Acted() bool {
	return s == ContentReferralRemoved || s == ContentReferralGeoBlocked
}

// ContentReferralAction is a step a party takes on a referral.
type ContentReferralAction string

// ContentReferral actions.
const (
	ContentReferralAcknowledge ContentReferralAction = "acknowledge"
	ContentReferralRemove      ContentReferralAction = "remove"
	ContentReferralGeoBlock    ContentReferralAction = "geo_block"
	ContentReferralKeep        ContentReferralAction = "keep"    // needs a reason
	ContentReferralContest     ContentReferralAction = "contest" // a removal order; needs a reason
	ContentReferralUphold      ContentReferralAction = "uphold"  // the referrer maintains a contested order; needs a reason
	ContentReferralWithdraw    ContentReferralAction = "withdraw"
)

// ContentReferralActions lists every action in a stable order.
var ContentReferralActions = []ContentReferralAction{ContentReferralAcknowledge, ContentReferralRemove, ContentReferralGeoBlock, ContentReferralKeep,
	ContentReferralContest, ContentReferralUphold, ContentReferralWithdraw}

// Timeline entries of a referral that are not moves of its state machine.
const (
	ContentReferralCreate ContentReferralAction = "refer" // the referral made and sent
	ContentReferralShare  ContentReferralAction = "share" // an agency added to the readers
)

// ContentReferralMove is one allowed step of the referral state machine. The
// referrer is PartySender, the platform PartyReceiver.
type ContentReferralMove struct {
	From   ContentReferralState
	Action ContentReferralAction
	By     Party
	To     ContentReferralState
	// Basis, when set, limits the move to referrals on that basis.
	Basis ContentReferralBasis
}

// ContentReferralMoves is the referral state machine: every step a referral may
// take, and no other. The platform acknowledges and decides; only a
// terms-of-service referral may be kept, only a removal order contested;
// the referrer upholds or withdraws a contested order, and may withdraw
// any referral still open.
var ContentReferralMoves = []ContentReferralMove{
	{ContentReferralSent, ContentReferralAcknowledge, PartyReceiver, ContentReferralAcknowledged, ""},
	{ContentReferralSent, ContentReferralRemove, PartyReceiver, ContentReferralRemoved, ""},
	{ContentReferralSent, ContentReferralGeoBlock, PartyReceiver, ContentReferralGeoBlocked, ""},
	{ContentReferralSent, ContentReferralKeep, PartyReceiver, ContentReferralKept, BasisTermsOfService},
	{ContentReferralSent, ContentReferralContest, PartyReceiver, ContentReferralContested, BasisRemovalOrder},
	{ContentReferralSent, ContentReferralWithdraw, PartySender, ContentReferralWithdrawn, ""},

	{ContentReferralAcknowledged, ContentReferralRemove, PartyReceiver, ContentReferralRemoved, ""},
	{ContentReferralAcknowledged, ContentReferralGeoBlock, PartyReceiver, ContentReferralGeoBlocked, ""},
	{ContentReferralAcknowledged, ContentReferralKeep, PartyReceiver, ContentReferralKept, BasisTermsOfService},
	{ContentReferralAcknowledged, ContentReferralContest, PartyReceiver, ContentReferralContested, BasisRemovalOrder},
	{ContentReferralAcknowledged, ContentReferralWithdraw, PartySender, ContentReferralWithdrawn, ""},

	{ContentReferralContested, ContentReferralUphold, PartySender, ContentReferralUpheld, BasisRemovalOrder},
	{ContentReferralContested, ContentReferralWithdraw, PartySender, ContentReferralWithdrawn, BasisRemovalOrder},

	{ContentReferralUpheld, ContentReferralRemove, PartyReceiver, ContentReferralRemoved, BasisRemovalOrder},
	{ContentReferralUpheld, ContentReferralGeoBlock, PartyReceiver, ContentReferralGeoBlocked, BasisRemovalOrder},
	{ContentReferralUpheld, ContentReferralWithdraw, PartySender, ContentReferralWithdrawn, BasisRemovalOrder},
}

func joinActions() string {
	s := make([]string, len(ContentReferralActions))
	for i, a := range ContentReferralActions {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// NextContentReferral is the state a referral on basis in state from reaches
// when by takes action: EINVALID for an unknown action or one the basis
// does not allow, ECONFLICT for a step the state does not allow,
// EFORBIDDEN for a party that may not take it.
func NextContentReferral(basis ContentReferralBasis, from ContentReferralState, action ContentReferralAction, by Party) (ContentReferralState, error) {
	if !slices.Contains(ContentReferralActions, action) {
		return "", Invalid("action", "unknown action %q (known: %s)", action, joinActions())
	}
	switch {
	case action == ContentReferralKeep && basis != BasisTermsOfService:
		return "", Invalid("action", "a removal order is carried out or contested, not kept")
	case (action == ContentReferralContest || action == ContentReferralUphold) && basis != BasisRemovalOrder:
		return "", Invalid("action", "only a removal order is contested and upheld; a referral under the terms of service is kept or acted on")
	}
	for _, m := range ContentReferralMoves {
		if m.From != from || m.Action != action || m.Basis != "" && m.Basis != basis {
			continue
		}
		if m.By != by {
			who := map[Party]string{PartySender: "referrer", PartyReceiver: "platform"}[m.By]
			return "", &Error{Code: EFORBIDDEN, Field: "action", Message: "only the " + who + " of a referral may " + string(action) + " it"}
		}
		return m.To, nil
	}
	if from.Final() {
		return "", &Error{Code: ECONFLICT, Field: "action", Message: "the referral is " + string(from) + ": nothing more can be done to it"}
	}
	return "", &Error{Code: ECONFLICT, Field: "action", Message: "a referral that is " + string(from) + " cannot take the step " + string(action)}
}

// Bounds of a referral.
const (
	// MaxContentReferralEvidence bounds the evidence hashes of a referral.
	MaxContentReferralEvidence = 50
	// MaxContentReferralText bounds a referral's note and a step's reason.
	MaxContentReferralText = 4000
)

// Evidence is a piece of evidence of a referral, kept as its hash only:
// the content itself stays with the referrer and the platform.
type Evidence struct {
	Type  HashType `json:"type"`
	Value string   `json:"value"`
}

// NewContentReferral is a referral as its referrer makes it.
type NewContentReferral struct {
	// Platform is the code of the platform member the content is
	// referred to: an agency of kind platform.
	Platform string               `json:"platform"`
	Basis    ContentReferralBasis `json:"basis"`
	// Type and Content are what is referred: a URL where the content is
	// published, or a hash of it.
	Type    HashType   `json:"type"`
	Content string     `json:"content"`
	Labels  HashLabels `json:"labels"`
	// Evidence are hashes of what the referrer holds of the content.
	Evidence []Evidence `json:"evidence,omitempty"`
	// Note is what the platform should know, as free text; no personal
	// data of the content's author.
	Note string `json:"note,omitempty"`
}

// Validate normalises and checks r.
func (r *NewContentReferral) Validate() error {
	if !ValidAgencyCode(r.Platform) {
		return Invalid("platform", "give the code of the platform member the content is referred to")
	}
	if !slices.Contains(ContentReferralBases, r.Basis) {
		return Invalid("basis", "unknown legal basis %q (known: terms_of_service, removal_order)", r.Basis)
	}
	r.Type = HashType(strings.ToLower(strings.TrimSpace(string(r.Type))))
	if r.Type != HashURL && r.Type != HashPDQ && r.Type != HashMD5 && r.Type != HashSHA256 {
		return Invalid("type", "content is referred by its URL or a hash (url, pdq, md5, sha256), not %q", r.Type)
	}
	v, err := NormalizeHash(r.Type, r.Content)
	if err != nil {
		return Prefix("content", err)
	}
	r.Content = v
	r.Labels.Behaviours = slices.Clone(r.Labels.Behaviours)
	if err := r.Labels.Validate(); err != nil {
		return err
	}
	if len(r.Evidence) > MaxContentReferralEvidence {
		return Errorf(ETOOLARGE, "at most %d evidence hashes a referral, not %d", MaxContentReferralEvidence, len(r.Evidence))
	}
	for i := range r.Evidence {
		e := &r.Evidence[i]
		f := "evidence[" + itoa(i) + "]"
		e.Type = HashType(strings.ToLower(strings.TrimSpace(string(e.Type))))
		if e.Type == HashURL || !slices.Contains(HashTypes, e.Type) {
			return Invalid(f+".type", "evidence is kept as a hash (pdq, md5, sha256), not %q", e.Type)
		}
		v, err := NormalizeHash(e.Type, e.Value)
		if err != nil {
			return Prefix(f, err)
		}
		e.Value = v
	}
	r.Note = strings.TrimSpace(r.Note)
	return checkReferralText("note", r.Note)
}

// checkReferralText refuses a text too long or holding control
// characters.
func checkReferralText(field, s string) error {
	if len(s) > MaxContentReferralText {
		return Invalid(field, "longer than %d bytes", MaxContentReferralText)
	}
	return checkText(field, s, false)
}

// ContentReferralStep is a step a party asks to take on a referral.
type ContentReferralStep struct {
	Action ContentReferralAction `json:"action"`
	// Reason is why the content is kept, the order contested or upheld
	// (required for those), or where it is geo-blocked.
	Reason string `json:"reason,omitempty"`
}

// Validate normalises and checks s.
func (s *ContentReferralStep) Validate() error {
	if !slices.Contains(ContentReferralActions, s.Action) {
		return Invalid("action", "unknown action %q (known: %s)", s.Action, joinActions())
	}
	s.Reason = strings.TrimSpace(s.Reason)
	if s.Reason == "" && (s.Action == ContentReferralKeep || s.Action == ContentReferralContest || s.Action == ContentReferralUphold) {
		return Invalid("reason", "to %s a referral needs its reason", s.Action)
	}
	return checkReferralText("reason", s.Reason)
}

// ContentReferralEvent is one entry of a referral's timeline.
type ContentReferralEvent struct {
	Seq    int                   `json:"seq"`
	Time   time.Time             `json:"time"`
	Action ContentReferralAction `json:"action,omitempty"`
	// Reminder is the clock's: ReminderOverdue when a removal order's
	// hour passed before it was acted on.
	Reminder string               `json:"reminder,omitempty"`
	From     ContentReferralState `json:"from,omitempty"`
	To       ContentReferralState `json:"to,omitempty"`
	Agency   string               `json:"agency,omitempty"`
	Username string               `json:"username,omitempty"`
	Reason   string               `json:"reason,omitempty"`
}

// Contest outcomes.
const (
	ContestUpheld    = "upheld"    // the referrer maintained the order
	ContestWithdrawn = "withdrawn" // the referrer withdrew it
)

// ContentReferral is content referred to a platform, as one of the agencies it
// is shared with reads it.
type ContentReferral struct {
	ID       string               `json:"id"`
	State    ContentReferralState `json:"state"`
	Basis    ContentReferralBasis `json:"basis"`
	Referrer string               `json:"referrer"`
	Platform string               `json:"platform"`
	// Agencies are the agencies the referrer or the platform added; no
	// other agency sees the referral. Agencies, Evidence and Timeline are
	// left out of lists.
	Agencies []string   `json:"agencies,omitempty"`
	Type     HashType   `json:"type"`
	Content  string     `json:"content"`
	Labels   HashLabels `json:"labels"`
	Evidence []Evidence `json:"evidence,omitempty"`
	Note     string     `json:"note,omitempty"`
	// Reason is the platform's reason for its decision or contest, or the
	// referrer's for withdrawing.
	Reason string `json:"reason,omitempty"`
	// Deadline is when a removal order must be acted on; nil for a
	// referral under the terms of service, and while an order is
	// contested.
	Deadline *time.Time `json:"deadline,omitempty"`
	// Overdue says the deadline passed before the platform acted.
	Overdue        bool       `json:"overdue"`
	CreatedBy      string     `json:"created_by"`
	SentAt         time.Time  `json:"sent_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	// DecidedAt is when the platform removed, geo-blocked or kept the
	// content; ClosedAt when the referral reached a final state.
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	ContestedAt *time.Time `json:"contested_at,omitempty"`
	// ContestOutcome is how a contest ended: ContestUpheld or
	// ContestWithdrawn; empty while pending or when none was made.
	ContestOutcome string                 `json:"contest_outcome,omitempty"`
	Timeline       []ContentReferralEvent `json:"timeline,omitempty"`
}

// Handling is a referral's own handling: its referrer, its platform and
// the agencies added to it, and no one else. It is what a page shows in
// its handling banner.
func (r *ContentReferral) Handling() Handling {
	agencies := append([]string{r.Referrer, r.Platform}, r.Agencies...)
	slices.Sort(agencies)
	return Handling{Distribution: DistAgencies, Agencies: slices.Compact(agencies), Restriction: H0}
}

// Allowed are the actions party may take on r now, in ContentReferralMoves
// order: what a page offers.
func (r *ContentReferral) Allowed(party Party) []ContentReferralAction {
	var out []ContentReferralAction
	for _, m := range ContentReferralMoves {
		if m.From == r.State && m.By == party && (m.Basis == "" || m.Basis == r.Basis) && !slices.Contains(out, m.Action) {
			out = append(out, m.Action)
		}
	}
	return out
}

// BankEntries are the hash entries a removed or geo-blocked referral
// gives a bank in one step: its content (a URL or a hash) and its
// evidence hashes, with its labels. EINVALID for a referral the platform
// did not act on: its content is not established as terrorist content.
func (r *ContentReferral) BankEntries() ([]HashEntry, error) {
	if !r.State.Acted() {
		return nil, &Error{Code: ECONFLICT, Field: "state", Message: "only content a platform removed or geo-blocked goes to a bank; this referral is " + string(r.State)}
	}
	labels := func() HashLabels {
		l := r.Labels
		l.Behaviours = slices.Clone(l.Behaviours)
		return l
	}
	out := []HashEntry{{Type: r.Type, Value: r.Content, Labels: labels()}}
	for _, e := range r.Evidence {
		if e.Type == r.Type && e.Value == r.Content {
			continue
		}
		out = append(out, HashEntry{Type: e.Type, Value: e.Value, Labels: labels()})
	}
	return out, nil
}

// ContentReferralQuery lists referrals. Every field narrows it.
type ContentReferralQuery struct {
	State ContentReferralState `json:"state,omitempty"`
	Basis ContentReferralBasis `json:"basis,omitempty"`
	// Role keeps the referrals the caller's agency made ("sender") or
	// received as a platform ("receiver").
	Role  Party `json:"role,omitempty"`
	Limit int   `json:"limit,omitempty"`
}

// Validate checks q.
func (q *ContentReferralQuery) Validate() error {
	if q.State != "" && !slices.Contains(ContentReferralStates, q.State) {
		return Invalid("state", "unknown state %q", q.State)
	}
	if q.Basis != "" && !slices.Contains(ContentReferralBases, q.Basis) {
		return Invalid("basis", "unknown legal basis %q", q.Basis)
	}
	return checkRoleAndLimit(q.Role, q.Limit)
}

// ContentReferralFigures are one platform's figures for one month, over the
// referrals sent that month: what the regulation's transparency reports
// (article 7) and the authorities' (article 8) give.
type ContentReferralFigures struct {
	Platform string `json:"platform"`
	Month    string `json:"month"` // YYYY-MM
	// Referrals counts every referral; RemovalOrders those that were
	// orders.
	Referrals     int `json:"referrals"`
	RemovalOrders int `json:"removal_orders"`
	Acknowledged  int `json:"acknowledged"`
	Removed       int `json:"removed"`
	GeoBlocked    int `json:"geo_blocked"`
	Kept          int `json:"kept"`
	Withdrawn     int `json:"withdrawn"`
	Open          int `json:"open"`
	// Median minutes from sending to acknowledgement, and to the
	// platform's decision; nil when none.
	MedianMinutesToAcknowledge *float64 `json:"median_minutes_to_acknowledge"`
	MedianMinutesToAct         *float64 `json:"median_minutes_to_act"`
	// OrdersDue are the orders acted on or whose deadline passed;
	// OrdersInTime of them were acted on within it, and ShareInTime is
	// the one over the other (nil when none was due).
	OrdersDue    int      `json:"orders_due"`
	OrdersInTime int      `json:"orders_in_time"`
	ShareInTime  *float64 `json:"share_in_time"`
	// Contests of orders, and how they ended.
	Contests          int `json:"contests"`
	ContestsUpheld    int `json:"contests_upheld"`
	ContestsWithdrawn int `json:"contests_withdrawn"`
}

// ContentReferralFiguresOf computes the figures of rs at now, by platform and
// by the month they were sent, in that order.
func ContentReferralFiguresOf(rs []ContentReferral, now time.Time) []ContentReferralFigures {
	type key struct{ platform, month string }
	idx := map[key]int{}
	out := []ContentReferralFigures{}
	var ack, act [][]float64
	for _, r := range rs {
		k := key{r.Platform, r.SentAt.UTC().Format("2006-01")}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ContentReferralFigures{Platform: k.platform, Month: k.month})
			ack, act = append(ack, nil), append(act, nil)
		}
		f := &out[i]
		f.Referrals++
		if r.AcknowledgedAt != nil {
			f.Acknowledged++
			ack[i] = append(ack[i], r.AcknowledgedAt.Sub(r.SentAt).Minutes())
		}
		if r.DecidedAt != nil {
			act[i] = append(act[i], r.DecidedAt.Sub(r.SentAt).Minutes())
		}
		switch r.State {
		case ContentReferralRemoved:
			f.Removed++
		case ContentReferralGeoBlocked:
			f.GeoBlocked++
		case ContentReferralKept:
			f.Kept++
		case ContentReferralWithdrawn:
			f.Withdrawn++
		default:
			f.Open++
		}
		if r.ContestedAt != nil {
			f.Contests++
			switch r.ContestOutcome {
			case ContestUpheld:
				f.ContestsUpheld++
			case ContestWithdrawn:
				f.ContestsWithdrawn++
			}
		}
		if r.Basis != BasisRemovalOrder {
			continue
		}
		f.RemovalOrders++
		switch {
		case r.State.Acted() && r.Deadline != nil:
			f.OrdersDue++
			if !r.DecidedAt.After(*r.Deadline) {
				f.OrdersInTime++
			}
		case !r.State.Final() && r.Deadline != nil && now.After(*r.Deadline):
			f.OrdersDue++ // missed, and still open
		}
	}
	for i := range out {
		out[i].MedianMinutesToAcknowledge = median(ack[i])
		out[i].MedianMinutesToAct = median(act[i])
		if n := out[i].OrdersDue; n > 0 {
			share := float64(out[i].OrdersInTime) / float64(n)
			out[i].ShareInTime = &share
		}
	}
	slices.SortFunc(out, func(a, b ContentReferralFigures) int {
		if c := strings.Compare(a.Platform, b.Platform); c != 0 {
			return c
		}
		return strings.Compare(a.Month, b.Month)
	})
	return out
}

// Audit actions of referrals. The referrer, the platform and the added
// agencies oversee each.
const (
	ActContentReferralCreate = "content_referral.create"
	ActContentReferralStep   = "content_referral.step"
	ActContentReferralShare  = "content_referral.share"
	ActContentReferralRead   = "content_referral.read"
	ActContentReferralRemind = "content_referral.remind"
)

// ContentReferralService carries referrals of terrorist content to platforms. A
// referral is seen only by its referrer, its platform and the agencies
// either of them added (ENOTFOUND to anyone else, as for one that does
// not exist). Analysts of the referrer and of the platform act on it;
// their auditors and data-protection officers read it. Every step is
// audited.
type ContentReferralService interface {
	// Refer sends a referral from the caller's agency to a platform
	// member. Needs RoleAnalyst; EINVALID for a platform that is not an
	// agency of kind platform.
	Refer(ctx context.Context, r NewContentReferral) (*ContentReferral, error)
	// ActOnReferral moves a referral along ContentReferralMoves. Needs
	// RoleAnalyst of the party the move belongs to; EINVALID, ECONFLICT
	// or EFORBIDDEN as NextContentReferral says, with nothing changed.
	ActOnReferral(ctx context.Context, id string, s ContentReferralStep) (*ContentReferral, error)
	// ShareReferral lets another agency read a referral. Needs
	// RoleAnalyst of the referrer or the platform.
	ShareReferral(ctx context.Context, id, agency string) (*ContentReferral, error)
	// ContentReferral returns a referral with its timeline. Needs RoleAnalyst,
	// RoleAuditor or RoleDPO; audited.
	ContentReferral(ctx context.Context, id string) (*ContentReferral, error)
	// ContentReferrals lists the referrals the caller's agency sees, newest
	// first, without timelines.
	ContentReferrals(ctx context.Context, q ContentReferralQuery) ([]ContentReferral, error)
	// ContentReferralFigures gives figures by platform and month, from month
	// from to month to (YYYY-MM), over the referrals the caller's agency
	// sees (every referral, for the node's operator).
	ContentReferralFigures(ctx context.Context, from, to string) ([]ContentReferralFigures, error)
	// SweepReferrals runs the clock: it records, once each, the removal
	// orders whose hour passed, and tells both parties. Only the node's
	// operator runs it.
	SweepReferrals(ctx context.Context) (int, error)
}

// BankReferral adds what a removed or geo-blocked referral identifies to
// a bank in one step, as the caller: its content and its evidence
// hashes, with its labels. The caller must read the referral and may
// add to the bank, as each service says; it returns how many entries
// were stored.
func BankReferral(ctx context.Context, referrals ContentReferralService, hashes HashStore, referral, bank string) (int, error) {
	r, err := referrals.ContentReferral(ctx, referral)
	if err != nil {
		return 0, err
	}
	entries, err := r.BankEntries()
	if err != nil {
		return 0, err
	}
	if !ValidID(bank) {
		return 0, Invalid("bank", "give the ID of the bank the content goes to")
	}
	out, err := hashes.AddHashes(ctx, bank, entries)
	return len(out), err
}
