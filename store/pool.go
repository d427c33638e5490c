package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxPrepared bounds the queries a pool keeps prepared: queries with
// a list of values of varying length (IN (?, ?, …)) each have their own
// text, and are many. The first ones asked are kept: the hot ones.
const maxPrepared = 512

// pool is a pool of connections that prepares each query once on
// SQLite: parsing a query's handling conditions cost a read more than
// running it, and an audited read's few statements cost its write more
// than running them. PostgreSQL's driver keeps its own prepared
// statements.
type pool struct {
	*sql.DB
	prepare bool
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	// wanted are queries asked for inside a transaction of the writer's
	// pool, whose one connection the transaction holds: they are
	// prepared once it ends (prepareWanted).
	wanted map[string]bool
}

func newPool(db *sql.DB, prepare bool) *pool {
	return &pool{DB: db, prepare: prepare, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// prepared returns q prepared on the pool if it is, else marks it wanted.
func (p *pool) prepared(q string) *sql.Stmt {
	if !p.prepare {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.stmts[q]
	if st == nil && len(p.stmts)+len(p.wanted) < maxPrepared {
		p.wanted[q] = true
	}
	return st
}

// prepareWanted prepares the queries transactions wanted, while no
// transaction holds the connection.
func (p *pool) prepareWanted(ctx context.Context) {
	p.mu.Lock()
	var qs []string
	for q := range p.wanted {
		qs = append(qs, q)
	}
	clear(p.wanted)
	p.mu.Unlock()
	for _, q := range qs {
		p.stmt(ctx, q)
	}
}

// stmt returns q prepared, or nil when q is run as it is.
func (p *pool) stmt(ctx context.Context, q string) *sql.Stmt {
	if !p.prepare {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st, ok := p.stmts[q]; ok {
		return st
	}
	if len(p.stmts) >= maxPrepared {
		// Queries beyond the bound run unprepared. Closing prepared ones
		// to make room could close one another goroutine is about to use.
		return nil
	}
	st, err := p.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil // the query runs unprepared and reports the error
	}
	p.stmts[q] = st
	return st
}

func (p *pool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, q, args...)
}

func (p *pool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, q, args...)
}

// Close closes the prepared statements and the pool.
func (p *pool) Close() error {
	p.mu.Lock()
	for _, st := range p.stmts {
		st.Close()
	}
	clear(p.stmts)
	p.mu.Unlock()
	return p.DB.Close()
}

// stmtCache runs queries in one transaction, each prepared once in it, or
// bound to the pool's prepared statement when the pool keeps one: a
// batch asks the same few questions of every entity, and a writer's
// transactions ask the same few each time.
type stmtCache struct {
	tx    *sql.Tx
	pool  *pool
	stmts map[string]*sql.Stmt
}

func newStmtCache(tx *sql.Tx, p *pool) *stmtCache {
	return &stmtCache{tx: tx, pool: p, stmts: map[string]*sql.Stmt{}}
}

func (c *stmtCache) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if ps := c.pool.prepared(q); ps != nil {
		st = c.tx.StmtContext(ctx, ps)
	} else {
		var err error
		if st, err = c.tx.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
	}
	c.stmts[q] = st
	return st, nil
}

func (c *stmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return c.tx.QueryRowContext(ctx, q, args...) // which reports the error
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *stmtCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}
