package ctis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// HashType is the kind of value a hash entry holds.
type HashType string

// Hash types.
const (
	HashPDQ    HashType = "pdq"    // 256-bit PDQ perceptual hash of an image, 64 hex digits
	HashMD5    HashType = "md5"    // MD5 of a file, 32 hex digits
	HashSHA256 HashType = "sha256" // SHA-256 of a file, 64 hex digits
	HashURL    HashType = "url"    // where the content is published, normalised
	// HashVPDQ is a video's vPDQ: its frames' PDQ hashes, in Frames. The
	// value is the SHA-256, in 64 hex digits, of the frame list in the
	// reference's text format, which names the video in its bank.
	HashVPDQ HashType = "vpdq"
)

// HashTypes lists the hash types of single values; HashVPDQ, a list of
// frames, stands apart.
var HashTypes = []HashType{HashPDQ, HashMD5, HashSHA256, HashURL}

// Behaviour labels what a piece of terrorist content does, after the
// taxonomy hash-sharing platforms use.
type Behaviour string

// Behaviours lists the behaviour labels.
var Behaviours = []Behaviour{
	"attack_footage",     // recordings of an attack, by perpetrators or bystanders
	"graphic_violence",   // violence against defenceless people
	"glorification",      // praise of attacks or attackers
	"manifesto",          // an attacker's statement of aims
	"branded_propaganda", // official media of a listed organisation
	"recruitment",        // calls to join or support
	"instruction",        // how to make weapons or carry out attacks
	"incitement",         // calls to violence
	"imminent_threat",    // a credible threat of an attack to come
}

// ContentTypes lists the kinds of content an entry can be of.
var ContentTypes = []string{"image", "video", "audio", "text", "document", "url", "other"}

// HashLabels say what a hash entry is.
type HashLabels struct {
	// Entity names the terrorist entity behind the content: a ctis entity
	// ID or the name under which it is listed.
	Entity      string      `json:"entity,omitempty"`
	Behaviours  []Behaviour `json:"behaviours,omitempty"`
	ContentType string      `json:"content_type,omitempty"`
}

// HashBank is a named collection of hash entries owned by one agency or
// platform member. Its handling decides who may see and match its
// entries, as a statement's does.
type HashBank struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Agency      string `json:"agency"`
	// Open lets every agency that may see the bank contribute to it;
	// otherwise only its agency does.
	Open      bool      `json:"open"`
	Handling  Handling  `json:"handling"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate normalises and checks b.
func (b *HashBank) Validate() error {
	b.Name = strings.TrimSpace(b.Name)
	if b.Name == "" || len(b.Name) > 200 {
		return Invalid("name", "a bank needs a name of at most 200 bytes")
	}
	if len(b.Description) > 4000 {
		return Invalid("description", "longer than 4000 bytes")
	}
	return b.Handling.Normalize()
}

// HashEntry is one hash in a bank, with its labels.
type HashEntry struct {
	// Seq is the store's number for the entry, in the order added.
	Seq   int64    `json:"-"`
	ID    string   `json:"id"`
	Bank  string   `json:"bank"`
	Type  HashType `json:"type"`
	Value string   `json:"value"`
	// Quality is a PDQ hash's quality (0–100) when the contributor gave it.
	Quality     *int       `json:"quality,omitempty"`
	Labels      HashLabels `json:"labels"`
	Contributor string     `json:"contributor"`
	AddedBy     string     `json:"added_by"`
	AddedAt     time.Time  `json:"added_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Disabled    bool       `json:"disabled"`
	// Disputes counts the members that disputed the entry; from
	// DisputeFlag of them the entry is flagged to its contributor.
	Disputes int  `json:"disputes"`
	Flagged  bool `json:"flagged"`
	// Frames are a video entry's hashed frames (type vpdq).
	Frames []VideoFrame `json:"frames,omitempty"`
}

// VideoFrame is one hashed frame of a video: a vPDQ feature, as the
// reference writes it.
type VideoFrame struct {
	Frame   int     `json:"frame"`   // its number in decoding order, from 0
	Quality int     `json:"quality"` // PDQ quality, 0 to 100
	Hash    string  `json:"hash"`    // PDQ hash, 64 hex digits
	Time    float64 `json:"time"`    // seconds from the start
}

// MaxVideoFrames is the most frames a video entry or query holds: an
// hour at one frame a second, twice over.
const MaxVideoFrames = 7200

// ValidateFrames normalises and checks a video's frames and returns the
// SHA-256 that names them: of the frame list in the reference's text
// format (frame,quality,hash,seconds with three decimals, a line each).
func ValidateFrames(field string, fs []VideoFrame) (string, error) {
	if len(fs) == 0 {
		return "", Invalid(field, "a video needs its frames")
	}
	if len(fs) > MaxVideoFrames {
		return "", Errorf(ETOOLARGE, "at most %d frames a video, not %d", MaxVideoFrames, len(fs))
	}
	sum := sha256.New()
	for i := range fs {
		f := &fs[i]
		at := field + "[" + itoa(i) + "]"
		h, err := NormalizeHash(HashPDQ, f.Hash)
		if err != nil {
			return "", Prefix(at+".hash", err)
		}
		f.Hash = h
		switch {
		case f.Frame < 0 || i > 0 && f.Frame <= fs[i-1].Frame:
			return "", Invalid(at+".frame", "frame numbers are from 0 and rise from frame to frame")
		case f.Quality < 0 || f.Quality > 100:
			return "", Invalid(at+".quality", "a PDQ quality is between 0 and 100")
		case !(f.Time >= 0 && f.Time <= 1e9):
			return "", Invalid(at+".time", "a timestamp is a number of seconds from 0")
		}
		fmt.Fprintf(sum, "%d,%d,%s,%.3f\n", f.Frame, f.Quality, f.Hash, f.Time)
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// MaxHashBatch is the most entries one AddHashes call takes.
const MaxHashBatch = 10000

// DisputeFlag is how many members must dispute an entry for it to be
// flagged to its contributor for another look.
const DisputeFlag = 2

// Validate normalises and checks e's type, value, quality and labels.
func (e *HashEntry) Validate() error {
	e.Type = HashType(strings.ToLower(strings.TrimSpace(string(e.Type))))
	if e.Type == HashVPDQ {
		if e.Quality != nil {
			return Invalid("quality", "a video's quality is its frames'")
		}
		e.Frames = slices.Clone(e.Frames)
		sum, err := ValidateFrames("frames", e.Frames)
		if err != nil {
			return err
		}
		if v := strings.ToLower(strings.TrimSpace(e.Value)); v != "" && v != sum {
			return Invalid("value", "a vpdq entry's value is the SHA-256 of its frames, %s; leave it out", sum)
		}
		e.Value = sum
		return e.Labels.Validate()
	}
	if len(e.Frames) > 0 {
		return Invalid("frames", "only a vpdq entry has frames")
	}
	v, err := NormalizeHash(e.Type, e.Value)
	if err != nil {
		return err
	}
	e.Value = v
	if e.Quality != nil && (*e.Quality < 0 || *e.Quality > 100) {
		return Invalid("quality", "a PDQ quality is between 0 and 100")
	}
	if e.Quality != nil && e.Type != HashPDQ {
		return Invalid("quality", "only PDQ hashes have a quality")
	}
	return e.Labels.Validate()
}

// Validate normalises and checks labels.
func (l *HashLabels) Validate() error {
	l.Entity = strings.TrimSpace(l.Entity)
	if len(l.Entity) > 200 {
		return Invalid("labels.entity", "longer than 200 bytes")
	}
	for i, b := range l.Behaviours {
		b = Behaviour(strings.ToLower(strings.TrimSpace(string(b))))
		if !slices.Contains(Behaviours, b) {
			return Invalid("labels.behaviours["+itoa(i)+"]", "unknown behaviour %q (known: %s)", b, joinBehaviours())
		}
		l.Behaviours[i] = b
	}
	slices.Sort(l.Behaviours)
	l.Behaviours = slices.Compact(l.Behaviours)
	l.ContentType = strings.ToLower(strings.TrimSpace(l.ContentType))
	if l.ContentType != "" && !slices.Contains(ContentTypes, l.ContentType) {
		return Invalid("labels.content_type", "unknown content type %q (known: %s)", l.ContentType, strings.Join(ContentTypes, ", "))
	}
	return nil
}

func joinBehaviours() string {
	s := make([]string, len(Behaviours))
	for i, b := range Behaviours {
		s[i] = string(b)
	}
	return strings.Join(s, ", ")
}

// NormalizeHash checks a value of type t and returns its canonical form:
// lower-case hex for hashes, NormalizeURL for URLs.
func NormalizeHash(t HashType, v string) (string, error) {
	v = strings.TrimSpace(v)
	digits := map[HashType]int{HashPDQ: 64, HashMD5: 32, HashSHA256: 64}
	switch t {
	case HashPDQ, HashMD5, HashSHA256:
		if len(v) != digits[t] {
			return "", Invalid("value", "a %s hash is %d hex digits, not %d characters", t, digits[t], len(v))
		}
		if _, err := hex.DecodeString(v); err != nil {
			return "", Invalid("value", "a %s hash is hex digits only", t)
		}
		return strings.ToLower(v), nil
	case HashURL:
		return NormalizeURL(v)
	}
	return "", Invalid("type", "unknown hash type %q (known: pdq, md5, sha256, url)", t)
}

// trackingParams are query parameters that say how a link was shared, not
// what it points to.
var trackingParams = []string{"fbclid", "gclid", "igshid", "mc_cid", "mc_eid", "si", "ref_src", "feature"}

// NormalizeURL returns the form under which URLs of the same content
// compare equal: scheme dropped (http and https alike), host in lower
// case without "www." or a default port, path with dot segments resolved
// and no trailing slash, query parameters sorted and tracking ones
// (utm_*, fbclid, …) removed, fragment dropped.
func NormalizeURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 4096 {
		return "", Invalid("value", "a URL is at most 4096 bytes")
	}
	if !strings.Contains(s, "://") {
		// "javascript:…" and "mailto:…" name a scheme; "host:8080/…" a port.
		if scheme, rest, ok := strings.Cut(s, ":"); ok && !strings.ContainsAny(scheme, ".[") && (rest == "" || rest[0] < '0' || rest[0] > '9') {
			return "", Invalid("value", "only http and https URLs are shared, not %q", strings.ToLower(scheme))
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", Invalid("value", "not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", Invalid("value", "only http and https URLs are shared, not %q", u.Scheme)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", Invalid("value", "the URL has no host")
	}
	host = strings.TrimPrefix(host, "www.")
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 address
	}
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	p := u.EscapedPath()
	if p != "" {
		p = path.Clean(p)
	}
	p = strings.TrimSuffix(p, "/")
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(strings.ToLower(k), "utm_") || slices.Contains(trackingParams, strings.ToLower(k)) {
			delete(q, k)
		}
	}
	out := host + p
	if len(q) > 0 {
		out += "?" + q.Encode() // Encode sorts by key
	}
	return out, nil
}

// HashQuery is one value to match: a PDQ hash (with a radius), a digest
// or a URL.
type HashQuery struct {
	Type  HashType `json:"type"`
	Value string   `json:"value"`
	// Variant numbers a PDQ query among the rotations and reflections of
	// one image (0 is the image as given).
	Variant int `json:"variant,omitempty"`
}

// HashMatch is a stored entry a query matched, as the asker may see it.
type HashMatch struct {
	// ID names the match, for feedback.
	ID       string    `json:"id"`
	Query    int       `json:"query"` // index of the query that matched
	Distance int       `json:"distance"`
	Entry    HashEntry `json:"entry"`
	BankName string    `json:"bank_name"`
	// Video says how far a video matched a video entry.
	Video *VideoShare `json:"video,omitempty"`
}

// VideoShare is how far two videos match: the share of the query's
// frames with a stored frame within the radius, and of the stored
// video's frames so matched, in percent.
type VideoShare struct {
	QueryPercent  float64 `json:"query_percent"`
	StoredPercent float64 `json:"stored_percent"`
}

// QueryShare is QueryPercent as a share from 0 to 1.
func (v VideoShare) QueryShare() float64 { return v.QueryPercent / 100 }

// StoredShare is StoredPercent as a share from 0 to 1.
func (v VideoShare) StoredShare() float64 { return v.StoredPercent / 100 }

// HashHit is an entry a matching index found, by store number.
type HashHit struct {
	Seq      int64
	Query    int
	Distance int
	Video    *VideoShare
}

// HashNotice says that a query matched entries the asker may not see,
// whose bank asks to be told: contact the agency.
type HashNotice struct {
	Agency string `json:"agency"`
}

// HashMatchResult is the answer to a batch of hash queries.
type HashMatchResult struct {
	Matches []HashMatch  `json:"matches"`
	Notices []HashNotice `json:"notices"`
}

// DefaultRadius is the Hamming distance within which PDQ hashes match:
// the threshold the PDQ authors recommend.
const DefaultRadius = 31

// Verdict is what a member says of a match.
type Verdict string

// Verdicts.
const (
	TruePositive  Verdict = "true_positive"  // the content is what the entry says
	FalsePositive Verdict = "false_positive" // the content is not the entry's content
	Disputed      Verdict = "disputed"       // the entry itself is wrong: not terrorist content, or mislabelled
)

// HashFeedback is a member's verdict on one of its matches.
type HashFeedback struct {
	Match   string    `json:"match"`
	Entry   string    `json:"entry"`
	Verdict Verdict   `json:"verdict"`
	Reason  string    `json:"reason"`
	Agency  string    `json:"agency"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// AppealOutcome is where a user's appeal against a removal stands.
type AppealOutcome string

// Appeal outcomes.
const (
	AppealPending  AppealOutcome = "pending"
	AppealUpheld   AppealOutcome = "upheld"   // the removal was wrong; the content is restored
	AppealRejected AppealOutcome = "rejected" // the removal stands
)

// Appeal is a platform's record of an appeal by a user whose content was
// removed after a match. It holds no personal data: the platform keeps
// its own case reference.
type Appeal struct {
	ID        string        `json:"id"`
	Match     string        `json:"match"`
	Entry     string        `json:"entry"`
	Reference string        `json:"reference"`
	Agency    string        `json:"agency"`
	LodgedBy  string        `json:"lodged_by"`
	LodgedAt  time.Time     `json:"lodged_at"`
	Outcome   AppealOutcome `json:"outcome"`
	Reason    string        `json:"reason,omitempty"`
	DecidedBy string        `json:"decided_by,omitempty"`
	DecidedAt *time.Time    `json:"decided_at,omitempty"`
}

// TransparencyMonth is one month's figures over the banks the asker may
// see.
type TransparencyMonth struct {
	Month          string `json:"month"` // YYYY-MM
	EntriesAdded   int    `json:"entries_added"`
	EntriesRemoved int    `json:"entries_disabled"`
	Matches        int    `json:"matches"`
	TruePositives  int    `json:"true_positives"`
	FalsePositives int    `json:"false_positives"`
	Disputes       int    `json:"disputes"`
	AppealsLodged  int    `json:"appeals_lodged"`
	AppealsUpheld  int    `json:"appeals_upheld"`
	AppealsDenied  int    `json:"appeals_rejected"`
}

// HashEntryFilter selects entries of one bank to list or export.
type HashEntryFilter struct {
	Bank     string
	Type     HashType
	Disabled bool // include disabled entries
	Flagged  bool // only entries flagged by disputes
	After    string
	Limit    int
}

// HashService keeps hash banks, matches against them, and records what
// members and platforms say of the matches.
type HashService interface {
	HashStore
	// MatchHashes matches queries against every bank the caller may see;
	// radius applies to PDQ queries. Matches are recorded for feedback.
	// Needs RoleAnalyst or RoleFrontline.
	MatchHashes(ctx context.Context, queries []HashQuery, radius int) (*HashMatchResult, error)
	// MatchVideo matches a video's frames against the video entries of
	// every bank the caller may see, under the same rules; the matches
	// are recorded as MatchHashes records them. Needs RoleAnalyst or
	// RoleFrontline.
	MatchVideo(ctx context.Context, frames []VideoFrame) (*HashMatchResult, error)
}

// HashStore is HashService without matching: what a store keeps.
type HashStore interface {
	// CreateHashBank creates a bank owned by the caller's agency. Needs
	// RoleAnalyst; audited.
	CreateHashBank(ctx context.Context, b HashBank) (*HashBank, error)
	// HashBanks lists the banks the caller may see.
	HashBanks(ctx context.Context) ([]HashBank, error)
	// AddHashes adds entries to a bank, or updates the labels of entries
	// already there with the same type and value; all or none. Needs
	// RoleAnalyst of the bank's agency, or of any agency that may see an
	// open bank; audited.
	AddHashes(ctx context.Context, bank string, entries []HashEntry) ([]HashEntry, error)
	// SetHashDisabled disables or re-enables an entry, with a reason. Its
	// contributor or the bank's agency may; audited.
	SetHashDisabled(ctx context.Context, entry string, disabled bool, reason string) (*HashEntry, error)
	// HashEntries lists a bank's entries in ID order, a page at a time.
	HashEntries(ctx context.Context, f HashEntryFilter) ([]HashEntry, error)
	// GiveFeedback records the caller's agency's verdict on one of its
	// matches; a later verdict replaces an earlier one. Audited.
	GiveFeedback(ctx context.Context, f HashFeedback) (*HashFeedback, error)
	// LodgeAppeal records a user's appeal against a removal that followed
	// one of the caller's agency's matches. Audited.
	LodgeAppeal(ctx context.Context, a Appeal) (*Appeal, error)
	// DecideAppeal records the outcome of an appeal the caller's agency
	// lodged. An upheld appeal counts as the platform's dispute of the
	// entry. Audited.
	DecideAppeal(ctx context.Context, id string, outcome AppealOutcome, reason string) (*Appeal, error)
	// Appeals lists the appeals the caller's agency lodged, newest first.
	Appeals(ctx context.Context) ([]Appeal, error)
	// Transparency gives monthly figures for the banks the caller may
	// see, from month from to month to (YYYY-MM, inclusive).
	Transparency(ctx context.Context, from, to string) ([]TransparencyMonth, error)
}

// Audit actions of hash sharing.
const (
	ActHashBankCreate = "hashbank.create"
	ActHashAdd        = "hash.add"
	ActHashDisable    = "hash.disable"
	ActHashEnable     = "hash.enable"
	ActHashMatch      = "hash.match"
	ActHashFeedback   = "hash.feedback"
	ActAppealLodge    = "appeal.lodge"
	ActAppealDecide   = "appeal.decide"
)
