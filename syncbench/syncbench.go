// Package syncbench measures node-to-node sync: node A, a store filled
// with generated persons, serves TAXII 2.1 and the peer link over mutual
// TLS on loopback; node B pulls all of it through the TAXII client, as a
// peer does, and then one new statement at a time, under a poll and under
// the push trigger, timing how long A's commit takes to reach B's store.
package syncbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"ctis"
	"ctis/benchhost"
	"ctis/peer"
	"ctis/screenbench"
	"ctis/store"
	"ctis/taxii"
)

// Options are the bench's settings.
type Options struct {
	// Statements is how many statements A holds: generated persons of
	// four statements each, one in ten also a member of one of a hundred
	// organisations (a reference, which travels as a relationship).
	Statements int
	// Repeat is how many full pulls are measured, each into a new B.
	Repeat int
	// Page is how many objects a pull asks for a page; zero means
	// peer.PageSize.
	Page int
	// Poll is B's poll interval for the lag under a poll; PollLags and
	// PushLags are how many new statements are timed under each.
	Poll               time.Duration
	PollLags, PushLags int
	// DB is A's store: a postgres:// URL of an empty database, or empty
	// for a temporary SQLite file. B is always a temporary SQLite file.
	DB   string
	Dir  string
	Seed uint64
	// Progress receives a line as each step goes.
	Progress io.Writer
}

func (o *Options) progressf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// The bench's agencies: A's originator and the account B pulls with at
// A; B's own agency, which receives, and which A's record of B speaks
// for. XX is no country, so no code is a member's.
const (
	listAgency  = "XX-LIST"
	peerAgency  = "XX-PEER"
	nodeBAgency = "XX-NODEB"
)

// released is how A shares the generated persons: with every member.
var released = ctis.Handling{Distribution: ctis.DistAll, Frontline: true}

// Run runs the bench and writes its report to out.
func Run(ctx context.Context, o Options, out io.Writer) error {
	if o.Statements < 4 || o.Repeat < 1 || o.Poll <= 0 || o.PollLags < 0 || o.PushLags < 0 {
		return fmt.Errorf("the bench needs at least 4 statements, 1 repeat and a poll interval")
	}
	if o.Page <= 0 {
		o.Page = peer.PageSize
	}
	host := benchhost.Start()
	dir, err := os.MkdirTemp(o.Dir, "ctis-syncbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	aDSN := o.DB
	if aDSN == "" {
		aDSN = filepath.Join(dir, "a.db")
	}
	// A's statements are dated an hour back while it is filled, as a node's
	// data were written before: a pull resumes a minute before its cursor
	// (peer.Overlap), and would otherwise read again all that the fill
	// wrote in its last minute, where a node reads what it wrote in its
	// last minute alone.
	var back atomic.Int64
	back.Store(int64(time.Hour))
	a, err := store.Open(ctx, aDSN, store.Options{Now: func() time.Time { return time.Now().Add(-time.Duration(back.Load())) }})
	if err != nil {
		return fmt.Errorf("opening node A's store: %w", err)
	}
	defer a.Close()
	op := ctis.NewContext(ctx, ctis.SystemIdentity("sync-bench"))
	if held, err := a.Agencies(op); err != nil {
		return err
	} else if len(held) > 0 {
		return fmt.Errorf("node A's database already holds %d agencies: give the bench an empty database (createdb a new one), or leave out --db for a temporary SQLite file", len(held))
	}
	fill, err := prepareA(ctx, &o, a)
	if err != nil {
		return err
	}
	back.Store(0)
	ids, err := newIdentities(dir)
	if err != nil {
		return err
	}
	aSrv, err := serveA(a, ids)
	if err != nil {
		return err
	}
	defer aSrv.Close()

	rep := report{o: o, fill: fill, store: store.Describe(aDSN)}
	for run := 1; run <= o.Repeat; run++ {
		b, err := openB(ctx, dir, run, a, ids, aSrv.url)
		if err != nil {
			return err
		}
		o.progressf("full pull %d of %d: node B pulls node A", run, o.Repeat)
		r, err := b.fullPull(ctx, &o)
		b.close()
		if err != nil {
			return err
		}
		rep.pulls = append(rep.pulls, r)
		o.progressf("full pull %d of %d: %d statements, %d pages in %s", run, o.Repeat, r.statements, r.pages, r.took.Round(time.Millisecond))
	}

	b, err := openB(ctx, dir, 0, a, ids, aSrv.url)
	if err != nil {
		return err
	}
	defer b.close()
	o.progressf("the lag of a new statement: node B catches up with node A first")
	if _, err := b.fullPull(ctx, &o); err != nil {
		return err
	}
	if rep.pollLags, err = lags(ctx, &o, a, b, false); err != nil {
		return err
	}
	if rep.pushLags, err = lags(ctx, &o, a, b, true); err != nil {
		return err
	}
	host.End()
	rep.host = host
	rep.write(out)
	return nil
}

// filled is what prepareA stored.
type filled struct {
	statements, entities, references int
	took                             time.Duration
}

// prepareA fills A: its agencies, the account B pulls with, and the
// generated persons and organisations.
func prepareA(ctx context.Context, o *Options, a *store.DB) (filled, error) {
	op := ctis.NewContext(ctx, ctis.SystemIdentity("sync-bench"))
	for _, ag := range []ctis.Agency{
		{Code: listAgency, Name: "Sync benchmark watchlist", Country: "UN"},
		{Code: peerAgency, Name: "Sync benchmark node B's account", Country: "UN"},
	} {
		if _, err := a.CreateAgency(op, ag); err != nil {
			return filled{}, err
		}
	}
	people, err := screenbench.NewPeople(o.Seed)
	if err != nil {
		return filled{}, err
	}
	contributor := ctis.NewContext(ctx, ctis.Identity{Username: "sync-bench", Agency: listAgency, Roles: []ctis.Role{ctis.RoleAnalyst}})
	var f filled
	t0 := time.Now()
	const orgs = 100
	var batch []ctis.NewEntity
	for i := range orgs {
		batch = append(batch, ctis.NewEntity{ID: ctis.DerivedID("sync-bench", "org"+strconv.Itoa(i)), Schema: "Organization",
			Statements: []ctis.NewStatement{{Property: "name", Value: fmt.Sprintf("Sync Bench Front %d", i), Handling: released, Grading: "B2"}}})
	}
	if _, err := a.Import(contributor, batch); err != nil {
		return f, fmt.Errorf("storing the organisations: %w", err)
	}
	f.statements, f.entities = orgs, orgs
	const batchSize = 2000
	next := 20_000
	for done := 0; f.statements < o.Statements; {
		batch = batch[:0]
		for ; len(batch) < batchSize && f.statements < o.Statements; done++ {
			p := people.Next()
			st := []ctis.NewStatement{
				{Property: "name", Value: p.Name, Handling: released, Grading: "B2"},
				{Property: "birthDate", Value: p.BirthDate, Handling: released, Grading: "B2"},
				{Property: "nationality", Value: p.Nationality, Handling: released, Grading: "B2"},
				{Property: "gender", Value: p.Gender, Handling: released, Grading: "B2"},
			}
			if done%10 == 0 {
				st = append(st, ctis.NewStatement{Property: "memberOf", Value: ctis.DerivedID("sync-bench", "org"+strconv.Itoa(done/10%orgs)), Handling: released, Grading: "B2"})
				f.references++
			}
			st = st[:min(len(st), o.Statements-f.statements)]
			if len(st) < 5 && done%10 == 0 {
				f.references--
			}
			batch = append(batch, ctis.NewEntity{ID: ctis.DerivedID("sync-bench", strconv.Itoa(done)), Schema: "Person", Statements: st})
			f.statements += len(st)
			f.entities++
		}
		if _, err := a.Import(contributor, batch); err != nil {
			return f, fmt.Errorf("storing the generated persons: %w", err)
		}
		if f.statements >= next || f.statements >= o.Statements {
			o.progressf("node A: stored %d of %d statements (%s)", f.statements, o.Statements, time.Since(t0).Round(100*time.Millisecond))
			next += 20_000 * (1 + o.Statements/1_000_000*4)
		}
	}
	f.took = time.Since(t0)
	return f, nil
}

// server is a node's listener on loopback.
type server struct {
	srv *http.Server
	url string
}

func (s *server) Close() { s.srv.Close() }

// serve serves h over mutual TLS on a loopback port, taking only the
// clients whose certificates are pinned.
func serve(h http.Handler, tlsID identity, pins ...string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, TLSConfig: peer.ServerTLS(tlsID.cert, pins...), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.ServeTLS(ln, "", "")
	return &server{srv: srv, url: "https://" + ln.Addr().String() + taxii.DiscoveryPath}, nil
}

// services are a node's services as its TAXII server and peer link use
// them: the store's, without the match indexes, which sync never reads.
func services(db *store.DB) ctis.Services {
	return ctis.Services{Directory: db, Auth: db, Entities: db, Audit: db, Requests: db, Statuses: db}
}

// serveA serves A's TAXII server and peer link to B.
func serveA(a *store.DB, ids identities) (*server, error) {
	mux := http.NewServeMux()
	quiet := slog.New(slog.DiscardHandler)
	mux.Handle(taxii.DiscoveryPath, (&taxii.Server{Services: services(a), Logger: quiet}).Handler())
	mux.Handle("/peer/", (&peer.Link{Peers: a, Auth: a, Audit: a, Logger: quiet}).Handler())
	return serve(mux, ids.a, ids.b.fingerprint)
}

// nodeB is a B: its store, its server (for the push trigger), its record
// of A, and A's record of it.
type nodeB struct {
	db       *store.DB
	srv      *server
	peerA    ctis.Peer
	sched    *peer.Scheduler
	closeAll func()
}

func (b *nodeB) close() { b.closeAll() }

// openB makes a new B, pulling from A as peerAgency, and tells A of it.
func openB(ctx context.Context, dir string, run int, a *store.DB, ids identities, aURL string) (*nodeB, error) {
	op := ctis.NewContext(ctx, ctis.SystemIdentity("sync-bench"))
	path := filepath.Join(dir, fmt.Sprintf("b%d.db", run))
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("opening node B's store: %w", err)
	}
	b := &nodeB{db: db, sched: &peer.Scheduler{Peers: db, Log: slog.New(slog.DiscardHandler)}}
	closers := []func(){func() { db.Close(); os.Remove(path) }}
	b.closeAll = func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	fail := func(err error) (*nodeB, error) { b.closeAll(); return nil, err }
	for _, code := range []string{peerAgency, nodeBAgency} {
		if _, err := db.CreateAgency(op, ctis.Agency{Code: code, Name: "Sync benchmark " + code, Country: "UN"}); err != nil {
			return fail(err)
		}
	}
	// B's account at A, and A's at B: each node's token for the other.
	tokenAtA, err := token(op, a, peerAgency, filepath.Join(dir, fmt.Sprintf("a-for-b%d.token", run)))
	if err != nil {
		return fail(err)
	}
	tokenAtB, err := token(op, db, nodeBAgency, filepath.Join(dir, fmt.Sprintf("b%d-for-a.token", run)))
	if err != nil {
		return fail(err)
	}
	p, err := db.PutPeer(op, ctis.Peer{Name: "node-a", URL: aURL, Fingerprint: ids.a.fingerprint, ClientCert: ids.b.certFile, ClientKey: ids.b.keyFile,
		TokenFile: tokenAtA, Agreement: ctis.Agreement{
			SpeaksFor:  []ctis.Agency{{Code: listAgency, Name: "Sync benchmark watchlist", Country: "UN"}},
			Recipients: map[string][]string{peerAgency: {peerAgency}},
		}})
	if err != nil {
		return fail(err)
	}
	b.peerA = *p
	mux := http.NewServeMux()
	mux.Handle("/peer/", (&peer.Link{Peers: db, Auth: db, Audit: db, Wake: b.sched.Wake, Logger: slog.New(slog.DiscardHandler)}).Handler())
	if b.srv, err = serve(mux, ids.b, ids.a.fingerprint); err != nil {
		return fail(err)
	}
	closers = append(closers, b.srv.Close)
	// A's record of this B, replacing the last one's: where to tell it to
	// pull.
	if _, err := a.PutPeer(op, ctis.Peer{Name: "node-b", URL: b.srv.url, Fingerprint: ids.b.fingerprint, ClientCert: ids.a.certFile, ClientKey: ids.a.keyFile,
		TokenFile: tokenAtB, Agreement: ctis.Agreement{
			SpeaksFor:  []ctis.Agency{{Code: nodeBAgency, Name: "Sync benchmark node B", Country: "UN"}},
			Recipients: map[string][]string{nodeBAgency: {listAgency}},
		}}); err != nil {
		return fail(err)
	}
	return b, nil
}

// token makes an analyst of agency at db and writes its token to file.
func token(op context.Context, db *store.DB, agency, file string) (string, error) {
	_, t, err := db.CreateUser(op, ctis.NewUser{Username: "sync-bench." + agency + "." + ctis.NewID()[24:], Agency: agency, Roles: []ctis.Role{ctis.RoleAnalyst}})
	if err != nil {
		return "", err
	}
	return file, os.WriteFile(file, []byte(t+"\n"), 0o600)
}

// pulled is one full pull.
type pulled struct {
	statements, pages int
	took              time.Duration
}

// counting is B's store as a pull uses it, counting what it stores and
// saying so every so often.
type counting struct {
	ctis.PeerService
	o                 *Options
	statements, pages int
	started, said     time.Time
}

func (c *counting) ApplyPeerPage(ctx context.Context, p ctis.PeerPage) (*ctis.PeerReport, error) {
	r, err := c.PeerService.ApplyPeerPage(ctx, p)
	if err == nil {
		c.statements += r.Added
		c.pages++
		if time.Since(c.said) > 10*time.Second {
			c.said = time.Now()
			el := time.Since(c.started)
			c.o.progressf("node B: %d statements in %d pages (%s, %.0f statements/s)", c.statements, c.pages, el.Round(time.Second), float64(c.statements)/el.Seconds())
		}
	}
	return r, err
}

// fullPull pulls all of A into B, timed.
func (b *nodeB) fullPull(ctx context.Context, o *Options) (pulled, error) {
	op := ctis.NewContext(ctx, ctis.SystemIdentity("sync-bench"))
	c, err := peer.NewClient(b.peerA)
	if err != nil {
		return pulled{}, err
	}
	cs := &counting{PeerService: b.db, o: o, started: time.Now(), said: time.Now()}
	rep, err := peer.Pull(op, cs, b.peerA, c, o.Page, nil)
	if err != nil {
		return pulled{}, err
	}
	if rep.Witness != nil {
		return pulled{}, fmt.Errorf("witnessing node A's audit head: %w", rep.Witness)
	}
	return pulled{statements: rep.Added, pages: rep.Pages, took: time.Since(cs.started)}, nil
}

// lags times new statements from A's commit to B's store: with B polling
// every o.Poll, or, with push, A's notifier telling B at once. Under a
// poll each statement is written at a random point of the interval, as a
// write falls when it falls.
func lags(ctx context.Context, o *Options, a *store.DB, b *nodeB, push bool) ([]time.Duration, error) {
	n, what := o.PollLags, fmt.Sprintf("polling every %s", o.Poll)
	if push {
		n, what = o.PushLags, "with the push trigger"
	}
	if n == 0 {
		return nil, nil
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	b.sched.Every = o.Poll
	done := make(chan struct{}, 2)
	go func() { b.sched.Run(ctx); done <- struct{}{} }()
	running := 1
	if push {
		go func() { (&peer.Notifier{Peers: a, Log: slog.New(slog.DiscardHandler)}).Run(ctx); done <- struct{}{} }()
		running++
	}
	defer func() {
		stop()
		for range running {
			<-done
		}
	}()
	// The scheduler's first turn pulls at once; the lags start after it.
	time.Sleep(time.Second)
	contributor := ctis.NewContext(ctx, ctis.Identity{Username: "sync-bench", Agency: listAgency, Roles: []ctis.Role{ctis.RoleAnalyst}})
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	last, err := b.db.LastChange(ctx)
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := range n {
		if !push {
			time.Sleep(time.Duration(rng.Int64N(int64(o.Poll))))
		} else {
			time.Sleep(time.Duration(200+rng.IntN(300)) * time.Millisecond)
		}
		e, err := a.CreateEntity(contributor, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
			{Property: "name", Value: fmt.Sprintf("Abu Syncbench Lag %d", i), Handling: released, Grading: "B2"}}})
		if err != nil {
			return nil, err
		}
		committed := time.Now()
		deadline := committed.Add(3*o.Poll + time.Minute)
		for found := false; !found; {
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("a statement committed at node A did not reach node B within %s", time.Until(deadline)+time.Since(committed))
			}
			time.Sleep(5 * time.Millisecond)
			changes, err := b.db.Changes(ctx, last, 1000)
			if err != nil {
				return nil, err
			}
			for _, c := range changes {
				last = c.Seq
				found = found || (c.Kind == ctis.ChangeEntity && c.Ref == e.ID)
			}
		}
		lag := time.Since(committed)
		out = append(out, lag)
		o.progressf("lag %s, %d of %d: %s", what, i+1, n, lag.Round(time.Millisecond))
	}
	return out, nil
}

// errNoRuns is what a report of no runs says.
var errNoRuns = errors.New("no runs")

// spread is the min, median and max of ds.
func spread(ds []time.Duration) (lo, mid, hi time.Duration, err error) {
	if len(ds) == 0 {
		return 0, 0, 0, errNoRuns
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[0], s[len(s)/2], s[len(s)-1], nil
}
