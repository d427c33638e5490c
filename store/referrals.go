package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"ctis"
)

const referralColumns = `id, agency, received_by, received_at, reference, locator, coalesce(record_id, ''), traveller, coalesce(masked_at, ''),
	rule_id, rule_version, rule_name, expression, score, explanation, facts, status, coalesce(decided_by, ''), coalesce(decided_at, ''), coalesce(reason, '')`

// scanReferral reads a referral as a reader holding approved unmaskings
// of the records in unmasked may see it: once masked, its traveller
// without the journey, the rule's facts and its explanation are withheld
// from everyone else.
func scanReferral(row interface{ Scan(...any) error }, unmasked map[string]bool) (ctis.TravellerReferral, error) {
	var r ctis.TravellerReferral
	var receivedAt, traveller, masked, facts, decidedBy, decidedAt, reason string
	err := row.Scan(&r.ID, &r.Agency, &r.ReceivedBy, &receivedAt, &r.Reference, &r.Locator, &r.RecordID, &traveller, &masked, &r.Rule.RuleID,
		&r.Rule.RuleVersion, &r.Rule.RuleName, &r.Rule.Expression, &r.Rule.Score, &r.Rule.Explanation, &facts, &r.Status, &decidedBy, &decidedAt, &reason)
	if err != nil {
		return r, err
	}
	r.ReceivedAt = parseStamp(receivedAt)
	json.Unmarshal([]byte(traveller), &r.Traveller)
	json.Unmarshal([]byte(facts), &r.Rule.Facts)
	r.Rule.Subject = r.Traveller.Name
	if masked != "" {
		at := parseStamp(masked)
		r.MaskedAt = &at
		if r.RecordID == "" || !unmasked[r.RecordID] {
			r.Traveller = r.Traveller.Depersonalised()
			r.Rule.Subject, r.Rule.Explanation, r.Rule.Facts = "", "", nil
		}
	}
	if decidedBy != "" {
		r.Decision = &ctis.Decision{Status: r.Status, Reason: reason, By: decidedBy, Agency: r.Agency, At: parseStamp(decidedAt)}
	}
	return r, nil
}

// queueReferrals enters the referrals of the travel record recordID,
// received now, into the queue of the receiving agency, open, inside
// tx, and returns their IDs.
func queueReferrals(ctx context.Context, tx *sql.Tx, id ctis.Identity, now time.Time, recordID string, rs []ctis.TravellerReferral) ([]string, error) {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = ctis.NewID()
		traveller, _ := json.Marshal(r.Traveller)
		facts, _ := json.Marshal(r.Rule.Facts)
		if _, err := tx.ExecContext(ctx, `INSERT INTO rule_referrals (id, agency, received_by, received_at, reference, locator, record_id, traveller,
			rule_id, rule_version, rule_name, expression, score, explanation, facts, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ids[i], id.Agency, id.Username, fixedStamp(now), r.Reference, r.Locator, recordID, string(traveller), r.Rule.RuleID, r.Rule.RuleVersion,
			r.Rule.RuleName, r.Rule.Expression, r.Rule.Score, r.Rule.Explanation, string(facts), string(ctis.HitOpen)); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// Referrals lists the caller's agency's referral queue, newest first.
func (db *DB) Referrals(ctx context.Context, f ctis.ReferralFilter) (*ctis.ReferralPage, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, err
	}
	where, args := []string{"agency = ?"}, []any{id.Agency}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil || !ctis.ValidID(c) {
			return nil, ctis.Invalid("cursor", "cursor is not one this server gave")
		}
		where, args = append(where, "id < ?"), append(args, c)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.Rule != "" {
		where, args = append(where, "rule_id = ?"), append(args, f.Rule)
	}
	unmasked, err := db.unmaskedFor(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+referralColumns+` FROM rule_referrals WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`,
		append(args, limit+1)...)
	if err != nil {
		return nil, err
	}
	page := &ctis.ReferralPage{Referrals: []ctis.TravellerReferral{}}
	for rows.Next() {
		r, err := scanReferral(rows, unmasked)
		if err != nil {
			rows.Close()
			return nil, err
		}
		page.Referrals = append(page.Referrals, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	if len(page.Referrals) > limit {
		page.Referrals = page.Referrals[:limit]
		page.Next = encodeCursor(page.Referrals[limit-1].ID)
	}
	if err := db.auditReferralRead(ctx, id, purpose, page.Referrals); err != nil {
		return nil, err
	}
	return page, nil
}

// Referral returns one referral of the caller's agency's queue.
func (db *DB) Referral(ctx context.Context, referralID string) (*ctis.TravellerReferral, error) {
	id, purpose, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	r, err := db.ownReferral(ctx, db.r, id, referralID)
	if err != nil {
		return nil, err
	}
	if err := db.auditReferralRead(ctx, id, purpose, []ctis.TravellerReferral{r}); err != nil {
		return nil, err
	}
	return &r, nil
}

// ownReferral reads a referral of the caller's agency; another agency's
// is as absent as one that never was.
func (db *DB) ownReferral(ctx context.Context, q querier, id ctis.Identity, referralID string) (ctis.TravellerReferral, error) {
	if !ctis.ValidID(referralID) {
		return ctis.TravellerReferral{}, ctis.ErrNotFound("referral")
	}
	unmasked, err := db.unmaskedFor(ctx, id)
	if err != nil {
		return ctis.TravellerReferral{}, err
	}
	r, err := scanReferral(q.QueryRowContext(ctx, `SELECT `+referralColumns+` FROM rule_referrals WHERE id = ? AND agency = ?`, referralID, id.Agency), unmasked)
	if err == sql.ErrNoRows {
		return r, ctis.ErrNotFound("referral")
	}
	return r, err
}

func (db *DB) auditReferralRead(ctx context.Context, id ctis.Identity, purpose string, rs []ctis.TravellerReferral) error {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return db.auditRead(ctx, id, ctis.ActReferralRead, purpose, "referrals", ids)
}

// DecideReferral records a reviewer's decision on a referral. An open
// referral takes any decision; an escalated one a confirmation or a
// false positive.
func (db *DB) DecideReferral(ctx context.Context, referralID string, status ctis.HitStatus, reason string) (*ctis.TravellerReferral, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if reason, err = decision(status, reason); err != nil {
		return nil, err
	}
	var r ctis.TravellerReferral
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if r, err = db.ownReferral(ctx, tx, id, referralID); err != nil {
			return err
		}
		switch {
		case r.Status == ctis.HitOpen:
		case r.Status == ctis.HitEscalated && status != ctis.HitEscalated:
		default:
			return ctis.Errorf(ctis.ECONFLICT, "the referral is %s; it cannot become %s", r.Status, status)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE rule_referrals SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?`,
			string(status), id.Username, stamp(now), reason, referralID); err != nil {
			return err
		}
		r.Status = status
		r.Decision = &ctis.Decision{Status: status, Reason: reason, By: id.Username, Agency: id.Agency, At: now}
		detail := map[string]any{"referral": referralID, "rule": r.Rule.RuleID, "rule_version": r.Rule.RuleVersion, "status": status, "reason": reason}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActReferralDecide, referralID, "", detail))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}
