package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
)

var _ ctis.PeerService = (*DB)(nil)

// PutPeer adds a peer or replaces its settings and agreement.
func (db *DB) PutPeer(ctx context.Context, p ctis.Peer) (*ctis.Peer, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	agreement, err := json.Marshal(p.Agreement)
	if err != nil {
		return nil, err
	}
	p.CreatedAt = db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for i, a := range p.Agreement.SpeaksFor {
			field := "agreement.speaks_for[" + strconv.Itoa(i) + "]"
			var node string
			switch err := tx.QueryRowContext(ctx, `SELECT node FROM agencies WHERE code = ?`, a.Code).Scan(&node); {
			case err == sql.ErrNoRows:
				if _, err := tx.ExecContext(ctx, `INSERT INTO agencies (code, name, country, kind, node, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
					a.Code, a.Name, a.Country, string(a.Kind), p.Name, stamp(p.CreatedAt)); err != nil {
					return err
				}
			case err != nil:
				return err
			case node == "":
				return ctis.Invalid(field, "%s is one of this node's agencies: no peer speaks for it", a.Code)
			case node != p.Name:
				return ctis.Invalid(field, "%s is an agency of node %s: peer %s cannot speak for it", a.Code, node, p.Name)
			default:
				if _, err := tx.ExecContext(ctx, `UPDATE agencies SET name = ?, country = ?, kind = ? WHERE code = ?`, a.Name, a.Country, string(a.Kind), a.Code); err != nil {
					return err
				}
			}
		}
		var affected []string
		for from, to := range p.Agreement.Recipients {
			for _, r := range to {
				if g, ok := strings.CutPrefix(r, ctis.GroupPrefix); ok {
					if !exists(ctx, tx, `SELECT 1 FROM sharing_groups WHERE name = ?`, g) {
						return ctis.Invalid("agreement.recipients."+from, "no sharing group %q here", g)
					}
					members, err := queryStrings(ctx, tx, `SELECT agency FROM group_members WHERE grp = ?`, g)
					if err != nil {
						return err
					}
					affected = append(affected, members...)
				} else if !exists(ctx, tx, `SELECT 1 FROM agencies WHERE code = ?`, r) {
					return ctis.Invalid("agreement.recipients."+from, "no agency %s here", r)
				} else {
					affected = append(affected, r)
				}
			}
		}
		var created string
		switch err := tx.QueryRowContext(ctx, `SELECT created_at FROM peers WHERE name = ?`, p.Name).Scan(&created); {
		case err == sql.ErrNoRows:
			_, err = tx.ExecContext(ctx, `INSERT INTO peers (name, url, fingerprint, client_cert, client_key, token_file, collection, agreement, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.Name, p.URL, p.Fingerprint, p.ClientCert, p.ClientKey, p.TokenFile, p.Collection, string(agreement), stamp(p.CreatedAt))
			if err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			p.CreatedAt = parseStamp(created)
			// The next pull reads from the start, so that what was pulled
			// under the agreement before is mapped under this one.
			if _, err := tx.ExecContext(ctx, `DELETE FROM peer_cursors WHERE peer = ?`, p.Name); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE peers SET url = ?, fingerprint = ?, client_cert = ?, client_key = ?, token_file = ?, collection = ?, agreement = ?
				WHERE name = ?`, p.URL, p.Fingerprint, p.ClientCert, p.ClientKey, p.TokenFile, p.Collection, string(agreement), p.Name); err != nil {
				return err
			}
		}
		_, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActPeerPut, p.Name, "", map[string]any{
			"url": p.URL, "fingerprint": p.Fingerprint, "collection": p.Collection, "agreement": p.Agreement}), affected...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Peers lists the node's peers.
func (db *DB) Peers(ctx context.Context) ([]ctis.Peer, error) {
	if _, err := ctis.Require(ctx, ctis.RoleAdmin); err != nil {
		return nil, err
	}
	return db.peers(ctx, db.r, "")
}

// peers loads every peer, or the one named.
func (db *DB) peers(ctx context.Context, q querier, name string) ([]ctis.Peer, error) {
	where, args := "", []any{}
	if name != "" {
		where, args = ` WHERE name = ?`, []any{name}
	}
	rows, err := q.QueryContext(ctx, `SELECT name, url, fingerprint, client_cert, client_key, token_file, collection, agreement, created_at
		FROM peers`+where+` ORDER BY name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.Peer{}
	for rows.Next() {
		var p ctis.Peer
		var agreement, created string
		if err := rows.Scan(&p.Name, &p.URL, &p.Fingerprint, &p.ClientCert, &p.ClientKey, &p.TokenFile, &p.Collection, &agreement, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(agreement), &p.Agreement); err != nil {
			return nil, err
		}
		for i := range p.Agreement.SpeaksFor {
			p.Agreement.SpeaksFor[i].Node = p.Name
		}
		p.CreatedAt = parseStamp(created)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i := range out {
		p := &out[i]
		if h, ok, err := db.peerHead(ctx, q, p.Name); err != nil {
			return nil, err
		} else if ok {
			p.Witnessed = &h
		}
		if p.Alarm, err = db.peerAlarm(ctx, q, p.Name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RemovePeer removes a peer and its cursors.
func (db *DB) RemovePeer(ctx context.Context, name string) error {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM peers WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = ctis.ErrNotFound("peer")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM peer_cursors WHERE peer = ?`, name); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActPeerRemove, name, "", nil))
		return err
	})
}

// PeerCursor is where a pull of a peer's collection resumes.
func (db *DB) PeerCursor(ctx context.Context, peer, collection string) (time.Time, error) {
	if _, err := ctis.Require(ctx, ctis.RoleAdmin); err != nil {
		return time.Time{}, err
	}
	var at string
	err := db.r.QueryRowContext(ctx, `SELECT added_last FROM peer_cursors WHERE peer = ? AND collection = ?`, peer, collection).Scan(&at)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	}
	return parseStamp(at), err
}

// ApplyPeerPage stores a page pulled from a peer and advances its cursor
// in the same transaction, so that a page is stored whole or not at all
// and a pull resumes after the last page stored.
func (db *DB) ApplyPeerPage(ctx context.Context, page ctis.PeerPage) (*ctis.PeerReport, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, err
	}
	rep := &ctis.PeerReport{}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		peers, err := db.peers(ctx, tx, page.Peer)
		if err != nil {
			return err
		}
		if len(peers) == 0 {
			return ctis.ErrNotFound("peer")
		}
		agreement := peers[0].Agreement
		// Every statement is checked before any is stored.
		for i, e := range page.Entities {
			for _, s := range e.Statements {
				if !agreement.Speaks(s.Originator) {
					return ctis.Errorf(ctis.EFORBIDDEN, "entity %s (%d on the page): statement %s is originated by %s, an agency peer %s does not speak for "+
						"under the agreement; nothing of the page was stored", e.ID, i+1, s.ID, s.Originator, page.Peer)
				}
			}
		}
		var changed []string
		now := db.now()
		if err := db.withWriter(ctx, tx, id, func(w *writer) error {
			for i, e := range page.Entities {
				ids, err := db.applyPeerEntity(ctx, w, page.Peer, agreement, e, rep)
				if err != nil {
					return ctis.Prefix("entities["+strconv.Itoa(i)+"]", err)
				}
				changed = append(changed, ids...)
			}
			return nil
		}); err != nil {
			return err
		}
		// A pull reads again a little before its cursor: the cursor only
		// moves on.
		var last string
		err = tx.QueryRowContext(ctx, `SELECT added_last FROM peer_cursors WHERE peer = ? AND collection = ?`, page.Peer, page.Collection).Scan(&last)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		if page.AddedLast.After(parseStamp(last)) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO peer_cursors (peer, collection, added_last, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (peer, collection) DO UPDATE SET added_last = excluded.added_last, updated_at = excluded.updated_at`,
				page.Peer, page.Collection, stamp(page.AddedLast), stamp(now)); err != nil {
				return err
			}
		}
		if len(changed) == 0 {
			return nil
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActPeerPull, page.Peer, "", map[string]any{
			"collection": page.Collection, "added": rep.Added, "withdrawn": rep.Withdrawn, "statements": changed}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// WithdrawUnreleased withdraws the statements held of the peer's agencies
// that released does not name.
func (db *DB) WithdrawUnreleased(ctx context.Context, peer string, released map[string]bool) (int, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return 0, err
	}
	var gone []string
	err = db.tx(ctx, func(tx *sql.Tx) error {
		peers, err := db.peers(ctx, tx, peer)
		if err != nil {
			return err
		}
		if len(peers) == 0 {
			return ctis.ErrNotFound("peer")
		}
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.originator FROM statements s JOIN agencies a ON a.code = s.originator
			WHERE s.withdrawn_at IS NULL AND a.node = ?`, peer)
		if err != nil {
			return err
		}
		var originators []string
		gone = gone[:0]
		for rows.Next() {
			var s, originator string
			if err := rows.Scan(&s, &originator); err != nil {
				rows.Close()
				return err
			}
			if !released[s] {
				gone, originators = append(gone, s), append(originators, originator)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(gone) == 0 {
			return err
		}
		now := db.now()
		for i, s := range gone {
			if err := takeBack(ctx, tx, now, peer, s, originators[i]); err != nil {
				return err
			}
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActPeerPull, peer, "", map[string]any{"reconciled": true, "withdrawn": len(gone), "statements": gone}))
		return err
	})
	if err != nil {
		return 0, err
	}
	return len(gone), nil
}

// takeBack withdraws a statement of originator, an agency of the peer,
// that the peer no longer releases to this node, and keeps it to its
// originator: what the originator no longer allows this node's agencies
// to see, none of them sees here, withdrawn or not.
func takeBack(ctx context.Context, tx *sql.Tx, now time.Time, peer, statement, originator string) error {
	if _, err := tx.ExecContext(ctx, withdrawSQL+`id = ?`, withdrawArgs(now, originator, "no longer released to this node by node "+peer, statement)...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM statement_agencies WHERE statement_seq = (SELECT seq FROM statements WHERE id = ?)`, statement); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE statements SET distribution = ?, grp = NULL, frontline = 0 WHERE id = ?`, string(ctis.DistOriginator), statement)
	return err
}

// applyPeerEntity stores the statements of one entity pulled from the
// peer named peer and returns the IDs of those it added or withdrew.
func (db *DB) applyPeerEntity(ctx context.Context, w *writer, peer string, agreement ctis.Agreement, e ctis.Entity, rep *ctis.PeerReport) ([]string, error) {
	schema, ok := ctis.Schemas[e.Schema]
	if !ok {
		return nil, ctis.Invalid("schema", "unknown schema %q", e.Schema)
	}
	switch stored, err := w.schemaOf(ctx, e.ID); {
	case err != nil:
		return nil, err
	case stored == "":
		w.insertEntity(e.ID, schema.Name)
	case stored != e.Schema:
		return nil, ctis.Invalid("schema", "entity %s is a %s here, not a %s", e.ID, stored, e.Schema)
	}
	var changed []string
	given := map[string]bool{}
	for i, s := range e.Statements {
		given[s.ID] = true
		field := "statements[" + strconv.Itoa(i) + "]"
		var entity, originator string
		var withdrawn sql.NullString
		// A page may hold a statement twice: the first is inserted
		// before the second is looked for.
		if err := w.flush(ctx); err != nil {
			return nil, err
		}
		err := w.tx.QueryRowContext(ctx, `SELECT entity_id, originator, withdrawn_at FROM statements WHERE id = ?`, s.ID).Scan(&entity, &originator, &withdrawn)
		switch {
		case err == sql.ErrNoRows:
			p, ok := schema.Property(s.Property)
			if !ok {
				return nil, ctis.Invalid(field+".property", "schema %s has no property %q", schema.Name, s.Property)
			}
			if s.Handling, err = db.localHandling(ctx, w.tx, agreement, s.Handling); err != nil {
				return nil, err
			}
			if s.ReviewBy == "" || s.ReviewBy > w.review {
				// This node keeps a statement no longer than its own
				// retention, whatever the peer's.
				s.ReviewBy = w.review
			}
			s.EntityID = e.ID
			if s.Withdrawn != nil {
				// Only the originator withdraws, and people's names stay
				// at their node.
				s.Withdrawn.By = s.Originator
			}
			if err := w.insert1(ctx, p, s); err != nil {
				return nil, err
			}
			rep.Added++
			changed = append(changed, s.ID)
		case err != nil:
			return nil, err
		case entity != e.ID || originator != s.Originator:
			return nil, ctis.Invalid(field, "statement %s is held here on another entity or of another originator", s.ID)
		default:
			done := false
			if s.Withdrawn != nil && !withdrawn.Valid {
				if _, err := w.tx.ExecContext(ctx, withdrawSQL+`id = ?`, withdrawArgs(s.Withdrawn.At, s.Originator, s.Withdrawn.Reason, s.ID)...); err != nil {
					return nil, err
				}
				rep.Withdrawn++
				done = true
			}
			remapped, err := db.remap(ctx, w, agreement, s)
			if err != nil {
				return nil, err
			}
			if remapped {
				rep.Remapped++
				done = true
			}
			if done {
				changed = append(changed, s.ID)
			} else {
				rep.Unchanged++
			}
		}
	}
	// An entity's object holds every statement on it the peer releases to
	// this node, but those naming another entity, which travel as
	// relationships of their own. One of the peer's statements held here
	// and no longer given was taken back (the peer's group no longer
	// holds this node's account, or the statement was purged there): it
	// is withdrawn here, so that this node never shows it wider than its
	// originator now allows.
	rows, err := w.tx.QueryContext(ctx, `SELECT s.id, s.property, s.originator FROM statements s JOIN agencies a ON a.code = s.originator
		WHERE s.entity_id = ? AND s.withdrawn_at IS NULL AND a.node = ?`, e.ID, peer)
	if err != nil {
		return nil, err
	}
	type held struct{ id, originator string }
	var gone []held
	for rows.Next() {
		var h held
		var property string
		if err := rows.Scan(&h.id, &property, &h.originator); err != nil {
			rows.Close()
			return nil, err
		}
		if p, _ := schema.Property(property); p.Type != ctis.TypeEntity && !given[h.id] {
			gone = append(gone, h)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, h := range gone {
		if err := takeBack(ctx, w.tx, w.now, peer, h.id, h.originator); err != nil {
			return nil, err
		}
		rep.Withdrawn++
		changed = append(changed, h.id)
	}
	return changed, nil
}

// remap gives a statement held from a peer the handling the agreement
// maps its handling to now, if that is not the one it has: an agreement
// replaced applies to what was pulled under the one before, once it is
// pulled again (PutPeer has the next pull read from the start).
func (db *DB) remap(ctx context.Context, w *writer, agreement ctis.Agreement, s ctis.Statement) (bool, error) {
	h, err := db.localHandling(ctx, w.tx, agreement, s.Handling)
	if err != nil {
		return false, err
	}
	held, err := db.rawStatements(ctx, w.tx, `s.id = ?`, []any{s.ID})
	if err != nil || len(held) != 1 {
		return false, err
	}
	was := held[0].Handling
	if was.Distribution == h.Distribution && was.Group == h.Group && slices.Equal(was.Agencies, h.Agencies) && was.Frontline == h.Frontline &&
		was.HitNotice == h.HitNotice && was.Restriction == h.Restriction && was.RestrictionText == h.RestrictionText {
		return false, nil
	}
	var seq int64
	if err := w.tx.QueryRowContext(ctx, `SELECT seq FROM statements WHERE id = ?`, s.ID).Scan(&seq); err != nil {
		return false, err
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE statements SET distribution = ?, grp = ?, frontline = ?, hit_notice = ?, restriction = ?, restriction_text = ?
		WHERE seq = ?`, string(h.Distribution), nullable(h.Group), h.Frontline, h.HitNotice, string(h.Restriction), h.RestrictionText, seq); err != nil {
		return false, err
	}
	if _, err := w.tx.ExecContext(ctx, `DELETE FROM statement_agencies WHERE statement_seq = ?`, seq); err != nil {
		return false, err
	}
	for _, a := range h.Agencies {
		if _, err := w.q.ExecContext(ctx, `INSERT INTO statement_agencies (statement_seq, agency) VALUES (?, ?)`, seq, a); err != nil {
			return false, err
		}
	}
	return true, nil
}

// localHandling is the handling on this node of a peer's statement under
// h: the same use (tearline, hit notice, restriction) for the recipients
// here that the agreement maps h's recipients to, and no others. A
// mapping to one sharing group keeps the group; one to several, or to
// groups and agencies, is released to their members as they are now.
func (db *DB) localHandling(ctx context.Context, tx *sql.Tx, a ctis.Agreement, h ctis.Handling) (ctis.Handling, error) {
	agencies, groups := a.Local(h)
	out := ctis.Handling{Distribution: ctis.DistOriginator, Frontline: h.Frontline, HitNotice: h.HitNotice,
		Restriction: h.Restriction, RestrictionText: h.RestrictionText}
	switch {
	case len(groups) == 1 && len(agencies) == 0:
		out.Distribution, out.Group = ctis.DistGroup, groups[0]
		return out, nil
	case len(groups) > 0:
		args := make([]any, len(groups))
		for i, g := range groups {
			args[i] = g
		}
		members, err := queryStrings(ctx, tx, `SELECT agency FROM group_members WHERE grp IN (`+placeholders(len(groups))+`)`, args...)
		if err != nil {
			return out, err
		}
		agencies = append(agencies, members...)
		slices.Sort(agencies)
		agencies = slices.Compact(agencies)
	}
	if len(agencies) > 0 {
		out.Distribution, out.Agencies = ctis.DistAgencies, agencies
	}
	return out, nil
}
