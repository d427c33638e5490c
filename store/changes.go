package store

import (
	"context"

	"ctis"
)

// Changes returns up to limit changes logged after seq after, in order.
// Every write to statements and hash banks is logged by the database
// itself, whichever process made it, so that each process can bring its
// indexes up to date.
func (db *DB) Changes(ctx context.Context, after int64, limit int) ([]ctis.Change, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT seq, kind, ref FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ctis.Change
	for rows.Next() {
		var c ctis.Change
		if err := rows.Scan(&c.Seq, &c.Kind, &c.Ref); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// HashStates returns whether each of the hash entries seqs is disabled.
func (db *DB) HashStates(ctx context.Context, seqs []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(seqs))
	for len(seqs) > 0 {
		chunk := seqs[:min(len(seqs), 500)]
		seqs = seqs[len(chunk):]
		args := make([]any, len(chunk))
		for i, s := range chunk {
			args[i] = s
		}
		rows, err := db.r.QueryContext(ctx, `SELECT seq, disabled FROM hash_entries WHERE seq IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var seq int64
			var disabled bool
			if err := rows.Scan(&seq, &disabled); err != nil {
				rows.Close()
				return nil, err
			}
			out[seq] = disabled
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LastChange returns the seq of the newest change logged, 0 when none.
func (db *DB) LastChange(ctx context.Context) (int64, error) {
	var seq int64
	err := db.r.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq)
	return seq, err
}
