package peer

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"ctis"
	"ctis/httpkit"
	"ctis/jsonl"
	"ctis/taxii"
)

// Paths of the peer link: what a node serves its peers beside TAXII, on
// the same listener, where a peer is known by the certificate pinned for
// it.
const (
	// PullPath takes a POST that asks this node to pull from the peer
	// that sends it, now: the peer has something new for it.
	PullPath = "/peer/v1/pull"
	// HeadPath answers a GET with this node's audit head, or with
	// ?seq=N the number and hash of event N, as a peer witnesses them.
	HeadPath = "/peer/v1/audit/head"
)

// Link serves the peer link. A request is taken only over mutual TLS
// (the listener pins the certificates of the nodes that may pull from
// this one: ServerTLS, PeersTLS) and with a bearer token this node
// issued, the one the caller pulls with. Asking to be pulled needs more:
// the caller's certificate must be the one pinned for one of this node's
// peers (its node certificate, the one it serves TAXII with), which names
// the peer to pull.
type Link struct {
	Peers ctis.PeerService
	Auth  ctis.AuthService
	Audit ctis.AuditLog
	// Wake is told the name of a peer that asks to be pulled now; nil
	// refuses such requests (a node that pulls from no one).
	Wake func(peer string)
	// Logger receives the node's own failures; nil means slog.Default().
	Logger *slog.Logger
}

// Handler returns the peer link's routes.
func (l *Link) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+PullPath, l.endpoint(true, l.pull))
	mux.Handle("GET "+HeadPath, l.endpoint(false, l.head))
	return mux
}

// endpoint authenticates a request as a peer and answers an error as the
// API does, as JSON with the ctis error code.
func (l *Link) endpoint(named bool, fn func(http.ResponseWriter, *http.Request, string) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, err := l.caller(r, named)
		if err == nil {
			err = fn(w, r, name)
		}
		if err != nil {
			status, internal := httpkit.Status(err)
			msg := ctis.ErrorMessage(err)
			if internal {
				log := l.Logger
				if log == nil {
					log = slog.Default()
				}
				log.Error("peer link", "path", r.URL.Path, "err", err)
				msg = "internal error"
			}
			writeJSON(w, status, map[string]string{"error": ctis.ErrorCode(err), "message": msg})
		}
	})
}

// caller authenticates r: mutual TLS and a token of this node. If named,
// it returns the name of the peer whose pinned certificate r presented.
func (l *Link) caller(r *http.Request, named bool) (string, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return "", ctis.Errorf(ctis.EFORBIDDEN, "the peer link takes mutual TLS with a pinned certificate only")
	}
	if _, err := httpkit.Authenticate(r, l.Auth); err != nil {
		return "", err
	}
	if !named {
		return "", nil
	}
	sys := ctis.NewContext(r.Context(), ctis.SystemIdentity("peer-link"))
	peers, err := l.Peers.Peers(sys)
	if err != nil {
		return "", err
	}
	got := Fingerprint(r.TLS.PeerCertificates[0].Raw)
	for _, p := range peers {
		if p.Fingerprint == got {
			return p.Name, nil
		}
	}
	return "", ctis.Errorf(ctis.EFORBIDDEN, "the client's certificate is pinned for none of this node's peers")
}

func (l *Link) pull(w http.ResponseWriter, _ *http.Request, name string) error {
	if l.Wake == nil {
		return ctis.Errorf(ctis.EUNSUPPORTED, "this node pulls from no peer")
	}
	l.Wake(name)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

func (l *Link) head(w http.ResponseWriter, r *http.Request, _ string) error {
	var seq int64
	if v := r.URL.Query().Get("seq"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return ctis.Invalid("seq", "seq is an event number from 1")
		}
		seq = n
	}
	h, err := l.Audit.Head(ctis.NewContext(r.Context(), ctis.SystemIdentity("peer-link")), seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// linkURL is the address of a path of p's peer link, with a query: on
// the host of its TAXII discovery URL.
func linkURL(p ctis.Peer, path, query string) (string, error) {
	u, err := url.Parse(p.URL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("peer %s: its URL %q has no host", p.Name, p.URL)
	}
	return u.ResolveReference(&url.URL{Path: path, RawQuery: query}).String(), nil
}

// maxHead bounds an answer of the peer link that a node reads.
const maxHead = 4 << 10

// call sends a request of the peer link to p through c's connection and
// token, and returns the answer's body, refusing a status other than want.
func call(ctx context.Context, c *taxii.Client, p ctis.Peer, method, path, query string, want int) ([]byte, error) {
	u, err := linkURL(p, path, query)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxHead+1))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != want {
		var e struct{ Error, Message string }
		json.Unmarshal(body, &e)
		return nil, fmt.Errorf("peer %s: %s %s: %d %s %s", p.Name, method, path, res.StatusCode, e.Error, e.Message)
	}
	if len(body) > maxHead {
		return nil, fmt.Errorf("peer %s: %s %s: an answer over %d bytes", p.Name, method, path, maxHead)
	}
	return body, nil
}

// Notify asks p to pull from this node now, through c (this node's client
// for p: its certificate, p's pinned one, the token p issued it).
func Notify(ctx context.Context, c *taxii.Client, p ctis.Peer) error {
	_, err := call(ctx, c, p, http.MethodPost, PullPath, "", http.StatusAccepted)
	return err
}

// ReadHead reads an audit head as the peer link serves it: strictly, a
// JSON object of seq and hash, the hash a hex SHA-256.
func ReadHead(data []byte) (ctis.AuditHead, error) {
	var h ctis.AuditHead
	if err := jsonl.DecodeStrict(data, &h); err != nil {
		return h, err
	}
	if h.Seq < 0 || len(h.Hash) != 64 {
		return h, ctis.Invalid("hash", "an audit head is an event number and a hex SHA-256")
	}
	for _, c := range h.Hash {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return h, ctis.Invalid("hash", "an audit head is an event number and a hex SHA-256")
		}
	}
	return h, nil
}

// headOf reads p's audit head, or with seq > 0 its event seq's.
func headOf(ctx context.Context, c *taxii.Client, p ctis.Peer, seq int64) (ctis.AuditHead, error) {
	query := ""
	if seq > 0 {
		query = "seq=" + strconv.FormatInt(seq, 10)
	}
	body, err := call(ctx, c, p, http.MethodGet, HeadPath, query, http.StatusOK)
	if err != nil {
		return ctis.AuditHead{}, err
	}
	h, err := ReadHead(body)
	if err != nil {
		return h, fmt.Errorf("peer %s: its audit head: %w", p.Name, err)
	}
	if seq > 0 && h.Seq != seq {
		return h, fmt.Errorf("peer %s: asked for audit event %d, it answered %d", p.Name, seq, h.Seq)
	}
	return h, nil
}

// ErrAlarm marks a witness's alarm: the peer's audit chain is not
// consistent with a head this node recorded before.
var ErrAlarm = errors.New("the peer's audit chain is inconsistent with what this node witnessed")

// Witness reads p's audit head and records it, with the hash p now gives
// for the head recorded before, so that the store can tell whether p's
// chain still extends what this node witnessed. An inconsistency is
// returned wrapping ErrAlarm, after the store recorded and audited it.
func Witness(ctx context.Context, peers ctis.PeerService, p ctis.Peer, c *taxii.Client) (ctis.AuditHead, error) {
	head, err := headOf(ctx, c, p, 0)
	if err != nil {
		return head, err
	}
	w := ctis.PeerHead{Peer: p.Name, AuditHead: head, SeenAt: time.Now()}
	last, ok, err := peers.PeerHead(ctx, p.Name)
	if err != nil {
		return head, err
	}
	if ok && head.Seq > last.Seq {
		prev, err := headOf(ctx, c, p, last.Seq)
		if err != nil {
			return head, err
		}
		w.Previous = prev.Hash
	}
	alarm, err := peers.WitnessPeerHead(ctx, w)
	if err != nil {
		return head, err
	}
	if alarm != "" {
		return head, fmt.Errorf("%w: peer %s: %s", ErrAlarm, p.Name, alarm)
	}
	return head, nil
}

// PeersTLS is the TLS configuration of a listener for peers whose pins
// are read from the store at each handshake: a client is taken only with
// the certificate pinned for one of the peers, so that a peer added or
// removed takes effect at once.
func PeersTLS(cert tls.Certificate, peers ctis.PeerService) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS13,
		ClientAuth:   tls.RequireAnyClientCert,
		VerifyConnection: func(cs tls.ConnectionState) error {
			ctx, cancel := context.WithTimeout(ctis.NewContext(context.Background(), ctis.SystemIdentity("peer-link")), 5*time.Second)
			defer cancel()
			ps, err := peers.Peers(ctx)
			if err != nil {
				return err
			}
			var pins []string
			for _, p := range ps {
				pins = append(pins, p.Fingerprint)
			}
			return pinned(cs.PeerCertificates, time.Now(), pins...)
		},
	}
}
