package peer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/peer"
	"ctis/store"
	"ctis/taxii"
)

// engine is the store engine of the nodes: the tests run on each of
// ctistest.Engines in turn.
var engine ctistest.Engine

func TestMain(m *testing.M) { os.Exit(ctistest.RunEngines(m, &engine)) }

// identity is a node's TLS certificate, as files and as loaded.
type identity struct {
	cert        tls.Certificate
	certFile    string
	keyFile     string
	fingerprint string
}

// newIdentity makes a self-signed certificate for a node on loopback.
func newIdentity(t testing.TB, name string) identity {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	id := identity{certFile: filepath.Join(dir, name+".crt"), keyFile: filepath.Join(dir, name+".key"), fingerprint: peer.Fingerprint(der)}
	if err := os.WriteFile(id.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(id.keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	if id.cert, err = tls.LoadX509KeyPair(id.certFile, id.keyFile); err != nil {
		t.Fatal(err)
	}
	return id
}

// node is a ctis node in this process: its store, indexes and services,
// its certificate, and its TAXII server on loopback for the peers it
// pins, which a test can take down.
type node struct {
	*ctistest.Node
	t    testing.TB
	name string
	id   identity
	url  string
	// down makes the TAXII server drop every connection, as a network
	// partition would; failAfter, when positive, drops connections
	// after that many more requests.
	down      atomic.Bool
	failAfter atomic.Int64
	// ahead moves the node's clock on.
	ahead atomic.Int64
	// wake, if set, is told of the peers that ask through the peer link
	// to be pulled.
	wake func(peer string)
	// linkAudit, if set, is the audit log the peer link serves heads
	// from, in place of the node's.
	linkAudit ctis.AuditLog
}

// tick moves the node's clock on by d.
func (n *node) tick(d time.Duration) { n.ahead.Add(int64(d)) }

func newNode(t testing.TB, name string) *node {
	t.Helper()
	n := &node{t: t, name: name, id: newIdentity(t, name)}
	n.Node = ctistest.OpenStore(t, engine, store.Options{Now: func() time.Time { return time.Now().Add(time.Duration(n.ahead.Load())) }})
	return n
}

// serve starts the node's TAXII server over mutual TLS, taking only the
// pinned peers.
func (n *node) serve(peers ...*node) {
	n.t.Helper()
	var pins []string
	for _, p := range peers {
		pins = append(pins, p.id.fingerprint)
	}
	mux := http.NewServeMux()
	mux.Handle(taxii.DiscoveryPath, (&taxii.Server{Services: n.Services, Logger: slog.New(slog.DiscardHandler)}).Handler())
	link := &peer.Link{Peers: n.DB, Auth: n.Auth, Logger: slog.New(slog.DiscardHandler), Wake: func(p string) {
		if n.wake != nil {
			n.wake(p)
		}
	}}
	mux.Handle("/peer/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		link.Audit = n.Audit
		if n.linkAudit != nil {
			link.Audit = n.linkAudit
		}
		link.Handler().ServeHTTP(w, r)
	}))
	var h http.Handler = mux
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if left := n.failAfter.Load(); left > 0 && n.failAfter.Add(-1) == 0 {
			n.down.Store(true)
		}
		if n.down.Load() {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		h.ServeHTTP(w, r)
	}))
	srv.TLS = peer.ServerTLS(n.id.cert, pins...)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	srv.StartTLS()
	n.t.Cleanup(srv.Close)
	n.url = srv.URL + taxii.DiscoveryPath
}

// agency adds an agency of the node's own.
func (n *node) agency(code, country string) {
	n.t.Helper()
	if _, err := n.Directory.CreateAgency(ctistest.System, ctis.Agency{Code: code, Name: "Agency " + code, Country: country, Kind: "security"}); err != nil {
		n.t.Fatal(err)
	}
}

func (n *node) group(name string, agencies ...string) {
	n.t.Helper()
	if _, err := n.Directory.PutGroup(ctistest.System, ctis.SharingGroup{Name: name, Agencies: agencies}); err != nil {
		n.t.Fatal(err)
	}
}

// token makes an analyst of agency at n, the account a peer pulls as,
// and returns the file that holds its token.
func (n *node) token(agency string) string {
	n.t.Helper()
	_, token, err := n.Directory.CreateUser(ctistest.System, ctis.NewUser{Username: "peer." + agency + "." + ctis.NewID()[20:], Agency: agency, Roles: []ctis.Role{ctis.RoleAnalyst}})
	if err != nil {
		n.t.Fatal(err)
	}
	file := filepath.Join(n.t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
		n.t.Fatal(err)
	}
	return file
}

// peerOf is from's record at n, pulling as agency with the agreement.
func (n *node) peerOf(from *node, agency string, a ctis.Agreement) ctis.Peer {
	n.t.Helper()
	p := ctis.Peer{Name: from.name, URL: from.url, Fingerprint: from.id.fingerprint,
		ClientCert: n.id.certFile, ClientKey: n.id.keyFile, TokenFile: from.token(agency), Agreement: a}
	got, err := n.DB.PutPeer(ctistest.System, p)
	if err != nil {
		n.t.Fatal(err)
	}
	return *got
}

// pull pulls p into n, limit objects a page, and brings n's screening
// index up to date.
func (n *node) pull(p ctis.Peer, limit int) (peer.Report, error) {
	n.t.Helper()
	return n.sync(peer.Pull, p, limit)
}

// reconcile reconciles n with p, as pull pulls.
func (n *node) reconcile(p ctis.Peer, limit int) (peer.Report, error) {
	n.t.Helper()
	return n.sync(peer.Reconcile, p, limit)
}

// sync runs a pull or a reconciliation of p into n and brings n's
// screening index up to date.
func (n *node) sync(run func(context.Context, ctis.PeerService, ctis.Peer, *taxii.Client, int, peer.Markings) (peer.Report, error), p ctis.Peer, limit int) (peer.Report, error) {
	n.t.Helper()
	c, err := peer.NewClient(p)
	if err != nil {
		n.t.Fatal(err)
	}
	rep, err := run(ctistest.System, n.DB, p, c, limit, nil)
	if _, cerr := n.Screen.CatchUp(context.Background()); cerr != nil {
		n.t.Fatal(cerr)
	}
	return rep, err
}

// mustPull is pull that must succeed.
func (n *node) mustPull(p ctis.Peer, limit int) peer.Report {
	n.t.Helper()
	rep, err := n.pull(p, limit)
	if err != nil {
		n.t.Fatal(err)
	}
	return rep
}

// statements are the statements ctx may export from n: ID → withdrawn.
func (n *node) statements(ctx context.Context) map[string]bool {
	n.t.Helper()
	out := map[string]bool{}
	err := n.Entities.Export(ctx, func(e *ctis.Entity) error {
		for _, s := range e.Statements {
			out[s.ID] = s.Withdrawn != nil
		}
		return nil
	})
	if err != nil {
		n.t.Fatal(err)
	}
	return out
}
