package ctis

import (
	"context"
	"strings"
	"time"
)

// Statement is one property value about an entity, with its provenance.
type Statement struct {
	ID       string `json:"id"`
	EntityID string `json:"entity_id"`
	Property string `json:"property"`
	Value    string `json:"value"`
	// Originator is the code of the contributing agency.
	Originator string    `json:"originator"`
	Handling   Handling  `json:"handling"`
	Grading    Grading   `json:"grading,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
	// ReviewBy is the date (YYYY-MM-DD) by which the originator must review
	// the statement; past it the statement is flagged, and the node's
	// ReviewPolicy may hide or purge it.
	ReviewBy   string      `json:"review_by,omitempty"`
	PastReview bool        `json:"past_review,omitempty"`
	Withdrawn  *Withdrawal `json:"withdrawn,omitempty"`
	// Changed is when the statement last changed for its readers:
	// recorded, withdrawn, or released anew (a sharing group taking an
	// agency in). Listings go by it, and a STIX object's version is its
	// statements' latest; the zero time where a reader knows no more than
	// RecordedAt and Withdrawn say.
	Changed time.Time `json:"-"`
}

// Withdrawal records that the originator withdrew a statement. A withdrawn
// statement is kept, marked, for those who may see it, and no longer matches
// searches.
type Withdrawal struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// NewStatement is a statement as a contributor submits it. The originator is
// always the caller's agency.
type NewStatement struct {
	Property string   `json:"property"`
	Value    string   `json:"value"`
	Handling Handling `json:"handling"`
	Grading  Grading  `json:"grading,omitempty"`
	ReviewBy string   `json:"review_by,omitempty"`
}

// Entity is a subject: an ID, a schema and the statements about it that the
// viewer may see.
type Entity struct {
	ID         string      `json:"id"`
	Schema     string      `json:"schema"`
	Statements []Statement `json:"statements"`
	// Notices name the agencies that hold statements on this entity which
	// the viewer may not see but which carry a hit notice.
	Notices []HitNotice `json:"notices,omitempty"`
}

// Caption returns the first visible name of the entity, or its ID.
func (e *Entity) Caption() string {
	for _, s := range e.Statements {
		if s.Withdrawn == nil && (s.Property == "name" || s.Property == "title") {
			return s.Value
		}
	}
	return e.ID
}

// NewEntity is an entity as a contributor submits it: at least one statement.
type NewEntity struct {
	// ID may be given by an importer that keeps its own identifiers
	// stable. It is the importing agency's own key, not the stored ID:
	// Import and Sync store the entity as ScopedID(agency, ID), so two
	// agencies' keys never meet (see EntityService.Import). CreateEntity
	// ignores it and makes a new ID.
	ID         string         `json:"id,omitempty"`
	Schema     string         `json:"schema"`
	Statements []NewStatement `json:"statements"`
}

// MaxStatementsPerEntity bounds one submission.
const MaxStatementsPerEntity = 1000

// HitNotice is all a viewer learns of a match on a statement it may not see
// when that statement carries a hit notice: which agency to contact, and the
// reference of the audit event that recorded the match, which the
// originator can look up.
type HitNotice struct {
	Agency string `json:"agency"`
	// Node is the peer node of an agency whose statement came from a
	// peer: "contact agency X at node Y". Empty for this node's own.
	Node string `json:"node,omitempty"`
	// Reference is the notice's opaque reference: the agency contacted
	// finds the notice in its audit trail by it.
	Reference string `json:"reference,omitempty"`
}

// Contact is whom the notice says to contact: the agency, and its node
// when it is a peer's.
func (n HitNotice) Contact() string {
	if n.Node != "" {
		return n.Agency + " at node " + n.Node
	}
	return n.Agency
}

// EntitySummary is one row of an entity listing.
type EntitySummary struct {
	ID      string `json:"id"`
	Schema  string `json:"schema"`
	Caption string `json:"caption"`
	// Statements counts the statements the viewer may see.
	Statements int `json:"statements"`
}

// EntityFilter selects entities to list. Cursor continues a listing from the
// cursor of its previous page.
type EntityFilter struct {
	Schema string
	// PastReview keeps the entities holding statements of the caller's
	// agency past their review date: what its analysts must review.
	PastReview bool
	Cursor     string
	Limit      int
}

// Page limits.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// EntityPage is a page of a listing. Next is empty on the last page.
type EntityPage struct {
	Entities []EntitySummary `json:"entities"`
	Next     string          `json:"next,omitempty"`
}

// SearchQuery asks for entities by name (any script; folded, all tokens must
// match) or by the exact value of one property.
type SearchQuery struct {
	Name     string
	Property string
	Value    string
	Schema   string
	Cursor   string
	Limit    int
}

// SearchResult is what a search shows the viewer: matching entities made
// only of visible statements, and notices for hidden matches that carry a
// hit notice (given on the first page only).
type SearchResult struct {
	Entities []Entity    `json:"entities"`
	Notices  []HitNotice `json:"notices"`
	Next     string      `json:"next,omitempty"`
}

// SyncReport counts what a Sync changed.
type SyncReport struct {
	Created   int `json:"created"`   // entities new to the store
	Changed   int `json:"changed"`   // entities with statements added or withdrawn
	Unchanged int `json:"unchanged"` // entities left as they were
	Removed   int `json:"removed"`   // entities whose statements were all withdrawn
	Added     int `json:"added"`     // statements added
	Withdrawn int `json:"withdrawn"` // statements withdrawn
}

// ImportReport says what an Import stored.
type ImportReport struct {
	Entities int `json:"entities"` // entities in the batch
	Created  int `json:"created"`  // of those, new to the store
	// Statements counts the statements added; Skipped those left out as
	// identical (property, value, handling, grading) to a live statement
	// of the importing agency on the same entity, as a re-run gives.
	Statements int `json:"statements"`
	Skipped    int `json:"skipped"`
	// IDs are the stored IDs of the batch's entities, in batch order: the
	// importer's keys resolved in its agency's ID space.
	IDs []string `json:"ids"`
}

// ReviewPolicy is what happens to a statement past its review date.
type ReviewPolicy string

// Review policies.
const (
	ReviewFlag  ReviewPolicy = "flag"  // shown, flagged as past review
	ReviewHide  ReviewPolicy = "hide"  // shown only to its originator until reviewed
	ReviewPurge ReviewPolicy = "purge" // hidden like ReviewHide and deleted by PurgeExpired
)

// EntityService keeps entities and statements. Every method takes the
// caller's identity from the context and applies handling inside the
// store's queries: a hidden entity or statement answers ENOTFOUND exactly
// as an absent one does.
type EntityService interface {
	// CreateEntity stores a new entity with its statements, originated by
	// the caller's agency. Needs RoleAnalyst. EINVALID names the offending
	// field; nothing is written on error.
	CreateEntity(ctx context.Context, e NewEntity) (*Entity, error)
	// AddStatements adds statements to an entity the caller can see. Needs
	// RoleAnalyst. ENOTFOUND, EINVALID.
	AddStatements(ctx context.Context, entityID string, st []NewStatement) ([]Statement, error)
	// WithdrawStatement withdraws one of the caller's agency's statements.
	// Needs RoleAnalyst. ENOTFOUND for hidden or absent, EFORBIDDEN for a
	// visible statement of another agency, ECONFLICT if already withdrawn.
	WithdrawStatement(ctx context.Context, statementID, reason string) (*Statement, error)
	// SetReview sets a new review date on one of the caller's agency's
	// statements. Needs RoleAnalyst.
	SetReview(ctx context.Context, statementID, reviewBy string) (*Statement, error)

	// Entity returns an entity with the statements the caller may see.
	// Needs a purpose; audited. ENOTFOUND.
	Entity(ctx context.Context, id string) (*Entity, error)
	// Entities lists entities, in ID order. Needs a purpose and RoleAnalyst.
	Entities(ctx context.Context, f EntityFilter) (*EntityPage, error)
	// Search finds entities by name or property. Needs a purpose; audited,
	// and each hit notice issued is audited for its originator too.
	Search(ctx context.Context, q SearchQuery) (*SearchResult, error)
	// Export calls fn for each entity the caller may see, withdrawn
	// statements included and marked. Needs a purpose and RoleAnalyst;
	// audited.
	Export(ctx context.Context, fn func(*Entity) error) error
	// Lister lists the same by last change, a page at a time.
	Lister
	// Import stores a batch of entities in one transaction, originated by
	// the caller's agency: all or nothing. Needs RoleAnalyst; audited, with
	// the purpose in ctx if there is one. Errors are
	// prefixed with the entity's index in the batch as "[i]".
	//
	// Each entity's ID is the importer's key, resolved in the caller's
	// agency's ID space: the entity that agency made from the key before
	// (ScopedID), else an entity of that ID the caller can see (to add to
	// a shared entity, or to one made before IDs were scoped), else a new
	// entity ScopedID(agency, key). Entity references in values resolve
	// the same way. So another agency's hidden entity reads as an absent
	// one, and nobody can take an ID that another agency's import needs.
	// A statement identical to a live one of the caller's agency on the
	// same entity (property, value, handling, grading) is skipped, so a
	// re-run adds nothing.
	Import(ctx context.Context, batch []NewEntity) (*ImportReport, error)
	// Sync makes the caller's agency's live statements on each entity of
	// the batch equal to those given, as a feed importer needs: what is new
	// is added, what is no longer given is withdrawn with reason, what is
	// unchanged stays. With complete, the batch is the whole feed, and
	// entities with live statements of the caller's agency that it does not
	// name are withdrawn whole (an entry de-listed). One transaction; needs
	// RoleAnalyst; entities need IDs. Errors are prefixed "[i]" like Import's.
	// IDs are keys of the caller's agency as in Import, except that a key
	// that is an existing entity's ID names that entity only if the caller's
	// agency holds statements on it: a feed owns its entries, and what
	// others hold, visible or not, never stands in its way.
	Sync(ctx context.Context, batch []NewEntity, complete bool, reason string) (*SyncReport, error)
	// PurgeExpired deletes statements past review under ReviewPurge and
	// returns how many. Needs RoleAdmin; audited.
	PurgeExpired(ctx context.Context) (int, error)
}

// Validate checks what can be checked of e without the store — its schema,
// each statement's property, value, handling, grading and review date —
// and normalises values in place. today (YYYY-MM-DD) bounds review dates.
// Errors name the field, such as "statements[2].value".
func (e *NewEntity) Validate(today string) (*Schema, error) {
	if e.ID != "" && !ValidID(e.ID) {
		return nil, Invalid("id", "%q is not an entity ID", e.ID)
	}
	schema, ok := Schemas[e.Schema]
	if !ok {
		return nil, Invalid("schema", "unknown schema %q (known: %s)", e.Schema, strings.Join(SchemaNames(), ", "))
	}
	if len(e.Statements) == 0 {
		return nil, Invalid("statements", "an entity needs at least one statement")
	}
	if err := ValidateStatements(schema, e.Statements, today); err != nil {
		return nil, err
	}
	return schema, nil
}

// ValidateStatements checks and normalises statements for schema. Errors
// are prefixed "statements[i]".
func ValidateStatements(schema *Schema, st []NewStatement, today string) error {
	if len(st) > MaxStatementsPerEntity {
		return Invalid("statements", "more than %d statements", MaxStatementsPerEntity)
	}
	for i := range st {
		if err := st[i].validate(schema, today); err != nil {
			return Prefix("statements["+itoa(i)+"]", err)
		}
	}
	return nil
}

func (s *NewStatement) validate(schema *Schema, today string) error {
	p, ok := schema.Property(s.Property)
	if !ok {
		return Invalid("property", "schema %s has no property %q", schema.Name, s.Property)
	}
	v, err := NormalizeValue(p, s.Value)
	if err != nil {
		return err
	}
	s.Value = v
	if err := s.Handling.Normalize(); err != nil {
		return err
	}
	if !s.Grading.Valid() {
		return Invalid("grading", "grading %q must be a source reliability A, B, C or X followed by an assessment 1-4, like B2", s.Grading)
	}
	if s.ReviewBy != "" {
		if !ValidDay(s.ReviewBy) {
			return Invalid("review_by", "review date %q must be a real date YYYY-MM-DD", s.ReviewBy)
		}
		if s.ReviewBy < today {
			return Invalid("review_by", "review date %s is in the past", s.ReviewBy)
		}
	}
	return nil
}
