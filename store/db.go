// Package store is the store of ctis, on one of two engines sharing the
// same queries. The embedded engine is one SQLite file, opened with a
// pure-Go driver, in WAL mode with full synchronous commits so that a
// write acknowledged to a caller survives a killed process or a power cut.
// The server engine is a PostgreSQL database, for a node whose processes
// share one store; its commits are synchronous too, as the server's
// synchronous_commit says by default. What differs between the two is
// kept in dialect.go.
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
	"sync"
	"sync/atomic"
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
	// w has one connection, whose transactions start IMMEDIATE on SQLite
	// and with the dialect's lock on PostgreSQL: writers queue here, and
	// the audit chain head is read and advanced under it.
	w *sql.DB
	// r serves reads concurrently, from WAL snapshots on SQLite, from
	// read-only sessions on PostgreSQL.
	r       *sql.DB
	opts    Options
	dialect dialect
	// dsn is the address the store was opened at, for a listening
	// connection of its own.
	dsn string

	// The writer: writes wait on writes and are committed in groups
	// (see tx) until closed is closed.
	writerOnce sync.Once
	writes     chan *write
	closed     chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	// commits and grouped count the writer's commits and the writes they
	// acknowledged.
	commits, grouped atomic.Int64
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

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Open opens the store at dsn and brings its schema up to date. A
// postgres:// or postgresql:// URL names a PostgreSQL database, which
// must exist; anything else is the path of a SQLite file, created if
// missing.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
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
	if IsPostgres(dsn) {
		w, r, err := openPostgres(dsn)
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		// A new PostgreSQL connection costs a round of authentication:
		// the pool keeps those it opened.
		n := max(2, runtime.GOMAXPROCS(0))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		return start(ctx, &DB{w: w, r: r, opts: opts, dialect: postgresDialect, dsn: dsn}, dsn)
	}
	pragmas := "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(30000)"
	file := "file:" + (&url.URL{Path: dsn}).EscapedPath() + "?" + pragmas
	w, err := sql.Open("sqlite", file+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", file+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(max(2, runtime.GOMAXPROCS(0)))
	return start(ctx, &DB{w: w, r: r, opts: opts, dialect: sqliteDialect, dsn: dsn}, dsn)
}

// start brings a newly opened store's schema and derived data up to date,
// closing it on failure.
func start(ctx context.Context, db *DB, dsn string) (*DB, error) {
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", Describe(dsn), err)
	}
	if err := db.refold(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: folding names again: %w", Describe(dsn), err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	err := errClosed
	db.closeOnce.Do(func() {
		db.writerOnce.Do(func() {}) // no writer starts after this
		if db.closed != nil {
			close(db.closed)
			<-db.writerDone
		}
		err = errorsJoin(db.r.Close(), db.w.Close())
	})
	return err
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (db *DB) migrate(ctx context.Context) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return err
	}
	names, err := migrations.ReadDir(db.dialect.migrations)
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
			body, err := migrations.ReadFile(db.dialect.migrations + "/" + n.Name())
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

// tx runs fn in one write transaction and commits it; any error rolls
// back all that fn wrote, so a batch is applied entirely or not at all.
//
// Concurrent writers share commits (group commit): fns waiting while a
// commit is under way run together in the next transaction, each within
// a savepoint of its own, so that one failing rolls back only its own
// writes, and all are acknowledged by one commit and one sync to disk.
// fn must not start a transaction of its own.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	op := opName()
	db.writerOnce.Do(db.startWriter)
	done := make(chan error, 1)
	w := &write{ctx: ctx, fn: fn, done: done}
	select {
	case db.writes <- w:
	case <-ctx.Done():
		return db.opError(op, ctx.Err())
	case <-db.closed:
		return db.opError(op, errClosed)
	}
	return db.opError(op, <-done)
}

// write is one caller's transaction, waiting for the writer, which
// answers on done once: the writer alone reads and sets answered.
type write struct {
	ctx      context.Context
	fn       func(*sql.Tx) error
	done     chan error
	answered bool
}

// run runs w's function in tx; a panic in it fails this write alone, as
// it would have failed only its caller's request had it run there.
func (w *write) run(db *DB, tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a write transaction: %v", p)
		}
	}()
	claimed, err := db.claimRequestKey(w.ctx, tx)
	if err != nil {
		return err
	}
	if err := w.fn(tx); err != nil {
		if claimed { // rolled back with the write
			ctis.RequestKeyFrom(w.ctx).Claimed = false
		}
		return err
	}
	return nil
}

// answer tells the caller of w how its write ended, unless told already.
func (w *write) answer(err error) {
	if !w.answered {
		w.answered = true
		w.done <- err
	}
}

// maxGroup bounds the writes one commit takes.
const maxGroup = 128

var errClosed = errors.New("the store is closed")

// startWriter starts the writer, which commits waiting writes in groups
// until the store is closed.
func (db *DB) startWriter() {
	db.writes, db.closed, db.writerDone = make(chan *write), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(db.writerDone)
		for {
			var group []*write
			select {
			case w := <-db.writes:
				group = append(group, w)
			case <-db.closed:
				return
			}
		more:
			for len(group) < maxGroup {
				select {
				case w := <-db.writes:
					group = append(group, w)
				default:
					break more
				}
			}
			db.commit(group)
		}
	}()
}

// commit runs a group of writes in one transaction. A write alone runs as
// it is; in a group, each runs within a savepoint.
func (db *DB) commit(group []*write) {
	db.commits.Add(1)
	db.grouped.Add(int64(len(group)))
	finish := func(err error) {
		for _, w := range group {
			w.answer(err)
		}
	}
	ctx := group[0].ctx
	if len(group) > 1 {
		// The transaction outlives any one caller's context; each
		// caller's statements still run under its own.
		ctx = context.Background()
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		finish(err)
		return
	}
	if db.dialect.lock != "" {
		if _, err := tx.ExecContext(ctx, db.dialect.lock); err != nil {
			tx.Rollback()
			finish(err)
			return
		}
	}
	if len(group) == 1 {
		if err := group[0].run(db, tx); err != nil {
			tx.Rollback()
			finish(err)
			return
		}
		finish(tx.Commit())
		return
	}
	for _, w := range group {
		if err := w.ctx.Err(); err != nil {
			w.answer(err)
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT w`); err != nil {
			tx.Rollback()
			finish(err)
			return
		}
		err := w.run(db, tx)
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT w`); rerr != nil {
				tx.Rollback()
				w.answer(err)
				finish(rerr)
				return
			}
		}
		if _, rerr := tx.ExecContext(ctx, `RELEASE SAVEPOINT w`); rerr != nil {
			tx.Rollback()
			finish(rerr)
			return
		}
		if err != nil {
			w.answer(err)
		}
	}
	finish(tx.Commit())
}

// Commits returns how many write transactions the store has committed or
// tried to, and how many writes they held: with many concurrent writers,
// the second is the larger.
func (db *DB) Commits() (commits, writes int64) { return db.commits.Load(), db.grouped.Load() }

// opName names the store operation that called tx: the method, never a
// value.
func opName() string {
	if pc, _, _, ok := runtime.Caller(2); ok {
		if f := runtime.FuncForPC(pc); f != nil {
			return strings.TrimPrefix(f.Name(), "ctis/store.")
		}
	}
	return "transaction"
}

// opError names the store operation a database error happened in, so
// that the log of an internal error says where. Application errors pass
// as they are.
func (db *DB) opError(op string, err error) error {
	var ce *ctis.Error
	if err == nil || errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("%s %s: %w", db.dialect.name, op, err)
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
