package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/secret"
)

// CreateAgency adds a member agency.
func (db *DB) CreateAgency(ctx context.Context, a ctis.Agency) (*ctis.Agency, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.Node != "" {
		return nil, ctis.Invalid("node", "the agencies of a peer's node come with its agreement (ctis peer add)")
	}
	a.CreatedAt = db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if exists(ctx, tx, `SELECT 1 FROM agencies WHERE code = ?`, a.Code) {
			return &ctis.Error{Code: ctis.ECONFLICT, Field: "code", Message: "agency " + a.Code + " exists already"}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agencies (code, name, country, kind, created_at) VALUES (?, ?, ?, ?, ?)`, a.Code, a.Name, a.Country, string(a.Kind), stamp(a.CreatedAt)); err != nil {
			return err
		}
		_, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActAgencyCreate, a.Code, "", map[string]string{"name": a.Name, "country": a.Country, "kind": string(a.Kind)}), a.Code))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Agencies lists every member agency: membership is not secret among members.
func (db *DB) Agencies(ctx context.Context) ([]ctis.Agency, error) {
	if _, err := ctis.Require(ctx); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT code, name, country, kind, node, created_at FROM agencies ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.Agency{}
	for rows.Next() {
		var a ctis.Agency
		var created string
		if err := rows.Scan(&a.Code, &a.Name, &a.Country, &a.Kind, &a.Node, &created); err != nil {
			return nil, err
		}
		a.CreatedAt = parseStamp(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreateUser adds a user with a first API token.
func (db *DB) CreateUser(ctx context.Context, nu ctis.NewUser) (*ctis.User, string, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, "", err
	}
	if err := nu.Validate(); err != nil {
		return nil, "", err
	}
	var hash string
	if nu.Password != "" {
		hash = secret.HashPassword(nu.Password)
	}
	u := &ctis.User{ID: ctis.NewID(), Username: nu.Username, Agency: nu.Agency, Roles: nu.Roles, CreatedAt: db.now()}
	var token string
	err = db.tx(ctx, func(tx *sql.Tx) error {
		if !exists(ctx, tx, `SELECT 1 FROM agencies WHERE code = ?`, u.Agency) {
			return ctis.Invalid("agency", "no agency %s: add it first with 'ctis agency add'", u.Agency)
		}
		// A user of a peer's agency would read here, as its originator,
		// every statement that agency sent, whatever their handling.
		if exists(ctx, tx, `SELECT 1 FROM agencies WHERE code = ? AND node <> ''`, u.Agency) {
			return ctis.Invalid("agency", "%s is an agency of a peer node: its people work at their own node", u.Agency)
		}
		if exists(ctx, tx, `SELECT 1 FROM users WHERE username = ?`, u.Username) {
			return &ctis.Error{Code: ctis.ECONFLICT, Field: "username", Message: "username " + u.Username + " is taken"}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, agency, roles, password_hash, created_at, email) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Username, u.Agency, joinRoles(u.Roles), hash, stamp(u.CreatedAt), nu.Email)
		if err != nil {
			return err
		}
		if _, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActUserCreate, u.ID, "", map[string]any{"username": u.Username, "agency": u.Agency, "roles": u.Roles}), u.Agency)); err != nil {
			return err
		}
		_, token, err = db.insertToken(ctx, tx, id, u.ID, u.Agency, ctis.CredentialAPI, "initial", nil)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return u, token, nil
}

// Users lists every user.
func (db *DB) Users(ctx context.Context) ([]ctis.User, error) {
	if _, err := ctis.Require(ctx, ctis.RoleAdmin); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, username, agency, roles, created_at, disabled, language FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.User{}
	for rows.Next() {
		var u ctis.User
		var roles, created string
		if err := rows.Scan(&u.ID, &u.Username, &u.Agency, &roles, &created, &u.Disabled, &u.Language); err != nil {
			return nil, err
		}
		u.Roles, u.CreatedAt = splitRoles(roles), parseStamp(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetLanguage keeps the signed-in user's choice of language for the
// pages.
func (db *DB) SetLanguage(ctx context.Context, language string) error {
	id, err := ctis.Require(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(ctis.Languages, language) {
		return ctis.Invalid("language", "%q is not one of %s", language, strings.Join(ctis.Languages, ", "))
	}
	if id.UserID == "" {
		return ctis.Errorf(ctis.EFORBIDDEN, "only a user has a language of their own")
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET language = ? WHERE id = ?`, language, id.UserID); err != nil {
			return err
		}
		_, err := db.appendAudit(ctx, tx, event(id, ctis.ActUserLanguage, id.UserID, "", map[string]string{"language": language}))
		return err
	})
}

// CreateToken issues a new API token for a user.
func (db *DB) CreateToken(ctx context.Context, userID, name string) (*ctis.Token, string, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, "", ctis.Invalid("name", "a token needs a name of at most 100 bytes, saying what uses it")
	}
	var t *ctis.Token
	var token string
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var agency string
		err := tx.QueryRowContext(ctx, `SELECT agency FROM users WHERE id = ?`, userID).Scan(&agency)
		if errors.Is(err, sql.ErrNoRows) {
			return ctis.ErrNotFound("user")
		}
		if err != nil {
			return err
		}
		t, token, err = db.insertToken(ctx, tx, id, userID, agency, ctis.CredentialAPI, name, nil)
		return err
	})
	return t, token, err
}

// insertToken issues a token to the user userID of agency, acted by by.
func (db *DB) insertToken(ctx context.Context, tx *sql.Tx, by ctis.Identity, userID, agency string, kind ctis.CredentialKind, name string, expires *time.Time) (*ctis.Token, string, error) {
	t := &ctis.Token{ID: ctis.NewID(), UserID: userID, Name: name, CreatedAt: db.now(), ExpiresAt: expires}
	token := secret.NewToken()
	var exp any
	if expires != nil {
		exp = stamp(*expires)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, user_id, kind, name, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, userID, string(kind), name, secret.HashToken(token), stamp(t.CreatedAt), exp)
	if err != nil {
		return nil, "", err
	}
	action := ctis.ActTokenCreate
	if expires != nil {
		action = ctis.ActLogin
	}
	_, err = db.appendAudit(ctx, tx, affecting(event(by, action, t.ID, "", map[string]string{"user_id": userID, "name": name, "kind": string(kind)}), agency))
	return t, token, err
}

// RevokeToken revokes a token.
func (db *DB) RevokeToken(ctx context.Context, tokenID string) error {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		var agency string
		err := tx.QueryRowContext(ctx, `SELECT u.agency FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`, tokenID).Scan(&agency)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, stamp(db.now()), tokenID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ctis.ErrNotFound("token")
		}
		_, err = db.appendAudit(ctx, tx, affecting(event(id, ctis.ActTokenRevoke, tokenID, "", nil), agency))
		return err
	})
}

// PutGroup creates or replaces a sharing group.
func (db *DB) PutGroup(ctx context.Context, g ctis.SharingGroup) (*ctis.SharingGroup, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if !ctis.ValidGroupName(g.Name) {
		return nil, ctis.Invalid("name", "group name must be 2-64 letters, digits, '-', '_' or '.'")
	}
	for i := range g.Agencies {
		g.Agencies[i] = strings.ToUpper(strings.TrimSpace(g.Agencies[i]))
	}
	g.Agencies = sortedUnique(g.Agencies)
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for i, a := range g.Agencies {
			if !exists(ctx, tx, `SELECT 1 FROM agencies WHERE code = ?`, a) {
				return ctis.Invalid("agencies["+strconv.Itoa(i)+"]", "no agency %s", a)
			}
		}
		// The members before and after: what each shares with whom changed.
		before, err := queryStrings(ctx, tx, `SELECT agency FROM group_members WHERE grp = ?`, g.Name)
		if err != nil {
			return err
		}
		// Replacing a group's members keeps the time it was created.
		if _, err := tx.ExecContext(ctx, `INSERT INTO sharing_groups VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, g.Name, stamp(db.now())); err != nil {
			return err
		}
		var created string
		if err := tx.QueryRowContext(ctx, `SELECT created_at FROM sharing_groups WHERE name = ?`, g.Name).Scan(&created); err != nil {
			return err
		}
		g.CreatedAt = parseStamp(created)
		if _, err := tx.ExecContext(ctx, `DELETE FROM group_members WHERE grp = ?`, g.Name); err != nil {
			return err
		}
		for _, a := range g.Agencies {
			if _, err := tx.ExecContext(ctx, `INSERT INTO group_members VALUES (?, ?)`, g.Name, a); err != nil {
				return err
			}
		}
		// A member taken in sees the group's statements from now on: they
		// are listed again as changed now, so that a peer pulling as that
		// member takes them at its next pull, though they were recorded
		// before its cursor. (A member let go is told by the peer's
		// reconciliation, which reads the listing whole.)
		if slices.ContainsFunc(g.Agencies, func(a string) bool { return !slices.Contains(before, a) }) {
			ns := db.now().UnixNano()
			if _, err := tx.ExecContext(ctx, `UPDATE statements SET changed_ns = CASE WHEN changed_ns > ? THEN changed_ns ELSE ? END
				WHERE distribution = 'group' AND grp = ? AND withdrawn_at IS NULL`, ns, ns, g.Name); err != nil {
				return err
			}
		}
		_, err = db.appendAudit(ctx, tx, affecting(event(id, ctis.ActGroupPut, g.Name, "", map[string]any{"agencies": g.Agencies, "before": before}),
			append(before, g.Agencies...)...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// Groups lists the sharing groups and their members.
func (db *DB) Groups(ctx context.Context) ([]ctis.SharingGroup, error) {
	if _, err := ctis.Require(ctx); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT g.name, g.created_at, coalesce(m.agency, '') FROM sharing_groups g LEFT JOIN group_members m ON m.grp = g.name ORDER BY g.name, m.agency`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.SharingGroup{}
	for rows.Next() {
		var name, created, agency string
		if err := rows.Scan(&name, &created, &agency); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, ctis.SharingGroup{Name: name, CreatedAt: parseStamp(created), Agencies: []string{}})
		}
		if agency != "" {
			out[len(out)-1].Agencies = append(out[len(out)-1].Agencies, agency)
		}
	}
	return out, rows.Err()
}

var errBadCredentials = ctis.Errorf(ctis.EUNAUTHORIZED, "invalid credentials")

// Authenticate resolves a token secret of the given kind to the identity
// it runs as.
func (db *DB) Authenticate(ctx context.Context, kind ctis.CredentialKind, token string) (ctis.Identity, error) {
	if !strings.HasPrefix(token, secret.TokenPrefix) || len(token) > 100 || !validKind(kind) {
		return ctis.Identity{}, errBadCredentials
	}
	var id ctis.Identity
	var roles string
	var expires sql.NullString
	var disabled bool
	err := db.r.QueryRowContext(ctx, `SELECT u.id, u.username, u.agency, u.roles, u.language, u.disabled, t.expires_at
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND t.kind = ? AND t.revoked_at IS NULL`, secret.HashToken(token), string(kind)).
		Scan(&id.UserID, &id.Username, &id.Agency, &roles, &id.Language, &disabled, &expires)
	if errors.Is(err, sql.ErrNoRows) || disabled || expires.Valid && !db.now().Before(parseStamp(expires.String)) {
		return ctis.Identity{}, errBadCredentials
	}
	if err != nil {
		return ctis.Identity{}, err
	}
	id.Roles = splitRoles(roles)
	return id, nil
}

// Login checks a password and opens a session of the given kind.
func (db *DB) Login(ctx context.Context, kind ctis.CredentialKind, username, password string, ttl time.Duration) (ctis.Identity, string, error) {
	if !validKind(kind) {
		return ctis.Identity{}, "", ctis.Invalid("kind", "unknown kind of session %q", kind)
	}
	username = strings.ToLower(strings.TrimSpace(username))
	var id ctis.Identity
	var roles, hash string
	var disabled bool
	err := db.r.QueryRowContext(ctx, `SELECT id, username, agency, roles, language, password_hash, disabled FROM users WHERE username = ?`, username).
		Scan(&id.UserID, &id.Username, &id.Agency, &roles, &id.Language, &hash, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ctis.Identity{}, "", err
	}
	ok := false
	if hash != "" {
		ok = secret.CheckPassword(hash, password)
	} else {
		secret.DummyCheck(password)
	}
	if !ok || disabled {
		// The failure is the user's agency's business; an unknown name is the node's.
		fail := event(ctis.Identity{Username: username, Agency: id.Agency}, ctis.ActLoginFailed, id.UserID, "", nil)
		if _, err := db.audit(ctx, fail); err != nil {
			return ctis.Identity{}, "", err
		}
		return ctis.Identity{}, "", errBadCredentials
	}
	id.Roles = splitRoles(roles)
	expires := db.now().Add(ttl)
	var token string
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		_, token, err = db.insertToken(ctx, tx, id, id.UserID, id.Agency, kind, "session", &expires)
		return err
	})
	return id, token, err
}

// LoginThrottled audits a login attempt the API refused unchecked, in the
// scope of the user's agency when the user exists.
func (db *DB) LoginThrottled(ctx context.Context, username string) error {
	username = strings.ToLower(strings.TrimSpace(username))
	var userID, agency string
	err := db.r.QueryRowContext(ctx, `SELECT id, agency FROM users WHERE username = ?`, username).Scan(&userID, &agency)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = db.audit(ctx, event(ctis.Identity{Username: username, Agency: agency}, ctis.ActLoginThrottled, userID, "", nil))
	return err
}

// Logout revokes a session token of the given kind.
func (db *DB) Logout(ctx context.Context, kind ctis.CredentialKind, token string) error {
	id, err := db.Authenticate(ctx, kind, token)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE hash = ? AND kind = ? AND expires_at IS NOT NULL`, stamp(db.now()), secret.HashToken(token), string(kind)); err != nil {
			return err
		}
		_, err := db.appendAudit(ctx, tx, event(id, ctis.ActLogout, id.UserID, "", nil))
		return err
	})
}

func validKind(k ctis.CredentialKind) bool { return k == ctis.CredentialAPI || k == ctis.CredentialWeb }

func exists(ctx context.Context, tx *sql.Tx, q string, args ...any) bool {
	var one int
	return tx.QueryRowContext(ctx, q, args...).Scan(&one) == nil
}

func joinRoles(rs []ctis.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitRoles(s string) []ctis.Role {
	var out []ctis.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, ctis.Role(r))
		}
	}
	return out
}

func sortedUnique(s []string) []string {
	m := map[string]bool{}
	out := []string{}
	for _, v := range s {
		if v != "" && !m[v] {
			m[v] = true
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}
