package store

import (
	"context"
	"database/sql"

	"ctis"
)

// Internals for the external tests.

// WriteTx runs fn as one of the writer's writes (see tx).
func (db *DB) WriteTx(ctx context.Context, fn func(*sql.Tx) error) error { return db.tx(ctx, fn) }

// AppendAudit appends an event acted by id inside a write's tx.
func (db *DB) AppendAudit(ctx context.Context, tx *sql.Tx, id ctis.Identity, action, object string) error {
	_, err := db.appendAudit(ctx, tx, event(id, action, object, "", nil))
	return err
}

// Reader is the store's pool of read connections.
func (db *DB) Reader() *sql.DB { return db.r.DB }

// ValueRows is "(?, …), …": n rows of cols values.
var ValueRows = valueRows
