package peer_test

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/peer"
)

// mutual makes A and B peers of each other: B pulls from A (twoNodes), and
// A keeps a record of B — B's address, the token B issued to A — so that
// it can tell B to pull and B can tell who asks.
func mutual(t *testing.T) (a, b *node, aAtB, bAtA ctis.Peer) {
	a, b, aAtB = twoNodes(t)
	b.serve(a)
	bAtA = a.peerOf(b, es, ctis.Agreement{
		SpeaksFor:  []ctis.Agency{{Code: es, Name: "CNI", Country: "ES", Kind: "intelligence"}},
		Recipients: map[string][]string{es: {fr}},
	})
	return a, b, aAtB, bAtA
}

// TestPushTrigger: a statement A releases to B reaches B within seconds
// of its commit, though B polls once an hour: A's notifier tells B over
// the peer link, and B's scheduler pulls A at once. A statement for its
// originator alone tells no one.
func TestPushTrigger(t *testing.T) {
	a, b, _, _ := mutual(t)
	sched := &peer.Scheduler{Peers: b.DB, Every: time.Hour, Log: slog.New(slog.DiscardHandler)}
	var woken atomic.Int64
	b.wake = func(p string) {
		if p == "node-a" {
			woken.Add(1)
		}
		sched.Wake(p)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan struct{}, 2)
	go func() { sched.Run(ctx); done <- struct{}{} }()
	notifier := &peer.Notifier{Peers: a.DB, Every: 20 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}
	go func() { notifier.Run(ctx); done <- struct{}{} }()
	defer func() { stop(); <-done; <-done }()

	deCtx := ctistest.As(de, ctis.RoleAnalyst)
	// The scheduler's first turn pulls what there is; wait for it.
	waitFor(t, 5*time.Second, func() bool { _, ok, _ := b.DB.PeerHead(ctistest.System, "node-a"); return ok })
	before := woken.Load()
	person(t, a, fr, "Abu Zqsecretpush", ctis.Handling{HitNotice: true})
	time.Sleep(300 * time.Millisecond)
	if got := woken.Load(); got != before {
		t.Errorf("a statement for its originator alone told B to pull (%d times)", got-before)
	}
	committed := time.Now()
	e := person(t, a, fr, "Abu Zqpushed", ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{de}})
	waitFor(t, 5*time.Second, func() bool {
		return b.statements(deCtx)[e.Statements[0].ID] == false && len(b.statements(deCtx)) > 0 && has(b.statements(deCtx), e.Statements[0].ID)
	})
	t.Logf("A's commit reached B in %s", time.Since(committed).Round(time.Millisecond))
	if woken.Load() == before {
		t.Error("B was not woken")
	}
}

func has(m map[string]bool, id string) bool { _, ok := m[id]; return ok }

// waitFor polls cond until it holds, failing t after d.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("not within %s", d)
		}
	}
}

// TestLinkRefuses: the peer link takes only a pinned certificate with a
// token of the node, and asking to be pulled needs the certificate of one
// of the node's peers.
func TestLinkRefuses(t *testing.T) {
	a, b, aAtB, bAtA := mutual(t)
	c, err := peer.NewClient(bAtA)
	if err != nil {
		t.Fatal(err)
	}
	if err := peer.Notify(context.Background(), c, bAtA); err != nil {
		t.Fatalf("A telling B: %v", err)
	}
	// A bad token.
	bad := *c
	bad.Token = "nope"
	if err := peer.Notify(context.Background(), &bad, bAtA); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a bad token: %v", err)
	}
	// B's client at A, asking A to pull: A has B's record, so it may; a
	// node that is no peer of A's (C, whose certificate A's listener does
	// not pin) cannot reach it.
	cb, err := peer.NewClient(aAtB)
	if err != nil {
		t.Fatal(err)
	}
	if err := peer.Notify(context.Background(), cb, aAtB); err != nil {
		t.Errorf("B telling A: %v", err)
	}
	other := newIdentity(t, "node-c")
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = peer.ClientTLS(other.cert, a.id.fingerprint)
	cc := *cb
	cc.HTTP = &http.Client{Transport: tr}
	if err := peer.Notify(context.Background(), &cc, aAtB); err == nil {
		t.Error("an unpinned certificate was taken")
	}
	// Without a client certificate, or without TLS, there is no peer.
	h := (&peer.Link{Peers: b.DB, Auth: b.Auth, Audit: b.Audit, Wake: func(string) {}}).Handler()
	for _, r := range []*http.Request{newRequest("POST", peer.PullPath, nil), newRequest("GET", peer.HeadPath, &tls.ConnectionState{})} {
		r.Header.Set("Authorization", "Bearer "+c.Token)
		w := &recorder{header: http.Header{}}
		h.ServeHTTP(w, r)
		if w.status != http.StatusForbidden {
			t.Errorf("%s %s without a client certificate: %d", r.Method, r.URL, w.status)
		}
	}
}

func newRequest(method, path string, cs *tls.ConnectionState) *http.Request {
	r, _ := http.NewRequest(method, "https://node.example"+path, nil)
	r.TLS = cs
	return r
}

// recorder is the least of an http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(s int)           { r.status = s }

// rewriting is an audit log whose events from a number on answer other
// hashes, as a node that rewrote an event there and recomputed every hash
// after it would; or whose head goes back.
type rewriting struct {
	ctis.AuditLog
	from atomic.Int64
	back atomic.Bool
}

func (r *rewriting) Head(ctx context.Context, seq int64) (ctis.AuditHead, error) {
	h, err := r.AuditLog.Head(ctx, seq)
	if err != nil {
		return h, err
	}
	if r.back.Load() && seq == 0 {
		return r.AuditLog.Head(ctx, 1)
	}
	if from := r.from.Load(); from > 0 && h.Seq >= from {
		h.Hash = strings.Repeat("0", 64)
	}
	return h, nil
}

// TestWitnessCatchesRewrite: B witnesses A's audit head at each pull; when
// A rewrites its chain, or its head goes back, B's next pull raises an
// alarm: audited, shown with the peer, and the pull still goes on.
func TestWitnessCatchesRewrite(t *testing.T) {
	a, b, p := twoNodes(t)
	rw := &rewriting{AuditLog: a.Audit}
	a.linkAudit = rw
	first := b.mustPull(p, 0)
	if first.Witness != nil || first.Head.Seq == 0 {
		t.Fatalf("first pull: %+v", first)
	}
	person(t, a, fr, "Abu Zqwitnessed", ctis.Handling{Distribution: ctis.DistAll})
	second := b.mustPull(p, 0)
	if second.Witness != nil || second.Head.Seq <= first.Head.Seq {
		t.Fatalf("second pull: %+v", second)
	}
	if ps, _ := b.DB.Peers(ctistest.System); ps[0].Witnessed == nil || ps[0].Witnessed.AuditHead != second.Head || ps[0].Alarm != "" {
		t.Fatalf("witnessed: %+v", ps[0])
	}

	// A rewrites its chain from the first head on.
	rw.from.Store(first.Head.Seq)
	person(t, a, fr, "Abu Zqrewritten", ctis.Handling{Distribution: ctis.DistAll})
	third := b.mustPull(p, 0)
	if !errors.Is(third.Witness, peer.ErrAlarm) || third.Added == 0 {
		t.Fatalf("after the rewrite: %+v", third)
	}
	ps, _ := b.DB.Peers(ctistest.System)
	if !strings.Contains(ps[0].Alarm, "rewritten") || ps[0].Witnessed.AuditHead != second.Head {
		t.Errorf("after the rewrite, the peer shows %+v", ps[0])
	}
	page, err := b.Audit.Events(ctistest.System, ctis.AuditFilter{Action: ctis.ActPeerAlarm, Limit: 10})
	if err != nil || len(page.Events) != 1 || page.Events[0].Object != "node-a" {
		t.Fatalf("alarm audited: %+v %v", page, err)
	}

	// A head that goes back is an alarm too.
	rw.from.Store(0)
	rw.back.Store(true)
	if fourth := b.mustPull(p, 0); !errors.Is(fourth.Witness, peer.ErrAlarm) || !strings.Contains(fourth.Witness.Error(), "went back") {
		t.Fatalf("a head gone back: %+v", fourth.Witness)
	}
}

// FuzzReadHead: the reader of a peer's audit head never panics, and what
// it takes is a number and a hex SHA-256.
func FuzzReadHead(f *testing.F) {
	for _, s := range []string{`{"seq":12,"hash":"` + strings.Repeat("ab", 32) + `"}`, `{"seq":-1,"hash":""}`, `{"seq":1,"seq":2}`, `[]`, ``, `{"seq":1e99}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := peer.ReadHead(data)
		if err == nil && (h.Seq < 0 || len(h.Hash) != 64 || strings.Trim(h.Hash, "0123456789abcdef") != "") {
			t.Fatalf("%q read as %+v", data, h)
		}
	})
}
