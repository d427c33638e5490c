package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// AdmitLogin records a login attempt as a failure under each of keys at
// at, unless one of them already holds limit failures after since; then
// it records nothing and returns, of the keys so held, the latest time
// at which their limit-th newest failure was made. The check and the
// record are one write transaction, so attempts in several processes
// take turns and none slips past the limit. Failures from since or
// before are dropped on the way. It serves throttle.Ledger.
func (db *DB) AdmitLogin(ctx context.Context, attempt string, keys []string, at, since time.Time, limit int) (held time.Time, err error) {
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at <= ?`, since.UnixNano()); err != nil {
			return err
		}
		for _, k := range keys {
			var t int64
			err := tx.QueryRowContext(ctx, `SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`,
				k, since.UnixNano(), limit-1).Scan(&t)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if u := time.Unix(0, t); u.After(held) {
				held = u
			}
		}
		if !held.IsZero() {
			return nil
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at, attempt) VALUES (?, ?, ?)`, k, at.UnixNano(), attempt); err != nil {
				return err
			}
		}
		return nil
	})
	return held, err
}

// ForgetLogin takes back the failures that attempt recorded under keys,
// and drops every failure under each of clear: a login that succeeded,
// or ended in a fault of the node's, is no failure. It serves
// throttle.Ledger.
func (db *DB) ForgetLogin(ctx context.Context, attempt string, keys, clear []string) error {
	return db.tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ? AND attempt = ?`, k, attempt); err != nil {
				return err
			}
		}
		for _, k := range clear {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = ?`, k); err != nil {
				return err
			}
		}
		return nil
	})
}
