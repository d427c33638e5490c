package ctis

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Audit actions.
const (
	ActEntityCreate      = "entity.create"
	ActStatementAdd      = "statement.add"
	ActStatementWithdraw = "statement.withdraw"
	ActStatementReview   = "statement.review"
	ActEntityRead        = "entity.read"
	ActEntityList        = "entity.list"
	ActSearch            = "search"
	ActHitNotice         = "hit_notice.issued"
	ActExport            = "export"
	ActImport            = "import.batch"
	ActSync              = "import.sync"
	ActPurge             = "review.purge"
	ActLogin             = "login"
	ActLoginFailed       = "login.failed"
	ActLoginThrottled    = "login.throttled"
	ActLogout            = "logout"
	ActAgencyCreate      = "agency.create"
	ActUserCreate        = "user.create"
	ActUserLanguage      = "user.language"
	ActTokenCreate       = "token.create"
	ActTokenRevoke       = "token.revoke"
	ActGroupPut          = "group.put"
	ActAuditRead         = "audit.read"
	ActPeerPut           = "peer.put"
	ActPeerRemove        = "peer.remove"
	ActPeerPull          = "peer.pull"  // statements pulled from a peer stored
	ActPeerAlarm         = "peer.alarm" // a peer's audit chain found inconsistent with a head witnessed before
)

// GenesisHash is the previous hash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// AuditEvent is one entry of the append-only, hash-chained audit trail.
// Each event's Hash commits to its content and to the previous event's
// hash, so editing, removing or reordering any event breaks the chain.
type AuditEvent struct {
	Seq      int64     `json:"seq"`
	Time     time.Time `json:"time"`
	UserID   string    `json:"user_id,omitempty"`
	Username string    `json:"username"`
	// Agency is the acting user's agency.
	Agency string `json:"agency,omitempty"`
	// Scope is the agency whose auditors oversee the event: the actor's
	// agency, or for a hit notice the originator whose statement matched.
	Scope string `json:"scope,omitempty"`
	// Affected are the other agencies whose auditors oversee the event too:
	// those an administrator's action changed (the agency of a user made,
	// the members of a group before and after), sorted.
	Affected []string `json:"affected,omitempty"`
	Action   string   `json:"action"`
	Object   string   `json:"object,omitempty"`
	Purpose  string   `json:"purpose,omitempty"`
	// Detail is a JSON object with what the action touched (statement IDs,
	// the query, counts).
	Detail   string `json:"detail,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ComputeHash returns the hash that e must carry: SHA-256 over its previous
// hash and every field, each length-prefixed so no two events encode alike.
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	var buf [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint32(buf[:4], uint32(len(s)))
		h.Write(buf[:4])
		h.Write([]byte(s))
	}
	field(e.PrevHash)
	binary.BigEndian.PutUint64(buf[:], uint64(e.Seq))
	h.Write(buf[:])
	binary.BigEndian.PutUint64(buf[:], uint64(e.Time.UnixNano()))
	h.Write(buf[:])
	for _, s := range []string{e.UserID, e.Username, e.Agency, e.Scope, e.Action, e.Object, e.Purpose, e.Detail} {
		field(s)
	}
	// Affected came later: events without it hash as they always did, so
	// old chains still verify, and events with it add their count and
	// each agency after the fields above, which no older event has.
	if len(e.Affected) > 0 {
		binary.BigEndian.PutUint64(buf[:], uint64(len(e.Affected)))
		h.Write(buf[:])
		for _, a := range e.Affected {
			field(a)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets e's sequence number, previous hash and hash to follow prev
// (nil for the first event).
func (e *AuditEvent) Seal(prev *AuditEvent) {
	e.Seq, e.PrevHash = 1, GenesisHash
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Hash = e.ComputeHash()
}

// ChainError names the first event at which the audit chain breaks.
type ChainError struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (e *ChainError) Error() string { return fmt.Sprintf("audit event %d: %s", e.Seq, e.Reason) }

// ChainVerifier checks events fed to it in sequence order.
type ChainVerifier struct {
	prev *AuditEvent
	// Count is how many events verified so far.
	Count int64
}

// Add checks the next event. The first error names the event that was
// altered, removed or moved.
func (v *ChainVerifier) Add(e AuditEvent) error {
	want := int64(1)
	prevHash := GenesisHash
	if v.prev != nil {
		want, prevHash = v.prev.Seq+1, v.prev.Hash
	}
	switch {
	case e.Seq > want:
		return &ChainError{want, fmt.Sprintf("missing: the log jumps from event %d to event %d", want-1, e.Seq)}
	case e.Seq < want:
		return &ChainError{e.Seq, "out of order or duplicated"}
	case e.Hash != e.ComputeHash():
		return &ChainError{e.Seq, "content does not match its hash: the event was altered"}
	case e.PrevHash != prevHash:
		// e itself is intact, so the event before it was replaced by one
		// with a recomputed hash.
		if v.prev == nil {
			return &ChainError{e.Seq, "the first event does not start the chain"}
		}
		return &ChainError{v.prev.Seq, fmt.Sprintf("its hash is not the one event %d committed to: the event was altered", e.Seq)}
	}
	ev := e
	v.prev = &ev
	v.Count++
	return nil
}

// Finish checks that the chain ends at head, the last event the store
// recorded (kept apart from the events so that removing the newest events
// is caught too).
func (v *ChainVerifier) Finish(head AuditHead) error {
	if v.prev == nil {
		if head.Seq != 0 {
			return &ChainError{1, fmt.Sprintf("missing: the log is empty but its head is event %d", head.Seq)}
		}
		return nil
	}
	if v.prev.Seq < head.Seq {
		return &ChainError{v.prev.Seq + 1, fmt.Sprintf("missing: the log ends at event %d but its head is event %d", v.prev.Seq, head.Seq)}
	}
	if v.prev.Seq > head.Seq || v.prev.Hash != head.Hash {
		return &ChainError{v.prev.Seq, "does not match the recorded head of the log"}
	}
	return nil
}

// AuditHead is the newest event's sequence number and hash. Publishing it
// elsewhere (a ticket, another node) anchors the log: a later verify with
// that head proves nothing before it changed.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// AuditFilter selects audit events. Zero fields match everything.
type AuditFilter struct {
	// Seq selects one event by its number.
	Seq int64
	// Reference selects the hit notice given out with this reference.
	Reference string
	Username  string
	Agency    string
	Action    string
	Object    string
	From, To  time.Time
	Cursor    string
	Limit     int
}

// AuditPage is a page of audit events, newest first.
type AuditPage struct {
	Events []AuditEvent `json:"events"`
	Next   string       `json:"next,omitempty"`
}

// AuditReport is the outcome of verifying the whole chain.
type AuditReport struct {
	OK     bool      `json:"ok"`
	Events int64     `json:"events"`
	Head   AuditHead `json:"head"`
	// Broken names the first broken event when OK is false.
	Broken *ChainError `json:"broken,omitempty"`
}

// AuditLog reads the audit trail. Auditors see the events in their agency's
// scope; the local operator sees all.
type AuditLog interface {
	// Events lists events matching f, newest first. Needs RoleAuditor; the
	// read itself is audited.
	Events(ctx context.Context, f AuditFilter) (*AuditPage, error)
	// Verify checks the whole chain and reports the first broken event.
	// Needs RoleAuditor. progress, if not nil, is called with the number of
	// events checked so far.
	Verify(ctx context.Context, progress func(n int64)) (*AuditReport, error)
	// Head returns the chain's head, or with seq > 0 the number and hash
	// of event seq, as peers witness them. Needs RoleAuditor or the local
	// operator. ENOTFOUND for an event past the head.
	Head(ctx context.Context, seq int64) (AuditHead, error)
}
