package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"

	"ctis"
)

// visibleEntityIDs returns up to limit+1 IDs, after cursor, of entities
// with a statement matching where that the viewer can see.
func (db *DB) visibleEntityIDs(ctx context.Context, v ctis.Viewer, where string, args []any, schema, cursor string, limit int) ([]string, error) {
	vis, vargs := db.visible(v)
	q := `SELECT DISTINCT s.entity_id FROM statements s WHERE ` + where + ` AND ` + vis
	args = append(args, vargs...)
	if schema != "" {
		q += ` AND s.entity_id IN (SELECT id FROM entities WHERE schema = ?)`
		args = append(args, schema)
	}
	if cursor != "" {
		q += ` AND s.entity_id > ?`
		args = append(args, cursor)
	}
	q += ` ORDER BY s.entity_id LIMIT ?`
	return queryStrings(ctx, db.r, q, append(args, limit+1)...)
}

// pageArgs checks a listing's cursor, limit and schema.
func pageArgs(cursor string, limit int, schema string) (string, int, error) {
	n, err := pageLimit(limit)
	if err != nil {
		return "", 0, err
	}
	if schema != "" && ctis.Schemas[schema] == nil {
		return "", 0, ctis.Invalid("schema", "unknown schema %q", schema)
	}
	if cursor == "" {
		return "", n, nil
	}
	after, err := decodeCursor(cursor)
	if err != nil || !ctis.ValidID(after) {
		return "", 0, ctis.Invalid("cursor", "cursor is not one this server gave")
	}
	return after, n, nil
}

// nextCursor trims ids to limit and returns the cursor of the next page.
func nextCursor(ids []string, limit int) ([]string, string) {
	if len(ids) <= limit {
		return ids, ""
	}
	return ids[:limit], encodeCursor(ids[limit-1])
}

// Entities lists entities the caller can see, in ID order.
func (db *DB) Entities(ctx context.Context, f ctis.EntityFilter) (*ctis.EntityPage, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	after, limit, err := pageArgs(f.Cursor, f.Limit, f.Schema)
	if err != nil {
		return nil, err
	}
	v := id.Viewer()
	cond, args := `TRUE`, []any(nil)
	if f.PastReview {
		cond, args = `s.originator = ? AND s.review_by < ? AND s.withdrawn_at IS NULL`, []any{id.Agency, db.today()}
	}
	ids, err := db.visibleEntityIDs(ctx, v, cond, args, f.Schema, after, limit)
	if err != nil {
		return nil, err
	}
	page := &ctis.EntityPage{Entities: []ctis.EntitySummary{}}
	ids, page.Next = nextCursor(ids, limit)
	es, err := db.entities(ctx, db.r, v, ids, true)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		page.Entities = append(page.Entities, ctis.EntitySummary{ID: e.ID, Schema: e.Schema, Caption: e.Caption(), Statements: len(e.Statements)})
	}
	_, err = db.readAudit(ctx, id, ctis.ActEntityList, "", purpose, map[string]any{"entities": ids}, nil)
	return page, err
}

// matchCondition turns a search query into a condition on statements s
// that are not withdrawn.
func matchCondition(q ctis.SearchQuery) (string, []any, map[string]string, error) {
	switch {
	case q.Name != "" && q.Property != "":
		return "", nil, nil, ctis.Invalid("name", "search by name or by property, not both")
	case q.Name != "":
		tokens := strings.Fields(ctis.Fold(q.Name))
		if len(tokens) == 0 {
			return "", nil, nil, ctis.Invalid("name", "the name has no letters or digits")
		}
		if len(tokens) > 12 || len(q.Name) > ctis.MaxNameLen {
			return "", nil, nil, ctis.Invalid("name", "the name is too long to search")
		}
		seen := map[string]bool{}
		var args []any
		for _, t := range tokens {
			if !seen[t] {
				seen[t] = true
				args = append(args, t)
			}
		}
		cond := `s.withdrawn_at IS NULL AND s.seq IN (SELECT statement_seq FROM name_tokens WHERE token IN (` + placeholders(len(args)) +
			`) GROUP BY statement_seq HAVING count(*) = ?)`
		return cond, append(args, len(args)), map[string]string{"name": q.Name}, nil
	case q.Property != "":
		p, ok := findProperty(q.Schema, q.Property)
		if !ok {
			return "", nil, nil, ctis.Invalid("property", "no schema has a property %q", q.Property)
		}
		v, err := ctis.NormalizeValue(p, q.Value)
		if err != nil {
			return "", nil, nil, err
		}
		return `s.withdrawn_at IS NULL AND s.property = ? AND s.key = ?`, []any{p.Name, ctis.Key(p.Type, v)},
			map[string]string{"property": q.Property, "value": q.Value}, nil
	}
	return "", nil, nil, ctis.Invalid("name", "give a name, or a property and a value, to search for")
}

func findProperty(schema, name string) (ctis.Property, bool) {
	if schema != "" {
		if s := ctis.Schemas[schema]; s != nil {
			return s.Property(name)
		}
		return ctis.Property{}, false
	}
	for _, n := range ctis.SchemaNames() {
		if p, ok := ctis.Schemas[n].Property(name); ok {
			return p, true
		}
	}
	return ctis.Property{}, false
}

// Search finds entities by name or by property.
func (db *DB) Search(ctx context.Context, q ctis.SearchQuery) (*ctis.SearchResult, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	after, limit, err := pageArgs(q.Cursor, q.Limit, q.Schema)
	if err != nil {
		return nil, err
	}
	cond, args, query, err := matchCondition(q)
	if err != nil {
		return nil, err
	}
	v := id.Viewer()
	ids, err := db.visibleEntityIDs(ctx, v, cond, args, q.Schema, after, limit)
	if err != nil {
		return nil, err
	}
	res := &ctis.SearchResult{Entities: []ctis.Entity{}}
	ids, res.Next = nextCursor(ids, limit)
	es, err := db.entities(ctx, db.r, v, ids, false)
	if err != nil {
		return nil, err
	}
	var shown []string
	for _, e := range es {
		res.Entities = append(res.Entities, *e)
		shown = append(shown, statementIDs(e.Statements)...)
	}
	var notices []ctis.AuditEvent
	if after == "" {
		if q.Schema != "" {
			cond += ` AND s.entity_id IN (SELECT id FROM entities WHERE schema = ?)`
			args = append(args, q.Schema)
		}
		hidden, err := db.hiddenMatches(ctx, v, cond, args)
		if err != nil {
			return nil, err
		}
		notices = noticeEvents(id, purpose, query, hidden)
	}
	res.Notices, err = db.readAudit(ctx, id, ctis.ActSearch, "", purpose,
		map[string]any{"query": query, "entities": ids, "statements": shown}, notices)
	return res, err
}

// Export calls fn for each entity the caller may see.
func (db *DB) Export(ctx context.Context, fn func(*ctis.Entity) error) error {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return err
	}
	// The export is recorded before anything leaves.
	if _, err := db.readAudit(ctx, id, ctis.ActExport, "", purpose, map[string]any{"format": "entities"}, nil); err != nil {
		return err
	}
	v := id.Viewer()
	after := ""
	for {
		ids, err := db.visibleEntityIDs(ctx, v, `TRUE`, nil, "", after, ctis.MaxLimit)
		if err != nil {
			return err
		}
		ids, next := nextCursor(ids, ctis.MaxLimit)
		es, err := db.entities(ctx, db.r, v, ids, true)
		if err != nil {
			return err
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// PurgeExpired deletes statements past their review date, and entities
// left without statements, when the review policy is purge.
func (db *DB) PurgeExpired(ctx context.Context) (int, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return 0, err
	}
	if db.opts.ReviewPolicy != ctis.ReviewPurge {
		return 0, ctis.Errorf(ctis.EINVALID, "the review policy is %q; purging needs the policy \"purge\"", db.opts.ReviewPolicy)
	}
	today := db.today()
	var n int
	err = db.tx(ctx, func(tx *sql.Tx) error {
		// Each originator's auditors see the purge of its own statements,
		// and of no other's.
		rows, err := tx.QueryContext(ctx, `SELECT id, originator FROM statements WHERE review_by < ? ORDER BY originator, id`, today)
		if err != nil {
			return err
		}
		var ids []string
		byOriginator := map[string][]string{}
		for rows.Next() {
			var s, originator string
			if err := rows.Scan(&s, &originator); err != nil {
				rows.Close()
				return err
			}
			ids, byOriginator[originator] = append(ids, s), append(byOriginator[originator], s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		expired := `(SELECT seq FROM statements WHERE review_by < ?)`
		for _, q := range []string{
			`DELETE FROM name_tokens WHERE statement_seq IN ` + expired,
			`DELETE FROM statement_agencies WHERE statement_seq IN ` + expired,
			`DELETE FROM statements WHERE review_by < ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, today); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM entities WHERE NOT EXISTS (SELECT 1 FROM statements s WHERE s.entity_id = entities.id)`); err != nil {
			return err
		}
		n = len(ids)
		events := []ctis.AuditEvent{event(id, ctis.ActPurge, "", "", map[string]any{"statements": ids})}
		for _, originator := range slices.Sorted(maps.Keys(byOriginator)) {
			e := event(id, ctis.ActPurge, "", "", map[string]any{"statements": byOriginator[originator]})
			e.Scope = originator
			events = append(events, e)
		}
		_, err = db.appendAudit(ctx, tx, events...)
		return err
	})
	return n, err
}
