package ctis

import (
	"testing"
	"time"
)

// TestAuditHashAffected: an event that affects no other agency hashes as
// events did before Affected existed, so chains recorded then still
// verify; naming an affected agency changes the hash, so it cannot be
// added or removed unnoticed.
func TestAuditHashAffected(t *testing.T) {
	e := AuditEvent{Seq: 7, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), UserID: "u1", Username: "admin", Agency: "INTERPOL",
		Scope: "INTERPOL", Action: ActUserCreate, Object: "01ABC", Detail: `{"agency":"FR-DGSI"}`, PrevHash: GenesisHash}
	// The hash of this event as computed before the field existed.
	const before = "92ebc1e3f2311a817d923150810f5049b45f532b3471c09f3c01a1dc912e8a9f"
	if got := e.ComputeHash(); got != before {
		t.Errorf("an event with no affected agency hashes as %s, not as before (%s)", got, before)
	}
	e.Affected = []string{}
	if got := e.ComputeHash(); got != before {
		t.Errorf("an empty affected list changes the hash: %s", got)
	}
	seen := map[string][]string{before: nil}
	for _, affected := range [][]string{{"FR-DGSI"}, {"JO-GID"}, {"FR-DGSI", "JO-GID"}, {"FR-DGSIJO-GID"}, {"FR-DGSI", ""}} {
		e.Affected = affected
		h := e.ComputeHash()
		if other, dup := seen[h]; dup {
			t.Errorf("affected %q hashes as %q does", affected, other)
		}
		seen[h] = affected
	}
}
