package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"ctis"
)

// Referrals follow the pattern of cooperation requests (requests.go): a
// state machine kept as data in the root package, each step checked by
// it inside the transaction that records it, a timeline, readers added
// by either party, and a clock run by the node.

const contentReferralColumns = `f.id, f.state, f.basis, f.referrer, f.platform, f.type, f.content, f.entity, f.behaviours, f.content_type, f.note,
	f.reason, f.deadline, f.created_by, f.sent_at, f.acknowledged_at, f.decided_at, f.closed_at, f.contested_at, f.contest_outcome`

func (db *DB) scanContentReferral(row interface{ Scan(...any) error }) (ctis.ContentReferral, error) {
	var r ctis.ContentReferral
	var behaviours, sent string
	var deadline, acked, decided, closed, contested sql.NullString
	err := row.Scan(&r.ID, &r.State, &r.Basis, &r.Referrer, &r.Platform, &r.Type, &r.Content, &r.Labels.Entity, &behaviours, &r.Labels.ContentType,
		&r.Note, &r.Reason, &deadline, &r.CreatedBy, &sent, &acked, &decided, &closed, &contested, &r.ContestOutcome)
	if behaviours != "" {
		for _, b := range strings.Split(behaviours, ",") {
			r.Labels.Behaviours = append(r.Labels.Behaviours, ctis.Behaviour(b))
		}
	}
	r.SentAt = parseStamp(sent)
	r.Deadline, r.AcknowledgedAt, r.DecidedAt, r.ClosedAt, r.ContestedAt = nullTime(deadline), nullTime(acked), nullTime(decided), nullTime(closed), nullTime(contested)
	if r.Deadline != nil {
		settled := db.now()
		if r.DecidedAt != nil {
			settled = *r.DecidedAt
		}
		r.Overdue = r.State != ctis.ContentReferralWithdrawn && r.State != ctis.ContentReferralContested && settled.After(*r.Deadline)
	}
	return r, err
}

// Refer sends a referral to a platform member.
func (db *DB) Refer(ctx context.Context, nr ctis.NewContentReferral) (*ctis.ContentReferral, error) {
	id, err := requireMember(ctx, referralCase.plural, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if err := nr.Validate(); err != nil {
		return nil, err
	}
	if nr.Platform == id.Agency {
		return nil, ctis.Invalid("platform", "a referral goes to another agency than your own")
	}
	now := db.now()
	refID := ctis.NewID()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, `SELECT kind FROM agencies WHERE code = ?`, nr.Platform).Scan(&kind)
		if err == sql.ErrNoRows || err == nil && kind != "platform" {
			return ctis.Invalid("platform", "no platform member %s: content is referred to an agency of kind platform", nr.Platform)
		}
		if err != nil {
			return err
		}
		var deadline any
		if nr.Basis == ctis.BasisRemovalOrder {
			deadline = fixedStamp(now.Add(ctis.RemovalOrderDeadline))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, state, basis, referrer, platform, type, content, entity, behaviours, content_type, note,
			reason, deadline, created_by, sent_at, contest_outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, '')`,
			refID, string(ctis.ContentReferralSent), string(nr.Basis), id.Agency, nr.Platform, string(nr.Type), nr.Content, nr.Labels.Entity,
			joinBehaviours(nr.Labels.Behaviours), nr.Labels.ContentType, nr.Note, deadline, id.Username, fixedStamp(now)); err != nil {
			return err
		}
		for i, e := range nr.Evidence {
			if _, err := tx.ExecContext(ctx, `INSERT INTO referral_evidence (referral_id, position, type, value) VALUES (?, ?, ?, ?)`,
				refID, i, string(e.Type), e.Value); err != nil {
				return err
			}
		}
		step := ctis.ContentReferralEvent{Seq: 1, Time: now, Action: ctis.ContentReferralCreate, To: ctis.ContentReferralSent, Agency: id.Agency, Username: id.Username}
		if err := insertReferralStep(ctx, tx, refID, step); err != nil {
			return err
		}
		if err := db.notify(ctx, tx, ctis.NoticeReferral, refID, string(ctis.ContentReferralCreate), referralCase.link(refID), nr.Platform); err != nil {
			return err
		}
		detail := map[string]any{"platform": nr.Platform, "basis": nr.Basis, "type": nr.Type, "evidence": len(nr.Evidence)}
		_, err = db.appendAudit(ctx, tx, affecting(event(id, ctis.ActContentReferralCreate, refID, "", detail), id.Agency, nr.Platform))
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.referral(ctx, db.r, id.Agency, refID)
}

// insertReferralStep adds an entry to a referral's timeline, numbered
// after the last.
func insertReferralStep(ctx context.Context, tx *sql.Tx, refID string, s ctis.ContentReferralEvent) error {
	if s.Seq == 0 {
		var err error
		if s.Seq, err = referralCase.nextStep(ctx, tx, refID); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO referral_steps (referral_id, seq, time, action, reminder, from_state, to_state, agency, username, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, refID, s.Seq, fixedStamp(s.Time), string(s.Action), s.Reminder, string(s.From), string(s.To),
		s.Agency, s.Username, s.Reason)
	return err
}

// visibleReferral reads a referral the agency may see: ENOTFOUND for one
// it may not, as for one that does not exist.
func (db *DB) visibleReferral(ctx context.Context, q querier, agency, refID string) (ctis.ContentReferral, error) {
	vis, args := referralVisible(agency)
	return visibleOne(ctx, q, referralCase.noun, refID, `SELECT `+contentReferralColumns+` FROM referrals f WHERE f.id = ? AND `+vis, args, db.scanContentReferral)
}

// referralReaders are the agencies whose auditors oversee a referral.
func referralReaders(ctx context.Context, q querier, r ctis.ContentReferral) ([]string, error) {
	return referralCase.readers(ctx, q, r.ID, r.Referrer, r.Platform)
}

// openReferral opens the referral refID for a step, into *r.
func (db *DB) openReferral(ctx context.Context, refID string, r *ctis.ContentReferral) func(*sql.Tx, ctis.Identity) (openCase, error) {
	return func(tx *sql.Tx, id ctis.Identity) (openCase, error) {
		var err error
		*r, err = db.visibleReferral(ctx, tx, id.Agency, refID)
		opened := *r
		return openCase{id: r.ID, sender: r.Referrer, receiver: r.Platform,
			readers: func(q querier) ([]string, error) { return referralReaders(ctx, q, opened) }}, err
	}
}

// ActOnReferral moves a referral along the state machine.
func (db *DB) ActOnReferral(ctx context.Context, refID string, s ctis.ContentReferralStep) (*ctis.ContentReferral, error) {
	var r ctis.ContentReferral
	id, err := db.onCase(ctx, referralCase, "act on it", db.openReferral(ctx, refID, &r), func(tx *sql.Tx, c openCase, party ctis.Party, id ctis.Identity) error {
		if err := s.Validate(); err != nil {
			return err
		}
		to, err := ctis.NextContentReferral(r.Basis, r.State, s.Action, party)
		if err != nil {
			return err
		}
		now := db.now()
		set, args := `state = ?`, []any{string(to)}
		switch s.Action {
		case ctis.ContentReferralAcknowledge:
			set, args = set+`, acknowledged_at = ?`, append(args, fixedStamp(now))
		case ctis.ContentReferralContest:
			// The clock stops while the order is contested.
			set, args = set+`, contested_at = ?, deadline = NULL`, append(args, fixedStamp(now))
		case ctis.ContentReferralUphold:
			set, args = set+`, contest_outcome = ?, deadline = ?`, append(args, ctis.ContestUpheld, fixedStamp(now.Add(ctis.RemovalOrderDeadline)))
		case ctis.ContentReferralWithdraw:
			if r.State == ctis.ContentReferralContested {
				set, args = set+`, contest_outcome = ?`, append(args, ctis.ContestWithdrawn)
			}
		}
		if party == ctis.PartyReceiver && to.Final() {
			set, args = set+`, decided_at = ?`, append(args, fixedStamp(now))
		}
		if r.AcknowledgedAt == nil && party == ctis.PartyReceiver && s.Action != ctis.ContentReferralAcknowledge {
			// Acting is acknowledging too.
			set, args = set+`, acknowledged_at = ?`, append(args, fixedStamp(now))
		}
		if to.Final() {
			set, args = set+`, closed_at = ?`, append(args, fixedStamp(now))
		}
		if s.Reason != "" {
			set, args = set+`, reason = ?`, append(args, s.Reason)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET `+set+` WHERE id = ?`, append(args, r.ID)...); err != nil {
			return err
		}
		step := ctis.ContentReferralEvent{Time: now, Action: s.Action, From: r.State, To: to, Agency: id.Agency, Username: id.Username, Reason: s.Reason}
		if err := insertReferralStep(ctx, tx, r.ID, step); err != nil {
			return err
		}
		if err := db.notify(ctx, tx, ctis.NoticeReferral, r.ID, string(s.Action), referralCase.link(r.ID), c.other(party)); err != nil {
			return err
		}
		oversee, err := referralReaders(ctx, tx, r)
		if err != nil {
			return err
		}
		detail := map[string]any{"action": s.Action, "from": r.State, "to": to}
		if s.Reason != "" {
			detail["reason"] = s.Reason
		}
		_, err = db.appendAudit(ctx, tx, affecting(event(id, ctis.ActContentReferralStep, r.ID, "", detail), oversee...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.referral(ctx, db.r, id.Agency, refID)
}

// ShareReferral adds an agency to a referral's readers.
func (db *DB) ShareReferral(ctx context.Context, refID, agency string) (*ctis.ContentReferral, error) {
	var r ctis.ContentReferral
	id, err := db.share(ctx, referralCase, agency, db.openReferral(ctx, refID, &r), func(tx *sql.Tx, c openCase, seq int, now time.Time, id ctis.Identity) error {
		return insertReferralStep(ctx, tx, c.id, ctis.ContentReferralEvent{Seq: seq, Time: now, Action: ctis.ContentReferralShare, Agency: id.Agency, Username: id.Username, Reason: agency})
	})
	if err != nil {
		return nil, err
	}
	return db.referral(ctx, db.r, id.Agency, refID)
}

// ContentReferral returns a referral with its timeline; the read is audited.
func (db *DB) ContentReferral(ctx context.Context, refID string) (*ctis.ContentReferral, error) {
	id, err := requireMember(ctx, referralCase.plural, readRoles...)
	if err != nil {
		return nil, err
	}
	r, err := db.referral(ctx, db.r, id.Agency, refID)
	if err != nil {
		return nil, err
	}
	oversee := append([]string{r.Referrer, r.Platform}, r.Agencies...)
	if _, err := db.audit(ctx, affecting(event(id, ctis.ActContentReferralRead, r.ID, ctis.PurposeFrom(ctx), nil), oversee...)); err != nil {
		return nil, err
	}
	return r, nil
}

// referral loads a referral whole, as agency may see it.
func (db *DB) referral(ctx context.Context, q querier, agency, refID string) (*ctis.ContentReferral, error) {
	r, err := db.visibleReferral(ctx, q, agency, refID)
	if err != nil {
		return nil, err
	}
	if r.Agencies, err = queryStrings(ctx, q, `SELECT agency FROM referral_agencies WHERE referral_id = ? ORDER BY agency`, r.ID); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT type, value FROM referral_evidence WHERE referral_id = ? ORDER BY position`, r.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e ctis.Evidence
		if err := rows.Scan(&e.Type, &e.Value); err != nil {
			rows.Close()
			return nil, err
		}
		r.Evidence = append(r.Evidence, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT seq, time, action, reminder, from_state, to_state, agency, username, reason FROM referral_steps WHERE referral_id = ? ORDER BY seq`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s ctis.ContentReferralEvent
		var t string
		if err := rows.Scan(&s.Seq, &t, &s.Action, &s.Reminder, &s.From, &s.To, &s.Agency, &s.Username, &s.Reason); err != nil {
			return nil, err
		}
		s.Time = parseStamp(t)
		r.Timeline = append(r.Timeline, s)
	}
	return &r, rows.Err()
}

// ContentReferrals lists the referrals the caller's agency may see.
func (db *DB) ContentReferrals(ctx context.Context, q ctis.ContentReferralQuery) ([]ctis.ContentReferral, error) {
	id, err := requireMember(ctx, referralCase.plural, readRoles...)
	if err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		q.Limit = ctis.DefaultLimit
	}
	vis, args := referralVisible(id.Agency)
	where := vis + ` AND (? = '' OR f.state = ?) AND (? = '' OR f.basis = ?)`
	args = append(args, string(q.State), string(q.State), string(q.Basis), string(q.Basis))
	switch q.Role {
	case ctis.PartySender:
		where, args = where+` AND f.referrer = ?`, append(args, id.Agency)
	case ctis.PartyReceiver:
		where, args = where+` AND f.platform = ?`, append(args, id.Agency)
	}
	return db.referralsWhere(ctx, where+` ORDER BY f.sent_at DESC, f.id LIMIT `+strconv.Itoa(q.Limit), args...)
}

func (db *DB) referralsWhere(ctx context.Context, where string, args ...any) ([]ctis.ContentReferral, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+contentReferralColumns+` FROM referrals f WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.ContentReferral{}
	for rows.Next() {
		r, err := db.scanContentReferral(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ContentReferralFigures counts the referrals the caller's agency sees, by
// platform and month; the node's operator counts all.
func (db *DB) ContentReferralFigures(ctx context.Context, from, to string) ([]ctis.ContentReferralFigures, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline, ctis.RoleAuditor, ctis.RoleDPO)
	if err != nil {
		return nil, err
	}
	months, err := monthRange(db.now(), from, to)
	if err != nil {
		return nil, err
	}
	last, _ := time.Parse("2006-01", months[len(months)-1])
	where, args := `f.sent_at >= ? AND f.sent_at < ?`, []any{months[0], last.AddDate(0, 1, 0).Format("2006-01")}
	switch {
	case id.System:
	case id.Agency == "":
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "figures are of a member agency's referrals")
	default:
		vis, vargs := referralVisible(id.Agency)
		where, args = where+` AND `+vis, append(args, vargs...)
	}
	all, err := db.referralsWhere(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	return ctis.ContentReferralFiguresOf(all, db.now()), nil
}

// SweepReferrals records, once each, the removal orders whose hour
// passed before the platform acted, and tells both parties.
func (db *DB) SweepReferrals(ctx context.Context) (int, error) {
	id, err := requireSystem(ctx, "the referrals' clock")
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.tx(ctx, func(tx *sql.Tx) error {
		n = 0
		now := db.now()
		rows, err := tx.QueryContext(ctx, `SELECT `+contentReferralColumns+` FROM referrals f WHERE f.state IN ('sent', 'acknowledged', 'upheld')
			AND f.deadline < ? AND NOT EXISTS (SELECT 1 FROM referral_steps s WHERE s.referral_id = f.id AND s.reminder = ? AND s.reason = f.deadline)
			ORDER BY f.id`, fixedStamp(now), ctis.ReminderOverdue)
		if err != nil {
			return err
		}
		var due []ctis.ContentReferral
		for rows.Next() {
			r, err := db.scanContentReferral(rows)
			if err != nil {
				rows.Close()
				return err
			}
			due = append(due, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range due {
			// The reason names the deadline missed, so an upheld order's
			// new hour is reminded of again.
			deadline := fixedStamp(*r.Deadline)
			if err := insertReferralStep(ctx, tx, r.ID, ctis.ContentReferralEvent{Time: now, Reminder: ctis.ReminderOverdue, Reason: deadline}); err != nil {
				return err
			}
			if err := db.notify(ctx, tx, ctis.NoticeReferral, r.ID, ctis.ReminderOverdue, referralCase.link(r.ID), r.Referrer, r.Platform); err != nil {
				return err
			}
			oversee, err := referralReaders(ctx, tx, r)
			if err != nil {
				return err
			}
			if _, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActContentReferralRemind, r.ID, "", map[string]any{"deadline": deadline}), oversee...)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
