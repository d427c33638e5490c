// Package peer pulls statements from peer nodes: a TAXII 2.1 client over
// mutual TLS, with the peer's certificate pinned, reads a peer's
// collection page by page from where the last pull stopped, and each page
// is read by the STIX reader and handed whole to the store, which maps it
// through the peer's agreement and advances the cursor in the same
// transaction. A Scheduler pulls every peer in turn, backing off from one
// that fails.
package peer

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"ctis"
	"ctis/stix"
	"ctis/taxii"
)

// PageSize is how many objects a pull asks for a page.
const PageSize = 100

// MaxPage bounds the bytes of one page a pull reads: a larger one is
// refused, and nothing of it stored.
const MaxPage = 16 << 20

// Overlap is how far before its cursor a pull resumes. A peer's objects
// are dated to the millisecond, and a write that committed late may
// carry a time just before one pulled already; reading the last minute
// again costs a few objects, which are held already and skipped.
const Overlap = time.Minute

// Purpose is the purpose a pull gives the peer, which audits its reads.
const Purpose = "node-to-node sync under the sharing agreement"

// Fingerprint is the hex SHA-256 of a DER certificate: what a peer's
// agreement pins.
func Fingerprint(der []byte) string {
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}

// pinned checks that the leaf of a TLS peer is the certificate pinned,
// by one of fingerprints, and is within its validity period.
func pinned(certs []*x509.Certificate, now time.Time, fingerprints ...string) error {
	if len(certs) == 0 {
		return errors.New("the peer presented no certificate")
	}
	leaf := certs[0]
	got := Fingerprint(leaf.Raw)
	for _, f := range fingerprints {
		if f == got {
			if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
				return fmt.Errorf("the peer's pinned certificate is valid from %s to %s only", leaf.NotBefore.UTC().Format(time.DateOnly), leaf.NotAfter.UTC().Format(time.DateOnly))
			}
			return nil
		}
	}
	return fmt.Errorf("the peer's certificate (SHA-256 %s) is not the one pinned for it", got)
}

// ClientTLS is the TLS configuration of a pull: this node presents cert,
// and accepts the peer only if its leaf certificate is the one pinned by
// fingerprint. The pin stands in for a certificate authority, so the
// chain is not checked against one: the peer's certificate may be
// self-signed, and no authority can vouch for another in its place.
func ClientTLS(cert tls.Certificate, fingerprint string) *tls.Config {
	return &tls.Config{
		Certificates:       []tls.Certificate{cert},
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, // the pin below is the verification
		VerifyConnection: func(cs tls.ConnectionState) error {
			return pinned(cs.PeerCertificates, time.Now(), fingerprint)
		},
	}
}

// ServerTLS is the TLS configuration of a node's TAXII listener for its
// peers: it presents cert, and takes a connection only from a client
// whose certificate is pinned by one of fingerprints, those of the peers
// that pull from it.
func ServerTLS(cert tls.Certificate, fingerprints ...string) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS13,
		ClientAuth:   tls.RequireAnyClientCert,
		VerifyConnection: func(cs tls.ConnectionState) error {
			return pinned(cs.PeerCertificates, time.Now(), fingerprints...)
		},
	}
}

// NewClient is the TAXII client of a pull from p: its certificate and key
// and its token read from the files p names, the peer's certificate
// pinned.
func NewClient(p ctis.Peer) (*taxii.Client, error) {
	cert, err := tls.LoadX509KeyPair(p.ClientCert, p.ClientKey)
	if err != nil {
		return nil, fmt.Errorf("peer %s: this node's certificate and key: %w", p.Name, err)
	}
	token, err := os.ReadFile(p.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("peer %s: the token file: %w", p.Name, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = ClientTLS(cert, p.Fingerprint)
	return &taxii.Client{
		Discovery: p.URL,
		HTTP:      &http.Client{Transport: tr, Timeout: 2 * time.Minute},
		Token:     strings.TrimSpace(string(token)),
		Purpose:   Purpose,
		MaxPage:   MaxPage,
	}, nil
}

// Report is what one pull did.
type Report struct {
	ctis.PeerReport
	Pages int
	// Head is the peer's audit head witnessed at the start of the pull,
	// and Witness what went wrong witnessing it, if anything: an error
	// wrapping ErrAlarm when the peer's chain is inconsistent with a head
	// witnessed before. Either way the pull goes on.
	Head    ctis.AuditHead
	Witness error
}

// Markings keeps the marking definitions met in a peer's collection, by
// ID, for the next pulls of the same peer: a collection lists a marking
// once, with the first object that uses it, and a pull that starts later
// would otherwise ask the peer for each by ID. A marking's ID derives
// from its content, so what is kept never goes stale. One pull at a time
// uses it.
type Markings map[string]json.RawMessage

// maxMarkings bounds what Markings keeps: past it, it starts again.
const maxMarkings = 10000

// Pull reads p's collection from where the last pull stopped to its end,
// through c, limit objects a page (PageSize if 0), and stores each page with the cursor after it, so that a
// pull cut short resumes after the last page stored. ctx acts as the
// node's operator. A page that cannot be read or stored whole stops the
// pull with an error naming the page and the problem, and nothing of that
// page is stored. markings, if not nil, are those met by earlier pulls of
// p, and receive those met by this one. First the pull witnesses p's
// audit head (Witness).
//
// A pull takes what changed at the peer since its cursor. What the peer
// stopped releasing to this node without changing it (a sharing group
// of the peer that let this node's account go) it cannot see: Reconcile
// does.
func Pull(ctx context.Context, peers ctis.PeerService, p ctis.Peer, c *taxii.Client, limit int, markings Markings) (Report, error) {
	return pull(ctx, peers, p, c, limit, markings, nil)
}

// Reconcile is a pull that reads p's collection from its start, storing
// each page as Pull does, and then withdraws every statement held of the
// agencies p speaks for that the read did not meet: what p no longer
// releases to this node. A read cut short withdraws nothing.
func Reconcile(ctx context.Context, peers ctis.PeerService, p ctis.Peer, c *taxii.Client, limit int, markings Markings) (Report, error) {
	released := map[string]bool{}
	rep, err := pull(ctx, peers, p, c, limit, markings, released)
	if err != nil {
		return rep, err
	}
	n, err := peers.WithdrawUnreleased(ctx, p.Name, released)
	rep.Withdrawn += n
	return rep, err
}

// pull is Pull, or when released is not nil a read from the start that
// adds to released the ID of every statement it meets.
func pull(ctx context.Context, peers ctis.PeerService, p ctis.Peer, c *taxii.Client, limit int, markings Markings, released map[string]bool) (Report, error) {
	if limit <= 0 {
		limit = PageSize
	}
	if markings == nil || len(markings) > maxMarkings {
		markings = Markings{}
	}
	var rep Report
	rep.Head, rep.Witness = Witness(ctx, peers, p, c)
	d, err := c.Discover(ctx)
	if err != nil {
		return rep, err
	}
	root := d.Root()
	if root == "" {
		return rep, fmt.Errorf("peer %s: its discovery names no API root", p.Name)
	}
	if _, err := c.APIRoot(ctx, root); err != nil {
		return rep, err
	}
	collection := p.Collection
	if collection == "" {
		cs, err := c.Collections(ctx, root)
		if err != nil {
			return rep, err
		}
		for _, col := range cs {
			if col.Alias == "released" && col.CanRead {
				collection = col.ID
			}
		}
		if collection == "" {
			return rep, fmt.Errorf("peer %s: no collection aliased \"released\" among the %d it offers; name one in the peer's settings", p.Name, len(cs))
		}
	}
	q := taxii.Query{Limit: limit}
	if released == nil {
		cursor, err := peers.PeerCursor(ctx, p.Name, collection)
		if err != nil {
			return rep, err
		}
		if !cursor.IsZero() {
			q.AddedAfter = cursor.Add(-Overlap)
		}
	}
	rep.Pages, err = read(ctx, c, root, collection, q, markings, func(page *taxii.Page, entities []ctis.Entity) error {
		got, err := peers.ApplyPeerPage(ctx, ctis.PeerPage{Peer: p.Name, Collection: collection, Entities: entities, AddedLast: page.AddedLast})
		if err != nil {
			return err
		}
		rep.Added += got.Added
		rep.Withdrawn += got.Withdrawn
		rep.Unchanged += got.Unchanged
		rep.Remapped += got.Remapped
		if released != nil {
			for _, e := range entities {
				for _, s := range e.Statements {
					released[s.ID] = true
				}
			}
		}
		return nil
	})
	if _, ok := err.(*PageError); ok {
		err = fmt.Errorf("peer %s: %w", p.Name, err)
	}
	return rep, err
}

// PageError is a page that Read could not read whole, or that its caller
// refused: which page, and why.
type PageError struct {
	Page int // from 1
	Err  error
}

func (e *PageError) Error() string { return fmt.Sprintf("page %d: %v", e.Page, e.Err) }

func (e *PageError) Unwrap() error { return e.Err }

// Read reads a collection of the API root at root through c, as a pull
// does, from the page q selects to the last: each page is completed with
// the objects it names and does not hold (markings met on an earlier
// page, the sources of its relationships, fetched from the collection by
// ID), read by the STIX reader, and handed to fn with the entities read,
// in order. It stops at the first error: one of the client's, as it
// came, or a *PageError for a page that cannot be read whole (and is not
// handed to fn) or that fn refused. It returns how many pages with
// objects it met, the failed one included.
func Read(ctx context.Context, c *taxii.Client, root, collection string, q taxii.Query, fn func(*taxii.Page, []ctis.Entity) error) (int, error) {
	return read(ctx, c, root, collection, q, Markings{}, fn)
}

// read is Read with the markings met before, which it adds to.
func read(ctx context.Context, c *taxii.Client, root, collection string, q taxii.Query, markings Markings, fn func(*taxii.Page, []ctis.Entity) error) (int, error) {
	pages := 0
	for {
		page, err := c.Objects(ctx, root, collection, q)
		if err != nil {
			return pages, err
		}
		if len(page.Objects) == 0 {
			return pages, nil
		}
		pages++
		objects, err := complete(ctx, c, root, collection, page.Objects, markings)
		if err != nil {
			return pages, &PageError{pages, err}
		}
		entities, err := stix.DecodeObjects(objects)
		if err != nil {
			return pages, &PageError{pages, err}
		}
		if err := fn(page, entities); err != nil {
			return pages, &PageError{pages, err}
		}
		if !page.More {
			return pages, nil
		}
		q.Next = page.Next
	}
}

// complete returns a page's objects with what they name that the page
// does not hold: the markings first used on an earlier page (kept in
// markings across pages) and the sources of relationships whose entity
// comes on another page, fetched from the collection by ID.
func complete(ctx context.Context, c *taxii.Client, root, collection string, objects []json.RawMessage, markings map[string]json.RawMessage) ([]json.RawMessage, error) {
	for _, raw := range objects {
		var h struct{ Type, ID string }
		if json.Unmarshal(raw, &h) == nil && h.Type == "marking-definition" {
			markings[h.ID] = raw
		}
	}
	out := objects
	// Two rounds: a source fetched may be marked by a marking not held.
	for round := 0; round < 2; round++ {
		var fetch []string
		for _, id := range stix.Missing(out) {
			if m, ok := markings[id]; ok {
				out = append(out, m)
			} else {
				fetch = append(fetch, id)
			}
		}
		if len(fetch) == 0 {
			return out, nil
		}
		for len(fetch) > 0 {
			chunk := fetch[:min(len(fetch), 100)]
			fetch = fetch[len(chunk):]
			q := taxii.Query{IDs: chunk, Limit: len(chunk)}
			for {
				page, err := c.Objects(ctx, root, collection, q)
				if err != nil {
					return nil, err
				}
				for _, raw := range page.Objects {
					var h struct{ Type, ID string }
					if json.Unmarshal(raw, &h) == nil && h.Type == "marking-definition" {
						markings[h.ID] = raw
					}
				}
				out = append(out, page.Objects...)
				if !page.More {
					break
				}
				q.Next = page.Next
			}
		}
	}
	if missing := stix.Missing(out); len(missing) > 0 {
		return nil, fmt.Errorf("the page names %s, which the collection does not hold", strings.Join(missing, ", "))
	}
	return out, nil
}
