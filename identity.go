package ctis

import (
	"context"
	"slices"
	"strings"
)

// Role is what a user may do. A user holds one or more roles.
type Role string

// Roles known to ctis.
const (
	RoleAdmin     Role = "admin"     // node administrator: agencies, users, tokens, sharing groups
	RoleAnalyst   Role = "analyst"   // contributes statements, searches, exports
	RoleFrontline Role = "frontline" // border, immigration, police: sees only tearline statements
	RoleAuditor   Role = "auditor"   // oversight: reads and verifies the audit trail
	RoleApprover  Role = "approver"  // approves another user's request to unmask depersonalised travel data
	RoleDPO       Role = "dpo"       // data-protection officer: is told of every unmasking
)

// Roles lists every role in a stable order.
var Roles = []Role{RoleAdmin, RoleAnalyst, RoleFrontline, RoleAuditor, RoleApprover, RoleDPO}

// ParseRoles parses a comma-separated role list.
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	for _, p := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(p))
		if r == "" {
			continue
		}
		if !slices.Contains(Roles, r) {
			return nil, Invalid("roles", "unknown role %q (known: admin, analyst, frontline, auditor, approver, dpo)", string(r))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, Invalid("roles", "at least one role is required")
	}
	return out, nil
}

// Identity is who a request runs as: one user of one agency. Every service
// call that reads or writes data takes it from the context.
type Identity struct {
	UserID   string
	Username string
	Agency   string
	Roles    []Role
	// Language is the language the user chose for the pages, one of
	// Languages; empty until they choose.
	Language string
	// System marks the local operator acting through the CLI on the
	// database file: it administers and audits the node but belongs to no
	// agency, so it reads no statement.
	System bool
}

// SystemIdentity is the local operator named name (an OS user).
func SystemIdentity(name string) Identity {
	return Identity{Username: "cli:" + name, Roles: []Role{RoleAdmin, RoleAuditor}, System: true}
}

// Has reports whether the identity holds role r.
func (id Identity) Has(r Role) bool { return slices.Contains(id.Roles, r) }

// FrontlineOnly reports whether the identity sees only statements released
// for frontline use: a frontline officer without an analyst role.
func (id Identity) FrontlineOnly() bool {
	return id.Has(RoleFrontline) && !id.Has(RoleAnalyst)
}

// Viewer is the part of an identity that handling rules look at.
func (id Identity) Viewer() Viewer {
	return Viewer{Agency: id.Agency, FrontlineOnly: id.FrontlineOnly()}
}

type identityKey struct{}
type purposeKey struct{}

// NewContext returns ctx carrying the identity.
func NewContext(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity in ctx, if any.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok && (id.Agency != "" || id.System)
}

// WithPurpose returns ctx carrying the purpose of the reads made with it,
// such as a case number. Every read of personal data must carry one.
func WithPurpose(ctx context.Context, purpose string) context.Context {
	return context.WithValue(ctx, purposeKey{}, strings.TrimSpace(purpose))
}

// PurposeFrom returns the purpose in ctx, or "".
func PurposeFrom(ctx context.Context) string {
	p, _ := ctx.Value(purposeKey{}).(string)
	return p
}

// MaxPurpose is the longest purpose accepted.
const MaxPurpose = 200

// Require returns the identity in ctx if it holds any of roles; with no
// roles given any authenticated identity passes.
func Require(ctx context.Context, roles ...Role) (Identity, error) {
	id, ok := IdentityFrom(ctx)
	if !ok {
		return Identity{}, Errorf(EUNAUTHORIZED, "authentication required")
	}
	if len(roles) == 0 {
		return id, nil
	}
	for _, r := range roles {
		if id.Has(r) {
			return id, nil
		}
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return Identity{}, Errorf(EFORBIDDEN, "this needs the %s role", strings.Join(names, " or "))
}

// RequirePurpose is Require for reads of personal data: it also demands a
// purpose in ctx and returns it.
func RequirePurpose(ctx context.Context, roles ...Role) (Identity, string, error) {
	id, err := Require(ctx, roles...)
	if err != nil {
		return id, "", err
	}
	p := PurposeFrom(ctx)
	if p == "" {
		return id, "", Invalid("purpose", "a purpose (such as a case number) is required to read personal data")
	}
	if len(p) > MaxPurpose {
		return id, "", Invalid("purpose", "purpose is longer than %d bytes", MaxPurpose)
	}
	return id, p, nil
}
