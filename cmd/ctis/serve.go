package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/api"
	"ctis/demo"
	"ctis/feed"
	"ctis/hashbank"
	"ctis/health"
	"ctis/mail"
	"ctis/metrics"
	"ctis/node"
	"ctis/peer"
	"ctis/screen"
	"ctis/store"
	"ctis/taxii"
	"ctis/throttle"
	"ctis/web"
)

func newServe(o *options) *cobra.Command {
	var addr, metricsAddr, peerAddr, peerCert, peerKey string
	var withDemo, peerPush bool
	var peerPoll, peerReconcile time.Duration
	var relay mail.Relay
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the node: the web pages, the REST API and the TAXII 2.1 server",
		Long: "Serve the web pages at /, the REST API under /api/v1 (OpenAPI document at /api/v1/openapi.json) and the\n" +
			"TAXII 2.1 server under /taxii2/ (API root /taxii2/api/; the API's tokens and purpose).\n" +
			"/healthz answers 200 while the process is up, /readyz 200 when the store answers and the match indexes\n" +
			"are built (503 and the reason otherwise), and /metrics the node's figures in the Prometheus text format:\n" +
			"on --addr, or with --metrics-addr on that address alone.\n" +
			"With --demo, start on a new temporary database filled with sample agencies, users of every role and\n" +
			"entities under every kind of handling, and print the demo logins and tokens.\n" +
			"Every --peer-poll, pull from the peer nodes ('ctis peer add'), backing off from one that fails.\n" +
			"With --peer-addr, serve the peers on that address over mutual TLS (this node's --peer-cert and --peer-key;\n" +
			"a client only with a certificate pinned for one of the peers): TAXII under /taxii2/, and the peer link,\n" +
			"where a peer asks to be pulled now (POST /peer/v1/pull) and reads this node's audit head\n" +
			"(GET /peer/v1/audit/head). With --peer-push, tell every peer to pull when a statement of this node's\n" +
			"own, released beyond its originator, is recorded or withdrawn.\n" +
			"With --smtp-relay, mail each user who has an e-mail address ('ctis user add --email') a link to what needs\n" +
			"their attention: a request addressed to their agency, a deadline, an alert, an escalated hit. The mail\n" +
			"carries the link alone; the relay's password, if any, is read from CTIS_SMTP_PASSWORD.",
		Example: "  ctis serve --demo\n  ctis serve --db /var/lib/ctis/ctis.db --addr 127.0.0.1:8080 --metrics-addr 127.0.0.1:9464",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			if relay.Addr != "" {
				relay.Password, relay.Compose = os.Getenv("CTIS_SMTP_PASSWORD"), web.MailText
				if err := relay.Check(); err != nil {
					return err
				}
			}
			if withDemo {
				dir, err := os.MkdirTemp("", "ctis-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				o.db = filepath.Join(dir, "demo.db")
			}
			n, err := openNode(ctx, o, log)
			if err != nil {
				return err
			}
			defer n.Close()
			// Listen before building the indexes, which takes a while on a
			// large store: meanwhile the node is alive and not ready, and a
			// load balancer sends it nothing.
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("%w\n(is another server on %s? choose another with --addr)", err, addr)
			}
			metricsHere := metricsAddr == ""
			front := &switchable{}
			front.set(n.starting(metricsHere))
			servers := []served{{ln, front}}
			metricsURL := "http://" + ln.Addr().String() + "/metrics"
			if !metricsHere {
				mln, err := net.Listen("tcp", metricsAddr)
				if err != nil {
					ln.Close()
					return fmt.Errorf("%w\n(is another server on %s? choose another with --metrics-addr)", err, metricsAddr)
				}
				servers = append(servers, served{mln, n.metricsOnly()})
				metricsURL = "http://" + mln.Addr().String() + "/metrics"
			}
			// The peers' listener answers 503 until the node is built, as
			// the main one does.
			var peerFront *switchable
			if peerAddr != "" {
				cert, err := tls.LoadX509KeyPair(peerCert, peerKey)
				if err != nil {
					closeAll(servers)
					return fmt.Errorf("--peer-cert and --peer-key: %w", err)
				}
				pln, err := net.Listen("tcp", peerAddr)
				if err != nil {
					closeAll(servers)
					return fmt.Errorf("%w\n(is another server on %s? choose another with --peer-addr)", err, peerAddr)
				}
				peerFront = &switchable{}
				peerFront.set(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "10")
					http.Error(w, "starting: building the match indexes", http.StatusServiceUnavailable)
				}))
				servers = append(servers, served{tls.NewListener(pln, peer.PeersTLS(cert, n.db)), peerFront})
			}
			serving, stop := context.WithCancel(ctx)
			defer stop()
			done := make(chan error, 1)
			go func() { done <- serveUntilDone(serving, log, servers...) }()
			if err := n.build(ctx, withDemo, log); err != nil {
				stop()
				<-done
				return err
			}
			front.set(n.routes(metricsHere))
			link := &peer.Link{Peers: n.db, Auth: n.db, Audit: n.db, Logger: log}
			if peerPoll > 0 {
				// Pulled statements reach the indexes through the store's
				// change log, as other processes' writes do. A pull in
				// flight at shutdown ends before the store closes.
				sched := &peer.Scheduler{Peers: n.db, Every: peerPoll, Reconcile: peerReconcile, Log: log}
				link.Wake = sched.Wake
				pulling := make(chan struct{})
				go func() {
					defer close(pulling)
					sched.Run(serving)
				}()
				defer func() { stop(); <-pulling }()
			}
			if peerFront != nil {
				peerFront.set(n.peerRoutes(link))
			}
			if peerPush {
				telling := make(chan struct{})
				go func() {
					defer close(telling)
					(&peer.Notifier{Peers: n.db, Wake: n.db.Wake(serving), Log: log}).Run(serving)
				}()
				defer func() { stop(); <-telling }()
			}
			if relay.Addr != "" {
				mailing := make(chan struct{})
				go func() {
					defer close(mailing)
					mail.Run(operator(serving), n.db, relay, 10*time.Second, log)
				}()
				defer func() { stop(); <-mailing }()
			}
			url := "http://" + ln.Addr().String()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "ctis is serving %s (the API under %s/api/v1, OpenAPI: %s/api/v1/openapi.json), database %s\n", url, url, url, store.Describe(o.db))
			fmt.Fprintf(out, "metrics at %s\n", metricsURL)
			if withDemo {
				printLogins(out, url, n.logins)
			}
			return <-done
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().StringVar(&relay.Addr, "smtp-relay", "", "mail notifications through this SMTP relay, host:port (STARTTLS when it offers it)")
	cmd.Flags().StringVar(&relay.From, "mail-from", "", "sender address of notification mail (with --smtp-relay)")
	cmd.Flags().StringVar(&relay.BaseURL, "public-url", "", "the node's address as its users reach it, for the links in mail (with --smtp-relay)")
	cmd.Flags().StringVar(&relay.Username, "smtp-user", "", "log in to the relay as this user (password from CTIS_SMTP_PASSWORD)")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "serve /metrics on this address (such as 127.0.0.1:9464) instead of on --addr")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "serve a temporary database with sample data")
	cmd.Flags().DurationVar(&peerPoll, "peer-poll", 5*time.Minute, "pull from the peer nodes (ctis peer add) this often; 0 pulls from none")
	cmd.Flags().DurationVar(&peerReconcile, "peer-reconcile", 24*time.Hour, "read each peer's collection whole this often, withdrawing what it no longer releases to this node; 0 never")
	cmd.Flags().StringVar(&peerAddr, "peer-addr", "", "serve TAXII and the peer link to the peers on this address, over mutual TLS")
	cmd.Flags().StringVar(&peerCert, "peer-cert", "", "this node's certificate for --peer-addr, PEM (the one its peers pin)")
	cmd.Flags().StringVar(&peerKey, "peer-key", "", "this node's key for --peer-addr, PEM")
	cmd.Flags().BoolVar(&peerPush, "peer-push", true, "tell the peers to pull when a statement they may receive is recorded or withdrawn")
	return cmd
}

// closeAll closes the listeners of servers not yet served.
func closeAll(servers []served) {
	for _, s := range servers {
		s.ln.Close()
	}
}

// peerRoutes is the handler of the peers' listener: the TAXII server and
// the peer link.
func (n *runningNode) peerRoutes(link *peer.Link) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(taxii.DiscoveryPath, n.taxii)
	mux.Handle("/peer/", link.Handler())
	return n.metrics.Middleware(mux)
}

// served is a handler and the listener it is served on.
type served struct {
	ln      net.Listener
	handler http.Handler
}

// serveUntilDone serves each handler on its listener until ctx ends or
// one of them fails, then shuts them all down, letting requests in
// flight finish for up to ten seconds.
func serveUntilDone(ctx context.Context, log *slog.Logger, servers ...served) error {
	errc := make(chan error, len(servers))
	srvs := make([]*http.Server, len(servers))
	for i, s := range servers {
		srvs[i] = &http.Server{
			Handler:           s.handler,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       2 * time.Minute,
			WriteTimeout:      10 * time.Minute,
			IdleTimeout:       2 * time.Minute,
		}
		go func() { errc <- srvs[i].Serve(s.ln) }()
	}
	var failed error
	select {
	case failed = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, srv := range srvs {
		if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) && failed == nil {
			failed = err
		}
	}
	if errors.Is(failed, http.ErrServerClosed) {
		return nil
	}
	return failed
}

// runningNode is a running ctis node: its store, indexes and HTTP handler.
type runningNode struct {
	db     *store.DB
	screen *screen.Service
	hashes *hashbank.Service
	// handler serves everything: the API, the pages, health, readiness
	// and metrics.
	handler http.Handler
	logins  []demo.Login

	metrics   *metrics.Metrics
	readiness *health.Readiness
	// api and pages are made once: each holds sessions and a throttle.
	// taxii is the TAXII 2.1 server, over the same services as the API.
	api, pages, taxii http.Handler
	// screenBuilt and hashesBuilt say whether the match indexes are
	// built, for readiness.
	screenBuilt, hashesBuilt atomic.Bool
	// feed wakes the live feeds of event channels.
	feed *feed.Hub
}

// Close closes the node's store.
func (n *runningNode) Close() error { return n.db.Close() }

// routes is the node's handler, with /metrics or without it, each request
// timed by the one metrics middleware.
func (n *runningNode) routes(withMetrics bool) http.Handler {
	return n.around(withMetrics, n.api, n.pages, n.taxii)
}

// starting is the node's handler while it builds its indexes: alive, not
// ready, and 503 to the API and the pages.
func (n *runningNode) starting(withMetrics bool) http.Handler {
	busy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		http.Error(w, "starting: building the match indexes", http.StatusServiceUnavailable)
	})
	return n.around(withMetrics, busy, busy, busy)
}

// around mounts the API, the TAXII server and the pages beside health,
// readiness and, if asked, metrics.
func (n *runningNode) around(withMetrics bool, api, pages, taxiiServer http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle(taxii.DiscoveryPath, taxiiServer)
	mux.Handle("/", pages)
	mux.Handle("GET /healthz", health.Alive())
	mux.Handle("GET /readyz", n.readiness)
	if withMetrics {
		mux.Handle("GET /metrics", n.metrics.Handler())
	}
	return n.metrics.Middleware(mux)
}

// switchable serves the handler set last: the starting one, then the
// node's own.
type switchable struct {
	h atomic.Pointer[http.Handler]
}

func (s *switchable) set(h http.Handler) { s.h.Store(&h) }

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) { (*s.h.Load()).ServeHTTP(w, r) }

// metricsOnly is the handler of a listener of its own for /metrics.
func (n *runningNode) metricsOnly() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", n.metrics.Handler())
	return mux
}

// startNode opens the store, seeds it with the demo data when asked,
// builds the match indexes and the HTTP handler of the API and the pages.
// The end-to-end tests use it; serve opens and builds apart, serving
// health and readiness in between.
func startNode(ctx context.Context, o *options, withDemo bool, log *slog.Logger) (*runningNode, error) {
	n, err := openNode(ctx, o, log)
	if err != nil {
		return nil, err
	}
	if err := n.build(ctx, withDemo, log); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// openNode opens the store and makes the node's metrics and readiness,
// its indexes not built yet.
func openNode(ctx context.Context, o *options, log *slog.Logger) (*runningNode, error) {
	db, err := o.open(ctx)
	if err != nil {
		return nil, err
	}
	n := &runningNode{db: db}
	n.metrics = metrics.New(metrics.Sources{
		ScreeningRecords: func() int {
			if !n.screenBuilt.Load() {
				return 0
			}
			return n.screen.Records()
		},
		HashEntries: func() (int, int) {
			if !n.hashesBuilt.Load() {
				return 0, 0
			}
			return n.hashes.Len()
		},
		OpenHits:    db.OpenHits,
		AuditEvents: db.AuditEvents,
		IndexesBehind: map[string]func(context.Context) (int64, error){
			metrics.IndexScreening: n.screenBehind,
			metrics.IndexHash:      n.hashesBehind,
		},
	})
	n.readiness = &health.Readiness{Logger: log, Checks: []health.Check{
		node.StoreReady(db),
		node.IndexReady("screening index", n.screenBuilt.Load, n.screenBehind, indexMaxBehind),
		node.IndexReady("hash index", n.hashesBuilt.Load, n.hashesBehind, indexMaxBehind),
	}}
	return n, nil
}

// indexMaxBehind is how many changes of the store's log a match index may
// have left to load and still be ready: ten reads of the log, a couple of
// seconds of catching up. Further behind, it is catching up with a large
// import another process made, or failing to, and screens against stale
// data.
const indexMaxBehind = 50_000

// screenBehind and hashesBehind say how far behind the store's change log
// each index is, once built.
func (n *runningNode) screenBehind(ctx context.Context) (int64, error) {
	if !n.screenBuilt.Load() {
		return 0, metrics.ErrNoCount
	}
	return n.screen.Behind(ctx)
}

func (n *runningNode) hashesBehind(ctx context.Context) (int64, error) {
	if !n.hashesBuilt.Load() {
		return 0, metrics.ErrNoCount
	}
	return n.hashes.Behind(ctx)
}

// build seeds the demo data when asked, builds the match indexes and the
// HTTP handler of the API and the pages.
func (n *runningNode) build(ctx context.Context, withDemo bool, log *slog.Logger) error {
	db := n.db
	var err error
	if withDemo {
		if n.logins, err = demo.Seed(operator(ctx), db); err != nil {
			return fmt.Errorf("seeding the demo database: %w", err)
		}
	}
	started := time.Now()
	svc, err := screen.New(ctx, db)
	if err != nil {
		return fmt.Errorf("building the screening index: %w", err)
	}
	n.metrics.IndexBuilt(metrics.IndexScreening, time.Since(started))
	n.screen = svc
	n.screenBuilt.Store(true)
	go refresh(ctx, svc, db, n.metrics, log)
	go referralClock(ctx, db, log)
	started = time.Now()
	hashes, err := hashbank.New(ctx, db, func(loaded int) {
		if loaded%1_000_000 == 0 {
			log.Info("building the hash index", "loaded", loaded)
		}
	})
	if err != nil {
		return fmt.Errorf("building the hash index: %w", err)
	}
	n.metrics.IndexBuilt(metrics.IndexHash, time.Since(started))
	n.hashes = hashes
	n.hashesBuilt.Store(true)
	hub, err := feed.NewHub(ctx, db, log)
	if err != nil {
		return fmt.Errorf("starting the live feeds: %w", err)
	}
	n.feed = hub
	go node.Follow(ctx, db.Wake(ctx), log, svc, hashes, hub)
	if withDemo {
		if err := demo.SeedHashes(operator(ctx), hashes); err != nil {
			return fmt.Errorf("seeding the demo hash banks: %w", err)
		}
	}
	pdqs, others := hashes.Len()
	log.Info("hash index built", "pdq", pdqs, "digests_and_urls", others, "seconds", time.Since(started).Seconds())
	// Failed logins are kept in the store, so that every process behind
	// a balancer counts the same ones.
	limiter := throttle.New(time.Now, db)
	services := node.Services(db, svc, hashes)
	services.Events = hub.Events(db)
	services.Screener = n.metrics.Screener(services.Screener)
	formKey, err := db.FormKey(ctx)
	if err != nil {
		return fmt.Errorf("reading the pages' form key: %w", err)
	}
	pages := &web.Server{Services: services, Limiter: limiter, Logger: log, FormKey: formKey, Feed: hub}
	for _, l := range n.logins {
		pages.Demo = append(pages.Demo, web.Login{Username: l.Username, Agency: l.Agency, Roles: l.Roles})
		pages.DemoPassword = demo.Password
	}
	n.api = (&api.Server{Services: services, Logger: log, Limiter: limiter, Feed: hub}).Handler()
	n.pages = pages.Handler()
	n.taxii = (&taxii.Server{Services: services, Logger: log}).Handler()
	n.handler = n.routes(true)
	return nil
}

// refresh applies the travel-data and event-channel retention policies
// and runs the clock of cooperation requests (reminders, lapsed
// preservations) at start and every hour, and rebuilds the screening
// index every hour, so that statements reaching their review date leave
// screening under the hide and purge policies.
func refresh(ctx context.Context, svc *screen.Service, db *store.DB, m *metrics.Metrics, log *slog.Logger) {
	retain := func() {
		if rep, err := db.ApplyRetention(operator(ctx)); err != nil {
			log.Error("applying the travel-data retention policy", "err", err)
		} else if *rep != (ctis.RetentionReport{}) {
			log.Info("travel-data retention", "masked", rep.Masked, "deleted", rep.Deleted, "referrals_masked", rep.ReferralsMasked,
				"referrals_deleted", rep.ReferralsDeleted, "hits_masked", rep.HitsMasked, "hits_deleted", rep.HitsDeleted)
		}
		if rep, err := db.SweepRequests(operator(ctx)); err != nil {
			log.Error("running the cooperation requests' clock", "err", err)
		} else if rep.Reminders+rep.Expired > 0 {
			log.Info("cooperation requests", "reminders", rep.Reminders, "expired", rep.Expired)
		}
		if n, err := db.FlagStaleAuthorities(operator(ctx)); err != nil {
			log.Error("flagging stale directory entries", "err", err)
		} else if n > 0 {
			log.Info("directory entries gone stale", "flagged", n)
		}
		if rep, err := db.ApplyEventRetention(operator(ctx)); err != nil {
			log.Error("applying the event-channel retention policy", "err", err)
		} else if rep.Archived+rep.Deleted > 0 {
			log.Info("event-channel retention", "archived", rep.Archived, "deleted", rep.Deleted)
		}
	}
	retain()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			retain()
			started := time.Now()
			if err := svc.Refresh(ctx); err != nil {
				log.Error("refreshing the screening index", "err", err)
			} else {
				m.IndexBuilt(metrics.IndexScreening, time.Since(started))
			}
		}
	}
}

// referralClock runs the referrals' clock every minute: a removal order
// has an hour, so its passing is told within a minute of it.
func referralClock(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if n, err := db.SweepReferrals(operator(ctx)); err != nil {
			log.Error("running the referrals' clock", "err", err)
		} else if n > 0 {
			log.Info("removal orders past their hour", "flagged", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func printLogins(w interface{ Write([]byte) (int, error) }, url string, logins []demo.Login) {
	fmt.Fprintf(w, "\nDemo logins (password %q for all):\n", demo.Password)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USER\tAGENCY\tROLES\tAPI TOKEN")
	for _, l := range logins {
		roles := make([]string, len(l.Roles))
		for i, r := range l.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Username, l.Agency, strings.Join(roles, ","), l.Token)
	}
	tw.Flush()
	token := logins[0].Token
	for _, l := range logins {
		if l.Username == "border.de" {
			token = l.Token
		}
	}
	fmt.Fprintf(w, "\nTry, as a German border officer:\n  curl -H 'Authorization: Bearer %s' '%s/api/v1/search?name=abou+moussa&purpose=demo'\n\n", token, url)
}
