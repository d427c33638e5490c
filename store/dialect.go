package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"ctis"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// dialect is what differs between the engines: everything else, the
// queries included, is shared. Queries are written for both, with ?
// placeholders; PostgreSQL's connections number them (rebind).
type dialect struct {
	// name names the engine in errors: "sqlite" or "postgres".
	name string
	// migrations is the directory of the engine's migrations.
	migrations string
	// lock is the first statement of every write transaction: on
	// PostgreSQL, where several processes may write at once, it makes
	// their transactions take turns as SQLite's single writer does, so
	// that the audit chain stays one chain and a check read before an
	// insert still holds when the insert is made. Empty on SQLite, whose
	// write transactions start IMMEDIATE.
	lock string
	// inJSON is a condition that the value before it is one of the
	// strings of a JSON array given as the one argument.
	inJSON string
	// unindexed, put before a column, keeps the planner from reading
	// through an index on it.
	unindexed string
	// returning ends an insert into a table keyed by seq, for insertSeq.
	returning string
	// newSeqs takes the number of new statement sequence numbers wanted
	// and returns them; empty on SQLite, where the single write
	// transaction takes those after the largest.
	newSeqs string
	// snapshot opens a read transaction that sees one state of the
	// store throughout.
	snapshot *sql.TxOptions
}

var (
	sqliteDialect = dialect{
		name:       "sqlite",
		migrations: "migrations/sqlite",
		inJSON:     `IN (SELECT value FROM json_each(?))`,
		unindexed:  "+",
		// SQLite's read transactions read one WAL snapshot.
		snapshot: &sql.TxOptions{ReadOnly: true},
	}
	postgresDialect = dialect{
		name:       "postgres",
		migrations: "migrations/postgres",
		// Advisory locks are the database's own, so stores on one server
		// do not wait for each other. Transactions stay READ COMMITTED:
		// each statement after the lock sees every transaction committed
		// before it was granted. Under REPEATABLE READ the snapshot would
		// predate the wait.
		lock:      `SELECT pg_advisory_xact_lock(7406169321)`,
		returning: ` RETURNING seq`,
		newSeqs:   `SELECT nextval(pg_get_serial_sequence('statements', 'seq')) FROM generate_series(1, ?)`,
		inJSON:    `IN (SELECT json_array_elements_text(CAST(? AS json)))`,
		snapshot:  &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
	}
)

// insertSeq runs an insert prepared with the dialect's returning and
// returns the seq of the row inserted. SQLite's driver gives it with the
// result, which a query returning it would slow.
func (db *DB) insertSeq(ctx context.Context, insert *sql.Stmt, args ...any) (int64, error) {
	var seq int64
	if db.dialect.returning != "" {
		err := insert.QueryRowContext(ctx, args...).Scan(&seq)
		return seq, err
	}
	res, err := insert.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// IsPostgres tells whether a store address is a PostgreSQL URL rather
// than the path of a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Describe names a store address, as Open takes it, without its password,
// for messages and logs.
func Describe(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "a PostgreSQL URL that does not parse"
	}
	return u.Redacted()
}

// openPostgres opens the writer and reader pools of a PostgreSQL store.
// Readers' sessions are read-only, as SQLite's are query_only.
func openPostgres(dsn string) (w, r *sql.DB, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("the PostgreSQL URL %s: %w", Describe(dsn), err)
	}
	rcfg := cfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on"
	w = sql.OpenDB(rebinder{stdlib.GetConnector(*cfg)})
	r = sql.OpenDB(rebinder{stdlib.GetConnector(*rcfg)})
	return w, r, nil
}

// rebinder is a connector of pgx connections that take the queries as
// the store writes them: with ? placeholders, and 0/1 for booleans, as
// the integer columns both engines share hold them.
type rebinder struct{ driver.Connector }

func (c rebinder) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is a pgx connection whose queries are rebound.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// errText answers text PostgreSQL cannot hold, which SQLite keeps: the
// request is refused whole, as any invalid one, not failed as an internal
// error.
var errText = ctis.Invalid("", "the request holds text with a NUL byte or that is not valid UTF-8")

// CheckNamedValue converts arguments as database/sql does for drivers
// without a checker of their own, booleans to 0 or 1, and refuses text
// that PostgreSQL cannot hold.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case bool:
		v = int64(0)
		if x {
			v = int64(1)
		}
	case string:
		if !utf8.ValidString(x) || strings.IndexByte(x, 0) >= 0 {
			return errText
		}
	}
	nv.Value = v
	return nil
}

// rebind numbers the ? placeholders of query $1, $2, … for PostgreSQL,
// leaving alone those inside string literals, quoted identifiers and
// comments.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			// A doubled quote inside ends and reopens the literal, which
			// copies it whole just the same.
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+1])
			i += end
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
