package node

import (
	"context"
	"database/sql"
	"net/url"

	_ "modernc.org/sqlite" // the store's driver, registered by the store too
)

// Counts reads the figures a scrape asks of the store that its services
// do not give: how many hits wait for review over every agency, and how
// long the audit trail is. Both are counts, read over a read-only
// connection of their own so that a scrape never waits behind the
// store's writer nor takes one of its readers; they are read from the
// store's tables (hits.status, audit_head.seq), and belong in the store
// as methods once it offers them.
type Counts struct {
	db *sql.DB
}

// OpenCounts opens the database file at path read-only for counting.
func OpenCounts(path string) (*Counts, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(1000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &Counts{db: db}, nil
}

// OpenHits counts the hits waiting for review, over every agency.
func (c *Counts) OpenHits(ctx context.Context) (int64, error) {
	var n int64
	err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM hits WHERE status = 'open'`).Scan(&n)
	return n, err
}

// AuditEvents counts the events appended to the audit trail: the
// sequence number of its head.
func (c *Counts) AuditEvents(ctx context.Context) (int64, error) {
	var n int64
	err := c.db.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&n)
	return n, err
}

// Close closes the connection.
func (c *Counts) Close() error { return c.db.Close() }
