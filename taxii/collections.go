package taxii

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"ctis"
	"ctis/stix"
)

// A collection is one sharing scope a requester may read, as a TAXII
// collection. Its objects are the STIX mapping of the statements in that
// scope which the export service gives the requester: the scope only
// narrows what handling already allows, never widens it.
type collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
	// scope is the sharing scope whose statements it holds, of those
	// the requester may see.
	scope ctis.Scope
}

// namespace is the UUIDv5 namespace of collection IDs.
var namespace = [16]byte{0x1f, 0x0c, 0x5e, 0x9a, 0x73, 0x2d, 0x4b, 0x61, 0x8e, 0x10, 0x4a, 0xd2, 0x96, 0x3b, 0x57, 0xc4}

// collectionID derives a collection's ID from the scope it names, so that
// it stays the same across restarts and nodes.
func collectionID(scope string) string { return stix.UUID5(namespace, scope) }

// collections returns the collections the requester of ctx may read:
// everything released to its agency, its agency's own statements, what is
// released to all members, and what is released to each sharing group its
// agency belongs to. Reading them needs what the export needs: the
// analyst role.
func collections(ctx context.Context, dir ctis.DirectoryService) ([]collection, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	agency := id.Agency
	c := func(id, alias, title, description string, scope ctis.Scope) collection {
		return collection{ID: collectionID(id), Alias: alias, Title: title, Description: description, CanRead: true,
			MediaTypes: []string{stixMediaType}, scope: scope}
	}
	// The agency's own collection is the one written to: an import
	// stores the importer's own statements.
	own := c("own:"+agency, "own", "Originated by "+agency,
		"The statements "+agency+" contributed. Envelopes posted here are imported as "+agency+"'s own statements.",
		ctis.Scope{Originator: agency})
	own.CanWrite = true
	out := []collection{
		c("released:"+agency, "released", "Released to "+agency,
			"Every statement "+agency+" may see: its own and those released to it, to its sharing groups or to all members.",
			ctis.Scope{}),
		own,
		c("all", "all-members", "Released to all members", "The statements released to every member agency.",
			ctis.Scope{Distribution: ctis.DistAll}),
	}
	groups, err := dir.Groups(ctx)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if !slices.Contains(g.Agencies, agency) {
			continue
		}
		name := g.Name
		out = append(out, c("group:"+name, "group-"+name, "Released to the sharing group "+name,
			"The statements released to the sharing group "+name+", of which "+agency+" is a member.",
			ctis.Scope{Distribution: ctis.DistGroup, Group: name}))
	}
	return out, nil
}

// findCollection returns the requester's collection of that ID. One the
// requester may not read is not found, as an absent one is.
func findCollection(ctx context.Context, dir ctis.DirectoryService, id string) (*collection, error) {
	cs, err := collections(ctx, dir)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].ID == id {
			return &cs[i], nil
		}
	}
	return nil, ctis.ErrNotFound("collection")
}

// A record is one STIX object of a collection, with what TAXII says of it.
type record struct {
	ID          string
	Type        string
	SpecVersion string
	// version is the object's modified time (created, for an object
	// without one); added is when it entered the collection.
	version, added time.Time
	// at is where the object is listed.
	at  position
	raw json.RawMessage
}

// A position is a place in the order of a collection's objects: the
// store's listing key of the change that lists an object (its own last
// change, or for a definition or marking that of the first object that
// uses it), then its rank — ctis's identity, its extension definitions,
// markings, then what they mark — then its ID. So a client reading page by
// page meets each definition before its use, and a position names a
// fixed point in the order that later changes never move.
type position struct {
	key  ctis.ListingKey
	rank int
	id   string
}

// order compares positions.
func order(a, b position) int {
	if c := a.key.Compare(b.key); c != 0 {
		return c
	}
	if c := a.rank - b.rank; c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

func rank(id string) int {
	switch {
	case id == stix.Creator:
		return 0
	case strings.HasPrefix(id, "extension-definition--"):
		return 1
	case strings.HasPrefix(id, "marking-definition--"):
		return 2
	}
	return 3
}

// stixTime is how STIX and TAXII write a timestamp here: UTC, to the
// millisecond, as the STIX writer stamps objects.
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// batch is how many items of the store's listing a read asks for at once
// beyond a page's own.
const batch = 100

// reader reads one collection's objects for one request, from the store's
// listing of the collection's scope, a batch of changes at a time: what a
// page costs is in proportion to the page, whatever the collection holds.
// Each batch is a read of the export service, audited with the request's
// purpose.
//
// An object's date_added is its version: the last time a statement on it
// was recorded or withdrawn. So an object changed since a client's last
// pull comes again after its added_after, in its new version. The ctis
// identity and extension definitions are listed with the collection's
// first object, and each marking with the first object that uses it.
type reader struct {
	entities ctis.EntityService
	c        *collection
	// uuids, if not empty, keeps the entities of these STIX UUIDs alone.
	uuids []string
	after ctis.ListingKey
	done  bool
	// markings are those known to be listed before what is read now;
	// started says whether an object was read, after which the
	// definitions are listed already.
	markings map[string]bool
	started  bool
	// placed, if not nil, learns where each marking read is listed.
	placed *placements
}

// next returns the records of the next batch of the listing, in order,
// and whether the listing has more; none and false at its end.
func (rd *reader) next(ctx context.Context, want int) ([]record, error) {
	if rd.done {
		return nil, nil
	}
	page, err := rd.entities.Listing(ctx, ctis.ListingQuery{Scope: rd.c.scope, Apart: stix.Apart(), After: rd.after, EntityUUIDs: rd.uuids, Limit: min(want, ctis.MaxLimit)})
	if err != nil {
		return nil, err
	}
	rd.done = !page.More
	if rd.markings == nil {
		rd.markings = map[string]bool{}
	}
	var out []record
	for _, it := range page.Items {
		rd.after = it.Key
		e := page.Entities[it.Entity]
		if e == nil {
			// Changed since the listing was read: its next change lists it.
			continue
		}
		mapped, defs, err := stix.MapEntity(*e, page.Entities)
		if err != nil {
			return nil, err
		}
		var objs []stix.Mapped
		for _, m := range mapped {
			if (m.Statement == "" && it.Latest) || (m.Statement != "" && m.Statement == it.Reference) {
				objs = append(objs, m)
			}
		}
		if len(objs) == 0 {
			continue
		}
		slices.SortFunc(objs, func(a, b stix.Mapped) int { return strings.Compare(a.ID, b.ID) })
		// The item's objects share its version, and the definitions and
		// markings listed with them come before them all.
		version := objs[0].Version
		if !rd.started {
			rd.started = true
			before, err := rd.entities.ListedBefore(ctx, rd.c.scope, stix.Apart(), it.Key, ctis.HandlingMatch{})
			if err != nil {
				return nil, err
			}
			if !before {
				ds, err := stix.Definitions()
				if err != nil {
					return nil, err
				}
				for _, raw := range ds {
					r, err := newRecord(raw, position{key: it.Key})
					if err != nil {
						return nil, err
					}
					r.added, r.at.rank = version, rank(r.ID)
					out = append(out, r)
				}
			}
		}
		var refs []string
		for _, m := range objs {
			for _, id := range m.Markings {
				if !rd.markings[id] && !slices.Contains(refs, id) {
					refs = append(refs, id)
				}
			}
		}
		slices.Sort(refs)
		for _, id := range refs {
			rd.markings[id] = true
			before, err := rd.entities.ListedBefore(ctx, rd.c.scope, stix.Apart(), it.Key, matchOf(id, e))
			if err != nil {
				return nil, err
			}
			if before {
				continue
			}
			r, err := newRecord(defs[id], position{key: it.Key, rank: 2})
			if err != nil {
				return nil, err
			}
			r.added = version
			out = append(out, r)
			if rd.placed != nil {
				rd.placed.put(ctx, rd.c, r, matchOf(id, e))
			}
		}
		for _, m := range objs {
			out = append(out, record{ID: m.ID, Type: m.Type, SpecVersion: "2.1", version: m.Version, added: m.Version,
				at: position{key: it.Key, rank: 3, id: m.ID}, raw: m.Raw})
		}
	}
	return out, nil
}

// placements are where the markings a server listed are listed, for a
// client that asks for one by ID — as a peer resuming a pull does for
// the markings its first page uses — which otherwise only a read of the
// whole collection would find. A marking's content derives from its ID
// and never changes; where it is listed, with the first object that uses
// it, depends on who reads and may move when that object changes, so a
// placement is checked against the store before it is used.
type placements struct {
	mu sync.Mutex
	m  map[string]placement
}

// placement is where a marking is listed for one reader in one scope.
type placement struct {
	rec   record
	match ctis.HandlingMatch
}

// maxPlacements bounds what placements keep: past it, they start again.
const maxPlacements = 10000

// placementKey is a marking's key for the reader of ctx in c's scope.
func placementKey(ctx context.Context, c *collection, id string) string {
	who, _ := ctis.IdentityFrom(ctx)
	return fmt.Sprintf("%s\x00%v\x00%s\x00%s\x00%s\x00%s", who.Agency, who.Viewer().FrontlineOnly, c.scope.Originator, c.scope.Distribution, c.scope.Group, id)
}

func (p *placements) put(ctx context.Context, c *collection, r record, m ctis.HandlingMatch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= maxPlacements {
		p.m = map[string]placement{}
	}
	p.m[placementKey(ctx, c, r.ID)] = placement{rec: r, match: m}
}

// get returns where the marking id is listed for the reader of ctx in c,
// if it was placed and is listed there still: nothing before its place
// uses it, and something at its place does.
func (p *placements) get(ctx context.Context, entities ctis.EntityService, c *collection, id string) (record, bool, error) {
	p.mu.Lock()
	pl, ok := p.m[placementKey(ctx, c, id)]
	p.mu.Unlock()
	if !ok {
		return record{}, false, nil
	}
	key := pl.rec.at.key
	if before, err := entities.ListedBefore(ctx, c.scope, stix.Apart(), key, pl.match); err != nil || before {
		return record{}, false, err
	}
	at, err := entities.ListedBefore(ctx, c.scope, stix.Apart(), ctis.ListingKey{At: key.At, Seq: key.Seq + 1}, pl.match)
	return pl.rec, at, err
}

// newRecord reads back the head of an encoded definition or marking.
func newRecord(raw json.RawMessage, at position) (record, error) {
	var h struct {
		Type        string `json:"type"`
		ID          string `json:"id"`
		SpecVersion string `json:"spec_version"`
		Created     string `json:"created"`
		Modified    string `json:"modified"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return record{}, fmt.Errorf("taxii: reading back a STIX object: %w", err)
	}
	stamp := h.Modified
	if stamp == "" {
		stamp = h.Created
	}
	v, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil {
		return record{}, fmt.Errorf("taxii: object %s has no timestamp: %w", h.ID, err)
	}
	at.id = h.ID
	return record{ID: h.ID, Type: h.Type, SpecVersion: h.SpecVersion, version: v, at: at, raw: raw}, nil
}

// matchOf is what selects the statements that a marking of e's objects,
// of ID id, marks: those of its TLP level, or of its handling.
func matchOf(id string, e *ctis.Entity) ctis.HandlingMatch {
	for i := range e.Statements {
		s := &e.Statements[i]
		tlp, handling := stix.StatementMarkings(s)
		switch id {
		case handling:
			h := s.Handling
			return ctis.HandlingMatch{Handling: &h, Grading: s.Grading, ReviewBy: s.ReviewBy}
		case tlp:
			var m ctis.HandlingMatch
			for _, d := range []ctis.Distribution{ctis.DistOriginator, ctis.DistAgencies, ctis.DistGroup, ctis.DistAll} {
				if stix.TLPFor(ctis.Handling{Distribution: d}).ID == tlp {
					m.Distributions = append(m.Distributions, d)
				}
			}
			return m
		}
	}
	// Not a marking of e's: nothing is listed before with it, so it is
	// listed here.
	return ctis.HandlingMatch{Distributions: []ctis.Distribution{"none"}}
}

// ReleasedCollectionID is the ID of the collection of everything released
// to agency, the one an agency's peers and tools pull from.
func ReleasedCollectionID(agency string) string { return collectionID("released:" + agency) }
