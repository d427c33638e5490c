package peer_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/peer"
	"ctis/stix"
	"ctis/taxii"
)

// badPeer is a hand-written TAXII server, pinned like a node, whose one
// collection answers page, and which the test can change.
type badPeer struct {
	id   identity
	url  string
	page func() (header map[string]string, body string)
}

const badCollection = "2a7c4f0e-9b1d-4e8a-8f3c-5d6e7f8a9b0c"

func newBadPeer(t *testing.T, client *node) *badPeer {
	bp := &badPeer{id: newIdentity(t, "bad")}
	write := func(w http.ResponseWriter, v string) {
		w.Header().Set("Content-Type", taxii.MediaType)
		io.WriteString(w, v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/taxii2/", func(w http.ResponseWriter, r *http.Request) {
		write(w, `{"title":"bad","default":"`+bp.url+`api/","api_roots":["`+bp.url+`api/"]}`)
	})
	mux.HandleFunc("/taxii2/api/", func(w http.ResponseWriter, r *http.Request) {
		write(w, `{"title":"bad","versions":["`+taxii.MediaType+`"],"max_content_length":1000}`)
	})
	mux.HandleFunc("/taxii2/api/collections/", func(w http.ResponseWriter, r *http.Request) {
		write(w, `{"collections":[{"id":"`+badCollection+`","title":"x","alias":"released","can_read":true,"can_write":false}]}`)
	})
	mux.HandleFunc("/taxii2/api/collections/"+badCollection+"/objects/", func(w http.ResponseWriter, r *http.Request) {
		header, body := bp.page()
		for k, v := range header {
			w.Header().Set(k, v)
		}
		write(w, body)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = peer.ServerTLS(bp.id.cert, client.id.fingerprint)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	bp.url = srv.URL + "/taxii2/"
	return bp
}

// envelope is a page of objects, dated.
func envelope(objects []json.RawMessage) (map[string]string, string) {
	b, _ := json.Marshal(map[string]any{"more": false, "objects": objects})
	at := "2026-03-01T09:00:00.000Z"
	return map[string]string{"X-TAXII-Date-Added-First": at, "X-TAXII-Date-Added-Last": at}, string(b)
}

// stixObjects are the STIX objects of persons, each named by a pair of
// originator and name.
func stixObjects(t *testing.T, originatorAndName ...string) []json.RawMessage {
	t.Helper()
	var es []ctis.Entity
	for i := 0; i+1 < len(originatorAndName); i += 2 {
		es = append(es, ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{{
			ID: ctis.NewID(), Property: "name", Value: originatorAndName[i+1], Originator: originatorAndName[i], RecordedAt: time.Now(),
			Handling: ctis.Handling{Distribution: ctis.DistAll, Restriction: ctis.H0}}}})
	}
	objs, err := stix.Objects(es)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestBadPeer: a peer that sends what it does not originate, malformed
// STIX, types ctis does not know or pages too large gets a clear error
// naming the problem, and nothing of its page is stored, nor the cursor
// moved.
func TestBadPeer(t *testing.T) {
	b := newNode(t, "node-b")
	b.agency(de, "DE")
	bp := newBadPeer(t, b)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := b.DB.PutPeer(ctistest.System, ctis.Peer{Name: "node-x", URL: bp.url, Fingerprint: bp.id.fingerprint,
		ClientCert: b.id.certFile, ClientKey: b.id.keyFile, TokenFile: tokenFile,
		Agreement: ctis.Agreement{SpeaksFor: []ctis.Agency{{Code: fr, Name: "DGSI", Country: "FR"}}, Recipients: map[string][]string{de: {de}}}})
	if err != nil {
		t.Fatal(err)
	}
	good := stixObjects(t, fr, "Abu Zqgood")
	notOwn := stixObjects(t, fr, "Abu Zqfirst", "JO-GID", "Abu Zqforeign")
	malformed := append(good[:len(good)-1:len(good)-1], json.RawMessage(strings.Replace(string(good[len(good)-1]), `"spec_version":"2.1"`, `"spec_version":"2.0"`, 1)))
	unknown := append(good[:len(good)-1:len(good)-1], json.RawMessage(`{"type":"malware","spec_version":"2.1","id":"malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","created":"2026-03-01T09:00:00.000Z","modified":"2026-03-01T09:00:00.000Z","name":"x","is_family":false}`))
	var many []json.RawMessage
	for i := 0; i <= taxii.MaxPageObjects; i++ {
		many = append(many, json.RawMessage(fmt.Sprintf(`{"type":"note","id":"note--%08d-0000-4000-8000-000000000000"}`, i)))
	}
	cases := []struct {
		name string
		page func() (map[string]string, string)
		want string
	}{
		{"not its originator", func() (map[string]string, string) { return envelope(notOwn) }, "statement"},
		{"malformed STIX", func() (map[string]string, string) { return envelope(malformed) }, `spec_version must be "2.1"`},
		{"unknown type", func() (map[string]string, string) { return envelope(unknown) }, `unknown type "malware"`},
		{"too many objects", func() (map[string]string, string) { return envelope(many) }, "more than 1000"},
		{"oversized page", func() (map[string]string, string) {
			h, body := envelope(good)
			return h, body + strings.Repeat(" ", peer.MaxPage)
		}, fmt.Sprintf("larger than %d bytes", peer.MaxPage)},
		{"malformed envelope", func() (map[string]string, string) { return map[string]string{}, `{"more":false,"objects":[` }, "malformed JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bp.page = tc.page
			rep, err := b.pull(*p, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if rep.Added != 0 {
				t.Errorf("stored %+v", rep)
			}
			if got := b.statements(ctistest.As(de, ctis.RoleAnalyst)); len(got) != 0 {
				t.Errorf("B holds %v after a refused page", got)
			}
			if c, err := b.DB.PeerCursor(ctistest.System, "node-x", badCollection); err != nil || !c.IsZero() {
				t.Errorf("the cursor moved to %v (%v)", c, err)
			}
		})
	}
	t.Run("not its originator names it", func(t *testing.T) {
		bp.page = func() (map[string]string, string) { return envelope(notOwn) }
		_, err := b.pull(*p, 0)
		if ctis.ErrorCode(err) != ctis.EFORBIDDEN || !strings.Contains(err.Error(), "JO-GID") || !strings.Contains(err.Error(), "nothing of the page was stored") {
			t.Fatalf("%v", err)
		}
	})
	// The same page from a peer that sends what it may: stored.
	bp.page = func() (map[string]string, string) { return envelope(good) }
	if rep, err := b.pull(*p, 0); err != nil || rep.Added != 1 {
		t.Fatalf("good page: %+v %v", rep, err)
	}
}

// TestPinning: a pull checks the peer's certificate against the one
// pinned, and a node's TAXII listener takes only the pinned peers.
func TestPinning(t *testing.T) {
	a, b, p := twoNodes(t)
	person(t, a, fr, "Abu Zqpinned", ctis.Handling{Distribution: ctis.DistAll})
	wrong := p
	wrong.Fingerprint = newIdentity(t, "impostor").fingerprint
	if _, err := b.pull(wrong, 0); err == nil || !strings.Contains(err.Error(), "not the one pinned") {
		t.Fatalf("a peer with another certificate: %v", err)
	}
	// A node A does not pin: its certificate is refused by A.
	c := newNode(t, "node-c")
	stranger := p
	stranger.ClientCert, stranger.ClientKey = c.id.certFile, c.id.keyFile
	if _, err := b.pull(stranger, 0); err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("a client A does not pin: %v", err)
	}
	// No client certificate at all.
	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	if _, err := noCert.Get(a.url); err == nil {
		t.Fatal("a client without a certificate was served")
	}
	if rep := b.mustPull(p, 0); rep.Added != 1 {
		t.Fatalf("the pinned pull: %+v", rep)
	}
}
