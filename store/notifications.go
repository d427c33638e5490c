package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"ctis"
)

// noticeRoles are the roles that attend to each kind of notification: a
// user is shown, and mailed, the notifications of its agency of the kinds
// its roles attend to.
var noticeRoles = map[ctis.NoticeKind][]ctis.Role{
	ctis.NoticeRequest:   {ctis.RoleAnalyst},
	ctis.NoticeReminder:  {ctis.RoleAnalyst},
	ctis.NoticeAlert:     {ctis.RoleAnalyst, ctis.RoleFrontline},
	ctis.NoticeHit:       {ctis.RoleAnalyst},
	ctis.NoticeDirectory: {ctis.RoleAnalyst, ctis.RoleAdmin},
	ctis.NoticeReferral:  {ctis.RoleAnalyst},
}

// noticeKinds are the kinds of notification id attends to.
func noticeKinds(id ctis.Identity) []ctis.NoticeKind {
	var out []ctis.NoticeKind
	for _, k := range []ctis.NoticeKind{ctis.NoticeRequest, ctis.NoticeReminder, ctis.NoticeAlert, ctis.NoticeHit, ctis.NoticeDirectory, ctis.NoticeReferral} {
		if slices.ContainsFunc(noticeRoles[k], id.Has) {
			out = append(out, k)
		}
	}
	return out
}

// mailRetry is how long a failed mail waits before its next attempt,
// doubled at each failure.
const mailRetry = time.Minute

// notify records, in tx, a notification of kind about ref for each of
// agencies, and queues a mail to each of their users who attend to the
// kind and gave an e-mail address.
func (db *DB) notify(ctx context.Context, tx *sql.Tx, kind ctis.NoticeKind, ref, topic, link string, agencies ...string) error {
	now := stamp(db.now())
	roles := noticeRoles[kind]
	for _, a := range sortedUnique(agencies) {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO notifications (agency, kind, ref, topic, link, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			a, string(kind), ref, topic, link, now).Scan(&id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, roles FROM users WHERE agency = ? AND email <> '' AND disabled = 0`, a)
		if err != nil {
			return err
		}
		var to []string
		for rows.Next() {
			var user, rs string
			if err := rows.Scan(&user, &rs); err != nil {
				rows.Close()
				return err
			}
			if slices.ContainsFunc(splitRoles(rs), func(r ctis.Role) bool { return slices.Contains(roles, r) }) {
				to = append(to, user)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, user := range to {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_outbox (notification_id, user_id, next_at) VALUES (?, ?, ?)`, id, user, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// noticeVisible is the SQL condition under which notification n (alias
// "n") of id's agency may be shown to id: its kind is one id attends to,
// and id may still see its subject under the subject's own rule.
func noticeVisible(id ctis.Identity) (string, []any) {
	var conds []string
	var args []any
	for _, k := range noticeKinds(id) {
		switch k {
		case ctis.NoticeRequest, ctis.NoticeReminder:
			vis, vargs := requestVisible(id.Agency)
			conds = append(conds, `(n.kind = '`+string(k)+`' AND EXISTS (SELECT 1 FROM requests r WHERE r.id = n.ref AND `+vis+`))`)
			args = append(args, vargs...)
		case ctis.NoticeAlert:
			vis, vargs := alertVisible(id.Viewer())
			conds = append(conds, `(n.kind = 'alert' AND EXISTS (SELECT 1 FROM alerts a WHERE a.id = n.ref AND `+vis+`))`)
			args = append(args, vargs...)
		case ctis.NoticeHit:
			conds = append(conds, `(n.kind = 'hit' AND EXISTS (SELECT 1 FROM hit_recipients hr WHERE hr.hit_id = n.ref AND hr.agency = ?))`)
			args = append(args, id.Agency)
		case ctis.NoticeReferral:
			vis, vargs := referralVisible(id.Agency)
			conds = append(conds, `(n.kind = 'referral' AND EXISTS (SELECT 1 FROM referrals f WHERE f.id = n.ref AND `+vis+`))`)
			args = append(args, vargs...)
		case ctis.NoticeDirectory:
			conds = append(conds, `(n.kind = 'directory' AND EXISTS (SELECT 1 FROM authorities au WHERE au.id = n.ref AND au.agency = ? AND au.removed_at IS NULL))`)
			args = append(args, id.Agency)
		}
	}
	if len(conds) == 0 {
		return `1 = 0`, nil
	}
	return `n.agency = ? AND (` + strings.Join(conds, ` OR `) + `)`, append([]any{id.Agency}, args...)
}

// Notifications lists what needs the caller's attention.
func (db *DB) Notifications(ctx context.Context, q ctis.NotificationQuery) ([]ctis.Notification, int, error) {
	id, err := ctis.Require(ctx)
	if err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 || q.Limit > ctis.MaxLimit {
		q.Limit = ctis.MaxLimit
	}
	vis, args := noticeVisible(id)
	unread := `NOT EXISTS (SELECT 1 FROM notification_reads x WHERE x.notification_id = n.id AND x.user_id = ?)`
	var count int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications n WHERE `+vis+` AND `+unread, append(slices.Clone(args), id.UserID)...).Scan(&count); err != nil {
		return nil, 0, db.opError("notifications", err)
	}
	cond := vis
	if q.Unread {
		cond += ` AND ` + unread
		args = append(args, id.UserID)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT n.id, n.kind, n.ref, n.topic, n.link, n.created_at,
		EXISTS (SELECT 1 FROM notification_reads x WHERE x.notification_id = n.id AND x.user_id = ?)
		FROM notifications n WHERE `+cond+` ORDER BY n.id DESC LIMIT ?`, append(append([]any{id.UserID}, args...), q.Limit)...)
	if err != nil {
		return nil, 0, db.opError("notifications", err)
	}
	defer rows.Close()
	out := []ctis.Notification{}
	for rows.Next() {
		var n ctis.Notification
		var kind, at string
		if err := rows.Scan(&n.ID, &kind, &n.Ref, &n.Topic, &n.Link, &at, &n.Read); err != nil {
			return nil, 0, err
		}
		n.Kind, n.At = ctis.NoticeKind(kind), parseStamp(at)
		out = append(out, n)
	}
	return out, count, rows.Err()
}

// MarkRead records that the caller read a notification.
func (db *DB) MarkRead(ctx context.Context, noticeID int64) error {
	id, err := ctis.Require(ctx)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		vis, args := noticeVisible(id)
		if !exists(ctx, tx, `SELECT 1 FROM notifications n WHERE n.id = ? AND `+vis, append([]any{noticeID}, args...)...) {
			return ctis.ErrNotFound("notification")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO notification_reads VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, noticeID, id.UserID, stamp(db.now()))
		return err
	})
}

// requireSystem lets only the node itself through: the clock, the mailer.
func requireSystem(ctx context.Context, what string) (ctis.Identity, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return id, err
	}
	if !id.System {
		return id, ctis.Errorf(ctis.EFORBIDDEN, "%s is run by the node itself", what)
	}
	return id, nil
}

// PendingMail returns mail due to be sent.
func (db *DB) PendingMail(ctx context.Context, limit int) ([]ctis.Mail, error) {
	if _, err := requireSystem(ctx, "the mailer"); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT m.id, u.email, n.kind, n.link, u.language FROM mail_outbox m
		JOIN users u ON u.id = m.user_id JOIN notifications n ON n.id = m.notification_id
		WHERE m.sent_at IS NULL AND m.attempts < ? AND m.next_at <= ? ORDER BY m.id LIMIT ?`, ctis.MaxMailAttempts, stamp(db.now()), limit)
	if err != nil {
		return nil, db.opError("pending mail", err)
	}
	defer rows.Close()
	var out []ctis.Mail
	for rows.Next() {
		var m ctis.Mail
		var kind string
		if err := rows.Scan(&m.ID, &m.To, &kind, &m.Link, &m.Lang); err != nil {
			return nil, err
		}
		m.Kind = ctis.NoticeKind(kind)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MailSent records the outcome of an attempt to send a mail.
func (db *DB) MailSent(ctx context.Context, mailID int64, sendErr error) error {
	if _, err := requireSystem(ctx, "the mailer"); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		if sendErr == nil {
			_, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?`, stamp(now), mailID)
			return err
		}
		var attempts int
		if err := tx.QueryRowContext(ctx, `SELECT attempts FROM mail_outbox WHERE id = ?`, mailID).Scan(&attempts); err != nil {
			return err
		}
		msg := sendErr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		_, err := tx.ExecContext(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?`,
			msg, stamp(now.Add(mailRetry<<min(attempts, 12))), mailID)
		return err
	})
}

// FlagStaleAuthorities tells each agency of its directory entries that
// went stale (ctis.AuthorityStaleAfter), once for each date they were
// last verified on. It returns how many it flagged.
func (db *DB) FlagStaleAuthorities(ctx context.Context) (int, error) {
	if _, err := requireSystem(ctx, "the directory's clock"); err != nil {
		return 0, err
	}
	flagged := 0
	err := db.tx(ctx, func(tx *sql.Tx) error {
		flagged = 0
		cutoff := db.now().Add(-ctis.AuthorityStaleAfter).Format(time.DateOnly)
		rows, err := tx.QueryContext(ctx, `SELECT id, agency, verified_on FROM authorities au WHERE removed_at IS NULL AND verified_on < ?
			AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.ref = au.id AND n.kind = 'directory' AND n.topic = au.verified_on)`, cutoff)
		if err != nil {
			return err
		}
		type stale struct{ id, agency, verified string }
		var all []stale
		for rows.Next() {
			var s stale
			if err := rows.Scan(&s.id, &s.agency, &s.verified); err != nil {
				rows.Close()
				return err
			}
			all = append(all, s)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, s := range all {
			if err := db.notify(ctx, tx, ctis.NoticeDirectory, s.id, s.verified, "/authorities?agency="+s.agency+"&stale=1", s.agency); err != nil {
				return err
			}
			flagged++
		}
		return nil
	})
	return flagged, err
}
