package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"ctis"
)

// CopyReport says what Copy copied and what it checked after.
type CopyReport struct {
	Tables []TableCount
	Audit  *ctis.AuditReport
}

// TableCount is one table's rows in the source and in the copy.
type TableCount struct {
	Table          string
	Source, Copied int64
}

// notCopied are tables the copy's own migrations fill, or its triggers.
var notCopied = map[string]bool{"schema_migrations": true, "store_meta": true, "audit_head": true, "changes": true}

// copyBatch is how many rows one insert carries.
const copyBatch = 200

// Copy copies every row of src, a SQLite store, into dst, an empty store
// of either engine, table by table in the order the schema made them (so
// that a row's references are there before it), keeping every key and
// sequence number as it was; then it checks that each table holds as many
// rows in both and that the copy's audit chain verifies to the same head.
// progress, if not nil, is told of each table's rows as they are copied.
// The copy refuses a destination that holds any agency or audit event.
func Copy(ctx context.Context, src, dst *DB, progress func(table string, rows int64)) (*CopyReport, error) {
	if src.dialect.name != sqliteDialect.name {
		return nil, fmt.Errorf("the store to copy from must be a SQLite file")
	}
	var held int64
	if err := dst.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM agencies) + (SELECT count(*) FROM audit_events)`).Scan(&held); err != nil {
		return nil, err
	}
	if held > 0 {
		return nil, fmt.Errorf("the store to copy into is not empty: copy into a new database")
	}
	tables, err := queryStrings(ctx, src.r, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	rep := &CopyReport{}
	for _, t := range tables {
		if notCopied[t] {
			continue
		}
		n, err := copyTable(ctx, src, dst, t, progress)
		if err != nil {
			return nil, fmt.Errorf("copying table %s: %w", t, err)
		}
		rep.Tables = append(rep.Tables, TableCount{Table: t, Source: n})
	}
	// The chain's head, then the sequences past the copied keys.
	var head struct {
		seq  int64
		hash string
	}
	if err := src.r.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.seq, &head.hash); err != nil {
		return nil, err
	}
	err = dst.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, head.seq, head.hash); err != nil {
			return err
		}
		if dst.dialect.name != postgresDialect.name {
			return nil
		}
		cols, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`)
		if err != nil {
			return err
		}
		var idents [][2]string
		for cols.Next() {
			var t, c string
			if err := cols.Scan(&t, &c); err != nil {
				cols.Close()
				return err
			}
			idents = append(idents, [2]string{t, c})
		}
		if err := cols.Close(); err != nil {
			return err
		}
		for _, ic := range idents {
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce((SELECT max(%s) FROM %s), 0) + 1, false)`, ic[0], ic[1], ic[1], ic[0])
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("setting the copy's audit head and sequences: %w", err)
	}
	for i := range rep.Tables {
		tc := &rep.Tables[i]
		if err := dst.r.QueryRowContext(ctx, `SELECT count(*) FROM `+tc.Table).Scan(&tc.Copied); err != nil {
			return nil, err
		}
		if tc.Copied != tc.Source {
			return rep, fmt.Errorf("table %s: %d rows in the source, %d in the copy", tc.Table, tc.Source, tc.Copied)
		}
	}
	system := ctis.NewContext(ctx, ctis.SystemIdentity("copy"))
	if rep.Audit, err = dst.Verify(system, nil); err != nil {
		return rep, err
	}
	if !rep.Audit.OK {
		return rep, fmt.Errorf("the copy's audit trail does not verify: event %d: %s", rep.Audit.Broken.Seq, rep.Audit.Broken.Reason)
	}
	if rep.Audit.Head.Seq != head.seq || rep.Audit.Head.Hash != head.hash {
		return rep, fmt.Errorf("the copy's audit head is %d:%s, the source's %d:%s", rep.Audit.Head.Seq, rep.Audit.Head.Hash, head.seq, head.hash)
	}
	return rep, nil
}

// copyTable copies one table's rows, by the source's columns, in
// transactions of many rows.
func copyTable(ctx context.Context, src, dst *DB, table string, progress func(string, int64)) (int64, error) {
	cols, err := queryStrings(ctx, src.r, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return 0, err
	}
	// The rows are read from one snapshot, then written in batches.
	rtx, err := src.r.BeginTx(ctx, src.dialect.snapshot)
	if err != nil {
		return 0, err
	}
	defer rtx.Rollback()
	order := ""
	if slices.Contains(cols, "seq") {
		order = " ORDER BY seq"
	}
	rows, err := rtx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table+order)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	row := "(" + placeholders(len(cols)) + ")"
	var n int64
	var batch []any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		k := len(batch) / len(cols)
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+", ", k), ", ")
		err := dst.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, q, batch...)
			return err
		})
		batch = batch[:0]
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		batch = append(batch, vals...)
		if n++; n%copyBatch == 0 {
			if err := flush(); err != nil {
				return n, err
			}
			if progress != nil {
				progress(table, n)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := flush(); err != nil {
		return n, err
	}
	if progress != nil {
		progress(table, n)
	}
	return n, nil
}
