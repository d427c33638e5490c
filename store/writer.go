package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/stix"
)

// flushRows is how many statements a writer holds before it inserts
// them: a few inserts of many rows each cost far less than a row each.
const flushRows = 256

// writer inserts entities and statements within one transaction. It
// holds them and inserts them many rows at a time (flush), before any
// of its own reads that could see them and before the transaction goes
// on (withWriter), and keeps what it has checked, so that a large batch
// costs little per statement.
type writer struct {
	db     *DB
	tx     *sql.Tx
	id     ctis.Identity
	now    time.Time
	today  string
	review string // the default review date, and the latest allowed
	// q runs the writer's queries, each prepared once: a batch asks the
	// same few questions of every entity.
	q        *stmtCache
	agencies map[string]bool
	groups   map[string]bool
	// schemas holds the schema of each entity ID looked up or inserted,
	// "" for one known to be absent.
	schemas map[string]string
	// entities and statements are held, not inserted yet; held names
	// the entities they are about.
	entities   []heldEntity
	statements []heldStatement
	held       map[string]bool
}

type heldEntity struct{ id, schema string }

type heldStatement struct {
	s    ctis.Statement
	key  string
	name bool // its key's tokens go into name_tokens
}

// withWriter runs fn with a writer in tx and inserts what it holds when
// fn returns without error.
func (db *DB) withWriter(ctx context.Context, tx *sql.Tx, id ctis.Identity, fn func(*writer) error) error {
	now := db.now()
	w := &writer{db: db, tx: tx, id: id, now: now, today: now.Format("2006-01-02"),
		review: now.Add(db.opts.ReviewPeriod).Format("2006-01-02"), q: newStmtCache(tx, db.w),
		agencies: map[string]bool{}, groups: map[string]bool{}, schemas: map[string]string{}, held: map[string]bool{}}
	defer w.q.close()
	if err := fn(w); err != nil {
		return err
	}
	return w.flush(ctx)
}

func (w *writer) known(ctx context.Context, cache map[string]bool, q, key string) bool {
	ok, seen := cache[key]
	if !seen {
		var one int
		ok = w.q.QueryRowContext(ctx, q, key).Scan(&one) == nil
		cache[key] = ok
	}
	return ok
}

// checkRefs checks what validation alone cannot: that the agencies and
// group a statement is released to exist, and that an entity reference
// points to an entity the caller can see, of the right schema.
func (w *writer) checkRefs(ctx context.Context, schema *ctis.Schema, st []ctis.NewStatement) error {
	for i, s := range st {
		field := "statements[" + strconv.Itoa(i) + "]"
		if err := w.db.checkReviewBy(field+".review_by", s.ReviewBy, w.review); err != nil {
			return err
		}
		for j, a := range s.Handling.Agencies {
			if !w.known(ctx, w.agencies, `SELECT 1 FROM agencies WHERE code = ?`, a) {
				return ctis.Invalid(field+".handling.agencies["+strconv.Itoa(j)+"]", "no agency %s", a)
			}
		}
		if g := s.Handling.Group; g != "" && !w.known(ctx, w.groups, `SELECT 1 FROM sharing_groups WHERE name = ?`, g) {
			return ctis.Invalid(field+".handling.group", "no sharing group %q", g)
		}
		if p, _ := schema.Property(s.Property); p.Type == ctis.TypeEntity {
			target, err := w.visibleSchema(ctx, s.Value)
			if err != nil || target != p.Range {
				return ctis.Invalid(field+".value", "no %s entity %s", p.Range, s.Value)
			}
		}
	}
	return nil
}

// visibleSchema is entitySchema within the writer: the schema of an
// entity the caller can see.
func (w *writer) visibleSchema(ctx context.Context, id string) (string, error) {
	if schema, err := w.schemaOf(ctx, id); err != nil || schema == "" {
		return "", ctis.ErrNotFound("entity")
	}
	if err := w.flushFor(ctx, id); err != nil {
		return "", err
	}
	return w.db.entitySchema(ctx, w.q, w.id.Viewer(), id)
}

// add holds validated statements about entityID for insertion.
func (w *writer) add(ctx context.Context, schema *ctis.Schema, entityID string, st []ctis.NewStatement) ([]ctis.Statement, error) {
	if err := w.checkRefs(ctx, schema, st); err != nil {
		return nil, err
	}
	out := make([]ctis.Statement, len(st))
	for i, ns := range st {
		p, _ := schema.Property(ns.Property)
		s := ctis.Statement{ID: ctis.NewID(), EntityID: entityID, Property: ns.Property, Value: ns.Value,
			Originator: w.id.Agency, Handling: ns.Handling, Grading: ns.Grading, RecordedAt: w.now, ReviewBy: ns.ReviewBy}
		if s.ReviewBy == "" {
			s.ReviewBy = w.review
		}
		if err := w.insert1(ctx, p, s); err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// insert1 holds one statement for insertion as it is, with its
// recipients and name tokens, withdrawn if it is.
func (w *writer) insert1(ctx context.Context, p ctis.Property, s ctis.Statement) error {
	w.statements = append(w.statements, heldStatement{s: s, key: ctis.Key(p.Type, s.Value), name: p.Type == ctis.TypeName})
	w.held[s.EntityID] = true
	if len(w.statements) >= flushRows {
		return w.flush(ctx)
	}
	return nil
}

// create holds a new, validated entity for insertion.
func (w *writer) create(ctx context.Context, schema *ctis.Schema, e ctis.NewEntity) (*ctis.Entity, error) {
	id := e.ID
	if id == "" {
		id = ctis.NewID()
	}
	w.insertEntity(id, schema.Name)
	st, err := w.add(ctx, schema, id, e.Statements)
	if err != nil {
		return nil, err
	}
	return &ctis.Entity{ID: id, Schema: schema.Name, Statements: st}, nil
}

// insertEntity holds an entity for insertion, with the UUID of its STIX
// identifier.
func (w *writer) insertEntity(id, schema string) {
	w.entities = append(w.entities, heldEntity{id, schema})
	w.schemas[id] = schema
	w.held[id] = true
}

// flushFor inserts what the writer holds if any of it is about entityID,
// before a read of that entity's statements.
func (w *writer) flushFor(ctx context.Context, entityID string) error {
	if w.held[entityID] {
		return w.flush(ctx)
	}
	return nil
}

// statementCols are the columns of a statement as flush inserts it.
const statementCols = `seq, id, entity_id, property, value, key, originator, distribution, grp, frontline, hit_notice,
	restriction, restriction_text, grading, recorded_at, review_by, withdrawn_at, withdrawn_by, withdrawn_reason, changed_ns`

// flush inserts the entities and statements the writer holds, with the
// statements' recipients and name tokens, many rows to an insert.
func (w *writer) flush(ctx context.Context) error {
	if len(w.entities) == 0 && len(w.statements) == 0 {
		return nil
	}
	const entityCols = 4
	args := make([]any, 0, maxBatchRows*entityCols)
	for ents := w.entities; len(ents) > 0; {
		n := min(len(ents), maxBatchRows)
		args = args[:0]
		for _, e := range ents[:n] {
			args = append(args, e.id, e.schema, stamp(w.now), stix.EntityUUID(e.id))
		}
		if _, err := w.q.ExecContext(ctx, `INSERT INTO entities (id, schema, created_at, stix_uuid) VALUES `+valueRows(n, entityCols), args...); err != nil {
			return err
		}
		ents = ents[n:]
	}
	seqs, err := w.seqs(ctx, len(w.statements))
	if err != nil {
		return err
	}
	const cols = 20
	const rows = 100 // 2,000 values an insert
	var recipients, tokens []any
	for i := 0; i < len(w.statements); i += rows {
		chunk := w.statements[i:min(i+rows, len(w.statements))]
		args = args[:0]
		for j, hs := range chunk {
			s, h, seq := &hs.s, hs.s.Handling, seqs[i+j]
			changed := s.RecordedAt.UnixNano()
			var withdrawnAt, withdrawnBy, withdrawnReason any
			if wd := s.Withdrawn; wd != nil {
				withdrawnAt, withdrawnBy, withdrawnReason = stamp(wd.At), wd.By, wd.Reason
				changed = max(changed, wd.At.UnixNano())
			}
			args = append(args, seq, s.ID, s.EntityID, s.Property, s.Value, hs.key, s.Originator,
				string(h.Distribution), nullable(h.Group), h.Frontline, h.HitNotice, string(h.Restriction), h.RestrictionText,
				string(s.Grading), stamp(s.RecordedAt), s.ReviewBy, withdrawnAt, withdrawnBy, withdrawnReason, changed)
			for _, a := range h.Agencies {
				recipients = append(recipients, seq, a)
			}
			if hs.name {
				var seen []string
				for _, t := range strings.Fields(hs.key) {
					if !slices.Contains(seen, t) {
						seen = append(seen, t)
						tokens = append(tokens, t, seq)
					}
				}
			}
		}
		if _, err := w.q.ExecContext(ctx, `INSERT INTO statements (`+statementCols+`) VALUES `+valueRows(len(chunk), cols), args...); err != nil {
			return err
		}
	}
	if err := w.insertPairs(ctx, `INSERT INTO statement_agencies (statement_seq, agency) VALUES `, ``, recipients); err != nil {
		return err
	}
	if err := w.insertPairs(ctx, `INSERT INTO name_tokens (token, statement_seq) VALUES `, ` ON CONFLICT DO NOTHING`, tokens); err != nil {
		return err
	}
	w.entities, w.statements = w.entities[:0], w.statements[:0]
	clear(w.held)
	return nil
}

// insertPairs inserts rows of two values, given one after another.
func (w *writer) insertPairs(ctx context.Context, insert, tail string, values []any) error {
	const rows = maxBatchRows
	for len(values) > 0 {
		n := min(len(values)/2, rows)
		if _, err := w.q.ExecContext(ctx, insert+valueRows(n, 2)+tail, values[:2*n]...); err != nil {
			return err
		}
		values = values[2*n:]
	}
	return nil
}

// seqs returns n new sequence numbers of statements. On SQLite the writer
// holds the only write transaction, so the numbers after the largest
// are free; on PostgreSQL they are taken from the column's sequence.
func (w *writer) seqs(ctx context.Context, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	if q := w.db.dialect.newSeqs; q != "" {
		return queryColumn[int64](ctx, w.q, q, n)
	}
	var last int64
	if err := w.q.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM statements`).Scan(&last); err != nil {
		return nil, err
	}
	out := make([]int64, 0, n)
	for i := range n {
		out = append(out, last+1+int64(i))
	}
	return out, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// schemaOf returns the schema of the entity of ID id, "" if there is
// none, whoever may see it.
func (w *writer) schemaOf(ctx context.Context, id string) (string, error) {
	if schema, ok := w.schemas[id]; ok {
		return schema, nil
	}
	var schema string
	err := w.q.QueryRowContext(ctx, `SELECT schema FROM entities WHERE id = ?`, id).Scan(&schema)
	if err != nil && err != sql.ErrNoRows {
		return "", err
	}
	w.schemas[id] = schema
	return schema, nil
}

// lookUp finds which of ids name entities, many to a query, so that a
// batch's resolve asks nothing of each entity it names.
func (w *writer) lookUp(ctx context.Context, ids []string) error {
	var ask []any
	for _, id := range ids {
		if _, ok := w.schemas[id]; !ok {
			w.schemas[id] = ""
			ask = append(ask, id)
		}
	}
	for len(ask) > 0 {
		n := min(len(ask), maxBatchRows)
		rows, err := w.q.QueryContext(ctx, `SELECT id, schema FROM entities WHERE id IN (`+placeholders(n)+`)`, ask[:n]...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, schema string
			if err := rows.Scan(&id, &schema); err != nil {
				rows.Close()
				return err
			}
			w.schemas[id] = schema
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ask = ask[n:]
	}
	return nil
}

// lookUpKeys is lookUp for the keys a batch of the caller's agency uses,
// as its entities' IDs and in its entity references: both the entities
// its imports made from them and entities of those IDs.
func (w *writer) lookUpKeys(ctx context.Context, batch []ctis.NewEntity, schemas []*ctis.Schema) error {
	var ids []string
	key := func(k string) { ids = append(ids, ctis.ScopedID(w.id.Agency, k), k) }
	for i, e := range batch {
		key(e.ID)
		for _, s := range e.Statements {
			if p, _ := schemas[i].Property(s.Property); p.Type == ctis.TypeEntity {
				key(s.Value)
			}
		}
	}
	return w.lookUp(ctx, ids)
}

// live returns the caller's agency's live statements on an entity, as
// liveStatements does.
func (w *writer) live(ctx context.Context, entityID string) (map[string]string, error) {
	if err := w.flushFor(ctx, entityID); err != nil {
		return nil, err
	}
	return w.db.liveStatements(ctx, w.q, w.id.Agency, entityID)
}

// resolveRefs replaces the entity references among the values of st,
// keys of the caller's agency as an imported entity's ID is, by the IDs
// of the entities they name. A reference that names nothing is left for
// checkRefs to refuse.
func (w *writer) resolveRefs(ctx context.Context, schema *ctis.Schema, st []ctis.NewStatement) error {
	for i := range st {
		if p, _ := schema.Property(st[i].Property); p.Type == ctis.TypeEntity {
			ref, _, err := w.resolve(ctx, st[i].Value, true)
			if err != nil {
				return err
			}
			if ref != "" {
				st[i].Value = ref
			}
		}
	}
	return nil
}

// resolve finds the entity that key, an entity ID given by an importer or
// a feed of the caller's agency, names in that agency's ID space: the
// entity the agency's imports made from the key (ctis.ScopedID), else the
// entity of ID key if the caller can see it (shared) or, unshared, if the
// caller's agency holds statements on it. It returns the stored ID and
// schema, or "" when key names no entity yet. Entities of other agencies
// that the caller may not see answer as absent ones do.
func (w *writer) resolve(ctx context.Context, key string, shared bool) (string, string, error) {
	scoped := ctis.ScopedID(w.id.Agency, key)
	schema, err := w.schemaOf(ctx, scoped)
	if err != nil {
		return "", "", err
	}
	if schema != "" {
		return scoped, schema, nil
	}
	if schema, err = w.schemaOf(ctx, key); err != nil || schema == "" {
		return "", "", err
	}
	if err := w.flushFor(ctx, key); err != nil {
		return "", "", err
	}
	if shared {
		schema, err = w.db.entitySchema(ctx, w.q, w.id.Viewer(), key)
	} else {
		err = w.q.QueryRowContext(ctx, `SELECT e.schema FROM entities e WHERE e.id = ?
			AND EXISTS (SELECT 1 FROM statements s WHERE s.entity_id = e.id AND s.originator = ?)`, key, w.id.Agency).Scan(&schema)
		if err == sql.ErrNoRows {
			err = ctis.ErrNotFound("entity")
		}
	}
	switch {
	case err == nil:
		return key, schema, nil
	case ctis.ErrorCode(err) == ctis.ENOTFOUND:
		return "", "", nil
	}
	return "", "", err
}
