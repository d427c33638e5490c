package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"ctis"
)

// event starts an audit event acted by id.
func event(id ctis.Identity, action, object, purpose string, detail any) ctis.AuditEvent {
	e := ctis.AuditEvent{
		UserID: id.UserID, Username: id.Username, Agency: id.Agency, Scope: id.Agency,
		Action: action, Object: object, Purpose: purpose,
	}
	if detail != nil {
		b, _ := json.Marshal(detail)
		e.Detail = string(b)
	}
	return e
}

// affecting names the agencies besides e's scope whose auditors oversee e
// too.
func affecting(e ctis.AuditEvent, agencies ...string) ctis.AuditEvent {
	e.Affected = slices.DeleteFunc(sortedUnique(agencies), func(a string) bool { return a == e.Scope })
	if len(e.Affected) == 0 {
		e.Affected = nil
	}
	return e
}

// appendAudit seals events onto the chain inside tx and returns them
// sealed. The chain head is read and advanced in the same transaction as
// the change it records, so a change and its audit commit together. In
// the writer's group, the events are inserted with the group's others
// just before it commits (sealGroup).
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, events ...ctis.AuditEvent) ([]ctis.AuditEvent, error) {
	if len(events) == 0 {
		return events, nil
	}
	g := db.group
	if g == nil || g.tx != tx {
		return nil, errors.New("audit events appended outside the writer's transaction")
	}
	if !g.headSet {
		if err := g.q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&g.head.Seq, &g.head.Hash); err != nil {
			return nil, err
		}
		if g.head.Seq == 0 {
			g.head.Hash = ctis.GenesisHash
		}
		g.headSet = true
	}
	now := db.now()
	for i := range events {
		e := &events[i]
		e.Time = now
		e.Seq, e.PrevHash = g.head.Seq+1, g.head.Hash
		e.Hash = e.ComputeHash()
		g.head = *e
	}
	g.events = append(g.events, events...)
	return events, nil
}

// sealGroup inserts the events g's writes appended and advances the
// chain's head past them.
func (db *DB) sealGroup(ctx context.Context, g *group) error {
	if len(g.events) == 0 {
		return nil
	}
	const cols = 13
	for events := g.events; len(events) > 0; {
		n := min(len(events), maxBatchRows)
		args := make([]any, 0, n*cols)
		var affected []any
		for _, e := range events[:n] {
			args = append(args, e.Seq, e.Time.UnixNano(), e.UserID, e.Username, e.Agency, e.Scope, e.Action, e.Object, e.Purpose, e.Detail,
				e.PrevHash, e.Hash, strings.Join(e.Affected, ","))
			for _, a := range e.Affected {
				affected = append(affected, a, e.Seq)
			}
		}
		if _, err := g.q.ExecContext(ctx, `INSERT INTO audit_events (`+auditColumns+`) VALUES `+valueRows(n, cols), args...); err != nil {
			return err
		}
		if len(affected) > 0 {
			if _, err := g.q.ExecContext(ctx, `INSERT INTO audit_affected VALUES `+valueRows(len(affected)/2, 2), affected...); err != nil {
				return err
			}
		}
		events = events[n:]
	}
	_, err := g.q.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, g.head.Seq, g.head.Hash)
	return err
}

// audit records events in a transaction of their own, for reads.
func (db *DB) audit(ctx context.Context, events ...ctis.AuditEvent) ([]ctis.AuditEvent, error) {
	var out []ctis.AuditEvent
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.appendAudit(ctx, tx, events...)
		return err
	})
	return out, err
}

const auditColumns = `seq, time, user_id, username, agency, scope, action, object, purpose, detail, prev_hash, hash, affected`

func scanEvent(rows *sql.Rows) (ctis.AuditEvent, error) {
	var e ctis.AuditEvent
	var ns int64
	var affected string
	err := rows.Scan(&e.Seq, &ns, &e.UserID, &e.Username, &e.Agency, &e.Scope, &e.Action, &e.Object, &e.Purpose, &e.Detail, &e.PrevHash, &e.Hash, &affected)
	e.Time = timeFromNanos(ns)
	if affected != "" {
		e.Affected = strings.Split(affected, ",")
	}
	return e, err
}

// Events lists audit events in the caller's scope, newest first.
func (db *DB) Events(ctx context.Context, f ctis.AuditFilter) (*ctis.AuditPage, error) {
	id, err := ctis.Require(ctx, ctis.RoleAuditor)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if !id.System {
		// An auditor oversees what the agency's own people did, and what
		// others did to it.
		where = append(where, "(scope = ? OR seq IN (SELECT seq FROM audit_affected WHERE agency = ?))")
		args = append(args, id.Agency, id.Agency)
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		seq, perr := strconv.ParseInt(c, 10, 64)
		if err != nil || perr != nil {
			return nil, ctis.Invalid("cursor", "cursor is not one this server gave")
		}
		add("seq < ?", seq)
	}
	if f.Seq != 0 {
		add("seq = ?", f.Seq)
	}
	if f.Reference != "" {
		add("seq IN (SELECT seq FROM notice_references WHERE reference = ?)", strings.ToUpper(strings.TrimSpace(f.Reference)))
	}
	if f.Username != "" {
		add("username = ?", f.Username)
	}
	if f.Agency != "" {
		add("agency = ?", strings.ToUpper(f.Agency))
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Object != "" {
		add("object = ?", f.Object)
	}
	if !f.From.IsZero() {
		add("time >= ?", f.From.UnixNano())
	}
	if !f.To.IsZero() {
		add("time < ?", f.To.UnixNano())
	}
	q := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	rows, err := db.r.QueryContext(ctx, q, append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &ctis.AuditPage{Events: []ctis.AuditEvent{}}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		page.Events = append(page.Events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Events) > limit {
		page.Events = page.Events[:limit]
		page.Next = encodeCursor(strconv.FormatInt(page.Events[limit-1].Seq, 10))
	}
	if !id.System {
		_, err = db.audit(ctx, event(id, ctis.ActAuditRead, "", ctis.PurposeFrom(ctx), map[string]any{"events": len(page.Events)}))
	}
	return page, err
}

// Verify checks the whole chain from the first event to the recorded head.
func (db *DB) Verify(ctx context.Context, progress func(int64)) (*ctis.AuditReport, error) {
	if _, err := ctis.Require(ctx, ctis.RoleAuditor); err != nil {
		return nil, err
	}
	// One read transaction: a consistent snapshot of events and head even
	// while writers go on.
	tx, err := db.r.BeginTx(ctx, db.dialect.snapshot)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var head ctis.AuditHead
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var v ctis.ChainVerifier
	report := &ctis.AuditReport{Head: head}
	fail := func(err error) (*ctis.AuditReport, error) {
		report.Events = v.Count
		if ce, ok := err.(*ctis.ChainError); ok {
			report.Broken = ce
			return report, nil
		}
		return nil, err
	}
	// The affected agencies of each event, to hold the index that
	// auditors' scopes are read through to the hashed events.
	affected := map[int64]string{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		if err := v.Add(e); err != nil {
			return fail(err)
		}
		if len(e.Affected) > 0 {
			affected[e.Seq] = strings.Join(e.Affected, ",")
		}
		if progress != nil && v.Count%10000 == 0 {
			progress(v.Count)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := v.Finish(head); err != nil {
		return fail(err)
	}
	if err := checkAffected(ctx, tx, affected); err != nil {
		return fail(err)
	}
	if progress != nil {
		progress(v.Count)
	}
	report.OK, report.Events = true, v.Count
	return report, nil
}

// checkAffected compares the audit_affected index with the affected
// agencies of the verified events: a row taken out would hide an event
// from an agency's auditors without touching the chain.
func checkAffected(ctx context.Context, tx *sql.Tx, affected map[int64]string) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, string_agg(agency, ',' ORDER BY agency) FROM audit_affected GROUP BY seq ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	indexed := map[int64]string{}
	for rows.Next() {
		var seq int64
		var agencies string
		if err := rows.Scan(&seq, &agencies); err != nil {
			return err
		}
		indexed[seq] = agencies
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var bad []int64
	for seq, a := range affected {
		if indexed[seq] != a {
			bad = append(bad, seq)
		}
	}
	for seq := range indexed {
		if _, ok := affected[seq]; !ok {
			bad = append(bad, seq)
		}
	}
	if len(bad) > 0 {
		seq := slices.Min(bad)
		return &ctis.ChainError{Seq: seq, Reason: "the index of the agencies it affects does not match the event: the index was altered"}
	}
	return nil
}

func encodeCursor(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeCursor(s string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return string(b), err
}

func pageLimit(n int) (int, error) {
	switch {
	case n == 0:
		return ctis.DefaultLimit, nil
	case n < 1 || n > ctis.MaxLimit:
		return 0, ctis.Invalid("limit", "limit must be between 1 and %d", ctis.MaxLimit)
	}
	return n, nil
}

// Head returns the chain's head, or the number and hash of event seq.
func (db *DB) Head(ctx context.Context, seq int64) (ctis.AuditHead, error) {
	var h ctis.AuditHead
	if _, err := ctis.Require(ctx, ctis.RoleAuditor); err != nil {
		return h, err
	}
	q, args := `SELECT seq, hash FROM audit_head WHERE id = 1`, []any(nil)
	if seq > 0 {
		q, args = `SELECT seq, hash FROM audit_events WHERE seq = ?`, []any{seq}
	}
	err := db.r.QueryRowContext(ctx, q, args...).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return h, ctis.ErrNotFound("audit event")
	}
	return h, err
}
