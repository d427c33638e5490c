package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"ctis"
)

// ScreeningProperties are the properties the screening index reads.
var ScreeningProperties = []string{"name", "alias", "weakAlias", "previousName", "birthDate", "nationality", "gender",
	"passportNumber", "idNumber", "listReference", "program"}

// ScreeningStatements calls fn with each Person and Organization among
// ids (every one when ids is nil) holding its live statements of the
// screening properties, whoever may see them. It builds the screening
// index, which applies handling itself on every query; it is no service
// method, and no request reaches it.
func (db *DB) ScreeningStatements(ctx context.Context, ids []string, fn func(*ctis.Entity) error) error {
	props := make([]any, len(ScreeningProperties))
	for i, p := range ScreeningProperties {
		props[i] = p
	}
	after := ""
	for {
		chunk := ids
		if ids == nil {
			var err error
			if chunk, err = db.entityIDsAfter(ctx, after, 500); err != nil || len(chunk) == 0 {
				return err
			}
			after = chunk[len(chunk)-1]
		} else {
			chunk = ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			if len(chunk) == 0 {
				return nil
			}
		}
		args := append([]any{}, props...)
		for _, id := range chunk {
			args = append(args, id)
		}
		// The dialect's unindexed keeps SQLite on the entity index: the
		// property index would scan every name of the store for each chunk.
		where := `s.withdrawn_at IS NULL AND ` + db.dialect.unindexed + `s.property IN (` + placeholders(len(props)) + `) AND s.entity_id IN (` + placeholders(len(chunk)) + `)`
		if db.opts.ReviewPolicy != ctis.ReviewFlag {
			// Past review, a statement no longer screens, for anyone.
			where += ` AND s.review_by >= ?`
			args = append(args, db.today())
		}
		st, err := db.rawStatements(ctx, db.r, where, args)
		if err != nil {
			return err
		}
		schemas, err := db.schemas(ctx, db.r, chunk)
		if err != nil {
			return err
		}
		for i := 0; i < len(st); {
			e := &ctis.Entity{ID: st[i].EntityID, Schema: schemas[st[i].EntityID]}
			for ; i < len(st) && st[i].EntityID == e.ID; i++ {
				e.Statements = append(e.Statements, st[i])
			}
			if e.Schema != "Person" && e.Schema != "Organization" {
				continue
			}
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}

func (db *DB) entityIDsAfter(ctx context.Context, after string, limit int) ([]string, error) {
	return queryStrings(ctx, db.r, `SELECT id FROM entities WHERE id > ? AND schema IN ('Person', 'Organization') ORDER BY id LIMIT ?`, after, limit)
}

// GroupsOf returns the sharing groups agency belongs to.
func (db *DB) GroupsOf(ctx context.Context, agency string) ([]string, error) {
	return queryStrings(ctx, db.r, `SELECT grp FROM group_members WHERE agency = ? ORDER BY grp`, agency)
}

// RecordScreenings records screened subjects in one transaction: each
// hit not cleared before enters the caller's review queue, hit notices go
// to their originators' audit scope, and one audit event per subject
// records the screening. It returns what the screener may be shown.
func (db *DB) RecordScreenings(ctx context.Context, screenings []ctis.Screening) ([]ctis.ScreenResult, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	out := make([]ctis.ScreenResult, len(screenings))
	now := db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		// A batch asks the same two questions of every hit: each is
		// prepared once.
		q := db.prepared(tx)
		for i, sc := range screenings {
			res := ctis.ScreenResult{Subject: sc.Subject, Hits: []ctis.Hit{}}
			key := sc.Subject.Key()
			subject, _ := json.Marshal(sc.Subject)
			travel := 0 // a traveller screened from travel data, kept under its policy
			if sc.Subject.Journey != nil {
				travel = 1
			}
			var hitIDs []string
			for _, h := range sc.Hits {
				var one int
				if q.QueryRowContext(ctx, `SELECT 1 FROM clearances WHERE agency = ? AND subject_key = ? AND entity_id = ? AND fingerprint = ?`,
					id.Agency, key, h.EntityID, h.Fingerprint).Scan(&one) == nil {
					res.Cleared++
					continue
				}
				h.ID, h.Status, h.Subject, h.ScreenedBy, h.Agency, h.ScreenedAt = ctis.NewID(), ctis.HitOpen, sc.Subject, id.Username, id.Agency, now
				explanation, _ := json.Marshal(h.Explanation)
				sources, _ := json.Marshal(h.Sources)
				if _, err := q.ExecContext(ctx, `INSERT INTO hits (id, agency, screened_by, screened_at, subject, subject_key, entity_id, schema,
					fingerprint, score, matched, agencies, reference, program, explanation, status, sources, travel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					h.ID, id.Agency, id.Username, stamp(now), string(subject), key, h.EntityID, h.Schema, h.Fingerprint, h.Score, h.Matched,
					strings.Join(h.Agencies, ","), h.Reference, h.Program, string(explanation), string(h.Status), string(sources), travel); err != nil {
					return err
				}
				res.Hits = append(res.Hits, h)
				hitIDs = append(hitIDs, h.ID)
			}
			var err error
			if res.Notices, err = db.issueNotices(ctx, tx, noticeEvents(id, purpose, sc.Subject, sc.Hidden)); err != nil {
				return err
			}
			entities := make([]string, len(res.Hits))
			for j, h := range res.Hits {
				entities[j] = h.EntityID
			}
			detail := map[string]any{"subject": sc.Subject, "hits": hitIDs, "entities": entities, "cleared": res.Cleared, "notices": res.Notices}
			if _, err := db.appendAudit(ctx, tx, event(id, ctis.ActScreen, "", purpose, detail)); err != nil {
				return err
			}
			out[i] = res
		}
		ctis.SetResult(ctx, out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const hitColumns = `h.id, h.agency, h.screened_by, h.screened_at, h.subject, h.entity_id, h.schema, h.fingerprint, h.score, h.matched,
	h.agencies, h.reference, h.program, h.explanation, h.status, coalesce(h.decided_by, ''), coalesce(h.decided_agency, ''),
	coalesce(h.decided_at, ''), coalesce(h.reason, ''), h.sources, coalesce(h.masked_at, '')`

// scanHit reads a hit whole, as the screening agency saw it; callers show
// it to their reader through Hit.ViewFor.
func scanHit(row interface{ Scan(...any) error }) (ctis.Hit, error) {
	var h ctis.Hit
	var screenedAt, subject, agencies, explanation, decidedBy, decidedAgency, decidedAt, reason, sources, masked string
	err := row.Scan(&h.ID, &h.Agency, &h.ScreenedBy, &screenedAt, &subject, &h.EntityID, &h.Schema, &h.Fingerprint, &h.Score, &h.Matched,
		&agencies, &h.Reference, &h.Program, &explanation, &h.Status, &decidedBy, &decidedAgency, &decidedAt, &reason, &sources, &masked)
	if err != nil {
		return h, err
	}
	h.ScreenedAt = parseStamp(screenedAt)
	if masked != "" {
		at := parseStamp(masked)
		h.MaskedAt = &at
	}
	json.Unmarshal([]byte(subject), &h.Subject)
	if decidedBy != "" {
		h.Decision = &ctis.Decision{Status: h.Status, Reason: reason, By: decidedBy, Agency: decidedAgency, At: parseStamp(decidedAt)}
	}
	h.Agencies = strings.Split(agencies, ",")
	json.Unmarshal([]byte(explanation), &h.Explanation)
	json.Unmarshal([]byte(sources), &h.Sources)
	if h.Sources == nil {
		h.Sources = []ctis.HitSource{}
	}
	return h, nil
}

// inQueue is the condition for hits in agency's queue: its own, and those
// escalated to it. What of each the reader may see is Hit.ViewFor's to say.
const inQueue = `(h.agency = ? OR h.id IN (SELECT hit_id FROM hit_recipients WHERE agency = ?))`

// Hits lists the caller's agency's review queue, newest first, each hit as
// the caller may see it. Hits the caller may not see take no place on a
// page, and filters on what a view may hide (contributing agency, score)
// apply to the view, so that neither reveals a hidden source.
func (db *DB) Hits(ctx context.Context, f ctis.HitFilter) (*ctis.HitPage, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	v, err := db.HashViewer(ctx, id)
	if err != nil {
		return nil, err
	}
	where := []string{inQueue}
	args := []any{id.Agency, id.Agency}
	cursor := ""
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil || !ctis.ValidID(c) {
			return nil, ctis.Invalid("cursor", "cursor is not one this server gave")
		}
		cursor = c
	}
	if f.Status != "" {
		where, args = append(where, "h.status = ?"), append(args, string(f.Status))
	}
	if !f.From.IsZero() {
		where, args = append(where, "h.screened_at >= ?"), append(args, stamp(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "h.screened_at < ?"), append(args, stamp(f.To))
	}
	keep := func(h ctis.Hit) bool {
		if f.Agency != "" && (h.Agency != id.Agency || !slices.Contains(h.Agencies, strings.ToUpper(f.Agency))) {
			// Only the screening agency knows which agencies contributed.
			return false
		}
		return h.Score >= f.MinScore
	}
	// Read before the hits, not while their rows hold a connection.
	nodes, err := db.agencyNodes(ctx)
	if err != nil {
		return nil, err
	}
	page := &ctis.HitPage{Hits: []ctis.Hit{}}
	const batch = 200
	for {
		w, a := where, args
		if cursor != "" {
			w, a = append(w, "h.id < ?"), append(a, cursor)
		}
		rows, err := db.r.QueryContext(ctx, `SELECT `+hitColumns+` FROM hits h WHERE `+strings.Join(w, " AND ")+` ORDER BY h.id DESC LIMIT ?`, append(a, batch)...)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() && len(page.Hits) <= limit {
			h, err := scanHit(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			n, cursor = n+1, h.ID
			view, how := h.ViewFor(v)
			if how == ctis.HitHidden || !keep(view) {
				continue
			}
			page.Hits = append(page.Hits, nodes.contacts(view))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if n < batch || len(page.Hits) > limit {
			break
		}
	}
	if len(page.Hits) > limit {
		page.Hits = page.Hits[:limit]
		page.Next = encodeCursor(page.Hits[limit-1].ID)
	}
	if err := db.auditHitRead(ctx, id, purpose, page.Hits); err != nil {
		return nil, err
	}
	return page, nil
}

// Hit returns one hit of the caller's queue as the caller may see it.
func (db *DB) Hit(ctx context.Context, hitID string) (*ctis.Hit, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	h, how, err := db.viewHit(ctx, db.r, id, hitID)
	if err != nil {
		return nil, err
	}
	if how == ctis.HitHidden {
		return nil, ctis.ErrNotFound("hit")
	}
	if err := db.auditHitRead(ctx, id, purpose, []ctis.Hit{h}); err != nil {
		return nil, err
	}
	return &h, nil
}

// viewHit reads a hit of the caller's queue and the caller's view of it.
func (db *DB) viewHit(ctx context.Context, q querier, id ctis.Identity, hitID string) (ctis.Hit, ctis.HitView, error) {
	if !ctis.ValidID(hitID) {
		return ctis.Hit{}, ctis.HitHidden, ctis.ErrNotFound("hit")
	}
	h, err := scanHit(q.QueryRowContext(ctx, `SELECT `+hitColumns+` FROM hits h WHERE h.id = ? AND `+inQueue, hitID, id.Agency, id.Agency))
	if err == sql.ErrNoRows {
		return h, ctis.HitHidden, ctis.ErrNotFound("hit")
	}
	if err != nil {
		return h, ctis.HitHidden, err
	}
	v, err := db.HashViewer(ctx, id)
	if err != nil {
		return h, ctis.HitHidden, err
	}
	view, how := h.ViewFor(v)
	if how == ctis.HitHidden {
		return view, how, ctis.ErrNotFound("hit")
	}
	if how == ctis.HitNoticed {
		nodes, err := db.agencyNodes(ctx)
		if err != nil {
			return view, ctis.HitHidden, err
		}
		view = nodes.contacts(view)
	}
	return view, how, nil
}

// agencyNodes maps the agencies of peer nodes to their nodes.
type agencyNodes map[string]string

// agencyNodes returns the node of each agency that belongs to a peer.
func (db *DB) agencyNodes(ctx context.Context) (agencyNodes, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT code, node FROM agencies WHERE node <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nodes := agencyNodes{}
	for rows.Next() {
		var code, node string
		if err := rows.Scan(&code, &node); err != nil {
			return nil, err
		}
		nodes[code] = node
	}
	return nodes, rows.Err()
}

// contacts names in h's notice, if it is one, a peer's agency with its
// node: "contact agency X at node Y".
func (n agencyNodes) contacts(h ctis.Hit) ctis.Hit {
	if len(h.Notice) == 0 || len(n) == 0 {
		return h
	}
	notice := make([]string, len(h.Notice))
	for i, a := range h.Notice {
		notice[i] = ctis.HitNotice{Agency: a, Node: n[a]}.Contact()
	}
	h.Notice = notice
	return h
}

// auditRead records a read of the items of a queue (hits, referrals):
// which ones, under key in the event's detail, for what purpose.
func (db *DB) auditRead(ctx context.Context, id ctis.Identity, action, purpose, key string, ids []string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := db.appendAudit(ctx, tx, event(id, action, "", purpose, map[string]any{key: ids}))
		return err
	})
}

// auditHitRead records a read of hits.
func (db *DB) auditHitRead(ctx context.Context, id ctis.Identity, purpose string, hits []ctis.Hit) error {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return db.auditRead(ctx, id, ctis.ActHitRead, purpose, "hits", ids)
}

// decision checks a reviewer's decision (confirmed, false positive or
// escalated) and its reason, for a hit or a referral.
func decision(status ctis.HitStatus, reason string) (string, error) {
	switch status {
	case ctis.HitConfirmed, ctis.HitFalsePositive, ctis.HitEscalated:
	default:
		return "", ctis.Invalid("status", "a decision is confirmed, false_positive or escalated")
	}
	return reasonOf(reason)
}

// Decide records a reviewer's decision on a hit.
func (db *DB) Decide(ctx context.Context, hitID string, status ctis.HitStatus, reason string) (*ctis.Hit, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if reason, err = decision(status, reason); err != nil {
		return nil, err
	}
	var h ctis.Hit
	err = db.tx(ctx, func(tx *sql.Tx) error {
		whole, err := scanHit(tx.QueryRowContext(ctx, `SELECT `+hitColumns+` FROM hits h WHERE h.id = ? AND `+inQueue, hitID, id.Agency, id.Agency))
		if err == sql.ErrNoRows {
			return ctis.ErrNotFound("hit")
		}
		if err != nil {
			return err
		}
		v, err := db.HashViewer(ctx, id)
		if err != nil {
			return err
		}
		var how ctis.HitView
		switch h, how = whole.ViewFor(v); how {
		case ctis.HitHidden:
			return ctis.ErrNotFound("hit")
		case ctis.HitNoticed:
			nodes, err := db.agencyNodes(ctx)
			if err != nil {
				return err
			}
			return ctis.Errorf(ctis.EFORBIDDEN, "the hit matched statements your agency may not see; contact %s", strings.Join(nodes.contacts(h).Notice, ", "))
		}
		own := h.Agency == id.Agency
		switch {
		case h.Status == ctis.HitOpen && own:
		case h.Status == ctis.HitEscalated && status != ctis.HitEscalated:
		default:
			return ctis.Errorf(ctis.ECONFLICT, "the hit is %s; it cannot become %s", h.Status, status)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE hits SET status = ?, decided_by = ?, decided_agency = ?, decided_at = ?, reason = ? WHERE id = ?`,
			string(status), id.Username, id.Agency, stamp(now), reason, hitID); err != nil {
			return err
		}
		h.Status = status
		h.Decision = &ctis.Decision{Status: status, Reason: reason, By: id.Username, Agency: id.Agency, At: now}
		var key, fingerprint string
		if err := tx.QueryRowContext(ctx, `SELECT subject_key, fingerprint FROM hits WHERE id = ?`, hitID).Scan(&key, &fingerprint); err != nil {
			return err
		}
		switch {
		case status == ctis.HitFalsePositive:
			if _, err := tx.ExecContext(ctx, `INSERT INTO clearances VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (agency, subject_key, entity_id) DO UPDATE SET fingerprint = excluded.fingerprint, hit_id = excluded.hit_id`,
				h.Agency, key, h.EntityID, fingerprint, hitID); err != nil {
				return err
			}
		case status == ctis.HitEscalated:
			var to []string
			for _, a := range whole.Agencies {
				if a == id.Agency {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO hit_recipients VALUES (?, ?) ON CONFLICT DO NOTHING`, hitID, a); err != nil {
					return err
				}
				to = append(to, a)
			}
			if err := db.notify(ctx, tx, ctis.NoticeHit, hitID, string(status), "/review#hit-"+hitID, to...); err != nil {
				return err
			}
		}
		detail := map[string]any{"hit": hitID, "entity": h.EntityID, "status": status, "reason": reason}
		events := []ctis.AuditEvent{event(id, ctis.ActHitDecide, hitID, "", detail)}
		if status == ctis.HitEscalated {
			for _, a := range whole.Agencies {
				if a != id.Agency {
					e := event(id, ctis.ActHitDecide, hitID, "", detail)
					e.Scope = a
					events = append(events, e)
				}
			}
		}
		_, err = db.appendAudit(ctx, tx, events...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// RecordMovement records a confirmed hit's journey as a Movement of the
// matched person, contributed by the screening agency, once per hit.
func (db *DB) RecordMovement(ctx context.Context, hitID string, h ctis.Handling, grading ctis.Grading) (*ctis.Entity, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	var out *ctis.Entity
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var movement sql.NullString
		hit, how, err := db.viewHit(ctx, tx, id, hitID)
		if err != nil {
			return err
		}
		if how != ctis.HitFull {
			// Only the screening agency records the journey, from all it saw.
			return ctis.ErrNotFound("hit")
		}
		if err := tx.QueryRowContext(ctx, `SELECT movement FROM hits WHERE id = ?`, hitID).Scan(&movement); err != nil {
			return err
		}
		switch {
		case hit.Status != ctis.HitConfirmed:
			return ctis.Errorf(ctis.ECONFLICT, "the hit is %s; only a confirmed hit's journey is recorded", hit.Status)
		case hit.Subject.Journey == nil:
			return ctis.Errorf(ctis.ECONFLICT, "the hit was not screened from a manifest, so it has no journey to record")
		case movement.Valid:
			return ctis.Errorf(ctis.ECONFLICT, "the journey is recorded already, as movement %s", movement.String)
		}
		e := ctis.NewEntity{Schema: "Movement", Statements: ctis.MovementOf(hit.EntityID, hit.Subject.Journey, h, grading)}
		schema, err := e.Validate(db.today())
		if err != nil {
			return err
		}
		if out, err = db.createIn(ctx, tx, id, schema, e); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE hits SET movement = ? WHERE id = ?`, out.ID, hitID); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActEntityCreate, out.ID, "", map[string]any{"hit": hitID, "statements": statementIDs(out.Statements)}))
		return err
	})
	return out, err
}
