package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"ctis"
)

const authorityColumns = `id, agency, country, instrument, name, jurisdiction, languages, channels, hours, verified_on, created_at, updated_at, removed_at`

func (db *DB) scanAuthority(row interface{ Scan(...any) error }) (ctis.Authority, error) {
	var a ctis.Authority
	var languages, channels, created, updated string
	var removed sql.NullString
	err := row.Scan(&a.ID, &a.Agency, &a.Country, &a.Instrument, &a.Name, &a.Jurisdiction, &languages, &channels, &a.Hours, &a.VerifiedOn, &created, &updated, &removed)
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(languages), &a.Languages); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(channels), &a.Channels); err != nil {
		return a, err
	}
	a.CreatedAt, a.UpdatedAt, a.Removed = parseStamp(created), parseStamp(updated), removed.Valid
	a.Stale = ctis.StaleOn(a.VerifiedOn, db.now())
	return a, nil
}

// requireKeeper returns the caller if it may keep directory entries: an
// analyst or administrator of a member agency. The node's operator
// belongs to no agency, so keeps none.
func requireKeeper(ctx context.Context) (ctis.Identity, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleAdmin)
	if err == nil && id.Agency == "" {
		err = ctis.Errorf(ctis.EFORBIDDEN, "directory entries are kept by a member agency")
	}
	return id, err
}

// CreateAuthority adds an entry kept by the caller's agency.
func (db *DB) CreateAuthority(ctx context.Context, a ctis.Authority) (*ctis.Authority, error) {
	made, err := db.createAuthorities(ctx, []ctis.Authority{a}, "")
	if err != nil {
		return nil, err
	}
	return &made[0], nil
}

// ImportAuthorities adds entries kept by the caller's agency, all or none:
// an entry at fault is named by its place in the list ("[3].country").
func (db *DB) ImportAuthorities(ctx context.Context, list []ctis.Authority) ([]ctis.Authority, error) {
	if len(list) == 0 {
		return nil, ctis.Invalid("", "no directory entries to import")
	}
	return db.createAuthorities(ctx, list, "[%d]")
}

// createAuthorities checks and adds entries in one transaction; where
// names each entry's place in errors ("" for a single one).
func (db *DB) createAuthorities(ctx context.Context, list []ctis.Authority, where string) ([]ctis.Authority, error) {
	id, err := requireKeeper(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(list)
	now, today := db.now(), db.today()
	for i := range out {
		a := &out[i]
		if err := a.Validate(today); err != nil {
			if where != "" {
				return nil, ctis.Prefix(fmt.Sprintf(where, i), err)
			}
			return nil, err
		}
		a.ID, a.Agency, a.CreatedAt, a.UpdatedAt, a.Removed = ctis.NewID(), id.Agency, now, now, false
		a.Stale = ctis.StaleOn(a.VerifiedOn, now)
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		events := make([]ctis.AuditEvent, 0, len(out))
		for _, a := range out {
			languages, _ := json.Marshal(a.Languages)
			channels, _ := json.Marshal(a.Channels)
			if _, err := tx.ExecContext(ctx, `INSERT INTO authorities (`+authorityColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
				a.ID, a.Agency, a.Country, string(a.Instrument), a.Name, a.Jurisdiction, string(languages), string(channels), a.Hours, a.VerifiedOn, stamp(now), stamp(now)); err != nil {
				return err
			}
			events = append(events, event(id, ctis.ActAuthorityCreate, a.ID, "", authorityDetail(a)))
		}
		_, err := db.appendAudit(ctx, tx, events...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// authorityDetail is what the audit trail keeps of an entry.
func authorityDetail(a ctis.Authority) map[string]any {
	return map[string]any{"country": a.Country, "instrument": a.Instrument, "name": a.Name, "jurisdiction": a.Jurisdiction,
		"languages": a.Languages, "channels": a.Channels, "hours": a.Hours, "verified_on": a.VerifiedOn}
}

// ownAuthority reads a live entry for a change by the caller's agency.
func (db *DB) ownAuthority(ctx context.Context, tx *sql.Tx, id ctis.Identity, authorityID string) (ctis.Authority, error) {
	a, err := db.scanAuthority(tx.QueryRowContext(ctx, `SELECT `+authorityColumns+` FROM authorities WHERE id = ? AND removed_at IS NULL`, authorityID))
	if err == sql.ErrNoRows {
		return a, ctis.ErrNotFound("authority")
	}
	if err == nil && a.Agency != id.Agency {
		err = ctis.Errorf(ctis.EFORBIDDEN, "this entry is kept by %s; only that agency changes it", a.Agency)
	}
	return a, err
}

// UpdateAuthority replaces an entry of the caller's agency.
func (db *DB) UpdateAuthority(ctx context.Context, a ctis.Authority) (*ctis.Authority, error) {
	id, err := requireKeeper(ctx)
	if err != nil {
		return nil, err
	}
	if !ctis.ValidID(a.ID) {
		return nil, ctis.ErrNotFound("authority")
	}
	if err := a.Validate(db.today()); err != nil {
		return nil, err
	}
	languages, _ := json.Marshal(a.Languages)
	channels, _ := json.Marshal(a.Channels)
	err = db.tx(ctx, func(tx *sql.Tx) error {
		old, err := db.ownAuthority(ctx, tx, id, a.ID)
		if err != nil {
			return err
		}
		now := db.now()
		a.Agency, a.CreatedAt, a.UpdatedAt, a.Removed = old.Agency, old.CreatedAt, now, false
		a.Stale = ctis.StaleOn(a.VerifiedOn, now)
		if _, err := tx.ExecContext(ctx, `UPDATE authorities SET country = ?, instrument = ?, name = ?, jurisdiction = ?, languages = ?, channels = ?, hours = ?, verified_on = ?, updated_at = ? WHERE id = ?`,
			a.Country, string(a.Instrument), a.Name, a.Jurisdiction, string(languages), string(channels), a.Hours, a.VerifiedOn, stamp(now), a.ID); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActAuthorityUpdate, a.ID, "", map[string]any{"before": authorityDetail(old), "after": authorityDetail(a)}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// RemoveAuthority marks an entry of the caller's agency removed.
func (db *DB) RemoveAuthority(ctx context.Context, authorityID string) error {
	id, err := requireKeeper(ctx)
	if err != nil {
		return err
	}
	if !ctis.ValidID(authorityID) {
		return ctis.ErrNotFound("authority")
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		old, err := db.ownAuthority(ctx, tx, id, authorityID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE authorities SET removed_at = ? WHERE id = ?`, stamp(db.now()), authorityID); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActAuthorityRemove, authorityID, "", authorityDetail(old)))
		return err
	})
}

// Authorities lists the live entries that q asks for. The directory is
// small (a few entries per country and instrument), so the text and the
// age are matched here rather than in SQL, the same on both engines.
func (db *DB) Authorities(ctx context.Context, q ctis.AuthorityQuery) ([]ctis.Authority, error) {
	if _, err := ctis.Require(ctx); err != nil {
		return nil, err
	}
	q.Country = strings.ToUpper(strings.TrimSpace(q.Country))
	q.Agency = strings.ToUpper(strings.TrimSpace(q.Agency))
	if q.Instrument != "" && !slices.Contains(ctis.Instruments, q.Instrument) {
		return nil, ctis.Invalid("instrument", "unknown instrument %q", q.Instrument)
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	if len(text) > 200 {
		return nil, ctis.Invalid("text", "search text of at most 200 bytes")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+authorityColumns+` FROM authorities WHERE removed_at IS NULL
		AND (? = '' OR country = ?) AND (? = '' OR instrument = ?) AND (? = '' OR agency = ?)
		ORDER BY country, instrument, name, id`, q.Country, q.Country, string(q.Instrument), string(q.Instrument), q.Agency, q.Agency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.Authority{}
	for rows.Next() {
		a, err := db.scanAuthority(rows)
		if err != nil {
			return nil, err
		}
		if q.Stale && !a.Stale {
			continue
		}
		if text != "" && !strings.Contains(strings.ToLower(a.Name+"\n"+a.Jurisdiction+"\n"+strings.Join(a.Channels, "\n")), text) {
			continue
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Authority returns one entry, removed or not.
func (db *DB) Authority(ctx context.Context, authorityID string) (*ctis.Authority, error) {
	if _, err := ctis.Require(ctx); err != nil {
		return nil, err
	}
	if !ctis.ValidID(authorityID) {
		return nil, ctis.ErrNotFound("authority")
	}
	a, err := db.scanAuthority(db.r.QueryRowContext(ctx, `SELECT `+authorityColumns+` FROM authorities WHERE id = ?`, authorityID))
	if err == sql.ErrNoRows {
		return nil, ctis.ErrNotFound("authority")
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}
