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
// ctis.EntityService, ctis.AuditLog and the other store interfaces
// listed below. Handling rules are applied inside its queries (see
// access.go), never left to callers.
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
	// EventRetention is how long event channels stay open and kept after
	// their event; the zero value means ctis.DefaultEventRetention.
	EventRetention ctis.EventRetention
	// Now returns the current time; tests set it. Default time.Now.
	Now func() time.Time
}

// DB is an open ctis database.
type DB struct {
	// w has one connection, whose transactions start IMMEDIATE on SQLite
	// and with the dialect's lock on PostgreSQL: writers queue here, and
	// the audit chain head is read and advanced under it.
	w *pool
	// r serves reads concurrently, from WAL snapshots on SQLite, from
	// read-only sessions on PostgreSQL.
	r *pool
	// checkpoints, on SQLite, has the connection that copies the WAL
	// into the database file, off the writer's path (see checkpointer).
	checkpoints *checkpointer
	opts        Options
	dialect     dialect
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
	// group is the transaction the writer is running, for the writes'
	// functions, which run on the writer's goroutine, to add to.
	group *group
}

// Every store interface a node's services need (ctis.Services, less the
// screening and hash indexes, which wrap the store).
var (
	_ ctis.DirectoryService   = (*DB)(nil)
	_ ctis.AuthService        = (*DB)(nil)
	_ ctis.EntityService      = (*DB)(nil)
	_ ctis.AuditLog           = (*DB)(nil)
	_ ctis.ReviewService      = (*DB)(nil)
	_ ctis.TravelService      = (*DB)(nil)
	_ ctis.RuleService        = (*DB)(nil)
	_ ctis.DocumentService    = (*DB)(nil)
	_ ctis.ChangeLog          = (*DB)(nil)
	_ ctis.AuthorityService   = (*DB)(nil)
	_ ctis.CooperationService = (*DB)(nil)
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
	if opts.EventRetention == (ctis.EventRetention{}) {
		opts.EventRetention = ctis.DefaultEventRetention
	}
	if err := opts.EventRetention.Validate(); err != nil {
		return nil, err
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
		return start(ctx, &DB{w: newPool(w, false), r: newPool(r, false), opts: opts, dialect: postgresDialect, dsn: dsn}, dsn)
	}
	// Statement journals (a statement inside a transaction that may have
	// to be undone alone) and temporary tables stay in memory: on disk,
	// each statement of a large batch wrote its journal page by page.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(30000)&_pragma=temp_store(MEMORY)"
	file := "file:" + (&url.URL{Path: dsn}).EscapedPath() + "?" + pragmas
	// The writer keeps a large page cache, so that a batch of thousands of
	// statements and their indexes is written out once, at its commit, not
	// spilled to the WAL page by page as it grows. It leaves checkpoints
	// to the checkpointer.
	w, err := sql.Open("sqlite", file+"&_txlock=immediate&_pragma=cache_size(-131072)&_pragma=wal_autocheckpoint(0)")
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
	c, err := sql.Open("sqlite", file)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return start(ctx, &DB{w: newPool(w, true), r: newPool(r, true), checkpoints: newCheckpointer(c), opts: opts, dialect: sqliteDialect, dsn: dsn}, dsn)
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
	if err := db.fillSTIXUUIDs(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: keeping the entities' STIX UUIDs: %w", Describe(dsn), err)
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
		var cerr error
		if db.checkpoints != nil {
			cerr = db.checkpoints.close()
		}
		err = errorsJoin(cerr, db.r.Close(), db.w.Close())
	})
	return err
}

func errorsJoin(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
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
// What every write of a group does alike — claiming its request key,
// sealing its audit events onto the chain — is sent to the database once
// for the group (see group). fn must not start a transaction of its own.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.submit(ctx, opName(), &write{ctx: ctx, fn: fn})
}

// submit hands w to the writer and waits for its answer.
func (db *DB) submit(ctx context.Context, op string, w *write) error {
	db.writerOnce.Do(db.startWriter)
	w.done = make(chan error, 1)
	select {
	case db.writes <- w:
	case <-ctx.Done():
		return db.opError(op, ctx.Err())
	case <-db.closed:
		return db.opError(op, errClosed)
	}
	return db.opError(op, <-w.done)
}

// write is one caller's transaction, waiting for the writer, which
// answers on done once: the writer alone reads and sets answered. A write
// is either fn, run in the group's transaction, or an answer to keep.
type write struct {
	ctx      context.Context
	fn       func(*sql.Tx) error
	keep     *keptAnswer
	done     chan error
	answered bool
	// claim is the request key this write claims for its request, if
	// any; refused says it was claimed before.
	claim   *ctis.RequestKey
	user    string
	refused bool
}

// run runs w's function in tx; a panic in it fails this write alone, as
// it would have failed only its caller's request had it run there.
func (w *write) run(tx *sql.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a write transaction: %v", p)
		}
	}()
	return w.fn(tx)
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

// maxBatchRows bounds the rows of one insert of a group's rows: well
// under either engine's limit on a statement's parameters.
const maxBatchRows = 500

var errClosed = errors.New("the store is closed")

// startWriter starts the writer, which commits waiting writes in groups
// until the store is closed.
func (db *DB) startWriter() {
	db.writes, db.closed, db.writerDone = make(chan *write), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(db.writerDone)
		for {
			var writes []*write
			select {
			case w := <-db.writes:
				writes = append(writes, w)
			case <-db.closed:
				return
			}
		more:
			for len(writes) < maxGroup {
				select {
				case w := <-db.writes:
					writes = append(writes, w)
				default:
					break more
				}
			}
			db.commit(writes)
			db.w.prepareWanted(context.Background())
		}
	}()
}

// execer runs statements in a transaction.
type execer interface {
	querier
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// prepared runs tx's statements prepared once, when tx is the writer's.
func (db *DB) prepared(tx *sql.Tx) execer {
	if g := db.group; g != nil && g.tx == tx {
		return g.q
	}
	return tx
}

// group is the transaction of one group of writes, as the writer runs it.
// Its writes' audit events are sealed in memory as the writes run and
// inserted together before the commit, and their request keys claimed
// together before the first runs, so that a write costs the database
// its own statements alone.
type group struct {
	tx *sql.Tx
	q  *stmtCache
	// head is the chain's head, read when the group first appends.
	head    ctis.AuditEvent
	headSet bool
	// events are sealed and not inserted yet.
	events []ctis.AuditEvent
}

// mark is what a savepoint must restore of a group when its write fails.
type mark struct {
	head    ctis.AuditEvent
	headSet bool
	events  int
}

func (g *group) mark() mark { return mark{g.head, g.headSet, len(g.events)} }

func (g *group) rollback(m mark) {
	g.head, g.headSet, g.events = m.head, m.headSet, g.events[:m.events]
}

// commit runs a group of writes in one transaction. A write alone runs as
// it is; in a group, each runs within a savepoint.
func (db *DB) commit(writes []*write) {
	db.commits.Add(1)
	db.grouped.Add(int64(len(writes)))
	finish := func(err error) {
		for _, w := range writes {
			if err != nil && !w.answered {
				unclaim(w, nil) // rolled back with the rest
			}
			w.answer(err)
		}
	}
	ctx := writes[0].ctx
	if len(writes) > 1 {
		// The transaction outlives any one caller's context; each
		// caller's statements still run under its own.
		ctx = context.Background()
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		finish(err)
		return
	}
	fail := func(err error) {
		tx.Rollback()
		finish(err)
	}
	if db.dialect.lock != "" {
		if _, err := tx.ExecContext(ctx, db.dialect.lock); err != nil {
			fail(err)
			return
		}
	}
	g := &group{tx: tx, q: newStmtCache(tx, db.w)}
	db.group = g
	defer func() {
		db.group = nil
		g.q.close()
	}()
	var runs, keeps []*write
	for _, w := range writes {
		if w.keep != nil {
			keeps = append(keeps, w)
		} else if err := w.ctx.Err(); err != nil {
			w.answer(err)
		} else {
			runs = append(runs, w)
		}
	}
	if err := db.claimRequestKeys(ctx, tx, runs); err != nil {
		fail(err)
		return
	}
	if len(writes) == 1 && len(runs) == 1 {
		w := runs[0]
		if w.refused {
			fail(errRequestDone)
			return
		}
		if err := w.run(tx); err != nil {
			fail(err)
			return
		}
		keeps = keepRendered(keeps, w)
	} else {
		saved := false
		for _, w := range runs {
			if w.refused {
				w.answer(errRequestDone)
				continue
			}
			sp := `SAVEPOINT w`
			if saved {
				sp = `RELEASE SAVEPOINT w; SAVEPOINT w`
			}
			if _, err := tx.ExecContext(ctx, sp); err != nil {
				fail(err)
				return
			}
			saved = true
			m := g.mark()
			err := w.run(tx)
			if err == nil {
				keeps = keepRendered(keeps, w)
				continue
			}
			g.rollback(m)
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT w`); rerr != nil {
				w.answer(err)
				fail(rerr)
				return
			}
			if w.claim != nil {
				if _, rerr := tx.ExecContext(ctx, `DELETE FROM request_keys WHERE user_id = ? AND key = ?`, w.user, w.claim.Key); rerr != nil {
					w.answer(err)
					fail(rerr)
					return
				}
			}
			w.answer(unclaim(w, err))
		}
	}
	if err := db.keepAnswers(ctx, tx, keeps); err != nil {
		fail(err)
		return
	}
	if err := db.sealGroup(ctx, g); err != nil {
		fail(err)
		return
	}
	err = tx.Commit()
	if err == nil && db.checkpoints != nil {
		db.checkpoints.committed()
	}
	finish(err)
}

// unclaim marks w's request key as not claimed, its claim and any answer
// kept with it rolled back with the write that failed, and returns err.
func unclaim(w *write, err error) error {
	if w.claim != nil {
		w.claim.Claimed, w.claim.Kept = false, nil
		w.claim = nil
	}
	return err
}

// keepRendered adds to keeps the answer of w's request, when w claimed
// its key and the answer can be rendered from w's result: it is kept in
// w's commit, so that no death of the process between the commit and
// the answer leaves the request carried out and its answer lost.
func keepRendered(keeps []*write, w *write) []*write {
	if w.claim == nil {
		return keeps
	}
	a := w.claim.Render()
	if a == nil {
		return keeps
	}
	k, err := newKeptAnswer(w.user, w.claim.Key, *a)
	if err != nil {
		return keeps
	}
	w.claim.Kept = a
	return append(keeps, &write{ctx: w.ctx, keep: k})
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
	return queryColumn[string](ctx, q, query, args...)
}

// queryColumn runs a query of one column and returns its values.
func queryColumn[T any](ctx context.Context, q querier, query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Analyze brings the query planner's statistics up to date, as after a
// bulk load (an import of many entities, a migration): PostgreSQL's
// VACUUM ANALYZE, SQLite's ANALYZE. Reads are served meanwhile.
func (db *DB) Analyze(ctx context.Context) error {
	q := `ANALYZE`
	if IsPostgres(db.dsn) {
		q = `VACUUM ANALYZE`
	}
	_, err := db.w.ExecContext(ctx, q)
	return err
}
