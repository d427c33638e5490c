package sqlite

import (
	"context"

	"ctis"
)

// CheckDocument checks a document number against the Document entities
// the caller may see, and gives notices for hidden ones with a hit notice.
func (db *DB) CheckDocument(ctx context.Context, q ctis.DocumentQuery) (*ctis.DocumentCheck, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	cond := `s.property = 'number' AND replace(s.key, 'O', '0') = ? AND s.withdrawn_at IS NULL AND s.entity_id IN (SELECT id FROM entities WHERE schema = 'Document')`
	args := []any{ctis.DocumentKey(q.Number)}
	v := id.Viewer()
	ids, err := db.visibleEntityIDs(ctx, v, cond, args, "Document", "", 100)
	if err != nil {
		return nil, err
	}
	es, err := db.entities(ctx, db.r, v, ids, false)
	if err != nil {
		return nil, err
	}
	res := &ctis.DocumentCheck{Documents: []ctis.Entity{}, Notices: []ctis.HitNotice{}}
	var shown []string
	for _, e := range es {
		values := map[string]string{}
		status := ""
		for _, s := range e.Statements {
			values[s.Property] = s.Value
			if s.Property == "status" {
				status = ctis.WorseStatus(status, s.Value)
			}
		}
		// A different issuing state or type, when both sides give one, is
		// another document that happens to share the number.
		if q.IssuingCountry != "" && values["issuingCountry"] != "" && values["issuingCountry"] != q.IssuingCountry ||
			q.Type != "" && values["documentType"] != "" && values["documentType"] != q.Type {
			continue
		}
		res.Documents = append(res.Documents, *e)
		shown = append(shown, statementIDs(e.Statements)...)
		if status != "" {
			res.Hit, res.Status = true, ctis.WorseStatus(res.Status, status)
		}
	}
	hidden, err := db.hiddenMatches(ctx, v, cond, args)
	if err != nil {
		return nil, err
	}
	query := map[string]string{"number": q.Number, "issuing_country": q.IssuingCountry, "type": q.Type}
	res.Notices, err = db.readAudit(ctx, id, ctis.ActDocumentCheck, "", purpose,
		map[string]any{"query": query, "hit": res.Hit, "statements": shown}, noticeEvents(id, purpose, query, hidden))
	if err != nil {
		return nil, err
	}
	if res.Notices == nil {
		res.Notices = []ctis.HitNotice{}
	}
	res.Hit = res.Hit || len(res.Notices) > 0
	return res, nil
}
