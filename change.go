package ctis

import "context"

// Change is one entry of a store's change log: something that an index
// built from the store, in any process, must load again.
type Change struct {
	Seq  int64
	Kind string // ChangeEntity, ChangeBank, ChangeHash or ChangeEvent
	// Ref is the entity ID, the bank ID, the hash entry's seq or the
	// event ID.
	Ref string
}

// The kinds of change.
const (
	ChangeEntity = "entity" // an entity's statements were added, changed or deleted
	ChangeBank   = "bank"   // a hash bank was created, or entries were added to it
	ChangeHash   = "hash"   // a hash entry was changed (disabled, enabled, relabelled)
	ChangeEvent  = "event"  // an alert was posted in an event's channel, or the channel archived
)

// ChangeLog is a store's change log, written by the store itself for
// every write whichever process made it.
type ChangeLog interface {
	// Changes returns up to limit changes after seq after, in order.
	Changes(ctx context.Context, after int64, limit int) ([]Change, error)
	// LastChange returns the seq of the newest change, 0 when none.
	LastChange(ctx context.Context) (int64, error)
}
