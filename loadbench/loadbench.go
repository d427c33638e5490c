// Package loadbench measures a node as it is deployed: several `ctis
// serve` processes over one store behind HAProxy (deploy/haproxy.cfg),
// driven by an open-loop load of screenings and statements for a bounded
// time. One process may be killed mid-run; the balancer must move its
// traffic to the others, and every write the API acknowledged — each hit
// queued for review, each statement created — must then be in the store.
//
// The load is open-loop: requests leave on a fixed schedule whatever the
// answers' latency, and each latency runs from the request's scheduled
// time, so a stall shows in every request due during it (no coordinated
// omission).
//
// The sequential bench (RunSequential) measures the other end: one
// screening at a time against the UN list, one request in flight, beside a
// peer screener such as moov-io/watchman in the same run (see README.md).
package loadbench

import (
	"context"
	"ctis/benchhost"
	"ctis/store"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// Options tune a run. Command is required; the others have defaults
// (see Run).
type Options struct {
	// DB is the store: a postgres:// URL of an empty database, or "" for
	// a temporary SQLite file.
	DB string
	// Dir holds the temporary files (the SQLite file, the processes'
	// logs, the balancer's configuration); "" means the system's.
	Dir string
	// Persons is how many generated persons are stored besides the UN
	// list.
	Persons int
	// Processes is how many serve processes run behind the balancer.
	Processes int
	// Rate is the requests sent per second; Duration how long.
	Rate     float64
	Duration time.Duration
	// KillAfter is when one serve process is killed (SIGKILL), from the
	// start of the load; 0 kills none.
	KillAfter time.Duration
	// Listed is the share of screenings that are of listed people, and
	// Writes the share of requests that create a statement.
	Listed, Writes float64
	// NoKeys sends the requests without an Idempotency-Key: cheaper, but
	// the balancer cannot resend those a killed process took.
	NoKeys bool
	// Timeout bounds each request; Connections caps the client's
	// connections to the balancer (requests beyond wait, and the wait
	// counts in their latency).
	Timeout     time.Duration
	Connections int
	// StartTimeout bounds each serve process's start, index build
	// included.
	StartTimeout time.Duration
	// Seed makes the generated persons and the request mix repeatable.
	Seed uint64
	// Command returns the command that runs ctis with args (the bench
	// starts `ctis serve` with it), such as this binary re-executed.
	Command func(args ...string) *exec.Cmd
	// HAProxy is the haproxy binary; "" means "haproxy" on the PATH.
	HAProxy string
	// Keep keeps the temporary directory, with the processes' logs and
	// the SQLite file, and says where it is.
	Keep bool
	// Progress receives progress lines; nil means none.
	Progress io.Writer
}

func (o *Options) progressf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

// ErrLost is returned, after the report, when a write the API
// acknowledged is not in the store.
var ErrLost = errors.New("acknowledged writes were lost")

// ErrBrokenChain is returned, after the report, when the audit chain the
// processes appended to does not verify.
var ErrBrokenChain = errors.New("the audit chain does not verify")

// defaults fills in the options left out and checks the others.
func (o *Options) defaults() error {
	if o.Command == nil {
		return errors.New("loadbench: no command to start ctis serve with")
	}
	if o.HAProxy == "" {
		o.HAProxy = "haproxy"
	}
	path, err := exec.LookPath(o.HAProxy)
	if err != nil {
		return fmt.Errorf("no HAProxy (%v): install it (apt-get install haproxy) or name its binary with --haproxy", err)
	}
	o.HAProxy = path
	if o.Processes == 0 {
		o.Processes = 1
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.Connections == 0 {
		o.Connections = 2048
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 10 * time.Minute
	}
	switch {
	case o.Processes < 1 || o.Processes > 64:
		return fmt.Errorf("--processes %d: run 1 to 64 serve processes", o.Processes)
	case o.Rate <= 0 || o.Duration <= 0:
		return fmt.Errorf("give a positive --rate and --duration (such as --rate 1000 --duration 60s)")
	case o.Rate*o.Duration.Seconds() > 100_000_000:
		return fmt.Errorf("--rate × --duration is over 100,000,000 requests: the bench keeps each outcome in memory; run shorter")
	case o.Persons < 0:
		return fmt.Errorf("--persons %d: give 0 or more", o.Persons)
	case o.Listed < 0 || o.Listed > 1 || o.Writes < 0 || o.Writes > 1:
		return fmt.Errorf("--listed and --writes are shares, from 0 to 1")
	case o.KillAfter < 0 || o.KillAfter >= o.Duration:
		return fmt.Errorf("--kill-after %s: give a time within the --duration of %s, or 0 to kill none", o.KillAfter, o.Duration)
	case o.KillAfter > 0 && o.Processes < 2:
		return fmt.Errorf("--kill-after with one serve process would leave none to move its traffic to: run --processes 2 or more, or --kill-after 0")
	}
	if o.DB != "" && !store.IsPostgres(o.DB) {
		return fmt.Errorf("--db %s: give a postgres:// URL of an empty database, or leave --db out for a temporary SQLite file", o.DB)
	}
	return nil
}

// Run prepares a store, starts the node's serve processes and the
// balancer, drives the load, kills a process if asked, stops everything,
// checks the acknowledged writes and writes the report to w. Every
// process it started is stopped when it returns, also when ctx is
// cancelled (Ctrl-C) or on error. It returns ErrLost, after the report,
// if an acknowledged write is missing, and ErrBrokenChain if the audit
// chain does not verify.
func Run(ctx context.Context, o Options, w io.Writer) error {
	if err := o.defaults(); err != nil {
		return err
	}
	m := machine{Host: benchhost.Start(), HAProxy: haproxyVersion(o.HAProxy), ServeProcesses: o.Processes, GeneratedPersons: o.Persons}
	dir, err := os.MkdirTemp(o.Dir, "ctis-load-")
	if err != nil {
		return err
	}
	if o.Keep {
		defer o.progressf("the serve processes' logs, the balancer's configuration and the store are kept in %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	dsn := o.DB
	if dsn == "" {
		dsn = filepath.Join(dir, "load.db")
	}
	m.Database = store.Describe(dsn)

	f, err := prepare(ctx, &o, dsn)
	if err != nil {
		return err
	}
	mix, err := newMix(&o, f)
	if err != nil {
		return err
	}
	cl, err := startCluster(ctx, &o, dsn, dir)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			cl.stop()
		}
	}()

	r := &report{Rate: o.Rate, Duration: o.Duration}
	var victim *child
	var kill func()
	// When the kill was sent and when the process was gone (UnixNano),
	// set by the timer's goroutine: a large process takes a while to die,
	// and meanwhile the kernel may still take connections for it.
	var killSent, killDone atomic.Int64
	if o.KillAfter > 0 {
		victim = cl.serves[0]
		kill = func() {
			killSent.Store(time.Now().UnixNano())
			victim.kill()
			killDone.Store(time.Now().UnixNano())
			o.progressf("killed %s (SIGKILL)", victim.name)
		}
	}
	o.progressf("sending %.0f requests/s for %s", o.Rate, o.Duration)
	d := newDriver(&o, cl.url, f)
	r.Out = d.run(ctx, &o, mix, func(second, sent, answered, failed int) {
		if second%10 == 0 {
			o.progressf("%ds: %d sent, %d answered, %d failed", second, sent, answered, failed)
		}
	}, kill)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d of %d requests; every process the bench started is stopped, and nothing was measured: %w",
			len(r.Out), int(o.Rate*o.Duration.Seconds()), ctx.Err())
	}
	m.End()
	if k := killDone.Load(); k != 0 {
		killed := time.Unix(0, killSent.Load())
		r.Killed, r.KilledAt, r.Gone = victim.name, killed.Sub(d.start), time.Unix(0, k).Sub(killed)
		if at, ok := cl.downSince(victim.name); ok {
			r.MarkedDown = at.Sub(killed)
		}
	}
	crashed := cl.crashed(victim)
	o.progressf("stopping the balancer and the serve processes")
	cl.stop()
	stopped = true
	if r.Durable, r.Chain, err = verify(ctx, &o, dsn, r.Out); err != nil {
		return errors.Join(crashed, err)
	}
	r.Machine = m
	r.print(w)
	if r.Durable.Lost() > 0 {
		hint := "run again with --keep to read the serve processes' logs"
		if o.Keep {
			hint = "the serve processes' logs are in " + dir
		}
		err = fmt.Errorf("%w: %d of %d are not in the store (such as %s); %s",
			ErrLost, r.Durable.Lost(), r.Durable.Acknowledged(), strings.Join(r.Durable.Missing, ", "), hint)
	}
	if !r.Chain.OK {
		err = errors.Join(err, fmt.Errorf("%w: %v", ErrBrokenChain, r.Chain.Broken))
	}
	return errors.Join(crashed, err)
}
