package ctis

import (
	"context"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Peer is another ctis node that this node pulls statements from, over
// TAXII 2.1 with mutual TLS. What it may send and to whom it goes here is
// its Agreement.
type Peer struct {
	// Name is the node's short name: hit notices on its statements say
	// "contact agency X at node Name".
	Name string `json:"name"`
	// URL is the peer's TAXII discovery endpoint, such as
	// https://node-a.example/taxii2/.
	URL string `json:"url"`
	// Fingerprint is the hex SHA-256 of the peer's leaf certificate:
	// the one certificate this node accepts from it.
	Fingerprint string `json:"fingerprint"`
	// ClientCert and ClientKey are the paths of the certificate and key
	// this node presents to the peer, and TokenFile the path of the file
	// holding the API token the peer gave this node. The store keeps
	// paths, never the secrets.
	ClientCert string `json:"client_cert"`
	ClientKey  string `json:"client_key"`
	TokenFile  string `json:"token_file"`
	// Collection is the ID of the peer's collection pulled; empty means
	// the one the peer aliases "released": everything it releases to the
	// agency whose token this node holds.
	Collection string    `json:"collection,omitempty"`
	Agreement  Agreement `json:"agreement"`
	CreatedAt  time.Time `json:"created_at"`
	// Witnessed is the peer's audit head this node last recorded, and
	// Alarm the last inconsistency it found in the peer's audit chain;
	// the store sets them, PutPeer ignores them.
	Witnessed *PeerHead `json:"witnessed,omitempty"`
	Alarm     string    `json:"alarm,omitempty"`
}

// PeerHead is a peer's audit head as this node witnessed it: the peer
// serves its head over the pinned link, and this node keeps what it was
// served, as a Certificate Transparency witness keeps a log's heads, so
// that a peer that rewrites its chain is caught at the next pull.
type PeerHead struct {
	Peer string `json:"peer"`
	AuditHead
	// Previous is the hash the peer served, with this head, for the
	// event of the head recorded before; empty when none was recorded,
	// or the head went back.
	Previous string    `json:"previous,omitempty"`
	SeenAt   time.Time `json:"seen_at"`
}

// Agreement is what two nodes agreed on sharing, as this node applies it
// to what it pulls from the peer.
type Agreement struct {
	// SpeaksFor are the peer's member agencies whose statements this node
	// takes from it. Each is kept here as an agency of the peer's node
	// (Agency.Node); none may be one of this node's own.
	SpeaksFor []Agency `json:"speaks_for"`
	// Recipients maps each recipient a handling of the peer may name — an
	// agency code, or "group:NAME" for a sharing group of the peer — to
	// this node's recipients it stands for: agency codes and
	// "group:NAME" of this node's groups. A recipient of the peer that is
	// not mapped reaches no one here.
	Recipients map[string][]string `json:"recipients"`
}

// GroupPrefix marks a sharing group among an agreement's recipients.
const GroupPrefix = "group:"

// Validate checks p as far as it can be checked without the store.
func (p *Peer) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if !ValidGroupName(p.Name) {
		return Invalid("name", "a peer's name must be 2-64 letters, digits, '-', '_' or '.'")
	}
	u, err := url.Parse(p.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return Invalid("url", "a peer's URL is the https:// URL of its TAXII discovery endpoint, such as https://node-a.example/taxii2/")
	}
	p.Fingerprint = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(p.Fingerprint), ":", ""))
	if b, err := hex.DecodeString(p.Fingerprint); err != nil || len(b) != 32 {
		return Invalid("fingerprint", "the fingerprint is the SHA-256 of the peer's certificate: 64 hex digits (colons allowed)")
	}
	for _, f := range []struct{ name, v string }{{"client_cert", p.ClientCert}, {"client_key", p.ClientKey}, {"token_file", p.TokenFile}} {
		if strings.TrimSpace(f.v) == "" || len(f.v) > 4096 {
			return Invalid(f.name, "the path of this node's %s for the peer is required", strings.ReplaceAll(f.name, "_", " "))
		}
	}
	if p.Collection != "" && !validUUID(p.Collection) {
		return Invalid("collection", "%q is not a collection ID", p.Collection)
	}
	return Prefix("agreement", p.Agreement.Validate())
}

func validUUID(s string) bool {
	return len(s) == 36 && strings.Trim(s, "0123456789abcdef-") == "" && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
}

// Validate checks and normalises a, short of whether its local
// recipients exist.
func (a *Agreement) Validate() error {
	if len(a.SpeaksFor) == 0 {
		return Invalid("speaks_for", "an agreement names at least one agency whose statements the peer sends")
	}
	seen := map[string]bool{}
	for i := range a.SpeaksFor {
		if err := a.SpeaksFor[i].Validate(); err != nil {
			return Prefix("speaks_for["+itoa(i)+"]", err)
		}
		if seen[a.SpeaksFor[i].Code] {
			return Invalid("speaks_for["+itoa(i)+"]", "agency %s is given twice", a.SpeaksFor[i].Code)
		}
		seen[a.SpeaksFor[i].Code] = true
	}
	valid := func(r string) bool {
		if g, ok := strings.CutPrefix(r, GroupPrefix); ok {
			return ValidGroupName(g)
		}
		return ValidAgencyCode(r)
	}
	for from, to := range a.Recipients {
		if !valid(from) {
			return Invalid("recipients", "%q is neither an agency code nor group:NAME", from)
		}
		for i, r := range to {
			if !valid(r) {
				return Invalid("recipients."+from+"["+itoa(i)+"]", "%q is neither an agency code nor group:NAME", r)
			}
		}
		a.Recipients[from] = sortedSet(to)
	}
	return nil
}

func sortedSet(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// Speaks reports whether the agreement takes statements of agency from
// the peer.
func (a Agreement) Speaks(agency string) bool {
	return slices.ContainsFunc(a.SpeaksFor, func(x Agency) bool { return x.Code == agency })
}

// Local returns the recipients on this node that a statement of the peer
// under h reaches: those the agreement maps the recipients of h to. What
// is not mapped reaches no one, so the result never reaches further than
// h did: a statement for the peer's agencies reaches only what they map
// to, one for a group of the peer what that group maps to, and one for
// all the peer's members what any of them maps to — never all of this
// node's members. A statement for its originator alone reaches no one.
func (a Agreement) Local(h Handling) (agencies, groups []string) {
	var from []string
	switch h.Distribution {
	case DistAgencies:
		from = h.Agencies
	case DistGroup:
		from = []string{GroupPrefix + h.Group}
	case DistAll:
		for k := range a.Recipients {
			from = append(from, k)
		}
	}
	for _, f := range from {
		for _, r := range a.Recipients[f] {
			if g, ok := strings.CutPrefix(r, GroupPrefix); ok {
				groups = append(groups, g)
			} else {
				agencies = append(agencies, r)
			}
		}
	}
	return sortedSet(agencies), sortedSet(groups)
}

// PeerPage is one page of statements pulled from a peer, read but not yet
// mapped: each statement's handling is the peer's.
type PeerPage struct {
	Peer       string
	Collection string
	Entities   []Entity
	// AddedLast is the date_added of the page's last object: where the
	// next pull resumes.
	AddedLast time.Time
}

// PeerReport counts what applying a page changed.
type PeerReport struct {
	Added     int `json:"added"`     // statements new to this node
	Withdrawn int `json:"withdrawn"` // statements withdrawn here as at the peer
	Unchanged int `json:"unchanged"` // statements held already as they are
	// Remapped counts statements held already whose handling here
	// changed with the agreement.
	Remapped int `json:"remapped"`
}

// PeerService keeps the peers and agreements of a node and applies what
// is pulled from them. The peer methods need RoleAdmin and are audited.
type PeerService interface {
	// PutPeer adds a peer or replaces its settings and agreement, and
	// keeps the agencies it speaks for as agencies of its node. A
	// replaced peer is read from the start at its next pull, which maps
	// what was pulled before under the new agreement.
	// EINVALID for an agency that is this node's own or another peer's,
	// or a local recipient that does not exist.
	PutPeer(ctx context.Context, p Peer) (*Peer, error)
	Peers(ctx context.Context) ([]Peer, error)
	// RemovePeer removes a peer and its cursors. Statements pulled from it
	// stay, under the handling they were stored with. ENOTFOUND.
	RemovePeer(ctx context.Context, name string) error
	// PeerCursor is the date_added a pull of the peer's collection
	// resumes from; zero before the first page.
	PeerCursor(ctx context.Context, peer, collection string) (time.Time, error)
	// ApplyPeerPage stores a page pulled from a peer and advances its
	// cursor, in one transaction: each statement kept with its
	// originator and its handling mapped through the agreement (never
	// wider), withdrawals applied, statements held already skipped.
	// A statement of an agency the peer does not speak for refuses the
	// whole page (EFORBIDDEN). Needs RoleAdmin; audited.
	ApplyPeerPage(ctx context.Context, p PeerPage) (*PeerReport, error)
	// WithdrawUnreleased withdraws every statement held here of the
	// agencies the peer speaks for that is not in released, the IDs of
	// all the statements a read of the peer's collection from its start
	// met: what the peer no longer releases to this node (a group of the
	// peer that let this node's account go). It returns how many it
	// withdrew. Needs RoleAdmin; audited.
	WithdrawUnreleased(ctx context.Context, peer string, released map[string]bool) (int, error)
	// PeerHead returns the head of the peer's audit chain recorded last
	// without an alarm, and whether there is one. Needs RoleAdmin.
	PeerHead(ctx context.Context, peer string) (PeerHead, bool, error)
	// WitnessPeerHead records a head the peer served and checks it against
	// the one recorded before: a head that goes back, the same event with
	// another hash, or a later head whose Previous is not the hash
	// recorded, is an alarm — recorded, audited, and returned as its
	// reason. Needs RoleAdmin. EINVALID for a malformed head.
	WitnessPeerHead(ctx context.Context, h PeerHead) (alarm string, err error)
	// ReleasedChangedAfter reports whether a statement of this node's own
	// agencies released beyond its originator was recorded or withdrawn
	// after t, and the time of the latest such change: what peers are
	// told to pull for. Needs RoleAdmin.
	ReleasedChangedAfter(ctx context.Context, t time.Time) (bool, time.Time, error)
}
