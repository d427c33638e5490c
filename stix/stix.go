// Package stix writes ctis entities as a STIX 2.1 bundle and reads them
// back, every statement with its provenance and its handling.
//
// An entity becomes one STIX object (a Person an identity of class
// individual, or a threat-actor once a statement ties them to an
// organisation or a list; an Organization a threat-actor; a ModusOperandi
// an attack-pattern; a Document an x-ctis-document; a Movement a sighting
// of the person or document it names, seen at a location for each
// country of its journey), and each other statement naming another
// entity becomes a relationship. A hash-bank entry becomes an indicator
// whose STIX pattern holds its hash or URL (see IndicatorObjects). The statements themselves travel in the ctis statements
// extension of those objects, and the handling of each statement travels
// as data markings: a TLP 2.0 marking derived from its distribution, and a
// ctis handling marking (a marking-definition carrying the ctis handling
// extension) that says exactly who may see it and how it may be used. When
// every statement of an object has the same handling the markings apply
// to the object; otherwise each statement is marked on its own through
// granular markings.
//
// Every STIX identifier is derived (UUIDv5) from a ctis identifier or from
// the marking's content, so exporting the same statements twice gives the
// same bundle.
package stix

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ctis"
)

// Identifiers ctis defines for its STIX content.
const (
	// ExtStatements is the extension that carries an entity's statements
	// on its STIX object (and a relationship's one statement).
	ExtStatements = "extension-definition--63c1b242-2a82-5e47-b351-8f542a6097ec"
	// ExtHandling is the extension of a ctis handling marking.
	ExtHandling = "extension-definition--8c48be1a-80f4-5599-b570-2e51d7bc49da"
	// Creator is the identity that defines the ctis extensions and
	// markings.
	Creator = "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1"
	// ExtTLP2 is the OASIS extension that defines the TLP 2.0 markings.
	ExtTLP2 = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
)

// namespace is the UUIDv5 namespace of every identifier ctis derives.
var namespace = [16]byte{0xae, 0x6d, 0xed, 0x00, 0xf7, 0xb6, 0x4e, 0x80, 0x9c, 0xdd, 0xef, 0x92, 0x3d, 0x8e, 0x6d, 0x6b}

// definedAt is the created timestamp of what ctis defines once for all:
// its identity, its extension definitions and its handling markings,
// whose identifiers derive from their content.
const definedAt = "2026-01-01T00:00:00.000Z"

// uuid5 returns the name-based (SHA-1) UUID of name in ctis's namespace.
func uuid5(name string) string { return UUID5(namespace, name) }

// UUID5 is the name-based UUID (RFC 9562, version 5) of name in the
// namespace ns.
func UUID5(ns [16]byte, name string) string {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// EntityUUID is the UUID part of the STIX identifier of a ctis entity.
func EntityUUID(entityID string) string { return uuid5("entity:" + entityID) }

// relationshipID is the identifier of the relationship that carries a
// statement naming another entity.
func relationshipID(statementID string) string {
	return "relationship--" + uuid5("statement:"+statementID)
}

// A TLP is a TLP 2.0 level with its OASIS marking-definition.
type TLP struct {
	Level string // clear, green, amber, amber+strict, red
	Name  string // TLP:CLEAR …
	ID    string // the marking-definition's identifier
}

// TLPs are the TLP 2.0 markings, as OASIS publishes them.
var TLPs = []TLP{
	{"clear", "TLP:CLEAR", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
	{"green", "TLP:GREEN", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
	{"amber", "TLP:AMBER", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
	{"amber+strict", "TLP:AMBER+STRICT", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
	{"red", "TLP:RED", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
}

// tlpCreated is when OASIS created the TLP 2.0 markings.
const tlpCreated = "2022-10-01T00:00:00.000Z"

// TLPFor returns the TLP 2.0 marking that says, to a STIX tool that knows
// nothing of ctis, as much of h as TLP can: a statement for its originator
// alone is RED; one for listed agencies or a sharing group AMBER+STRICT
// (each recipient keeps it within its own agency); one for every member
// GREEN (the community, never the public: ctis never marks CLEAR).
func TLPFor(h ctis.Handling) TLP {
	switch h.Distribution {
	case ctis.DistAll:
		return TLPs[1]
	case ctis.DistAgencies, ctis.DistGroup:
		return TLPs[3]
	}
	return TLPs[4]
}

func tlpByID(id string) (TLP, bool) {
	for _, t := range TLPs {
		if t.ID == id {
			return t, true
		}
	}
	return TLP{}, false
}

// mapping is how one schema travels.
type mapping struct {
	// types are the STIX types an entity of the schema may take, the
	// default first.
	types []string
	// label is the property whose first live value names the object.
	label string
	// relations names the relationship type of each entity reference.
	relations map[string]string
}

var mappings = map[string]mapping{
	"Person":        {types: []string{"identity", "threat-actor"}, label: "name", relations: map[string]string{"memberOf": "member-of"}},
	"Organization":  {types: []string{"threat-actor", "intrusion-set"}, label: "name", relations: map[string]string{"parent": "subsidiary-of"}},
	"ModusOperandi": {types: []string{"attack-pattern"}, label: "title", relations: map[string]string{"organization": "used-by"}},
	"Document":      {types: []string{"x-ctis-document"}, label: "number", relations: map[string]string{"holder": "held-by"}},
	// A Movement naming nobody and no document cannot be a sighting,
	// which must be of something: it keeps the custom object that every
	// Movement was before sightings, and which earlier exports and peers
	// of an earlier version still send, with relationships for the
	// references (see movementRelations).
	"Movement": {types: []string{"sighting", "x-ctis-movement"}, relations: movementRelations},
}

// movementRelations are the relationships that carried a Movement's
// references when it travelled as x-ctis-movement; a reader still takes
// them. A sighting carries its references in its statements extension,
// since a relationship may not have a sighting as its source.
var movementRelations = map[string]string{"person": "movement-of", "document": "travelled-on"}

// sightedProperties are a Movement's references in the order that decides
// what its sighting is of: the person, or failing one, the document.
var sightedProperties = []string{"person", "document"}

// legs are the parts of a journey, each a port (free text) and a country:
// each live country statement becomes a location where the Movement was
// sighted, named after the leg's port when the leg has exactly one live
// port and one live country, so that the pairing is never a guess.
var legs = [][2]string{{"from", "fromCountry"}, {"via", "viaCountry"}, {"to", "toCountry"}}

// actorProperties are the Person properties that make a person a
// threat-actor rather than a plain identity: membership of an
// organisation, or a listing.
var actorProperties = []string{"memberOf", "listReference", "program"}

// record is a statement as it travels in the ctis statements extension:
// everything of ctis.Statement but its entity (the object it sits on)
// and its handling and grading (the markings that apply to it).
type record struct {
	ID         string      `json:"id"`
	Property   string      `json:"property"`
	Value      string      `json:"value"`
	Originator string      `json:"originator"`
	RecordedAt string      `json:"recorded_at"`
	PastReview bool        `json:"past_review,omitempty"`
	Withdrawn  *withdrawal `json:"withdrawn,omitempty"`
}

type withdrawal struct {
	At     string `json:"at"`
	By     string `json:"by"`
	Reason string `json:"reason"`
}

// statementsExt is the ctis statements extension of an object.
type statementsExt struct {
	ExtensionType string   `json:"extension_type"`
	EntityID      string   `json:"entity_id,omitempty"`
	Schema        string   `json:"schema,omitempty"`
	Statements    []record `json:"statements,omitempty"`
}

// handlingExt is the ctis handling extension of a marking-definition:
// a statement's handling, its grading and its review date.
type handlingExt struct {
	ExtensionType   string   `json:"extension_type"`
	Distribution    string   `json:"distribution"`
	Agencies        []string `json:"agencies,omitempty"`
	Group           string   `json:"group,omitempty"`
	Frontline       bool     `json:"frontline"`
	HitNotice       bool     `json:"hit_notice"`
	Restriction     string   `json:"restriction"`
	RestrictionText string   `json:"restriction_text,omitempty"`
	Grading         string   `json:"grading,omitempty"`
	ReviewBy        string   `json:"review_by,omitempty"`
}

func handlingOf(s *ctis.Statement) handlingExt {
	h := s.Handling
	return handlingExt{ExtensionType: "property-extension", Distribution: string(h.Distribution), Agencies: h.Agencies, Group: h.Group,
		Frontline: h.Frontline, HitNotice: h.HitNotice, Restriction: string(h.Restriction), RestrictionText: h.RestrictionText,
		Grading: string(s.Grading), ReviewBy: s.ReviewBy}
}

// markingID is the identifier of the ctis handling marking of x: derived
// from its content, so equal handlings share one marking.
func (x handlingExt) markingID() string {
	b, _ := json.Marshal(x)
	return "marking-definition--" + uuid5("handling:"+string(b))
}

// name describes the marking for people reading the bundle.
func (x handlingExt) name() string {
	var b strings.Builder
	b.WriteString("ctis handling: ")
	switch x.Distribution {
	case string(ctis.DistAgencies):
		b.WriteString("agencies " + strings.Join(x.Agencies, " "))
	case string(ctis.DistGroup):
		b.WriteString("group " + x.Group)
	default:
		b.WriteString(x.Distribution)
	}
	if x.Frontline {
		b.WriteString(", frontline")
	}
	if x.HitNotice {
		b.WriteString(", hit notice")
	}
	b.WriteString(", " + x.Restriction)
	if x.Grading != "" {
		b.WriteString(", graded " + x.Grading)
	}
	if x.ReviewBy != "" {
		b.WriteString(", review by " + x.ReviewBy)
	}
	return b.String()
}

// object is a STIX object as ctis writes and reads it: the common
// properties and those of the types ctis maps to. Reading ignores other
// properties; what a statement says is in the extension, never in them.
type object struct {
	Type              string                     `json:"type"`
	SpecVersion       string                     `json:"spec_version"`
	ID                string                     `json:"id"`
	CreatedByRef      string                     `json:"created_by_ref,omitempty"`
	Created           string                     `json:"created,omitempty"`
	Modified          string                     `json:"modified,omitempty"`
	Name              string                     `json:"name,omitempty"`
	Description       string                     `json:"description,omitempty"`
	Aliases           []string                   `json:"aliases,omitempty"`
	IdentityClass     string                     `json:"identity_class,omitempty"`
	ThreatActorTypes  []string                   `json:"threat_actor_types,omitempty"`
	ResourceLevel     string                     `json:"resource_level,omitempty"`
	SightingOfRef     string                     `json:"sighting_of_ref,omitempty"`
	WhereSightedRefs  []string                   `json:"where_sighted_refs,omitempty"`
	FirstSeen         string                     `json:"first_seen,omitempty"`
	LastSeen          string                     `json:"last_seen,omitempty"`
	Country           string                     `json:"country,omitempty"`
	IndicatorTypes    []string                   `json:"indicator_types,omitempty"`
	Pattern           string                     `json:"pattern,omitempty"`
	PatternType       string                     `json:"pattern_type,omitempty"`
	PatternVersion    string                     `json:"pattern_version,omitempty"`
	ValidFrom         string                     `json:"valid_from,omitempty"`
	ValidUntil        string                     `json:"valid_until,omitempty"`
	Labels            []string                   `json:"labels,omitempty"`
	RelationshipType  string                     `json:"relationship_type,omitempty"`
	SourceRef         string                     `json:"source_ref,omitempty"`
	TargetRef         string                     `json:"target_ref,omitempty"`
	Revoked           bool                       `json:"revoked,omitempty"`
	Schema            string                     `json:"schema,omitempty"`
	Version           string                     `json:"version,omitempty"`
	ExtensionTypes    []string                   `json:"extension_types,omitempty"`
	ObjectMarkingRefs []string                   `json:"object_marking_refs,omitempty"`
	GranularMarkings  []granularMarking          `json:"granular_markings,omitempty"`
	Extensions        map[string]json.RawMessage `json:"extensions,omitempty"`
}

type granularMarking struct {
	Selectors  []string `json:"selectors"`
	MarkingRef string   `json:"marking_ref"`
}

// statementSelector selects statement i of an object's ctis statements
// extension.
func statementSelector(i int) string {
	return fmt.Sprintf("extensions.%s.statements.[%d]", ExtStatements, i)
}

// stamp is a STIX timestamp: UTC, to the millisecond.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// exactTime keeps a ctis timestamp as it is, to the nanosecond.
func exactTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ctisDefinitions returns what ctis defines once for all: its identity
// and the two extension definitions.
func ctisDefinitions() []object {
	def := func(id, name, schema string) object {
		return object{Type: "extension-definition", SpecVersion: "2.1", ID: id, CreatedByRef: Creator, Created: definedAt, Modified: definedAt,
			Name: name, Schema: schema, Version: "1.0.0", ExtensionTypes: []string{"property-extension"}}
	}
	return []object{
		{Type: "identity", SpecVersion: "2.1", ID: Creator, Created: definedAt, Modified: definedAt, Name: "ctis", IdentityClass: "system",
			Description: "The counter-terrorism information space software, which defines the ctis STIX extensions."},
		def(ExtStatements, "ctis statements",
			"The statements of a ctis entity, each with its provenance: entity_id (the ctis entity ID), schema (Person, Organization, "+
				"Document, Movement, ModusOperandi) and statements, a list of {id, property, value, originator (agency code), recorded_at "+
				"(RFC 3339), past_review, withdrawn {at, by, reason}}. A statement's handling, grading and review date are the ctis "+
				"handling marking that applies to it (on the object, or granular with the selector extensions.<this id>.statements.[i]). "+
				"A relationship carries the one statement that names its target."),
		def(ExtHandling, "ctis handling",
			"A marking-definition extension stating the handling of the ctis statements it marks: distribution (originator, agencies, "+
				"group, all), agencies (agency codes, for agencies), group (the sharing group, for group), frontline (released to "+
				"frontline use), hit_notice (a match may be disclosed as 'hit, contact the originator'), restriction (H0 none, H1 not "+
				"evidence without permission, H2 no further dissemination without permission, H3 as restriction_text states), "+
				"restriction_text, grading (source reliability A/B/C/X and information assessment 1-4, such as B2), review_by (YYYY-MM-DD)."),
	}
}

func tlpObject(t TLP) map[string]any {
	return map[string]any{
		"type": "marking-definition", "spec_version": "2.1", "id": t.ID, "created": tlpCreated, "name": t.Name,
		"extensions": map[string]any{ExtTLP2: map[string]any{"extension_type": "property-extension", "tlp_2_0": t.Level}},
	}
}

// entityObject is an entity's STIX object in the making.
type entityObject struct {
	e    *ctis.Entity
	obj  object
	refs []*ctis.Statement
}

// stixType decides the STIX type of an entity from its statements.
func stixType(e *ctis.Entity) (string, error) {
	m, ok := mappings[e.Schema]
	if !ok {
		return "", ctis.Invalid("schema", "entity %s: schema %q has no STIX mapping", e.ID, e.Schema)
	}
	switch e.Schema {
	case "Person":
		for _, s := range e.Statements {
			if s.Withdrawn == nil && slices.Contains(actorProperties, s.Property) {
				return "threat-actor", nil
			}
		}
	case "Movement":
		for _, s := range e.Statements {
			if slices.Contains(sightedProperties, s.Property) {
				return "sighting", nil
			}
		}
		return "x-ctis-movement", nil
	}
	return m.types[0], nil
}

// EntityTypes are the STIX types an entity's object may take.
func EntityTypes() []string {
	var out []string
	for _, m := range mappings {
		out = append(out, m.types...)
	}
	slices.Sort(out)
	return out
}

// Apart are the properties whose statements the writer carries in
// relationships of their own, apart from their entity's object: every
// reference but a Movement's, which its sighting carries.
func Apart() []string {
	var out []string
	for name, m := range mappings {
		if name == "Movement" {
			continue
		}
		for p := range m.relations {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
