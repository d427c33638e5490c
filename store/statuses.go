package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"ctis"
)

var _ ctis.PostStatuses = (*DB)(nil)

// maxStatus bounds a kept status: one names each object of a post.
const maxStatus = 1 << 20

// KeepStatus keeps the status of a TAXII post for the caller's agency.
func (db *DB) KeepStatus(ctx context.Context, id string, status []byte) error {
	who, ok := ctis.IdentityFrom(ctx)
	if !ok || who.Agency == "" {
		return ctis.Errorf(ctis.EUNAUTHORIZED, "a status is kept for an agency's user")
	}
	if len(id) != 36 || strings.Trim(id, "0123456789abcdef-") != "" {
		return ctis.Invalid("id", "a status ID is a UUID")
	}
	if len(status) > maxStatus {
		return ctis.Invalid("status", "a status is at most %d bytes", maxStatus)
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO post_statuses (id, agency, created_at, status) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			id, who.Agency, fixedStamp(db.now()), status)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ctis.Errorf(ctis.ECONFLICT, "a status of this ID is kept already")
		}
		return nil
	})
}

// Status returns a status kept for the caller's agency.
func (db *DB) Status(ctx context.Context, id string) ([]byte, error) {
	who, ok := ctis.IdentityFrom(ctx)
	if !ok || who.Agency == "" {
		return nil, ctis.ErrNotFound("status")
	}
	var status []byte
	err := db.r.QueryRowContext(ctx, `SELECT status FROM post_statuses WHERE id = ? AND agency = ? AND created_at > ?`,
		id, who.Agency, fixedStamp(db.now().Add(-ctis.RequestKeyLifetime))).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ctis.ErrNotFound("status")
	}
	return status, err
}
