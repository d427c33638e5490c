package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"ctis"
	"ctis/stix"
)

var _ ctis.Lister = (*DB)(nil)

// apartCondition is the SQL condition that statement s (an alias) is of
// one of the properties apart, with its arguments; apart must name
// properties that name entities.
func apartCondition(s string, apart []string) (string, []any, error) {
	if len(apart) == 0 {
		return `FALSE`, nil, nil
	}
	args := make([]any, len(apart))
	for i, p := range apart {
		if !namesEntity(p) {
			return "", nil, ctis.Invalid("apart", "%q is no property naming an entity", p)
		}
		args[i] = p
	}
	return s + `.property IN (` + placeholders(len(apart)) + `)`, args, nil
}

// namesEntity reports whether p is a property that names an entity, in
// every schema that has it.
func namesEntity(p string) bool {
	found := false
	for _, s := range ctis.Schemas {
		if prop, ok := s.Property(p); ok {
			if prop.Type != ctis.TypeEntity {
				return false
			}
			found = true
		}
	}
	return found
}

// scopeAs returns the SQL condition that statement s (an alias) is in
// sc, with its arguments.
func scopeAs(s string, sc ctis.Scope) (string, []any) {
	cond, args := `TRUE`, []any(nil)
	if sc.Originator != "" {
		cond += ` AND ` + s + `.originator = ?`
		args = append(args, sc.Originator)
	}
	if sc.Distribution != "" {
		cond += ` AND ` + s + `.distribution = ?`
		args = append(args, string(sc.Distribution))
	}
	if sc.Group != "" {
		cond += ` AND ` + s + `.grp = ?`
		args = append(args, sc.Group)
	}
	return cond, args
}

// listed is the SQL condition that statement s is visible to v and in sc.
func (db *DB) listed(s string, v ctis.Viewer, sc ctis.Scope) (string, []any) {
	vis, args := db.visibleAs(s, v)
	scope, sargs := scopeAs(s, sc)
	return vis + ` AND ` + scope, append(args, sargs...)
}

// laterIn is the SQL condition that the entity of statement s has a
// statement listed for v in sc whose key compares with s's as op says
// (">": s is not its entity's last change).
func (db *DB) laterIn(op string, v ctis.Viewer, sc ctis.Scope, key string) (string, []any) {
	cond, args := db.listed("s2", v, sc)
	return `EXISTS (SELECT 1 FROM statements s2 WHERE s2.entity_id = s.entity_id AND (s2.changed_ns, s2.seq) ` + op + ` ` + key +
		` AND ` + cond + `)`, args
}

// Listing returns a page of what the caller may see in q.Scope, by last
// change: each entity at its last change and each statement of a
// property apart (a reference) at its own.
// The rows and the entities are read from one snapshot, so that an
// entity's statements are those of its listed change.
func (db *DB) Listing(ctx context.Context, q ctis.ListingQuery) (*ctis.ListingPage, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if q.Limit < 1 || q.Limit > ctis.MaxLimit {
		return nil, ctis.Invalid("limit", "limit must be from 1 to %d", ctis.MaxLimit)
	}
	if len(q.EntityUUIDs) > ctis.MaxLimit {
		return nil, ctis.Invalid("entity_uuids", "at most %d entities at a time", ctis.MaxLimit)
	}
	for _, u := range q.EntityUUIDs {
		if len(u) != 36 || strings.Trim(u, "0123456789abcdef-") != "" {
			return nil, ctis.Invalid("entity_uuids", "%q is not a UUID", u)
		}
	}
	apart, aargs, err := apartCondition("s", q.Apart)
	if err != nil {
		return nil, err
	}
	v := id.Viewer()
	cond, args := db.listed("s", v, q.Scope)
	later, largs := db.laterIn(">", v, q.Scope, `(s.changed_ns, s.seq)`)
	where := `(s.changed_ns, s.seq) > (?, ?) AND ` + cond
	wargs := append([]any{nanos(q.After.At), q.After.Seq}, args...)
	if len(q.EntityUUIDs) > 0 {
		where += ` AND s.entity_id IN (SELECT id FROM entities WHERE stix_uuid IN (` + placeholders(len(q.EntityUUIDs)) + `))`
		for _, u := range q.EntityUUIDs {
			wargs = append(wargs, u)
		}
	}
	query := `SELECT s.changed_ns, s.seq, s.entity_id, s.id, s.value, CASE WHEN ` + apart + ` THEN 1 ELSE 0 END,
		CASE WHEN ` + later + ` THEN 0 ELSE 1 END
		FROM statements s WHERE ` + where + ` AND (` + apart + ` OR NOT ` + later + `)
		ORDER BY s.changed_ns, s.seq LIMIT ?`
	qargs := slices.Concat(aargs, largs, wargs, aargs, largs, []any{q.Limit + 1})

	tx, err := db.r.BeginTx(ctx, db.dialect.snapshot)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, query, qargs...)
	if err != nil {
		return nil, err
	}
	page := &ctis.ListingPage{}
	var ids []string
	seen := map[string]bool{}
	need := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	var listed []string // the entities of the items, for the audit
	for rows.Next() {
		var ns, seq int64
		var entity, statement, value string
		var ref, latest int
		if err := rows.Scan(&ns, &seq, &entity, &statement, &value, &ref, &latest); err != nil {
			rows.Close()
			return nil, err
		}
		if len(page.Items) == q.Limit {
			page.More = true
			break
		}
		it := ctis.ListingItem{Key: ctis.ListingKey{At: time.Unix(0, ns).UTC(), Seq: seq}, Entity: entity, Latest: latest == 1}
		if !seen[entity] {
			listed = append(listed, entity)
		}
		need(entity)
		if ref == 1 {
			it.Reference = statement
			need(value)
		}
		page.Items = append(page.Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	page.Entities = map[string]*ctis.Entity{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 400)]
		ids = ids[len(chunk):]
		scope, sargs := scopeAs("s", q.Scope)
		es, err := db.entitiesWhere(ctx, tx, v, chunk, scope, sargs)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			page.Entities[e.ID] = e
		}
	}
	// The read is recorded before anything leaves.
	if _, err := db.readAudit(ctx, id, ctis.ActExport, "", purpose, map[string]any{"format": "listing", "entities": listed}, nil); err != nil {
		return nil, err
	}
	return page, nil
}

// nanos is t in nanoseconds since 1970; the zero time is before every
// statement.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// ListedBefore reports whether anything of scope that the caller may see
// is listed before key holding a statement m selects.
func (db *DB) ListedBefore(ctx context.Context, scope ctis.Scope, apartProps []string, key ctis.ListingKey, m ctis.HandlingMatch) (bool, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return false, err
	}
	apart, aargs, err := apartCondition("s", apartProps)
	if err != nil {
		return false, err
	}
	v := id.Viewer()
	cond, args := db.listed("s", v, scope)
	match, margs := handlingMatch(m)
	later, largs := db.laterIn(">=", v, scope, `(?, ?)`)
	k := []any{nanos(key.At), key.Seq}
	q := `SELECT 1 FROM statements s WHERE (s.changed_ns, s.seq) < (?, ?) AND ` + cond + ` AND ` + match +
		` AND (` + apart + ` OR NOT ` + later + `) LIMIT 1`
	qargs := slices.Concat(k, args, margs, aargs, k, largs)
	var one int
	switch err := db.r.QueryRowContext(ctx, q, qargs...).Scan(&one); err {
	case nil:
		return true, nil
	case sql.ErrNoRows:
		return false, nil
	default:
		return false, err
	}
}

// handlingMatch is the SQL condition of m on statement s.
func handlingMatch(m ctis.HandlingMatch) (string, []any) {
	cond, args := `TRUE`, []any(nil)
	if len(m.Distributions) > 0 {
		cond += ` AND s.distribution IN (` + placeholders(len(m.Distributions)) + `)`
		for _, d := range m.Distributions {
			args = append(args, string(d))
		}
	}
	if h := m.Handling; h != nil {
		cond += ` AND s.distribution = ? AND coalesce(s.grp, '') = ? AND s.frontline = ? AND s.hit_notice = ? AND s.restriction = ?
			AND s.restriction_text = ? AND s.grading = ? AND s.review_by = ?
			AND (SELECT count(*) FROM statement_agencies sa WHERE sa.statement_seq = s.seq) = ?`
		args = append(args, string(h.Distribution), h.Group, boolInt(h.Frontline), boolInt(h.HitNotice), string(h.Restriction),
			h.RestrictionText, string(m.Grading), m.ReviewBy, len(h.Agencies))
		for _, a := range h.Agencies {
			cond += ` AND EXISTS (SELECT 1 FROM statement_agencies sa WHERE sa.statement_seq = s.seq AND sa.agency = ?)`
			args = append(args, a)
		}
	}
	return cond, args
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fillSTIXUUIDs keeps the STIX UUID of the entities stored before the
// store kept it, in one transaction.
func (db *DB) fillSTIXUUIDs(ctx context.Context) error {
	ids, err := queryStrings(ctx, db.r, `SELECT id FROM entities WHERE stix_uuid IS NULL`)
	if err != nil || len(ids) == 0 {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE entities SET stix_uuid = ? WHERE id = ?`, stix.EntityUUID(id), id); err != nil {
				return err
			}
		}
		return nil
	})
}
