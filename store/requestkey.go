package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ctis"
)

var _ ctis.RequestKeys = (*DB)(nil)

// errRequestDone is the claim of a key already claimed: the request was
// carried out before, and is not carried out again.
var errRequestDone = ctis.Errorf(ctis.ECONFLICT, "a request with this Idempotency-Key was carried out already")

// claimRequestKeys claims, in one statement, the request keys of the
// writes that are their requests' first, in the transaction that carries
// them out: a write whose key was claimed before is marked refused.
func (db *DB) claimRequestKeys(ctx context.Context, tx *sql.Tx, writes []*write) error {
	var args []any
	var claiming []*write
	now := stamp(db.now())
	for _, w := range writes {
		k := ctis.RequestKeyFrom(w.ctx)
		if k == nil || k.Claimed {
			continue
		}
		id, ok := ctis.IdentityFrom(w.ctx)
		if !ok {
			continue
		}
		w.claim, w.user = k, id.UserID
		claiming = append(claiming, w)
		args = append(args, id.UserID, k.Key, now)
	}
	if len(claiming) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `INSERT INTO request_keys (user_id, key, created_at) VALUES `+valueRows(len(claiming), 3)+
		` ON CONFLICT DO NOTHING RETURNING user_id, key`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type userKey struct{ user, key string }
	claimed := map[userKey]bool{}
	for rows.Next() {
		var k userKey
		if err := rows.Scan(&k.user, &k.key); err != nil {
			return err
		}
		claimed[k] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, w := range claiming {
		k := userKey{w.user, w.claim.Key}
		if !claimed[k] {
			// Claimed before, or by an earlier write of this group.
			w.refused, w.claim.Refused, w.claim = true, true, nil
			continue
		}
		delete(claimed, k)
		w.claim.Claimed = true
	}
	return nil
}

// valueRows is the VALUES list of n rows of cols placeholders each.
func valueRows(n, cols int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(n * (len(row) + 2))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}

// Answer looks up the caller's request sent with key.
func (db *DB) Answer(ctx context.Context, key string) (*ctis.KeptAnswer, bool, error) {
	id, ok := ctis.IdentityFrom(ctx)
	if !ok {
		return nil, false, ctis.Errorf(ctis.EUNAUTHORIZED, "no identity")
	}
	var status sql.NullInt64
	var header sql.NullString
	var body []byte
	err := db.r.QueryRowContext(ctx, `SELECT status, header, body FROM request_keys WHERE user_id = ? AND key = ? AND created_at > ?`,
		id.UserID, key, stamp(db.now().Add(-ctis.RequestKeyLifetime))).Scan(&status, &header, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil || !status.Valid {
		return nil, err == nil, err
	}
	a := &ctis.KeptAnswer{Status: int(status.Int64), Body: body}
	if err := json.Unmarshal([]byte(header.String), &a.Header); err != nil {
		return nil, true, fmt.Errorf("the kept answer's headers: %w", err)
	}
	return a, true, nil
}

// keptAnswer is an answer to keep, for a user's request key.
type keptAnswer struct {
	user, key string
	ctis.KeptAnswer
	header string
}

// Keep keeps the answer of the caller's request whose key was claimed.
// Answers kept at once are written together, by one statement of the
// writer's next group. Keys past their lifetime go with the hourly
// retention (ApplyRetention).
func (db *DB) Keep(ctx context.Context, key string, a ctis.KeptAnswer) error {
	id, ok := ctis.IdentityFrom(ctx)
	if !ok {
		return ctis.Errorf(ctis.EUNAUTHORIZED, "no identity")
	}
	// The answer is kept after it was sent, when the request may be over.
	ctx = context.WithoutCancel(ctx)
	k, err := newKeptAnswer(id.UserID, key, a)
	if err != nil {
		return err
	}
	return db.submit(ctx, "Keep", &write{ctx: ctx, keep: k})
}

func newKeptAnswer(user, key string, a ctis.KeptAnswer) (*keptAnswer, error) {
	header, err := json.Marshal(a.Header)
	if err != nil {
		return nil, err
	}
	return &keptAnswer{user: user, key: key, KeptAnswer: a, header: string(header)}, nil
}

// keepAnswers writes the answers of keeps, in one statement per
// maxBatchRows.
func (db *DB) keepAnswers(ctx context.Context, tx *sql.Tx, keeps []*write) error {
	if len(keeps) == 0 {
		return nil
	}
	// One key has one answer; should two come, the later stands.
	seen := map[[2]string]bool{}
	for i := len(keeps) - 1; i >= 0; i-- {
		k := [2]string{keeps[i].keep.user, keeps[i].keep.key}
		if seen[k] {
			keeps = slices.Delete(keeps, i, i+1)
		}
		seen[k] = true
	}
	now := stamp(db.now())
	for len(keeps) > 0 {
		n := min(len(keeps), maxBatchRows)
		args := make([]any, 0, n*6)
		for _, w := range keeps[:n] {
			k := w.keep
			args = append(args, k.user, k.key, now, k.Status, k.header, k.Body)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_keys (user_id, key, created_at, status, header, body) VALUES `+valueRows(n, 6)+
			` ON CONFLICT (user_id, key) DO UPDATE SET status = excluded.status, header = excluded.header, body = excluded.body`, args...); err != nil {
			return err
		}
		keeps = keeps[n:]
	}
	return nil
}
