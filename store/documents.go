package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"

	"ctis"
)

// CheckDocument checks a document number against the Document entities
// the caller may see, and gives notices for hidden ones with a hit notice.
func (db *DB) CheckDocument(ctx context.Context, q ctis.DocumentQuery) (*ctis.DocumentCheck, error) {
	res, err := db.CheckDocuments(ctx, []ctis.DocumentQuery{q})
	if err != nil {
		return nil, err
	}
	return &res[0], nil
}

// CheckDocuments checks documents together, as a manifest's travellers
// are: a few queries for all of them, and one transaction for their audit
// events.
func (db *DB) CheckDocuments(ctx context.Context, qs []ctis.DocumentQuery) ([]ctis.DocumentCheck, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 || len(qs) > ctis.MaxBatch {
		return nil, ctis.Invalid("documents", "check 1 to %d documents at a time", ctis.MaxBatch)
	}
	var keys []any
	seen := map[string]bool{}
	for i := range qs {
		if err := qs[i].Validate(); err != nil {
			if len(qs) == 1 {
				return nil, err
			}
			return nil, ctis.Prefix("documents["+strconv.Itoa(i)+"]", err)
		}
		if k := ctis.DocumentKey(qs[i].Number); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	cond := `s.property = 'number' AND replace(s.key, 'O', '0') IN (` + placeholders(len(keys)) + `) AND s.withdrawn_at IS NULL AND s.entity_id IN (SELECT id FROM entities WHERE schema = 'Document')`
	v := id.Viewer()
	ids, err := db.visibleEntityIDs(ctx, v, cond, keys, "Document", "", ctis.MaxLimit)
	if err != nil {
		return nil, err
	}
	es, err := db.entities(ctx, db.r, v, ids, false)
	if err != nil {
		return nil, err
	}
	hidden, err := db.hiddenMatches(ctx, v, cond, keys)
	if err != nil {
		return nil, err
	}
	// The number each matching entity holds, to tell the queries apart.
	var all []string
	for _, e := range es {
		all = append(all, e.ID)
	}
	for _, h := range hidden {
		all = append(all, h.EntityID)
	}
	numberOf := map[string][]string{}
	if len(all) > 0 {
		args := make([]any, len(all))
		for i, a := range all {
			args[i] = a
		}
		rows, err := db.r.QueryContext(ctx, `SELECT entity_id, replace(key, 'O', '0') FROM statements WHERE property = 'number' AND entity_id IN (`+placeholders(len(all))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var e, k string
			if err := rows.Scan(&e, &k); err != nil {
				rows.Close()
				return nil, err
			}
			numberOf[k] = append(numberOf[k], e)
		}
		rows.Close()
	}
	out := make([]ctis.DocumentCheck, len(qs))
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for i, q := range qs {
			res := ctis.DocumentCheck{Documents: []ctis.Entity{}, Notices: []ctis.HitNotice{}}
			of := numberOf[ctis.DocumentKey(q.Number)]
			var shown []string
			for _, e := range es {
				if !slices.Contains(of, e.ID) || !sameDocument(q, e) {
					continue
				}
				res.Documents = append(res.Documents, *e)
				shown = append(shown, statementIDs(e.Statements)...)
				for _, s := range e.Statements {
					if s.Property == "status" {
						res.Status = ctis.WorseStatus(res.Status, s.Value)
					}
				}
			}
			var mine []ctis.HiddenMatch
			for _, h := range hidden {
				if slices.Contains(of, h.EntityID) {
					mine = append(mine, h)
				}
			}
			query := map[string]string{"number": q.Number, "issuing_country": q.IssuingCountry, "type": q.Type}
			var err error
			if res.Notices, err = db.issueNotices(ctx, tx, noticeEvents(id, purpose, query, mine)); err != nil {
				return err
			}
			res.Hit = res.Status != "" || len(res.Notices) > 0
			detail := map[string]any{"query": query, "hit": res.Hit, "statements": shown, "notices": res.Notices}
			if _, err := db.appendAudit(ctx, tx, event(id, ctis.ActDocumentCheck, "", purpose, detail)); err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sameDocument reports whether entity e can be the document asked about:
// a different issuing state or type, when both sides give one, is another
// document that happens to share the number.
func sameDocument(q ctis.DocumentQuery, e *ctis.Entity) bool {
	for _, s := range e.Statements {
		switch {
		case s.Property == "issuingCountry" && q.IssuingCountry != "" && s.Value != q.IssuingCountry:
			return false
		case s.Property == "documentType" && q.Type != "" && s.Value != q.Type:
			return false
		}
	}
	return true
}
