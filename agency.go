package ctis

import (
	"context"
	"slices"
	"strings"
	"time"
)

// AgencyKind says what sort of member an agency is.
type AgencyKind string

// Agency kinds.
var AgencyKinds = []AgencyKind{
	"intelligence", "security", "law_enforcement", "border", "immigration", "customs",
	"financial_intelligence", "judicial", "international_organisation", "platform", "other",
}

// Organisations are the codes that may stand in an agency's Country field
// in place of an ISO 3166 country: international and regional organisations.
var Organisations = []string{"UN", "EU", "INTERPOL", "EUROPOL", "SCO-RATS", "CIS-ATC", "CSTO", "OSCE", "AU", "ASEAN", "GCC", "NATO"}

// Agency is a member service or organisation of the information space.
type Agency struct {
	// Code is the agency's short, stable identifier, such as "FR-DGSI".
	Code string `json:"code"`
	Name string `json:"name"`
	// Country is an ISO 3166-1 alpha-2 code, or an organisation code from
	// Organisations.
	Country string     `json:"country"`
	Kind    AgencyKind `json:"kind"`
	// Node is the peer node the agency is a member of, for an agency
	// whose statements come from a peer (Agreement.SpeaksFor); empty for
	// this node's own. An agency of a peer has no users here.
	Node      string    `json:"node,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ValidAgencyCode reports whether s is a well-formed agency code:
// 2 to 32 upper-case letters, digits and inner dashes.
func ValidAgencyCode(s string) bool {
	if len(s) < 2 || len(s) > 32 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Validate normalises and checks a.
func (a *Agency) Validate() error {
	a.Code = strings.ToUpper(strings.TrimSpace(a.Code))
	a.Name = strings.TrimSpace(a.Name)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if !ValidAgencyCode(a.Code) {
		return Invalid("code", "agency code must be 2-32 upper-case letters, digits or dashes, like FR-DGSI")
	}
	if a.Name == "" || len(a.Name) > 200 {
		return Invalid("name", "name is required and at most 200 bytes")
	}
	if !ValidCountry(a.Country) && !slices.Contains(Organisations, a.Country) {
		return Invalid("country", "%q is neither an ISO 3166-1 alpha-2 country nor a known organisation code", a.Country)
	}
	if a.Kind == "" {
		a.Kind = "other"
	}
	if !slices.Contains(AgencyKinds, a.Kind) {
		return Invalid("kind", "unknown agency kind %q", a.Kind)
	}
	return nil
}

// User is a person who works in ctis for one agency.
type User struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Agency    string    `json:"agency"`
	Roles     []Role    `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	Disabled  bool      `json:"disabled"`
	// Language is the language the user chose for the pages; empty
	// until they choose.
	Language string `json:"language,omitempty"`
}

// Languages are the languages ctis speaks to people in: the six official
// languages of the United Nations, by ISO 639-1 code, the first the
// default. Arabic is written right to left; zh is Chinese in simplified
// characters.
var Languages = []string{"en", "fr", "ar", "ru", "zh", "es"}

// ValidUsername reports whether s is an acceptable login name.
func ValidUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '@') {
			return false
		}
	}
	return true
}

// NewUser is what it takes to create a user. Password may be empty for a
// machine account that only uses API tokens.
type NewUser struct {
	Username string `json:"username"`
	Agency   string `json:"agency"`
	Roles    []Role `json:"roles"`
	Password string `json:"password,omitempty"`
	// Email, when given, is where the user is mailed a link to what
	// needs their attention (ctis.Notification).
	Email string `json:"email,omitempty"`
}

// MinPassword is the shortest password accepted.
const MinPassword = 12

// Validate normalises and checks u.
func (u *NewUser) Validate() error {
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	u.Agency = strings.ToUpper(strings.TrimSpace(u.Agency))
	if !ValidUsername(u.Username) {
		return Invalid("username", "username must be 2-64 of a-z, 0-9, '.', '-', '_', '@'")
	}
	if !ValidAgencyCode(u.Agency) {
		return Invalid("agency", "%q is not an agency code", u.Agency)
	}
	if len(u.Roles) == 0 {
		return Invalid("roles", "at least one role is required")
	}
	for i, r := range u.Roles {
		if !slices.Contains(Roles, r) {
			return Invalid("roles["+itoa(i)+"]", "unknown role %q", string(r))
		}
	}
	if u.Password != "" && len(u.Password) < MinPassword {
		return Invalid("password", "password must be at least %d characters", MinPassword)
	}
	if len(u.Password) > 256 {
		return Invalid("password", "password is longer than 256 bytes")
	}
	u.Email = strings.TrimSpace(u.Email)
	if u.Email != "" && !ValidEmail(u.Email) {
		return Invalid("email", "%q is not an e-mail address such as desk@agency.example", u.Email)
	}
	return nil
}

// ValidEmail reports whether s is a plain e-mail address, local@domain,
// with nothing a mail header could be made to carry.
func ValidEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(s) > 254 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`<>()[]\,;:"`, c) {
			return false
		}
	}
	return !strings.Contains(domain, "@")
}

// Token is an API token's record. The secret itself is shown once, when the
// token is made, and only its hash is stored.
type Token struct {
	ID        string     `json:"id"`
	UserID    string     `json:"user_id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// SharingGroup is a named set of agencies that statements can be released to.
type SharingGroup struct {
	Name      string    `json:"name"`
	Agencies  []string  `json:"agencies"`
	CreatedAt time.Time `json:"created_at"`
}

// ValidGroupName reports whether s is an acceptable sharing-group name.
func ValidGroupName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// DirectoryService manages agencies, users, tokens and sharing groups.
// Writes need RoleAdmin (EFORBIDDEN otherwise), but for a user's own
// language; listing agencies and groups needs any authenticated identity.
// Every write is audited.
type DirectoryService interface {
	// CreateAgency adds a member agency. ECONFLICT if the code is taken.
	CreateAgency(ctx context.Context, a Agency) (*Agency, error)
	Agencies(ctx context.Context) ([]Agency, error)

	// CreateUser adds a user and returns it with a first API token's secret.
	// EINVALID for an unknown agency, ECONFLICT for a taken username.
	CreateUser(ctx context.Context, u NewUser) (*User, string, error)
	Users(ctx context.Context) ([]User, error)
	// CreateToken issues a new API token for a user; the secret is returned once.
	CreateToken(ctx context.Context, userID, name string) (*Token, string, error)
	// RevokeToken revokes a token. ENOTFOUND if there is no such token.
	RevokeToken(ctx context.Context, tokenID string) error

	// PutGroup creates a sharing group or replaces its members; a
	// replaced group keeps its created_at.
	PutGroup(ctx context.Context, g SharingGroup) (*SharingGroup, error)
	Groups(ctx context.Context) ([]SharingGroup, error)

	// SetLanguage keeps the language the signed-in user chose for the
	// pages, which they then find in every session. Any user, for
	// themselves only; EINVALID unless language is one of Languages.
	SetLanguage(ctx context.Context, language string) error
}

// CredentialKind is what a token was issued for, and so the one door it
// opens. A browser session must not work as an API token (that would
// escape the pages' idle timeout), nor an API token as a browser session.
type CredentialKind string

// Credential kinds.
const (
	// CredentialAPI is an API token, or the session of a login through the
	// API: sent as "Authorization: Bearer".
	CredentialAPI CredentialKind = "api"
	// CredentialWeb is the session of a login through the pages: sent only
	// as their session cookie.
	CredentialWeb CredentialKind = "web"
)

// AuthService turns credentials into identities. It needs no identity in
// the context.
type AuthService interface {
	// Authenticate resolves a token of the given kind. EUNAUTHORIZED if the
	// token is unknown, of another kind, revoked or expired.
	Authenticate(ctx context.Context, kind CredentialKind, secret string) (Identity, error)
	// Login checks a password and returns a session token of the given
	// kind, valid for ttl. EUNAUTHORIZED on any failure, with one wording
	// for unknown users and wrong passwords; every failure is audited.
	Login(ctx context.Context, kind CredentialKind, username, password string, ttl time.Duration) (Identity, string, error)
	// Logout revokes a session token of the given kind.
	Logout(ctx context.Context, kind CredentialKind, secret string) error
	// Resume resolves a browser session as Authenticate does, and ends
	// it instead, audited as a logout, when it went unused for longer
	// than idle. Each use restarts the wait, in whichever process of the
	// node it was made. EUNAUTHORIZED as for Authenticate.
	Resume(ctx context.Context, secret string, idle time.Duration) (Identity, error)
	// LoginThrottled records a login attempt refused, unchecked, because
	// the user or the client had failed too often.
	LoginThrottled(ctx context.Context, username string) error
}
