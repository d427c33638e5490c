package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
)

// unmaskFor is how long an approved unmasking lets its requester see the
// record whole.
const unmaskFor = 7 * 24 * time.Hour

// fixedStamp is a UTC time that orders as text, for the retention cut-offs.
func fixedStamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// retention is the node's travel-data policy.
func (db *DB) retention() ctis.RetentionPolicy {
	if db.opts.Retention == (ctis.RetentionPolicy{}) {
		return ctis.EUPNRPolicy
	}
	return db.opts.Retention
}

// ReceiveTravel stores a received message's travellers for the caller's
// agency, all of them or, when one does not validate, none, and queues
// their referrals in the same transaction.
func (db *DB) ReceiveTravel(ctx context.Context, records []ctis.NewTravelRecord) ([]string, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	for i := range records {
		if err := records[i].Validate(); err != nil {
			return nil, ctis.Prefix("records["+strconv.Itoa(i)+"]", err)
		}
	}
	now := db.now()
	ids := make([]string, len(records))
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var referred []string
		for i, r := range records {
			ids[i] = ctis.NewID()
			if r.Personal.Document == "" {
				r.Personal.Document = r.Journey.Document
			}
			r.Journey.Document = ""
			journey, _ := json.Marshal(r.Journey)
			personal, _ := json.Marshal(r.Personal)
			if _, err := tx.ExecContext(ctx, `INSERT INTO travel_records (id, agency, kind, received_at, reference, locator, flight, day, journey) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				ids[i], id.Agency, string(r.Kind), fixedStamp(now), r.Reference, r.Locator, ctis.FoldIdentifier(r.Journey.Flight), travelDay(r.Journey.Departure), string(journey)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO travel_personal VALUES (?, ?)`, ids[i], string(personal)); err != nil {
				return err
			}
			for _, t := range strings.Fields(ctis.Fold(r.Personal.Name)) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO travel_names VALUES (?, ?) ON CONFLICT DO NOTHING`, t, ids[i]); err != nil {
					return err
				}
			}
			queued, err := queueReferrals(ctx, tx, id, now, ids[i], r.Referrals)
			if err != nil {
				return err
			}
			referred = append(referred, queued...)
		}
		kinds := map[ctis.TravelKind]int{}
		for _, r := range records {
			kinds[r.Kind]++
		}
		events := []ctis.AuditEvent{event(id, ctis.ActTravelReceive, "", "", map[string]any{"records": kinds})}
		if len(referred) > 0 {
			events = append(events, event(id, ctis.ActReferralQueue, "", ctis.PurposeFrom(ctx), map[string]any{"referrals": referred}))
		}
		_, err := db.appendAudit(ctx, tx, events...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

func travelDay(t string) string {
	if len(t) < 10 {
		return ""
	}
	return t[:10]
}

const travelColumns = `t.id, t.kind, t.agency, t.received_at, t.reference, t.locator, t.journey, coalesce(t.masked_at, ''), p.data`

// scanTravel reads a record and decides what of it the reader sees: the
// personal part of a masked record only with an approved, unexpired
// unmasking of the reader's own.
func (db *DB) scanTravel(rows interface{ Scan(...any) error }, unmasked map[string]bool) (ctis.TravelRecord, error) {
	var r ctis.TravelRecord
	var received, journey, masked, personal string
	if err := rows.Scan(&r.ID, &r.Kind, &r.Agency, &received, &r.Reference, &r.Locator, &journey, &masked, &personal); err != nil {
		return r, err
	}
	r.ReceivedAt, _ = time.Parse(time.RFC3339Nano, received)
	json.Unmarshal([]byte(journey), &r.Journey)
	pol := db.retention()
	r.MaskAt, r.DeleteAt = r.ReceivedAt.AddDate(0, pol.MaskMonths, 0), r.ReceivedAt.AddDate(0, pol.DeleteMonths, 0)
	r.Masked = masked != ""
	if !r.Masked || unmasked[r.ID] {
		r.Personal = &ctis.TravelPersonal{}
		json.Unmarshal([]byte(personal), r.Personal)
	}
	return r, nil
}

// unmaskedFor returns the records the user holds an approved, unexpired
// unmasking of.
func (db *DB) unmaskedFor(ctx context.Context, id ctis.Identity) (map[string]bool, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT record_id FROM unmask_requests WHERE agency = ? AND requester_id = ? AND status = 'approved' AND decided_at > ?`,
		id.Agency, id.UserID, fixedStamp(db.now().Add(-unmaskFor)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out[r] = true
	}
	return out, rows.Err()
}

// travelRecords runs a query for the caller's agency's records.
func (db *DB) travelRecords(ctx context.Context, id ctis.Identity, where string, args []any, limit int, fn func(ctis.TravelRecord) error) error {
	unmasked, err := db.unmaskedFor(ctx, id)
	if err != nil {
		return err
	}
	q := `SELECT ` + travelColumns + ` FROM travel_records t JOIN travel_personal p ON p.record_id = t.id WHERE t.agency = ?` + where + ` ORDER BY t.received_at DESC, t.id`
	if limit > 0 {
		q += ` LIMIT ` + strconv.Itoa(limit)
	}
	rows, err := db.r.QueryContext(ctx, q, append([]any{id.Agency}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := db.scanTravel(rows, unmasked)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SearchTravel finds the agency's records by name, flight or day.
func (db *DB) SearchTravel(ctx context.Context, q ctis.TravelQuery) ([]ctis.TravelRecord, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	var where string
	var args []any
	if q.Name != "" {
		tokens := slices.Compact(slices.Sorted(slices.Values(strings.Fields(ctis.Fold(q.Name)))))
		if len(tokens) == 0 || len(tokens) > 12 {
			return nil, ctis.Invalid("name", "give a name of 1 to 12 words")
		}
		where += ` AND t.id IN (SELECT record_id FROM travel_names WHERE token IN (` + placeholders(len(tokens)) + `) GROUP BY record_id HAVING count(*) = ?)`
		for _, t := range tokens {
			args = append(args, t)
		}
		args = append(args, len(tokens))
	}
	if q.Flight != "" {
		where += ` AND t.flight = ?`
		args = append(args, ctis.FoldIdentifier(q.Flight))
	}
	if q.Day != "" {
		if !ctis.ValidDay(q.Day) {
			return nil, ctis.Invalid("day", "%q is not a day (YYYY-MM-DD)", q.Day)
		}
		where += ` AND t.day = ?`
		args = append(args, q.Day)
	}
	if where == "" {
		return nil, ctis.Invalid("name", "give a name, a flight or a day to search travel data")
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	out := []ctis.TravelRecord{}
	if err := db.travelRecords(ctx, id, where, args, limit, func(r ctis.TravelRecord) error { out = append(out, r); return nil }); err != nil {
		return nil, err
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		_, err := db.appendAudit(ctx, tx, event(id, ctis.ActTravelSearch, "", purpose, map[string]any{"name": q.Name, "flight": q.Flight, "day": q.Day, "found": len(out)}))
		return err
	})
	return out, err
}

// TravelRecord reads one of the agency's records.
func (db *DB) TravelRecord(ctx context.Context, recordID string) (*ctis.TravelRecord, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	var out *ctis.TravelRecord
	if err := db.travelRecords(ctx, id, ` AND t.id = ?`, []any{recordID}, 1, func(r ctis.TravelRecord) error { out = &r; return nil }); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, ctis.ErrNotFound("travel record")
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		_, err := db.appendAudit(ctx, tx, event(id, ctis.ActTravelRead, recordID, purpose, map[string]any{"masked": out.Masked, "unmasked": out.Masked && out.Personal != nil}))
		return err
	})
	return out, err
}

// ExportTravel calls fn with each of the agency's records.
func (db *DB) ExportTravel(ctx context.Context, fn func(ctis.TravelRecord) error) error {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return err
	}
	n := 0
	if err := db.travelRecords(ctx, id, "", nil, 0, func(r ctis.TravelRecord) error { n++; return fn(r) }); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := db.appendAudit(ctx, tx, event(id, ctis.ActTravelExport, "", purpose, map[string]any{"records": n}))
		return err
	})
}

const unmaskColumns = `id, record_id, agency, requested_by, requested_at, reason, status, coalesce(decided_by, ''), coalesce(decided_at, ''), coalesce(decision_reason, '')`

func scanUnmask(row interface{ Scan(...any) error }) (ctis.UnmaskRequest, error) {
	var u ctis.UnmaskRequest
	var requested, decided string
	err := row.Scan(&u.ID, &u.RecordID, &u.Agency, &u.RequestedBy, &requested, &u.Reason, &u.Status, &u.DecidedBy, &decided, &u.DecisionReason)
	u.RequestedAt, _ = time.Parse(time.RFC3339Nano, requested)
	if decided != "" {
		t, _ := time.Parse(time.RFC3339Nano, decided)
		u.DecidedAt = &t
	}
	return u, err
}

// requireReason checks the caller's role and the reason they gave.
func requireReason(ctx context.Context, reason string, roles ...ctis.Role) (ctis.Identity, string, error) {
	id, err := ctis.Require(ctx, roles...)
	if err != nil {
		return id, "", err
	}
	reason, err = reasonOf(reason)
	return id, reason, err
}

// reasonOf trims a reason and checks it is there and not too long.
func reasonOf(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return "", ctis.Invalid("reason", "give a reason of at most 2000 bytes")
	}
	return reason, nil
}

// RequestUnmask asks to see a masked record of the agency whole.
func (db *DB) RequestUnmask(ctx context.Context, recordID, reason string) (*ctis.UnmaskRequest, error) {
	id, reason, err := requireReason(ctx, reason, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	var out ctis.UnmaskRequest
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var masked sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT masked_at FROM travel_records WHERE id = ? AND agency = ?`, recordID, id.Agency).Scan(&masked)
		if err == sql.ErrNoRows {
			return ctis.ErrNotFound("travel record")
		}
		if err != nil {
			return err
		}
		if !masked.Valid {
			return ctis.Errorf(ctis.ECONFLICT, "the record is not masked; read it directly")
		}
		now := db.now()
		out = ctis.UnmaskRequest{ID: ctis.NewID(), RecordID: recordID, Agency: id.Agency, RequestedBy: id.Username, RequestedAt: now, Reason: reason, Status: ctis.UnmaskPending}
		if _, err := tx.ExecContext(ctx, `INSERT INTO unmask_requests (id, record_id, agency, requested_by, requester_id, requested_at, reason, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			out.ID, recordID, id.Agency, id.Username, id.UserID, fixedStamp(now), reason, string(out.Status)); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActUnmaskRequest, out.ID, "", map[string]any{"record": recordID, "reason": reason}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DecideUnmask approves or refuses a pending request; the approver may not
// be the requester.
func (db *DB) DecideUnmask(ctx context.Context, requestID string, approve bool, reason string) (*ctis.UnmaskRequest, error) {
	id, reason, err := requireReason(ctx, reason, ctis.RoleApprover)
	if err != nil {
		return nil, err
	}
	var out ctis.UnmaskRequest
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var requester string
		if err := tx.QueryRowContext(ctx, `SELECT requester_id FROM unmask_requests WHERE id = ? AND agency = ?`, requestID, id.Agency).Scan(&requester); err == sql.ErrNoRows {
			return ctis.ErrNotFound("unmask request")
		} else if err != nil {
			return err
		}
		if requester == id.UserID {
			return ctis.Errorf(ctis.EFORBIDDEN, "an unmasking must be approved by a second person, not by the one who asked for it")
		}
		u, err := scanUnmask(tx.QueryRowContext(ctx, `SELECT `+unmaskColumns+` FROM unmask_requests WHERE id = ?`, requestID))
		if err != nil {
			return err
		}
		if u.Status != ctis.UnmaskPending {
			return ctis.Errorf(ctis.ECONFLICT, "the request is %s already", u.Status)
		}
		now := db.now()
		u.Status, u.DecidedBy, u.DecidedAt, u.DecisionReason = ctis.UnmaskRefused, id.Username, &now, reason
		if approve {
			u.Status = ctis.UnmaskApproved
		}
		if _, err := tx.ExecContext(ctx, `UPDATE unmask_requests SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?`,
			string(u.Status), id.Username, fixedStamp(now), reason, requestID); err != nil {
			return err
		}
		out = u
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActUnmaskDecide, requestID, "", map[string]any{"record": u.RecordID, "status": u.Status, "reason": reason, "requested_by": u.RequestedBy}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UnmaskRequests lists the agency's requests, newest first: what approvers
// decide on, and what the data-protection officer is told of.
func (db *DB) UnmaskRequests(ctx context.Context, status ctis.UnmaskStatus) ([]ctis.UnmaskRequest, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleApprover, ctis.RoleDPO)
	if err != nil {
		return nil, err
	}
	switch status {
	case "", ctis.UnmaskPending, ctis.UnmaskApproved, ctis.UnmaskRefused:
	default:
		return nil, ctis.Invalid("status", "status is pending, approved or refused")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+unmaskColumns+` FROM unmask_requests WHERE agency = ? AND (? = '' OR status = ?) ORDER BY requested_at DESC, id LIMIT 500`,
		id.Agency, string(status), string(status))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.UnmaskRequest{}
	for rows.Next() {
		u, err := scanUnmask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ApplyRetention masks the records past the masking age and deletes those
// past the deletion age, with their names, personal part and requests.
func (db *DB) ApplyRetention(ctx context.Context) (*ctis.RetentionReport, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, err
	}
	pol, now := db.retention(), db.now()
	maskBefore, deleteBefore := fixedStamp(now.AddDate(0, -pol.MaskMonths, 0)), fixedStamp(now.AddDate(0, -pol.DeleteMonths, 0))
	rep := &ctis.RetentionReport{}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		*rep = ctis.RetentionReport{}
		// What each step takes is counted first, by the agency whose data
		// it is: each agency's auditors and DPOs see what the policy did
		// to its own data, the node's operator all of it.
		perAgency := map[string]*ctis.RetentionReport{}
		// Each step runs only while the ones before it went well: the
		// first error ends the transaction.
		var err error
		take := func(field func(*ctis.RetentionReport) *int, table, where string, args ...any) {
			if err != nil {
				return
			}
			var rows *sql.Rows
			if rows, err = tx.QueryContext(ctx, `SELECT agency, count(*) FROM `+table+` WHERE `+where+` GROUP BY agency`, args...); err != nil {
				return
			}
			defer rows.Close()
			for rows.Next() {
				var agency string
				var n int
				if err = rows.Scan(&agency, &n); err != nil {
					return
				}
				if perAgency[agency] == nil {
					perAgency[agency] = &ctis.RetentionReport{}
				}
				*field(perAgency[agency]) += n
				*field(rep) += n
			}
			err = rows.Err()
		}
		exec := func(q string, args ...any) {
			if err == nil {
				_, err = tx.ExecContext(ctx, q, args...)
			}
		}
		deleted, masked := `received_at <= ?`, `masked_at IS NULL AND received_at <= ?`
		// A referral goes at the age of its record, received with it (the
		// record's deletion would take it too); one queued before
		// referrals named their record goes at the same age.
		take(func(r *ctis.RetentionReport) *int { return &r.ReferralsDeleted }, "rule_referrals", deleted, deleteBefore)
		exec(`DELETE FROM rule_referrals WHERE `+deleted, deleteBefore)
		// Cascades take the personal part, the names and the requests.
		take(func(r *ctis.RetentionReport) *int { return &r.Deleted }, "travel_records", deleted, deleteBefore)
		exec(`DELETE FROM travel_records WHERE `+deleted, deleteBefore)
		take(func(r *ctis.RetentionReport) *int { return &r.Masked }, "travel_records", masked, maskBefore)
		exec(`DELETE FROM travel_names WHERE record_id IN (SELECT id FROM travel_records WHERE `+masked+`)`, maskBefore)
		exec(`UPDATE travel_records SET masked_at = ? WHERE `+masked, fixedStamp(now), maskBefore)
		take(func(r *ctis.RetentionReport) *int { return &r.ReferralsMasked }, "rule_referrals", masked, maskBefore)
		exec(`UPDATE rule_referrals SET masked_at = ? WHERE `+masked, fixedStamp(now), maskBefore)
		// Hits keep their screening time as RFC 3339 stamps.
		hitMask, hitDelete := stamp(now.AddDate(0, -pol.MaskMonths, 0)), stamp(now.AddDate(0, -pol.DeleteMonths, 0))
		take(func(r *ctis.RetentionReport) *int { return &r.HitsDeleted }, "hits", `travel = 1 AND screened_at <= ?`, hitDelete)
		take(func(r *ctis.RetentionReport) *int { return &r.HitsMasked }, "hits",
			`travel = 1 AND masked_at IS NULL AND screened_at <= ? AND screened_at > ?`, hitMask, hitDelete)
		if err == nil {
			err = retainHits(ctx, tx, now, hitMask, hitDelete)
		}
		// Keys of requests that may be sent again, and their answers; the
		// statuses of TAXII posts.
		exec(`DELETE FROM request_keys WHERE created_at <= ?`, stamp(now.Add(-ctis.RequestKeyLifetime)))
		exec(`DELETE FROM post_statuses WHERE created_at <= ?`, fixedStamp(now.Add(-ctis.RequestKeyLifetime)))
		if err != nil {
			return err
		}
		if *rep == (ctis.RetentionReport{}) {
			return nil
		}
		detail := func(r *ctis.RetentionReport) map[string]any {
			return map[string]any{"masked": r.Masked, "deleted": r.Deleted, "referrals_masked": r.ReferralsMasked, "referrals_deleted": r.ReferralsDeleted,
				"hits_masked": r.HitsMasked, "hits_deleted": r.HitsDeleted, "policy": pol}
		}
		events := []ctis.AuditEvent{event(id, ctis.ActTravelRetained, "", "", detail(rep))}
		for _, agency := range slices.Sorted(maps.Keys(perAgency)) {
			e := event(id, ctis.ActTravelRetained, "", "", detail(perAgency[agency]))
			e.Scope = agency
			events = append(events, e)
		}
		_, err = db.appendAudit(ctx, tx, events...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// retainHits applies the travel-data policy to the hits of travellers
// screened from travel data: it deletes those screened by deleteBefore,
// with the clearances they left and their recipients, and masks those
// screened by maskBefore, keeping the journey and the explanation's
// scores but not the traveller nor the words that quote them.
func retainHits(ctx context.Context, tx *sql.Tx, now time.Time, maskBefore, deleteBefore string) error {
	due := `SELECT id FROM hits WHERE travel = 1 AND screened_at <= ?`
	for _, q := range []string{`DELETE FROM hit_recipients WHERE hit_id IN (` + due + `)`, `DELETE FROM clearances WHERE hit_id IN (` + due + `)`} {
		if _, err := tx.ExecContext(ctx, q, deleteBefore); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM hits WHERE travel = 1 AND screened_at <= ?`, deleteBefore); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, subject, explanation FROM hits WHERE travel = 1 AND masked_at IS NULL AND screened_at <= ?`, maskBefore)
	if err != nil {
		return err
	}
	type hit struct{ id, subject, explanation string }
	var hits []hit
	for rows.Next() {
		var h hit
		if err := rows.Scan(&h.id, &h.subject, &h.explanation); err != nil {
			rows.Close()
			return err
		}
		hits = append(hits, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, h := range hits {
		var s ctis.Subject
		var explanation []ctis.ScoreComponent
		if err := json.Unmarshal([]byte(h.subject), &s); err != nil {
			return fmt.Errorf("hit %s: its subject: %w", h.id, err)
		}
		if err := json.Unmarshal([]byte(h.explanation), &explanation); err != nil {
			return fmt.Errorf("hit %s: its explanation: %w", h.id, err)
		}
		for i := range explanation {
			explanation[i].Detail = ""
		}
		subject, _ := json.Marshal(s.Depersonalised())
		words, _ := json.Marshal(explanation)
		if _, err := tx.ExecContext(ctx, `UPDATE hits SET subject = ?, explanation = ?, masked_at = ? WHERE id = ?`,
			string(subject), string(words), stamp(now), h.id); err != nil {
			return err
		}
	}
	return nil
}
