package peer_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/peer"
	"ctis/taxii"
)

// TestBackoff: each failure doubles the wait, up to MaxBackoff, with a
// jitter of a fifth either way.
func TestBackoff(t *testing.T) {
	every := time.Minute
	for failures, want := range map[int]time.Duration{1: every, 2: 2 * every, 3: 4 * every, 30: peer.MaxBackoff} {
		for range 100 {
			got := peer.Backoff(every, failures)
			if got < want*4/5 || got > want*6/5 {
				t.Fatalf("after %d failures, waits %s, want %s ± a fifth", failures, got, want)
			}
		}
	}
}

// TestScheduler: the scheduler pulls every peer, backs off from one that
// fails while it keeps pulling the others, logs the failure without what
// a statement says, and stops when told.
func TestScheduler(t *testing.T) {
	b := newNode(t, "node-b")
	b.agency(de, "DE")
	good := newBadPeer(t, b)
	var served atomic.Int64
	good.page = func() (map[string]string, string) {
		served.Add(1)
		return envelope(stixObjects(t, fr, "Abu Zqscheduled"))
	}
	bad := newBadPeer(t, b)
	bad.page = func() (map[string]string, string) {
		// A statement whose value the reader refuses: the log must not
		// quote it.
		objs := stixObjects(t, nl, "Abu Zqsecretname")
		last := strings.Replace(string(objs[len(objs)-1]), `"value":"Abu Zqsecretname"`, `"value":"  Abu   Zqsecretname "`, 1)
		return envelope(append(objs[:len(objs)-1], json.RawMessage(last)))
	}
	for name, bp := range map[string]*badPeer{"good": good, "bad": bad} {
		speaks := ctis.Agency{Code: fr, Name: "DGSI", Country: "FR"}
		if name == "bad" {
			speaks = ctis.Agency{Code: nl, Name: "AIVD", Country: "NL"}
		}
		agreement := ctis.Agreement{SpeaksFor: []ctis.Agency{speaks}, Recipients: map[string][]string{de: {de}}}
		token := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(token, []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := b.DB.PutPeer(ctistest.System, ctis.Peer{Name: name, URL: bp.url, Fingerprint: bp.id.fingerprint,
			ClientCert: b.id.certFile, ClientKey: b.id.keyFile, TokenFile: token, Agreement: agreement}); err != nil {
			t.Fatal(err)
		}
	}
	var logged ctistest.Log
	var calls sync.Map
	s := &peer.Scheduler{Peers: b.DB, Every: 20 * time.Millisecond, Log: slog.New(slog.NewTextHandler(&logged, nil)),
		Client: func(p ctis.Peer) (*taxii.Client, error) {
			n, _ := calls.LoadOrStore(p.Name, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
			return peer.NewClient(p)
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	time.Sleep(time.Second)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the scheduler did not stop")
	}
	count := func(name string) int64 {
		n, ok := calls.Load(name)
		if !ok {
			return 0
		}
		return n.(*atomic.Int64).Load()
	}
	if count("good") < 10 || count("bad") < 2 || count("bad") > 7 {
		t.Errorf("pulls in a second every 20ms: good %d, bad (backing off) %d", count("good"), count("bad"))
	}
	if served.Load() == 0 {
		t.Error("the good peer was never read")
	}
	text := logged.String()
	if !strings.Contains(text, "peer=bad") || !strings.Contains(text, "pulling from a peer failed") || !strings.Contains(text, "pulled from a peer") {
		t.Errorf("log:\n%s", text)
	}
	if strings.Contains(text, "Zqsecretname") || strings.Contains(text, "Zqscheduled") {
		t.Errorf("the log quotes a statement:\n%s", text)
	}
}

// TestSchedulerReconciles: every Reconcile, a scheduled pull reads the
// peer's collection whole, so that what the peer stopped releasing to
// this node is withdrawn here without anyone asking.
func TestSchedulerReconciles(t *testing.T) {
	a, b, p := twoNodes(t)
	west := person(t, a, fr, "Abu Zqreconciled al-Test", ctis.Handling{Distribution: ctis.DistGroup, Group: "western"})
	b.mustPull(p, 0)
	deAnalyst := ctistest.As(de, ctis.RoleAnalyst)
	if _, err := b.Entities.Entity(deAnalyst, west.ID); err != nil {
		t.Fatal(err)
	}
	a.group("western", fr)
	var logged ctistest.Log
	s := &peer.Scheduler{Peers: b.DB, Every: 20 * time.Millisecond, Reconcile: 300 * time.Millisecond, Log: slog.New(slog.NewTextHandler(&logged, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := b.Entities.Entity(deAnalyst, west.ID); ctis.ErrorCode(err) == ctis.ENOTFOUND {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reconciliation in 10 s; log:\n%s", logged.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if text := logged.String(); !strings.Contains(text, "reconciled=true") || !strings.Contains(text, "withdrawn=1") {
		t.Errorf("log:\n%s", text)
	}
}
