package ctis

import (
	"context"
	"time"
)

// TravellerReferral is a traveller referred by one of the agency's
// targeting rules when its booking data was received: in the agency's
// referral queue for a person to look at and decide, as a hit is. A
// referral is never a decision about the traveller; only the reviewer's
// is. Only the agency that received the data and whose rule held ever
// sees it.
type TravellerReferral struct {
	ID string `json:"id"`
	// Agency received the booking data; its rule held.
	Agency     string    `json:"agency"`
	ReceivedBy string    `json:"received_by"`
	ReceivedAt time.Time `json:"received_at"`
	// Reference is the message's own reference, and Locator the booking's.
	Reference string `json:"reference,omitempty"`
	Locator   string `json:"locator,omitempty"`
	// RecordID is the travel record the referral was made from: it is
	// kept as long as the record and masked with it.
	RecordID string `json:"record_id,omitempty"`
	// Traveller is the traveller as the booking gave them, with the
	// journey. Once the record is masked (MaskedAt), only the journey
	// is shown, unless the reader holds an approved unmasking of the
	// record; the rule's facts and explanation, which read the booking,
	// are then withheld too.
	Traveller Subject    `json:"traveller"`
	MaskedAt  *time.Time `json:"masked_at,omitempty"`
	// Rule is the rule that held, at the version that held, and why.
	Rule     Referral  `json:"rule"`
	Status   HitStatus `json:"status"`
	Decision *Decision `json:"decision,omitempty"`
}

// ReferralFilter selects referrals in a queue.
type ReferralFilter struct {
	Status HitStatus
	Rule   string // a rule's ID
	Cursor string
	Limit  int
}

// ReferralPage is a page of a referral queue, newest first.
type ReferralPage struct {
	Referrals []TravellerReferral `json:"referrals"`
	Next      string              `json:"next,omitempty"`
}

// ReferralQueue is the queue of travellers that targeting rules referred:
// each agency's own, seen by no other agency, decided as hits are.
// Referrals enter the queue with the travel record they were made from,
// in the same write (NewTravelRecord.Referrals, TravelService.ReceiveTravel).
type ReferralQueue interface {
	// Referrals lists the caller's agency's queue. Needs RoleAnalyst and
	// a purpose; audited.
	Referrals(ctx context.Context, f ReferralFilter) (*ReferralPage, error)
	// Referral returns one referral of the caller's agency's queue. Needs
	// RoleAnalyst and a purpose; audited. ENOTFOUND when absent or
	// another agency's alike.
	Referral(ctx context.Context, id string) (*TravellerReferral, error)
	// DecideReferral records a decision with its reason: confirmed,
	// false_positive or escalated (to a senior reviewer of the same
	// agency, who decides it then). Needs RoleAnalyst; audited.
	// ENOTFOUND, EINVALID, ECONFLICT when decided already.
	DecideReferral(ctx context.Context, id string, status HitStatus, reason string) (*TravellerReferral, error)
}

// Audit actions of the referral queue.
const (
	ActReferralQueue  = "referral.queue"
	ActReferralRead   = "referral.read"
	ActReferralDecide = "referral.decide"
)
