package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"ctis"
	"ctis/secret"
)

// Resume resolves a browser session's token as Authenticate does, and
// ends the session instead when it went unused for longer than idle;
// each use restarts the wait. The last use is kept in the store, so that
// a session used through any process of a node is alive in all.
func (db *DB) Resume(ctx context.Context, token string, idle time.Duration) (ctis.Identity, error) {
	id, err := db.Authenticate(ctx, ctis.CredentialWeb, token)
	if err != nil {
		return id, err
	}
	hash, ended := secret.HashToken(token), false
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var last string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(last_used_at, created_at) FROM tokens WHERE hash = ? AND kind = ? AND revoked_at IS NULL`,
			hash, string(ctis.CredentialWeb)).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			ended = true // ended meanwhile, by a logout elsewhere
			return nil
		}
		if err != nil {
			return err
		}
		now := db.now()
		if now.Sub(parseStamp(last)) <= idle {
			_, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE hash = ?`, stamp(now), hash)
			return err
		}
		ended = true
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE hash = ?`, stamp(now), hash); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActLogout, id.UserID, "", map[string]string{"reason": "idle"}))
		return err
	})
	if err != nil {
		return ctis.Identity{}, err
	}
	if ended {
		return ctis.Identity{}, errBadCredentials
	}
	return id, nil
}

// FormKey returns the key that signs the pages' form tokens, made on
// first use and kept in the store: a form shown by one process of a node
// is posted, as often as not, to another.
func (db *DB) FormKey(ctx context.Context) ([]byte, error) {
	var key string
	err := db.tx(ctx, func(tx *sql.Tx) error {
		b := make([]byte, 32)
		rand.Read(b)
		if _, err := tx.ExecContext(ctx, `INSERT INTO store_meta VALUES ('form_key', ?) ON CONFLICT (name) DO NOTHING`, hex.EncodeToString(b)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM store_meta WHERE name = 'form_key'`).Scan(&key)
	})
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(key)
}
