package ctis

import (
	"context"
	"time"
)

// A Scope narrows what a caller may see to one sharing scope, as a TAXII
// collection does. It only ever narrows: handling decides what the caller
// sees, and the scope which of that it asks for. The zero Scope is
// everything the caller may see.
type Scope struct {
	// Originator, if set, keeps the statements of that agency alone.
	Originator string
	// Distribution, if set, keeps the statements of that distribution
	// alone; with DistGroup, Group names the sharing group.
	Distribution Distribution
	Group        string
}

// A ListingKey is a place in the listing of a scope: the time of a
// statement's last change (recorded, or withdrawn) to the nanosecond, and
// the statement's sequence number in the store, which orders statements
// changed at the same time. Keys only grow: a change made later lists
// after every key given before it.
type ListingKey struct {
	At  time.Time
	Seq int64
}

// Compare orders keys: by At, then by Seq.
func (k ListingKey) Compare(o ListingKey) int {
	if c := k.At.Compare(o.At); c != 0 {
		return c
	}
	switch {
	case k.Seq < o.Seq:
		return -1
	case k.Seq > o.Seq:
		return 1
	}
	return 0
}

// ListingQuery asks for a page of the listing of a scope: what the caller
// may see in it, in the order of its last change, after a key.
type ListingQuery struct {
	Scope Scope
	// Apart are properties naming another entity whose statements are
	// listed apart from their entity, each at its own change, as STIX
	// carries such a statement in a relationship of its own; their
	// entity is listed too, at its last change. Empty lists entities
	// alone.
	Apart []string
	// After is exclusive; the zero key lists from the start.
	After ListingKey
	// EntityUUIDs, if not empty, keeps the entities of these STIX UUIDs
	// (the UUID part of an entity's STIX identifier) alone: how a TAXII
	// client names the objects it asks for.
	EntityUUIDs []string
	// Limit bounds the items, from 1 to MaxLimit.
	Limit int
}

// A ListingItem is one item of a listing: an entity at its last change
// (Latest), a reference — a statement of a property listed apart — at its
// own, or both when an entity's last change is a reference.
type ListingItem struct {
	Key    ListingKey
	Entity string
	// Latest says the item is its entity's last change: the entity's
	// version, where the entity itself is listed.
	Latest bool
	// Reference, if not empty, is the ID of the reference statement
	// listed here.
	Reference string
}

// ListingPage is a page of a listing.
type ListingPage struct {
	Items []ListingItem
	More  bool
	// Entities holds each entity an item is on, and each entity a
	// reference names, with every statement of the scope the caller may
	// see on it, withdrawn ones included, as an export gives them. A
	// named entity of which the caller sees nothing in the scope is
	// absent.
	Entities map[string]*Entity
}

// HandlingMatch selects statements by handling, for ListedBefore. The
// zero value selects every statement.
type HandlingMatch struct {
	// Distributions, if not empty, are the distributions selected.
	Distributions []Distribution
	// Handling, if not nil, selects the statements of exactly this
	// handling, Grading and ReviewBy.
	Handling *Handling
	Grading  Grading
	ReviewBy string
}

// Lister lists what a caller may see in a scope by its last change, so
// that a reader of a large store (a TAXII client pulling a collection)
// pays for each page in proportion to the page.
type Lister interface {
	// Listing returns one page of the listing of q.Scope after q.After.
	// Needs a purpose and RoleAnalyst; audited as an export, naming the
	// entities given. EINVALID for a bad limit or UUID.
	Listing(ctx context.Context, q ListingQuery) (*ListingPage, error)
	// ListedBefore reports whether anything of scope that the caller may
	// see is listed before key, holding a statement m selects, with the
	// properties apart listed apart: a reference of that handling, or an
	// entity listed before key with a statement of that handling that is
	// not a reference. It tells where something is first used in a
	// listing. Needs RoleAnalyst. EINVALID for a property apart that
	// names no entity.
	ListedBefore(ctx context.Context, scope Scope, apart []string, key ListingKey, m HandlingMatch) (bool, error)
}
