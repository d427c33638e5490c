package taxii

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
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
	// holds reports whether a statement the requester may see belongs
	// to the scope.
	holds func(*ctis.Statement) bool
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
	c := func(scope, alias, title, description string, holds func(*ctis.Statement) bool) collection {
		return collection{ID: collectionID(scope), Alias: alias, Title: title, Description: description, CanRead: true,
			MediaTypes: []string{stixMediaType}, holds: holds}
	}
	// The agency's own collection is the one written to: an import
	// stores the importer's own statements.
	own := c("own:"+agency, "own", "Originated by "+agency,
		"The statements "+agency+" contributed. Envelopes posted here are imported as "+agency+"'s own statements.",
		func(s *ctis.Statement) bool { return s.Originator == agency })
	own.CanWrite = true
	out := []collection{
		c("released:"+agency, "released", "Released to "+agency,
			"Every statement "+agency+" may see: its own and those released to it, to its sharing groups or to all members.",
			func(*ctis.Statement) bool { return true }),
		own,
		c("all", "all-members", "Released to all members", "The statements released to every member agency.",
			func(s *ctis.Statement) bool { return s.Handling.Distribution == ctis.DistAll }),
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
			func(s *ctis.Statement) bool {
				return s.Handling.Distribution == ctis.DistGroup && s.Handling.Group == name
			}))
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
	raw            json.RawMessage
}

// stixTime is how STIX and TAXII write a timestamp here: UTC, to the
// millisecond, as the STIX writer stamps objects.
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// objects returns the collection's objects in their order (order), as
// the export service gives them to the requester of ctx: the read needs a
// purpose and the analyst role, and is audited.
//
// An object's date_added is its version: the last time a statement on it
// was recorded or withdrawn. So an object changed since a client's last
// pull comes again after its added_after, in its new version, and a page
// boundary never moves. The ctis identity and extension definitions are
// added with the collection's first object, and each marking with the
// first object it marks, so a client paging forward has every definition
// before, or with, what it defines.
func objects(ctx context.Context, entities ctis.EntityService, c *collection) ([]record, error) {
	var scoped []ctis.Entity
	err := entities.Export(ctx, func(e *ctis.Entity) error {
		var kept []ctis.Statement
		for i := range e.Statements {
			if c.holds(&e.Statements[i]) {
				kept = append(kept, e.Statements[i])
			}
		}
		if len(kept) > 0 {
			scoped = append(scoped, ctis.Entity{ID: e.ID, Schema: e.Schema, Statements: kept})
		}
		return nil
	})
	if err != nil || len(scoped) == 0 {
		return nil, err
	}
	raws, err := stix.Objects(scoped)
	if err != nil {
		return nil, err
	}
	type head struct {
		Type              string   `json:"type"`
		ID                string   `json:"id"`
		SpecVersion       string   `json:"spec_version"`
		Created           string   `json:"created"`
		Modified          string   `json:"modified"`
		ObjectMarkingRefs []string `json:"object_marking_refs"`
		GranularMarkings  []struct {
			MarkingRef string `json:"marking_ref"`
		} `json:"granular_markings"`
	}
	out := make([]record, 0, len(raws))
	definitions := map[string]bool{}
	markedFirst := map[string]time.Time{} // marking ID → the first object it marks
	var first time.Time
	for _, raw := range raws {
		var h head
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, fmt.Errorf("taxii: reading back a STIX object: %w", err)
		}
		stamp := h.Modified
		if stamp == "" {
			stamp = h.Created
		}
		v, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			return nil, fmt.Errorf("taxii: object %s has no timestamp: %w", h.ID, err)
		}
		r := record{ID: h.ID, Type: h.Type, SpecVersion: h.SpecVersion, version: v, added: v, raw: raw}
		switch {
		case h.ID == stix.Creator || h.Type == "extension-definition":
			definitions[h.ID] = true
		case h.Type == "marking-definition":
		default:
			refs := h.ObjectMarkingRefs
			for _, g := range h.GranularMarkings {
				refs = append(refs, g.MarkingRef)
			}
			for _, m := range refs {
				if t, ok := markedFirst[m]; !ok || v.Before(t) {
					markedFirst[m] = v
				}
			}
			if first.IsZero() || v.Before(first) {
				first = v
			}
		}
		out = append(out, r)
	}
	for i := range out {
		r := &out[i]
		if definitions[r.ID] {
			r.added = first
		} else if t, ok := markedFirst[r.ID]; ok {
			r.added = t
		} else if r.Type == "marking-definition" {
			r.added = first
		}
	}
	slices.SortFunc(out, func(a, b record) int { return order(a.added, a.ID, b.added, b.ID) })
	return out, nil
}

// order is the order of a collection's objects: by date_added; at the
// same date_added ctis's identity, then its extension definitions, then
// markings, then what they mark, so that a client reading page by page
// meets each definition before its use; then by ID.
func order(aAdded time.Time, aID string, bAdded time.Time, bID string) int {
	if c := aAdded.Compare(bAdded); c != 0 {
		return c
	}
	if c := rank(aID) - rank(bID); c != 0 {
		return c
	}
	return strings.Compare(aID, bID)
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

// ReleasedCollectionID is the ID of the collection of everything released
// to agency, the one an agency's peers and tools pull from.
func ReleasedCollectionID(agency string) string { return collectionID("released:" + agency) }
