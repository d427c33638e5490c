package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"ctis/api"
	"ctis/demo"
	"ctis/hashbank"
	"ctis/node"
	"ctis/screen"
	"ctis/store"
	"ctis/throttle"
	"ctis/web"
)

func newServe(o *options) *cobra.Command {
	var addr string
	var withDemo bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the node: the web pages and the REST API",
		Long: "Serve the web pages at / and the REST API under /api/v1 (OpenAPI document at /api/v1/openapi.json).\n" +
			"With --demo, start on a new temporary database filled with sample agencies, users of every role and\n" +
			"entities under every kind of handling, and print the demo logins and tokens.",
		Example: "  ctis serve --demo\n  ctis serve --db /var/lib/ctis/ctis.db --addr 127.0.0.1:8080",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			if withDemo {
				dir, err := os.MkdirTemp("", "ctis-demo-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				o.db = filepath.Join(dir, "demo.db")
			}
			n, err := startNode(ctx, o, withDemo, log)
			if err != nil {
				return err
			}
			defer n.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("%w\n(is another server on %s? choose another with --addr)", err, addr)
			}
			url := "http://" + ln.Addr().String()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "ctis is serving %s (the API under %s/api/v1, OpenAPI: %s/api/v1/openapi.json), database %s\n", url, url, url, o.db)
			if withDemo {
				printLogins(out, url, n.logins)
			}
			return serveUntilDone(ctx, ln, n.handler, log)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "serve a temporary database with sample data")
	return cmd
}

// serveUntilDone serves handler on ln until ctx ends, then shuts down,
// letting requests in flight finish for up to ten seconds.
func serveUntilDone(ctx context.Context, ln net.Listener, handler http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// runningNode is a running ctis node: its store, indexes and HTTP handler.
type runningNode struct {
	db      *store.DB
	screen  *screen.Service
	hashes  *hashbank.Service
	handler http.Handler
	logins  []demo.Login
}

// Close closes the node's store.
func (n *runningNode) Close() error { return n.db.Close() }

// startNode opens the store, seeds it with the demo data when asked,
// builds the match indexes and the HTTP handler of the API and the pages.
// serve and the end-to-end tests share it.
func startNode(ctx context.Context, o *options, withDemo bool, log *slog.Logger) (*runningNode, error) {
	db, err := o.open(ctx)
	if err != nil {
		return nil, err
	}
	n := &runningNode{db: db}
	if err := n.assemble(ctx, withDemo, log); err != nil {
		db.Close()
		return nil, err
	}
	return n, nil
}

func (n *runningNode) assemble(ctx context.Context, withDemo bool, log *slog.Logger) error {
	db := n.db
	var err error
	if withDemo {
		if n.logins, err = demo.Seed(operator(ctx), db); err != nil {
			return fmt.Errorf("seeding the demo database: %w", err)
		}
	}
	svc, err := screen.New(ctx, db)
	if err != nil {
		return fmt.Errorf("building the screening index: %w", err)
	}
	n.screen = svc
	go refresh(ctx, svc, db, log)
	started := time.Now()
	hashes, err := hashbank.New(ctx, db, func(loaded int) {
		if loaded%1_000_000 == 0 {
			log.Info("building the hash index", "loaded", loaded)
		}
	})
	if err != nil {
		return fmt.Errorf("building the hash index: %w", err)
	}
	n.hashes = hashes
	go node.Follow(ctx, nil, log, svc, hashes)
	if withDemo {
		if err := demo.SeedHashes(operator(ctx), hashes); err != nil {
			return fmt.Errorf("seeding the demo hash banks: %w", err)
		}
	}
	pdqs, others := hashes.Len()
	log.Info("hash index built", "pdq", pdqs, "digests_and_urls", others, "seconds", time.Since(started).Seconds())
	limiter := throttle.New(time.Now)
	services := node.Services(db, svc, hashes)
	pages := &web.Server{Services: services, Limiter: limiter, Logger: log}
	for _, l := range n.logins {
		pages.Demo = append(pages.Demo, web.Login{Username: l.Username, Agency: l.Agency, Roles: l.Roles})
		pages.DemoPassword = demo.Password
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", (&api.Server{Services: services, Logger: log, Limiter: limiter}).Handler())
	mux.Handle("/", pages.Handler())
	n.handler = mux
	return nil
}

// refresh applies the travel-data retention policy at start and every
// hour, and rebuilds the screening index every hour, so that statements
// reaching their review date leave screening under the hide and purge
// policies.
func refresh(ctx context.Context, svc *screen.Service, db *store.DB, log *slog.Logger) {
	retain := func() {
		if rep, err := db.ApplyRetention(operator(ctx)); err != nil {
			log.Error("applying the travel-data retention policy", "err", err)
		} else if rep.Masked+rep.Deleted > 0 {
			log.Info("travel-data retention", "masked", rep.Masked, "deleted", rep.Deleted)
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
			if err := svc.Refresh(ctx); err != nil {
				log.Error("refreshing the screening index", "err", err)
			}
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
