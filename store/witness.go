package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"ctis"
)

// PeerHead returns the head of a peer's audit chain recorded last without
// an alarm.
func (db *DB) PeerHead(ctx context.Context, peer string) (ctis.PeerHead, bool, error) {
	if _, err := ctis.Require(ctx, ctis.RoleAdmin); err != nil {
		return ctis.PeerHead{}, false, err
	}
	return db.peerHead(ctx, db.r, peer)
}

func (db *DB) peerHead(ctx context.Context, q querier, peer string) (ctis.PeerHead, bool, error) {
	h := ctis.PeerHead{Peer: peer}
	var seen string
	err := q.QueryRowContext(ctx, `SELECT seq, hash, seen_at FROM peer_heads WHERE peer = ? AND alarm = ''
		ORDER BY seen_at DESC, seq DESC LIMIT 1`, peer).Scan(&h.Seq, &h.Hash, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return h, false, nil
	}
	h.SeenAt = parseStamp(seen)
	return h, err == nil, err
}

// peerAlarm is the last alarm raised about a peer's audit chain, if any.
func (db *DB) peerAlarm(ctx context.Context, q querier, peer string) (string, error) {
	var alarm, seen string
	err := q.QueryRowContext(ctx, `SELECT alarm, seen_at FROM peer_heads WHERE peer = ? AND alarm <> ''
		ORDER BY seen_at DESC LIMIT 1`, peer).Scan(&alarm, &seen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", err
	}
	return parseStamp(seen).Format("2006-01-02T15:04:05Z") + ": " + alarm, nil
}

// WitnessPeerHead records a head a peer served and checks it against the
// head recorded before, in one transaction.
func (db *DB) WitnessPeerHead(ctx context.Context, h ctis.PeerHead) (string, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return "", err
	}
	if h.Seq < 0 || !validHash(h.Hash) {
		return "", ctis.Invalid("head", "a head is an event number and a hex SHA-256")
	}
	if h.Previous != "" && !validHash(h.Previous) {
		return "", ctis.Invalid("previous", "the hash at the previous head is a hex SHA-256")
	}
	var alarm string
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if ps, err := db.peers(ctx, tx, h.Peer); err != nil {
			return err
		} else if len(ps) == 0 {
			return ctis.ErrNotFound("peer")
		}
		last, ok, err := db.peerHead(ctx, tx, h.Peer)
		if err != nil {
			return err
		}
		switch {
		case !ok:
		case h.Seq < last.Seq:
			alarm = fmt.Sprintf("its audit head went back from event %d to %d", last.Seq, h.Seq)
		case h.Seq == last.Seq && h.Hash != last.Hash:
			alarm = fmt.Sprintf("its audit event %d changed hash from %s to %s", h.Seq, last.Hash, h.Hash)
		case h.Seq > last.Seq && h.Previous != last.Hash:
			alarm = fmt.Sprintf("its audit event %d, witnessed with hash %s, now has hash %q: the chain was rewritten", last.Seq, last.Hash, h.Previous)
		case h.Seq == last.Seq:
			return nil // nothing new
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO peer_heads (peer, seq, hash, seen_at, alarm) VALUES (?, ?, ?, ?, ?)`,
			h.Peer, h.Seq, h.Hash, fixedStamp(db.now()), alarm); err != nil {
			return err
		}
		if alarm == "" {
			return nil
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActPeerAlarm, h.Peer, "", map[string]any{
			"alarm": alarm, "witnessed": last.AuditHead, "served": h.AuditHead, "previous": h.Previous}))
		return err
	})
	if err != nil {
		return "", err
	}
	return alarm, nil
}

// validHash reports whether s is a hex SHA-256, as the audit chain's.
func validHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ReleasedChangedAfter reports whether a statement of this node's own
// agencies, released beyond its originator, changed after t.
func (db *DB) ReleasedChangedAfter(ctx context.Context, t time.Time) (bool, time.Time, error) {
	if _, err := ctis.Require(ctx, ctis.RoleAdmin); err != nil {
		return false, time.Time{}, err
	}
	var ns int64
	err := db.r.QueryRowContext(ctx, `SELECT s.changed_ns FROM statements s WHERE s.changed_ns > ? AND s.distribution <> 'originator'
		AND s.originator IN (SELECT code FROM agencies WHERE node = '') ORDER BY s.changed_ns DESC LIMIT 1`, nanos(t)).Scan(&ns)
	if errors.Is(err, sql.ErrNoRows) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, err
	}
	return true, time.Unix(0, ns).UTC(), nil
}
