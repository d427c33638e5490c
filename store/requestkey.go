package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"ctis"
)

var _ ctis.RequestKeys = (*DB)(nil)

// errRequestDone is the claim of a key already claimed: the request was
// carried out before, and is not carried out again.
var errRequestDone = ctis.Errorf(ctis.ECONFLICT, "a request with this Idempotency-Key was carried out already")

// claimRequestKey claims ctx's request key, if it has one not claimed yet,
// in the transaction of the request's first write, and says whether it
// did.
func (db *DB) claimRequestKey(ctx context.Context, tx *sql.Tx) (bool, error) {
	k := ctis.RequestKeyFrom(ctx)
	if k == nil || k.Claimed {
		return false, nil
	}
	id, ok := ctis.IdentityFrom(ctx)
	if !ok {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO request_keys (user_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		id.UserID, k.Key, stamp(db.now()))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, errRequestDone
	}
	k.Claimed = true
	return true, nil
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

// Keep keeps the answer of the caller's request whose key was claimed.
// Keys past their lifetime go with the hourly retention (ApplyRetention).
func (db *DB) Keep(ctx context.Context, key string, a ctis.KeptAnswer) error {
	id, ok := ctis.IdentityFrom(ctx)
	if !ok {
		return ctis.Errorf(ctis.EUNAUTHORIZED, "no identity")
	}
	// The answer is kept after it was sent, when the request may be over.
	ctx = context.WithoutCancel(ctx)
	header, err := json.Marshal(a.Header)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE request_keys SET status = ?, header = ?, body = ? WHERE user_id = ? AND key = ?`,
			a.Status, string(header), a.Body, id.UserID, key)
		return err
	})
}
