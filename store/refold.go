package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"ctis"
)

// refold brings the search keys, name tokens and travel-name tokens up to
// the current ctis.FoldVersion, in one transaction, when the store was
// folded otherwise: search must find what screening finds, and both read
// names through ctis.Fold.
func (db *DB) refold(ctx context.Context) error {
	var version string
	err := db.w.QueryRowContext(ctx, `SELECT value FROM store_meta WHERE name = 'fold'`).Scan(&version)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if version == ctis.FoldVersion {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.seq, e.schema, s.property, s.value FROM statements s JOIN entities e ON e.id = s.entity_id`)
		if err != nil {
			return err
		}
		type keyed struct {
			seq       int64
			key       string
			tokenized bool
		}
		var all []keyed
		for rows.Next() {
			var seq int64
			var schema, property, value string
			if err := rows.Scan(&seq, &schema, &property, &value); err != nil {
				rows.Close()
				return err
			}
			p := ctis.Property{Type: ctis.TypeText}
			if s, ok := ctis.Schemas[schema]; ok {
				p, _ = s.Property(property)
			}
			all = append(all, keyed{seq, ctis.Key(p.Type, value), p.Type == ctis.TypeName})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM name_tokens`); err != nil {
			return err
		}
		for _, k := range all {
			if _, err := tx.ExecContext(ctx, `UPDATE statements SET key = ? WHERE seq = ?`, k.key, k.seq); err != nil {
				return err
			}
		}
		for _, k := range all {
			if !k.tokenized {
				continue
			}
			for _, t := range strings.Fields(k.key) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO name_tokens VALUES (?, ?) ON CONFLICT DO NOTHING`, t, k.seq); err != nil {
					return err
				}
			}
		}
		// Travel names: only records whose tokens are still kept (unmasked).
		trows, err := tx.QueryContext(ctx, `SELECT p.record_id, p.data FROM travel_personal p WHERE p.record_id IN (SELECT record_id FROM travel_names)`)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for trows.Next() {
			var id, personal string
			if err := trows.Scan(&id, &personal); err != nil {
				trows.Close()
				return err
			}
			var tp ctis.TravelPersonal
			json.Unmarshal([]byte(personal), &tp)
			names[id] = tp.Name
		}
		trows.Close()
		if err := trows.Err(); err != nil {
			return err
		}
		for id, name := range names {
			if _, err := tx.ExecContext(ctx, `DELETE FROM travel_names WHERE record_id = ?`, id); err != nil {
				return err
			}
			for _, t := range strings.Fields(ctis.Fold(name)) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO travel_names VALUES (?, ?) ON CONFLICT DO NOTHING`, t, id); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO store_meta VALUES ('fold', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, ctis.FoldVersion)
		return err
	})
}
