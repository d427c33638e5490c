package manifest

import (
	"context"

	"ctis"
	"ctis/paxlst"
	"ctis/pnrgov"
	"ctis/rules"
)

// Receiver is the use case of received travel data: keep every traveller
// of a carrier's messages under the retention policy, screen each one,
// check their documents, and refer them to the agency's targeting rules.
// The API and the command line share it.
//
// A submission is taken whole or not at all. Every message is made ready
// — each field that does not pass dropped with a warning, so that nobody
// goes unscreened for a bad field — before anything is screened or kept;
// what can still refuse it (access, the rules in force, a record that
// does not validate) is decided then, and nothing is written. Screening
// comes before keeping, so that no traveller is kept unscreened; the
// travellers are kept with the referrals of the agency's targeting rules
// in one write.
type Receiver struct {
	Screener ctis.Screener
	Travel   ctis.TravelService
	// Documents checks manifests' travel documents against the stolen,
	// lost and revoked lists; nil checks none.
	Documents ctis.DocumentService
	// Rules holds the targeting rules; nil refers to none.
	Rules ctis.RuleService
}

// ReceiverOf is the use case over a node's services.
func ReceiverOf(s ctis.Services) Receiver {
	return Receiver{Screener: s.Screener, Travel: s.Travel, Documents: s.Documents, Rules: s.Rules}
}

// ReceiveManifests keeps and screens every traveller of PAXLST manifests.
// Needs RoleAnalyst or RoleFrontline and a purpose.
func (rc Receiver) ReceiveManifests(ctx context.Context, ms []*paxlst.Manifest) ([]*ctis.ManifestScreening, error) {
	bs := make([]*batch, len(ms))
	for i, m := range ms {
		bs[i] = manifestBatch(m)
	}
	return rc.receive(ctx, bs, rc.Documents)
}

// ReceivePNRs keeps and screens every passenger of PNRGOV messages, with
// the referrals of the agency's targeting rules. Needs RoleAnalyst or
// RoleFrontline and a purpose.
func (rc Receiver) ReceivePNRs(ctx context.Context, ms []*pnrgov.Message) ([]*ctis.ManifestScreening, error) {
	bs := make([]*batch, len(ms))
	for i, m := range ms {
		bs[i] = pnrBatch(m)
	}
	return rc.receive(ctx, bs, nil)
}

func (rc Receiver) receive(ctx context.Context, bs []*batch, docs ctis.DocumentService) ([]*ctis.ManifestScreening, error) {
	if _, _, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline); err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, ctis.Invalid("body", "the interchange holds no message")
	}
	for _, b := range bs {
		for i := range b.records {
			if err := b.records[i].Validate(); err != nil {
				return nil, err // what dropping left must pass; the store would refuse it
			}
		}
	}
	var active []*rules.Compiled
	if rc.Rules != nil {
		var err error
		if active, err = (rules.Service{Store: rc.Rules}).Active(ctx); err != nil {
			return nil, err
		}
	}
	for _, b := range bs {
		b.refer(active)
		b.queueReferrals()
	}
	out := make([]*ctis.ManifestScreening, len(bs))
	var records []ctis.NewTravelRecord
	for i, b := range bs {
		if err := b.match(ctx, rc.Screener, docs); err != nil {
			return nil, err
		}
		out[i], records = b.out, append(records, b.records...)
	}
	if _, err := rc.Travel.ReceiveTravel(ctx, records); err != nil {
		return nil, err
	}
	return out, nil
}

// queueReferrals hands each traveller's referrals to its record, for
// the queue, each with the traveller as screened and the booking it came
// from.
func (b *batch) queueReferrals() {
	for i, t := range b.out.Travellers {
		for _, r := range t.Referrals {
			b.records[i].Referrals = append(b.records[i].Referrals, ctis.TravellerReferral{Reference: b.records[i].Reference,
				Locator: b.records[i].Locator, Traveller: b.subjects[i], Rule: r})
		}
	}
}
