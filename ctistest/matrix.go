package ctistest

import (
	"testing"

	"ctis"
)

// Backend is a store under test, as the suite sees it.
type Backend struct {
	// Open opens a new, empty node and returns its services, wired as a
	// node wires them: writes through Entities must reach Screener, and
	// writes through Hashes its matching. The suite seeds the node
	// through Directory, and opens one for each case that needs a node
	// of its own.
	Open func(t *testing.T) ctis.Services
	// Node is the peer node the statements read come from, when they
	// were written at a peer and pulled: a notice then names the agency
	// at that node. Empty for a node's own statements.
	Node string
	// NoEvents, when set, says why the node's agencies have no event
	// channels there (their people work at another node), and the suite
	// skips event channels.
	NoEvents string
}

// RunHandlingMatrix runs the handling matrix against b: every read path
// of entities (get, list, search, export, STIX and TAXII), screening, the review queue,
// the referral queue, the audit view, hash banks, travel records, cooperation requests,
// referrals of content to platforms, the
// directory of competent authorities and event channels (events, alerts,
// acknowledgements, the live feed and the digest, as data and as a
// page), read by the analysts and
// frontline officers of agencies in and out of a sharing group, against
// data under every handling (ctis.EveryHandling). Each path must show
// exactly what ctis.CanSee allows, and a hidden thing must read as an
// absent one. The store runs it on each engine; package peer runs it on a
// node whose statements were all written at a peer node and pulled from
// it, so that a statement that crossed a node is held to the same rule at
// every read path there, its TAXII server and exports included.
func RunHandlingMatrix(t *testing.T, b Backend) {
	open := func(t *testing.T) ctis.Services {
		t.Helper()
		s := b.Open(t)
		Seed(t, s)
		return s
	}
	t.Run("Entities", func(t *testing.T) { entityMatrix(t, open(t), b.Node) })
	t.Run("Screening", func(t *testing.T) { screeningMatrix(t, open) })
	t.Run("ReviewQueue", func(t *testing.T) { reviewMatrix(t, open(t), b.Node) })
	t.Run("HashBanks", func(t *testing.T) { hashMatrix(t, open) })
	t.Run("Travel", func(t *testing.T) { travelMatrix(t, open(t)) })
	t.Run("Referrals", func(t *testing.T) { referralMatrix(t, open(t)) })
	t.Run("Requests", func(t *testing.T) { requestMatrix(t, open(t)) })
	t.Run("ContentReferrals", func(t *testing.T) { contentReferralMatrix(t, open(t)) })
	t.Run("Events", func(t *testing.T) {
		if b.NoEvents != "" {
			t.Skip(b.NoEvents)
		}
		eventMatrix(t, open(t))
	})
}
