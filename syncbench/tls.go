package syncbench

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"ctis/peer"
)

// identity is a node's certificate, as files (what a peer record names)
// and loaded, and its fingerprint (what the other node pins).
type identity struct {
	cert              tls.Certificate
	certFile, keyFile string
	fingerprint       string
}

// identities are the two nodes'.
type identities struct{ a, b identity }

func newIdentities(dir string) (identities, error) {
	a, err := newIdentity(dir, "node-a")
	if err != nil {
		return identities{}, err
	}
	b, err := newIdentity(dir, "node-b")
	return identities{a, b}, err
}

// newIdentity makes a self-signed certificate for a node on loopback,
// good for a day, as a node serves and pulls with.
func newIdentity(dir, name string) (identity, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return identity{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return identity{}, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return identity{}, err
	}
	id := identity{certFile: filepath.Join(dir, name+".crt"), keyFile: filepath.Join(dir, name+".key"), fingerprint: peer.Fingerprint(der)}
	if err := os.WriteFile(id.certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return id, err
	}
	if err := os.WriteFile(id.keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return id, err
	}
	id.cert, err = tls.LoadX509KeyPair(id.certFile, id.keyFile)
	return id, err
}
