package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
)

// querier is what reads need: the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// entitySchema returns the schema of an entity the viewer can see.
func (db *DB) entitySchema(ctx context.Context, q querier, v ctis.Viewer, id string) (string, error) {
	vis, args := db.visible(v)
	var schema string
	err := q.QueryRowContext(ctx, `SELECT e.schema FROM entities e WHERE e.id = ?
		AND EXISTS (SELECT 1 FROM statements s WHERE s.entity_id = e.id AND `+vis+`)`, append([]any{id}, args...)...).Scan(&schema)
	if err == sql.ErrNoRows {
		return "", ctis.ErrNotFound("entity")
	}
	return schema, err
}

func statementIDs(st []ctis.Statement) []string {
	ids := make([]string, len(st))
	for i, s := range st {
		ids[i] = s.ID
	}
	return ids
}

// CreateEntity stores a new entity with its statements.
func (db *DB) CreateEntity(ctx context.Context, e ctis.NewEntity) (*ctis.Entity, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	e.ID = "" // IDs are chosen by the node; only importers keep their own
	schema, err := e.Validate(db.today())
	if err != nil {
		return nil, err
	}
	var out *ctis.Entity
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = db.createIn(ctx, tx, id, schema, e); err != nil {
			return err
		}
		if _, err = db.appendAudit(ctx, tx, event(id, ctis.ActEntityCreate, out.ID, "", map[string]any{"statements": statementIDs(out.Statements)})); err != nil {
			return err
		}
		ctis.SetResult(ctx, out)
		return nil
	})
	return out, err
}

// createIn stores a validated new entity inside tx.
func (db *DB) createIn(ctx context.Context, tx *sql.Tx, id ctis.Identity, schema *ctis.Schema, e ctis.NewEntity) (*ctis.Entity, error) {
	var out *ctis.Entity
	err := db.withWriter(ctx, tx, id, func(w *writer) error {
		var err error
		out, err = w.create(ctx, schema, e)
		return err
	})
	return out, err
}

// AddStatements adds statements to an entity the caller can see.
func (db *DB) AddStatements(ctx context.Context, entityID string, st []ctis.NewStatement) ([]ctis.Statement, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if len(st) == 0 {
		return nil, ctis.Invalid("statements", "no statements given")
	}
	var out []ctis.Statement
	err = db.tx(ctx, func(tx *sql.Tx) error {
		name, err := db.entitySchema(ctx, tx, id.Viewer(), entityID)
		if err != nil {
			return err
		}
		schema := ctis.Schemas[name]
		if err := ctis.ValidateStatements(schema, st, db.today()); err != nil {
			return err
		}
		if err := db.withWriter(ctx, tx, id, func(w *writer) error {
			var err error
			out, err = w.add(ctx, schema, entityID, st)
			return err
		}); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActStatementAdd, entityID, "", map[string]any{"statements": statementIDs(out)}))
		return err
	})
	return out, err
}

// Import stores a batch of entities in one transaction. Each entity's ID
// is the importer's key, resolved in the caller's agency's ID space by
// resolve; see ctis.EntityService.Import.
func (db *DB) Import(ctx context.Context, batch []ctis.NewEntity) (*ctis.ImportReport, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	// An import needs no purpose, but one given (as a TAXII post gives
	// the request's) is recorded with it.
	purpose := ctis.PurposeFrom(ctx)
	if len(purpose) > ctis.MaxPurpose {
		return nil, ctis.Invalid("purpose", "purpose is longer than %d bytes", ctis.MaxPurpose)
	}
	today := db.today()
	schemas := make([]*ctis.Schema, len(batch))
	for i := range batch {
		if schemas[i], err = batch[i].Validate(today); err != nil {
			return nil, ctis.Prefix("["+strconv.Itoa(i)+"]", err)
		}
	}
	rep := &ctis.ImportReport{Entities: len(batch), IDs: make([]string, len(batch))}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		err := db.withWriter(ctx, tx, id, func(w *writer) error {
			if err := w.lookUpKeys(ctx, batch, schemas); err != nil {
				return err
			}
			for i, e := range batch {
				var err error
				if rep.IDs[i], err = db.importOne(ctx, w, schemas[i], e, rep); err != nil {
					return ctis.Prefix("["+strconv.Itoa(i)+"]", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActImport, "", purpose, map[string]any{"entities": rep.IDs, "statements": rep.Statements, "skipped": rep.Skipped}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// importOne stores one entity of an import, adding what is new to the
// entity its key names or creating it, and returns its stored ID.
func (db *DB) importOne(ctx context.Context, w *writer, schema *ctis.Schema, e ctis.NewEntity, rep *ctis.ImportReport) (string, error) {
	if e.ID == "" {
		return "", ctis.Invalid("id", "imported entities need an ID, so that a re-run does not duplicate them")
	}
	entityID, stored, err := w.resolve(ctx, e.ID, true)
	if err != nil {
		return "", err
	}
	if err := w.resolveRefs(ctx, schema, e.Statements); err != nil {
		return "", err
	}
	live := map[string]string{}
	if entityID == "" {
		entityID = ctis.ScopedID(w.id.Agency, e.ID)
		w.insertEntity(entityID, schema.Name)
		rep.Created++
	} else {
		// The entity is the caller's own or one it can see: saying what
		// it is tells the caller nothing new.
		if stored != schema.Name {
			return "", ctis.Invalid("schema", "entity %s is a %s, not a %s", e.ID, stored, schema.Name)
		}
		if live, err = w.live(ctx, entityID); err != nil {
			return "", err
		}
	}
	add := newStatements(live, e.Statements)
	rep.Skipped += len(e.Statements) - len(add)
	rep.Statements += len(add)
	_, err = w.add(ctx, schema, entityID, add)
	return entityID, err
}

// newStatements returns the statements of st that say something new: not
// identical (property, value, handling, grading) to one of live, a map
// from statementKey as liveStatements makes it, nor to an earlier one of
// st. It adds the keys of those it returns to live.
func newStatements(live map[string]string, st []ctis.NewStatement) []ctis.NewStatement {
	var out []ctis.NewStatement
	for _, ns := range st {
		k := statementKey(ns.Property, ns.Value, ns.Handling, ns.Grading)
		if _, ok := live[k]; ok {
			continue
		}
		live[k] = ""
		out = append(out, ns)
	}
	return out
}

// ownStatement loads a statement the caller can see, for a change only its
// originator may make.
func (db *DB) ownStatement(ctx context.Context, tx *sql.Tx, id ctis.Identity, statementID string) (*ctis.Statement, error) {
	st, err := db.statements(ctx, tx, id.Viewer(), `s.id = ?`, []any{statementID})
	if err != nil {
		return nil, err
	}
	if len(st) == 0 {
		return nil, ctis.ErrNotFound("statement")
	}
	if st[0].Originator != id.Agency {
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "only the originating agency %s may change this statement", st[0].Originator)
	}
	var node string
	if err := tx.QueryRowContext(ctx, `SELECT node FROM agencies WHERE code = ?`, id.Agency).Scan(&node); err != nil {
		return nil, err
	}
	if node != "" {
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "this statement came from node %s: %s changes it there", node, id.Agency)
	}
	return &st[0], nil
}

// WithdrawStatement withdraws one of the caller's agency's statements.
func (db *DB) WithdrawStatement(ctx context.Context, statementID, reason string) (*ctis.Statement, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return nil, ctis.Invalid("reason", "a withdrawal needs a reason of at most 1000 bytes")
	}
	var s *ctis.Statement
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if s, err = db.ownStatement(ctx, tx, id, statementID); err != nil {
			return err
		}
		if s.Withdrawn != nil {
			return ctis.Errorf(ctis.ECONFLICT, "the statement was withdrawn already")
		}
		s.Withdrawn = &ctis.Withdrawal{At: db.now(), By: id.Username, Reason: reason}
		if _, err := tx.ExecContext(ctx, withdrawSQL+`id = ?`, withdrawArgs(s.Withdrawn.At, id.Username, reason, statementID)...); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActStatementWithdraw, s.EntityID, "", map[string]any{"statement": s.ID, "reason": reason}))
		return err
	})
	return s, err
}

// SetReview sets a new review date on one of the caller's agency's statements.
func (db *DB) SetReview(ctx context.Context, statementID, reviewBy string) (*ctis.Statement, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if !ctis.ValidDay(reviewBy) || reviewBy < db.today() {
		return nil, ctis.Invalid("review_by", "review date %q must be a real date YYYY-MM-DD, today or later", reviewBy)
	}
	if err := db.checkReviewBy("review_by", reviewBy, db.latestReview()); err != nil {
		return nil, err
	}
	var s *ctis.Statement
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if s, err = db.ownStatement(ctx, tx, id, statementID); err != nil {
			return err
		}
		s.ReviewBy, s.PastReview = reviewBy, false
		if _, err := tx.ExecContext(ctx, `UPDATE statements SET review_by = ? WHERE id = ?`, reviewBy, statementID); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActStatementReview, s.EntityID, "", map[string]any{"statement": s.ID, "review_by": reviewBy}))
		return err
	})
	return s, err
}

const statementColumns = `s.seq, s.id, s.entity_id, s.property, s.value, s.originator, s.distribution, coalesce(s.grp, ''),
	s.frontline, s.hit_notice, s.restriction, s.restriction_text, s.grading, s.recorded_at, s.review_by,
	s.withdrawn_at, coalesce(s.withdrawn_by, ''), coalesce(s.withdrawn_reason, ''), s.changed_ns`

// statements loads the statements matching where that the viewer can see,
// in entity and recording order.
func (db *DB) statements(ctx context.Context, q querier, v ctis.Viewer, where string, args []any) ([]ctis.Statement, error) {
	vis, vargs := db.visible(v)
	return db.rawStatements(ctx, q, where+` AND `+vis, append(args, vargs...))
}

// rawStatements loads the statements matching where, whoever may see
// them. Only statements (with a viewer) and the screening index's loader
// call it.
func (db *DB) rawStatements(ctx context.Context, q querier, where string, args []any) ([]ctis.Statement, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+statementColumns+` FROM statements s WHERE `+where+
		` ORDER BY s.entity_id, s.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ctis.Statement
	var recipients []int64 // seqs of statements released to listed agencies
	seqs := map[int64]int{}
	today := db.today()
	for rows.Next() {
		var s ctis.Statement
		var seq int64
		var recorded string
		var withdrawnAt sql.NullString
		var by, reason string
		var changed int64
		h := &s.Handling
		if err := rows.Scan(&seq, &s.ID, &s.EntityID, &s.Property, &s.Value, &s.Originator, &h.Distribution, &h.Group,
			&h.Frontline, &h.HitNotice, &h.Restriction, &h.RestrictionText, &s.Grading, &recorded, &s.ReviewBy,
			&withdrawnAt, &by, &reason, &changed); err != nil {
			return nil, err
		}
		s.Changed = time.Unix(0, changed).UTC()
		s.RecordedAt = parseStamp(recorded)
		s.PastReview = s.ReviewBy < today
		if withdrawnAt.Valid {
			s.Withdrawn = &ctis.Withdrawal{At: parseStamp(withdrawnAt.String), By: by, Reason: reason}
		}
		if h.Distribution == ctis.DistAgencies {
			recipients = append(recipients, seq)
			seqs[seq] = len(out)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for len(recipients) > 0 {
		chunk := recipients[:min(len(recipients), 500)]
		recipients = recipients[len(chunk):]
		if err := db.loadRecipients(ctx, q, chunk, func(seq int64, agency string) {
			h := &out[seqs[seq]].Handling
			h.Agencies = append(h.Agencies, agency)
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) loadRecipients(ctx context.Context, q querier, seqs []int64, fn func(int64, string)) error {
	args := make([]any, len(seqs))
	for i, s := range seqs {
		args[i] = s
	}
	rows, err := q.QueryContext(ctx, `SELECT statement_seq, agency FROM statement_agencies WHERE statement_seq IN (`+placeholders(len(seqs))+`) ORDER BY 1, 2`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var a string
		if err := rows.Scan(&seq, &a); err != nil {
			return err
		}
		fn(seq, a)
	}
	return rows.Err()
}

// entities loads the given entities with the statements the viewer can see,
// in the order of ids, leaving out those of which nothing is visible.
func (db *DB) entities(ctx context.Context, q querier, v ctis.Viewer, ids []string, withWithdrawn bool) ([]*ctis.Entity, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if withWithdrawn {
		return db.entitiesWhere(ctx, q, v, ids, `TRUE`, nil)
	}
	return db.entitiesWhere(ctx, q, v, ids, `s.withdrawn_at IS NULL`, nil)
}

// entitiesWhere is entities with the statements that cond (on s) keeps.
func (db *DB) entitiesWhere(ctx context.Context, q querier, v ctis.Viewer, ids []string, cond string, cargs []any) ([]*ctis.Entity, error) {
	args := make([]any, len(ids), len(ids)+len(cargs))
	for i, id := range ids {
		args[i] = id
	}
	st, err := db.statements(ctx, q, v, `s.entity_id IN (`+placeholders(len(ids))+`) AND `+cond, append(args, cargs...))
	if err != nil {
		return nil, err
	}
	schemas, err := db.schemas(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]*ctis.Entity{}
	for _, s := range st {
		e := byID[s.EntityID]
		if e == nil {
			e = &ctis.Entity{ID: s.EntityID, Schema: schemas[s.EntityID]}
			byID[s.EntityID] = e
		}
		e.Statements = append(e.Statements, s)
	}
	out := make([]*ctis.Entity, 0, len(byID))
	for _, id := range ids {
		if e := byID[id]; e != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// schemas maps entity IDs to their schemas.
func (db *DB) schemas(ctx context.Context, q querier, ids []string) (map[string]string, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT id, schema FROM entities WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	schemas := make(map[string]string, len(ids))
	for rows.Next() {
		var id, schema string
		if err := rows.Scan(&id, &schema); err != nil {
			return nil, err
		}
		schemas[id] = schema
	}
	return schemas, rows.Err()
}

// hiddenMatches finds the statements matching where that the viewer cannot
// see but that carry a hit notice. Only the originator of each leaves this
// package, in a notice; the rest goes to the originator's audit scope.
func (db *DB) hiddenMatches(ctx context.Context, v ctis.Viewer, where string, args []any) ([]ctis.HiddenMatch, error) {
	vis, vargs := db.visible(v)
	rows, err := db.r.QueryContext(ctx, `SELECT s.entity_id, s.id, s.originator FROM statements s WHERE `+where+
		` AND s.hit_notice = 1 AND s.withdrawn_at IS NULL AND NOT `+vis+` ORDER BY s.originator, s.entity_id LIMIT 1000`, append(args, vargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ctis.HiddenMatch
	for rows.Next() {
		var m ctis.HiddenMatch
		var st string
		if err := rows.Scan(&m.EntityID, &st, &m.Originator); err != nil {
			return nil, err
		}
		m.Statements = []string{st}
		out = append(out, m)
	}
	return out, rows.Err()
}

// noticeEvents turns hidden matches into one hit-notice audit event per
// originating agency, in that agency's scope.
func noticeEvents(id ctis.Identity, purpose string, query any, hidden []ctis.HiddenMatch) []ctis.AuditEvent {
	byAgency := map[string][]ctis.HiddenMatch{}
	var agencies []string
	for _, m := range hidden {
		if byAgency[m.Originator] == nil {
			agencies = append(agencies, m.Originator)
		}
		byAgency[m.Originator] = append(byAgency[m.Originator], m)
	}
	slices.Sort(agencies)
	var events []ctis.AuditEvent
	for _, a := range agencies {
		var entities, statements []string
		for _, m := range byAgency[a] {
			if !slices.Contains(entities, m.EntityID) {
				entities = append(entities, m.EntityID)
			}
			statements = append(statements, m.Statements...)
		}
		// The reference is random: the audit sequence number would tell
		// the searcher how busy the node is.
		e := event(id, ctis.ActHitNotice, entities[0], purpose, map[string]any{"reference": ctis.NewReference(), "query": query, "entities": entities, "statements": statements})
		e.Scope = a
		events = append(events, e)
	}
	return events
}

// readAudit records a read acted by id: first any hit notices, then the
// read itself, whose detail names the notices' references. It returns the
// notices as the reader may see them.
func (db *DB) readAudit(ctx context.Context, id ctis.Identity, action, object, purpose string, detail map[string]any, notices []ctis.AuditEvent) ([]ctis.HitNotice, error) {
	var out []ctis.HitNotice
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = db.issueNotices(ctx, tx, notices); err != nil {
			return err
		}
		detail["notices"] = out
		_, err = db.appendAudit(ctx, tx, event(id, action, object, purpose, detail))
		return err
	})
	return out, err
}

// issueNotices seals hit-notice events inside tx, indexes them by their
// references, and returns what the reader is told of each: the agency to
// contact and the reference.
func (db *DB) issueNotices(ctx context.Context, tx *sql.Tx, events []ctis.AuditEvent) ([]ctis.HitNotice, error) {
	sealed, err := db.appendAudit(ctx, tx, events...)
	if err != nil {
		return nil, err
	}
	out := []ctis.HitNotice{}
	q := db.prepared(tx)
	for _, n := range sealed {
		var d struct {
			Reference string `json:"reference"`
		}
		if err := json.Unmarshal([]byte(n.Detail), &d); err != nil || d.Reference == "" {
			return nil, fmt.Errorf("hit notice %d has no reference", n.Seq)
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO notice_references VALUES (?, ?)`, d.Reference, n.Seq); err != nil {
			return nil, err
		}
		notice := ctis.HitNotice{Agency: n.Scope, Reference: d.Reference}
		if err := q.QueryRowContext(ctx, `SELECT node FROM agencies WHERE code = ?`, n.Scope).Scan(&notice.Node); err != nil {
			return nil, err
		}
		out = append(out, notice)
	}
	return out, nil
}

// Entity returns an entity with the statements the caller may see.
func (db *DB) Entity(ctx context.Context, entityID string) (*ctis.Entity, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if !ctis.ValidID(entityID) {
		return nil, ctis.ErrNotFound("entity")
	}
	v := id.Viewer()
	es, err := db.entities(ctx, db.r, v, []string{entityID}, true)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, ctis.ErrNotFound("entity")
	}
	e := es[0]
	hidden, err := db.hiddenMatches(ctx, v, `s.entity_id = ?`, []any{entityID})
	if err != nil {
		return nil, err
	}
	e.Notices, err = db.readAudit(ctx, id, ctis.ActEntityRead, e.ID, purpose, map[string]any{"statements": statementIDs(e.Statements)},
		noticeEvents(id, purpose, map[string]string{"entity": e.ID}, hidden))
	if err != nil {
		return nil, err
	}
	return e, nil
}

// withdrawSQL marks a statement withdrawn, its condition (such as
// `id = ?`) to follow, with withdrawArgs: its last change becomes the
// withdrawal, unless it was recorded later still.
const withdrawSQL = `UPDATE statements SET withdrawn_at = ?, withdrawn_by = ?, withdrawn_reason = ?,
	changed_ns = CASE WHEN changed_ns > ? THEN changed_ns ELSE ? END WHERE `

// withdrawArgs are the arguments of withdrawSQL, the key of the
// statement last.
func withdrawArgs(at time.Time, by, reason string, key any) []any {
	ns := at.UnixNano()
	return []any{stamp(at), by, reason, ns, ns, key}
}
