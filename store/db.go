// Package store is the store of ctis. Its embedded engine is one SQLite
// file, opened with a pure-Go driver, in WAL mode with full synchronous commits so that a
// write acknowledged to a caller survives a killed process or a power cut.
//
// DB implements ctis.DirectoryService, ctis.AuthService,
// ctis.EntityService and ctis.AuditLog. Handling rules are applied inside
// its queries (see access.go), never left to callers.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"time"

	"ctis"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options tune a DB. The zero value is usable.
type Options struct {
	// ReviewPolicy decides what happens to statements past their review
	// date; the default is ctis.ReviewFlag.
	ReviewPolicy ctis.ReviewPolicy
	// ReviewPeriod is the node's maximum retention of a statement before
	// its originator must review it: the review date given to statements
	// that name none, and the latest one a statement may name (a later
	// review_by is refused, naming the latest allowed date). The default
	// is three years.
	ReviewPeriod time.Duration
	// Retention is the travel-data policy; the zero value means
	// ctis.EUPNRPolicy.
	Retention ctis.RetentionPolicy
	// Now returns the current time; tests set it. Default time.Now.
	Now func() time.Time
}

// DB is an open ctis database.
type DB struct {
	// w has one connection, whose transactions start IMMEDIATE: writers
	// queue here, and the audit chain head is read and advanced under it.
	w *sql.DB
	// r serves reads concurrently from WAL snapshots.
	r    *sql.DB
	opts Options
}

// Every store interface a node's services need (ctis.Services, less the
// screening and hash indexes, which wrap the store).
var (
	_ ctis.DirectoryService = (*DB)(nil)
	_ ctis.AuthService      = (*DB)(nil)
	_ ctis.EntityService    = (*DB)(nil)
	_ ctis.AuditLog         = (*DB)(nil)
	_ ctis.ReviewService    = (*DB)(nil)
	_ ctis.TravelService    = (*DB)(nil)
	_ ctis.RuleService      = (*DB)(nil)
	_ ctis.DocumentService  = (*DB)(nil)
	_ ctis.ChangeLog        = (*DB)(nil)
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens or creates the database at path and brings its schema up to
// date.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.ReviewPolicy == "" {
		opts.ReviewPolicy = ctis.ReviewFlag
	}
	switch opts.ReviewPolicy {
	case ctis.ReviewFlag, ctis.ReviewHide, ctis.ReviewPurge:
	default:
		return nil, fmt.Errorf("unknown review policy %q (known: flag, hide, purge)", opts.ReviewPolicy)
	}
	if opts.ReviewPeriod <= 0 {
		opts.ReviewPeriod = 3 * 365 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Retention != (ctis.RetentionPolicy{}) {
		if err := opts.Retention.Validate(); err != nil {
			return nil, err
		}
	}
	pragmas := "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(30000)"
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	db := &DB{w: w, opts: opts}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.refold(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: folding names again: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(2, runtime.GOMAXPROCS(0)))
	db.r = r
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	return errorsJoin(db.r.Close(), db.w.Close())
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	names, err := migrations.ReadDir("migrations")
	if err != nil {
		return err
	}
	sort.Slice(names, func(i, j int) bool { return names[i].Name() < names[j].Name() })
	for _, n := range names {
		err := db.tx(ctx, func(tx *sql.Tx) error {
			var done int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, n.Name()).Scan(&done); err != nil || done > 0 {
				return err
			}
			body, err := migrations.ReadFile("migrations/" + n.Name())
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", n.Name(), err)
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?)`, n.Name(), stamp(time.Now()))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// tx runs fn in one write transaction and commits it; any error rolls the
// whole transaction back, so a batch is applied entirely or not at all.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return opError(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return opError(err)
	}
	return opError(tx.Commit())
}

// opError names the store operation a database error happened in — the
// method that opened the transaction, never a value — so that the log of
// an internal error says where. Application errors pass as they are.
func opError(err error) error {
	var ce *ctis.Error
	if err == nil || errors.As(err, &ce) {
		return err
	}
	op := "transaction"
	if pc, _, _, ok := runtime.Caller(2); ok {
		if f := runtime.FuncForPC(pc); f != nil {
			op = strings.TrimPrefix(f.Name(), "ctis/store.")
		}
	}
	return fmt.Errorf("sqlite %s: %w", op, err)
}

func (db *DB) now() time.Time { return db.opts.Now().UTC() }

func (db *DB) today() string { return db.now().Format("2006-01-02") }

// latestReview is the latest review date a statement may carry today:
// the node keeps a statement at most ReviewPeriod before its review.
func (db *DB) latestReview() string { return db.now().Add(db.opts.ReviewPeriod).Format("2006-01-02") }

// checkReviewBy refuses a review date beyond the node's retention.
func (db *DB) checkReviewBy(field, reviewBy, latest string) error {
	if reviewBy > latest {
		return ctis.Invalid(field, "review date %s is beyond what the node keeps a statement unreviewed: the latest allowed is %s", reviewBy, latest)
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// placeholders returns "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func timeFromNanos(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// queryStrings runs a query of one text column and returns its values.
func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
