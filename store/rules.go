package store

import (
	"context"
	"database/sql"
	"strings"

	"ctis"
)

// SaveRule stores a rule as a new version.
func (db *DB) SaveRule(ctx context.Context, r ctis.Rule) (*ctis.Rule, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len(r.Name) > 200 {
		return nil, ctis.Invalid("name", "a rule needs a name of at most 200 bytes")
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if r.ID == "" {
			r.ID, r.Version = ctis.NewID(), 1
		} else {
			var agency string
			var last int
			err := tx.QueryRowContext(ctx, `SELECT agency, version FROM rules WHERE id = ? ORDER BY version DESC LIMIT 1`, r.ID).Scan(&agency, &last)
			if err != nil || last == 0 || agency != id.Agency {
				return ctis.ErrNotFound("rule")
			}
			r.Version = last + 1
		}
		r.Agency, r.CreatedBy, r.CreatedAt = id.Agency, id.Username, db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Version, r.Agency, r.Name, r.Description,
			r.Expression, r.Score, r.Disabled, r.CreatedBy, stamp(r.CreatedAt)); err != nil {
			return err
		}
		_, err := db.appendAudit(ctx, tx, event(id, ctis.ActRuleSave, r.ID, "", map[string]any{"version": r.Version, "expression": r.Expression, "disabled": r.Disabled}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

const ruleColumns = `id, version, agency, name, description, expression, score, disabled, created_by, created_at`

func (db *DB) rules(ctx context.Context, where string, args ...any) ([]ctis.Rule, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+ruleColumns+` FROM rules WHERE `+where+` ORDER BY id, version DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.Rule{}
	for rows.Next() {
		var r ctis.Rule
		var at string
		if err := rows.Scan(&r.ID, &r.Version, &r.Agency, &r.Name, &r.Description, &r.Expression, &r.Score, &r.Disabled, &r.CreatedBy, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = parseStamp(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Rules lists the latest version of each of the agency's rules.
func (db *DB) Rules(ctx context.Context) ([]ctis.Rule, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	return db.rules(ctx, `agency = ? AND version = (SELECT max(version) FROM rules r2 WHERE r2.id = rules.id)`, id.Agency)
}

// RuleVersions lists every version of one of the agency's rules.
func (db *DB) RuleVersions(ctx context.Context, ruleID string) ([]ctis.Rule, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	out, err := db.rules(ctx, `agency = ? AND id = ?`, id.Agency, ruleID)
	if err == nil && len(out) == 0 {
		return nil, ctis.ErrNotFound("rule")
	}
	return out, err
}
