package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"ctis"
)

// statementKey identifies a statement's content and handling for Sync:
// two statements with the same key say the same thing under the same rules.
func statementKey(property, value string, h ctis.Handling, g ctis.Grading) string {
	return strings.Join([]string{property, value, string(h.Distribution), strings.Join(h.Agencies, ","), h.Group,
		strconv.FormatBool(h.Frontline), strconv.FormatBool(h.HitNotice), string(h.Restriction), h.RestrictionText, string(g)}, "\x00")
}

// Sync makes the caller's live statements on each entity equal to those given.
func (db *DB) Sync(ctx context.Context, batch []ctis.NewEntity, complete bool, reason string) (*ctis.SyncReport, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, ctis.Invalid("reason", "a sync needs a reason for the withdrawals it makes")
	}
	today := db.today()
	schemas := make([]*ctis.Schema, len(batch))
	named := make(map[string]bool, len(batch))
	for i := range batch {
		if batch[i].ID == "" {
			return nil, ctis.Invalid("["+strconv.Itoa(i)+"].id", "synced entities need an ID")
		}
		if named[batch[i].ID] {
			return nil, ctis.Invalid("["+strconv.Itoa(i)+"].id", "entity %s appears twice", batch[i].ID)
		}
		named[batch[i].ID] = true
		if schemas[i], err = batch[i].Validate(today); err != nil {
			return nil, ctis.Prefix("["+strconv.Itoa(i)+"]", err)
		}
	}
	rep := &ctis.SyncReport{}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		return db.withWriter(ctx, tx, id, func(w *writer) error {
			if err := w.lookUpKeys(ctx, batch, schemas); err != nil {
				return err
			}
			withdraw, err := tx.PrepareContext(ctx, withdrawSQL+`id = ?`)
			if err != nil {
				return err
			}
			defer withdraw.Close()
			var changed []string
			synced := make(map[string]bool, len(batch))
			for i, e := range batch {
				// A feed's keys name its own entries only: what other agencies
				// hold, visible or not, never stands in its way.
				entityID, stored, err := w.resolve(ctx, e.ID, false)
				if err != nil {
					return err
				}
				if err := w.resolveRefs(ctx, schemas[i], e.Statements); err != nil {
					return err
				}
				if entityID == "" {
					e.ID = ctis.ScopedID(id.Agency, e.ID)
					if _, err := w.create(ctx, schemas[i], e); err != nil {
						return ctis.Prefix("["+strconv.Itoa(i)+"]", err)
					}
					synced[e.ID] = true
					rep.Created++
					rep.Added += len(e.Statements)
					changed = append(changed, e.ID)
					continue
				}
				synced[entityID] = true
				if stored != schemas[i].Name {
					return ctis.Invalid("["+strconv.Itoa(i)+"].schema", "entity %s is stored as a %s", e.ID, stored)
				}
				live, err := w.live(ctx, entityID)
				if err != nil {
					return err
				}
				var add []ctis.NewStatement
				for _, ns := range e.Statements {
					k := statementKey(ns.Property, ns.Value, ns.Handling, ns.Grading)
					if _, ok := live[k]; ok {
						delete(live, k)
					} else {
						add = append(add, ns)
					}
				}
				if len(add) == 0 && len(live) == 0 {
					rep.Unchanged++
					continue
				}
				if _, err := w.add(ctx, schemas[i], entityID, add); err != nil {
					return ctis.Prefix("["+strconv.Itoa(i)+"]", err)
				}
				for _, sid := range live {
					if _, err := withdraw.ExecContext(ctx, withdrawArgs(w.now, id.Username, reason, sid)...); err != nil {
						return err
					}
				}
				rep.Changed++
				rep.Added += len(add)
				rep.Withdrawn += len(live)
				changed = append(changed, entityID)
			}
			if complete {
				if err := w.flush(ctx); err != nil {
					return err
				}
				gone, err := db.withdrawUnnamed(ctx, tx, withdraw, id, synced, w.now, reason)
				if err != nil {
					return err
				}
				rep.Removed = len(gone)
				for _, n := range gone {
					rep.Withdrawn += n
				}
				for e := range gone {
					changed = append(changed, e)
				}
			}
			_, err = db.appendAudit(ctx, tx, event(id, ctis.ActSync, "", "", map[string]any{"report": rep, "entities": changed, "reason": reason}))
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// liveStatements maps the keys of agency's statements on an entity that
// are not withdrawn to their IDs.
func (db *DB) liveStatements(ctx context.Context, tx querier, agency, entityID string) (map[string]string, error) {
	st, err := db.statements(ctx, tx, ctis.Viewer{Agency: agency}, `s.entity_id = ? AND s.originator = ? AND s.withdrawn_at IS NULL`, []any{entityID, agency})
	if err != nil {
		return nil, err
	}
	live := make(map[string]string, len(st))
	for _, s := range st {
		live[statementKey(s.Property, s.Value, s.Handling, s.Grading)] = s.ID
	}
	return live, nil
}

// withdrawUnnamed withdraws every live statement of the caller's agency on
// entities the feed no longer names, and returns how many per entity.
func (db *DB) withdrawUnnamed(ctx context.Context, tx *sql.Tx, withdraw *sql.Stmt, id ctis.Identity, named map[string]bool, at time.Time, reason string) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT entity_id, id FROM statements WHERE originator = ? AND withdrawn_at IS NULL`, id.Agency)
	if err != nil {
		return nil, err
	}
	var ids, entities []string
	for rows.Next() {
		var e, s string
		if err := rows.Scan(&e, &s); err != nil {
			rows.Close()
			return nil, err
		}
		if !named[e] {
			entities, ids = append(entities, e), append(ids, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	gone := map[string]int{}
	for i, s := range ids {
		if _, err := withdraw.ExecContext(ctx, withdrawArgs(at, id.Username, reason, s)...); err != nil {
			return nil, err
		}
		gone[entities[i]]++
	}
	return gone, nil
}
