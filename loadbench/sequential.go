package loadbench

import (
	"context"
	"ctis/benchhost"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"ctis/store"
)

// SequentialOptions tune a sequential run, in which one `ctis serve`
// screens one person at a time and, if one is named, a peer screener
// answers the same queries in the same run, the two taking turns.
// Command is required; the others have defaults (see RunSequential).
type SequentialOptions struct {
	// DB is the store: a postgres:// URL of an empty database, or "" for
	// a temporary SQLite file.
	DB string
	// Dir holds the temporary files (the SQLite file, the processes'
	// logs); "" means the system's.
	Dir string
	// Rounds is how many times the Queries are sent to each side; Warmup
	// how many queries each side answers first, not counted.
	Rounds, Queries, Warmup int
	// Listed is the share of queries that are of listed people.
	Listed float64
	// Timeout bounds each request; StartTimeout each process's start.
	Timeout, StartTimeout time.Duration
	// Seed makes the queries repeatable.
	Seed uint64
	// Command returns the command that runs ctis with args.
	Command func(args ...string) *exec.Cmd
	// PeerURL is the peer's search as a URL in which {name} stands for
	// the query's name, escaped; "" runs ctis alone.
	PeerURL string
	// PeerCmd, if not "", starts the peer: words split at spaces, with
	// leading NAME=value words set in its environment. Without it the
	// peer at PeerURL must already be running.
	PeerCmd string
	// PeerName names the peer in the report; PeerBuild says how it was
	// built (its commit and build flags), and PeerVersionURL, if not "",
	// is asked for its version.
	PeerName, PeerBuild, PeerVersionURL string
	// Keep keeps the temporary directory and says where it is.
	Keep bool
	// Progress receives progress lines; nil means none.
	Progress io.Writer
}

func (o *SequentialOptions) defaults() error {
	if o.Command == nil {
		return errors.New("loadbench: no command to start ctis serve with")
	}
	if o.Rounds == 0 {
		o.Rounds = 5
	}
	if o.Queries == 0 {
		o.Queries = 1000
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = 10 * time.Minute
	}
	if o.PeerName == "" {
		o.PeerName = "peer"
	}
	switch {
	case o.Rounds < 1 || o.Queries < 1 || o.Warmup < 0:
		return fmt.Errorf("give 1 or more --rounds and --queries, and 0 or more --warmup")
	case o.Rounds*o.Queries > 10_000_000:
		return fmt.Errorf("--rounds × --queries is over 10,000,000: run fewer")
	case o.Listed < 0 || o.Listed > 1:
		return fmt.Errorf("--listed is a share, from 0 to 1")
	case o.PeerCmd != "" && o.PeerURL == "":
		return fmt.Errorf("--peer-cmd without --peer-url: give the peer's search URL, with {name} where the name goes")
	case o.PeerURL != "" && !strings.Contains(o.PeerURL, "{name}"):
		return fmt.Errorf("--peer-url %s: put {name} where the query's name goes, such as http://127.0.0.1:8084/v2/search?type=person&name={name}", o.PeerURL)
	}
	if o.DB != "" && !store.IsPostgres(o.DB) {
		return fmt.Errorf("--db %s: give a postgres:// URL of an empty database, or leave --db out for a temporary SQLite file", o.DB)
	}
	return nil
}

// load is the options the load bench's parts (prepare, startServe,
// newDriver, newMix) take, for one client connection and no writes.
func (o *SequentialOptions) load() *Options {
	return &Options{DB: o.DB, Dir: o.Dir, Listed: o.Listed, Timeout: o.Timeout, Connections: 1,
		StartTimeout: o.StartTimeout, Seed: o.Seed, Command: o.Command, Keep: o.Keep, Progress: o.Progress}
}

// query is one person screened, the same on both sides.
type query struct {
	kind kind
	body []byte // POST /api/v1/screen's body
	name string
}

// queries draws n queries from the load bench's mix. A listed person's
// name is given as listed, family name first, or with a letter dropped,
// one in three each, as an officer might type it.
func queries(o *Options, f *fixture, n int) ([]query, error) {
	m, err := newMix(o, f)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5e9))
	out := make([]query, n)
	for i := range out {
		k, s := m.subject()
		if k == screenListed {
			switch rng.IntN(3) {
			case 1:
				s.Name = familyFirst(s.Name)
			case 2:
				s.Name = dropLetter(s.Name, rng)
			}
		}
		b, err := json.Marshal(screenBody{Subject: s, Purpose: purpose})
		if err != nil {
			return nil, err
		}
		out[i] = query{kind: k, body: b, name: s.Name}
	}
	return out, nil
}

// dropLetter drops one letter from inside the name's longest word.
func dropLetter(name string, rng *rand.Rand) string {
	words := strings.Fields(name)
	longest := 0
	for i, w := range words {
		if utf8.RuneCountInString(w) > utf8.RuneCountInString(words[longest]) {
			longest = i
		}
	}
	r := []rune(words[longest])
	if len(r) < 4 {
		return name
	}
	i := 1 + rng.IntN(len(r)-2)
	words[longest] = string(append(r[:i:i], r[i+1:]...))
	return strings.Join(words, " ")
}

// peer is the screener measured beside ctis.
type peer struct {
	url    string // with {name}
	client *http.Client
	proc   *child // nil if the bench did not start it
}

// search asks the peer for name and returns how many matches it gave,
// or -1 if its answer does not say.
func (p *peer) search(name string) (matches int, err error) {
	u := strings.ReplaceAll(p.url, "{name}", url.QueryEscape(name))
	res, err := p.client.Get(u)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", failure(err), err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return 0, fmt.Errorf("answer cut short: %w", err)
	}
	if res.StatusCode/100 != 2 {
		return 0, fmt.Errorf("HTTP %d: %.200s", res.StatusCode, b)
	}
	var r struct {
		Entities []json.RawMessage `json:"entities"`
	}
	if json.Unmarshal(b, &r) != nil {
		return -1, nil
	}
	return len(r.Entities), nil
}

// startPeer starts the peer if o.PeerCmd names it, and waits until its
// search answers.
func startPeer(ctx context.Context, o *SequentialOptions, dir string) (*peer, error) {
	p := &peer{url: o.PeerURL, client: &http.Client{Timeout: o.Timeout, Transport: &http.Transport{
		Proxy: nil, MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}}}
	probe := strings.ReplaceAll(o.PeerURL, "{name}", url.QueryEscape("John Smith"))
	if o.PeerCmd == "" {
		if _, err := p.search("John Smith"); err != nil {
			return nil, fmt.Errorf("the %s at %s does not answer (%v): start it, or give --peer-cmd to have the bench start it", o.PeerName, probe, err)
		}
		return p, nil
	}
	var env, args []string
	for _, w := range strings.Fields(o.PeerCmd) {
		if k, _, ok := strings.Cut(w, "="); ok && len(args) == 0 && k != "" && !strings.ContainsAny(k, "/.") {
			env = append(env, w)
			continue
		}
		args = append(args, w)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("--peer-cmd %q names no program", o.PeerCmd)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	c, err := start(o.PeerName, cmd, dir, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: check --peer-cmd", err)
	}
	if err := waitHealthy(ctx, probe, o.StartTimeout, c); err != nil {
		hint := "check that --peer-url names the address --peer-cmd makes it listen on"
		if c.exited() {
			hint = "run --peer-cmd by hand to see why it stops"
		}
		c.kill()
		return nil, fmt.Errorf("starting the %s: %w\n(%s)", o.PeerName, err, hint)
	}
	p.proc = c
	return p, nil
}

// peerVersion asks u for the peer's version, the first line of its answer.
func peerVersion(u string) string {
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get(u)
	if err != nil {
		return "unknown (" + failure(err) + ")"
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 200))
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return line
}

// figures are the percentiles of a set of latencies.
type figures struct{ P50, P90, P99, Max time.Duration }

// figuresOf returns the figures of d, which it sorts.
func figuresOf(d []time.Duration) figures {
	slices.Sort(d)
	p50, p90, p99, mx := percentiles(d)
	return figures{p50, p90, p99, mx}
}

// ratio is a/b, 0 when b is.
func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// round is what one round measured.
type round struct {
	LoadBefore, LoadAfter string
	Ctis, Peer            []time.Duration
	// CtisHits and PeerMatches count the queries that had a hit / a
	// match; PeerMatches is -1 if the peer's answers do not say.
	CtisHits, PeerMatches int
}

// sequentialReport is what a sequential run measured.
type sequentialReport struct {
	benchhost.Host
	Store              string
	Individuals        int
	Queries, Warmup    int
	Listed             float64
	PeerName, PeerURL  string
	PeerVersion        string
	PeerBuild          string
	Rounds             []round
	ListedQ, UnlistedQ int
}

// RunSequential prepares a store with the UN list, starts one `ctis
// serve` on it and the peer if asked, and for o.Rounds rounds sends the
// same o.Queries screenings, one at a time, to each, ctis and the peer
// taking turns query by query (who goes first alternates) so that
// whatever slows the machine slows both alike. Each ctis query is a
// screening through the API as an officer sends it (POST /api/v1/screen,
// audited, its hits queued for review). It writes the report to w.
// Every process it started is stopped when it returns.
func RunSequential(ctx context.Context, o SequentialOptions, w io.Writer) error {
	if err := o.defaults(); err != nil {
		return err
	}
	lo := o.load()
	r := &sequentialReport{Host: benchhost.Start(),
		Queries: o.Queries, Warmup: o.Warmup, Listed: o.Listed, PeerName: o.PeerName, PeerURL: o.PeerURL, PeerBuild: o.PeerBuild}
	dir, err := os.MkdirTemp(o.Dir, "ctis-sequential-")
	if err != nil {
		return err
	}
	if o.Keep {
		defer lo.progressf("the processes' logs and the store are kept in %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	dsn := o.DB
	r.Store = "SQLite, a new file"
	if dsn == "" {
		dsn = filepath.Join(dir, "sequential.db")
	} else {
		r.Store = "PostgreSQL, " + store.Describe(dsn)
	}

	lo.Persons = 0
	f, err := prepare(ctx, lo, dsn)
	if err != nil {
		return err
	}
	r.Individuals = len(f.listed)
	qs, err := queries(lo, f, o.Warmup+o.Queries)
	if err != nil {
		return err
	}
	warm, qs := qs[:o.Warmup], qs[o.Warmup:]
	for _, q := range qs {
		if q.kind == screenListed {
			r.ListedQ++
		} else {
			r.UnlistedQ++
		}
	}

	lo.progressf("starting ctis serve (it builds its screening index)")
	serve, err := startServe(ctx, lo, dsn, dir, 1)
	if err != nil {
		return err
	}
	defer serve.stop(15 * time.Second)
	lo.progressf("ctis serving at %s", serve.addr)
	d := newDriver(lo, "http://"+serve.addr, f)
	var p *peer
	if o.PeerURL != "" {
		lo.progressf("starting the %s and waiting until its search answers", o.PeerName)
		if p, err = startPeer(ctx, &o, dir); err != nil {
			return err
		}
		if p.proc != nil {
			defer p.proc.stop(15 * time.Second)
		}
		r.PeerVersion = "not asked (give --peer-version-url)"
		if o.PeerVersionURL != "" {
			r.PeerVersion = peerVersion(o.PeerVersionURL)
		}
		lo.progressf("the %s answers", o.PeerName)
	}

	// logOf says where a child's log may be read.
	logOf := func(c *child) string {
		if o.Keep {
			return "its log is " + c.log
		}
		return "run again with --keep to keep its log"
	}
	screen := func(q query) (time.Duration, int, error) {
		out := outcome{kind: q.kind}
		d.send(time.Now(), &out, q.body)
		if out.fail != "" {
			return 0, 0, fmt.Errorf("ctis failed a screening: %s; %s", out.fail, logOf(serve))
		}
		return out.latency, len(out.hits), nil
	}
	search := func(q query) (time.Duration, int, error) {
		t0 := time.Now()
		n, err := p.search(q.name)
		if err != nil {
			hint := "is it still running?"
			if p.proc != nil {
				hint = logOf(p.proc)
				if p.proc.exited() {
					hint = fmt.Sprintf("it ended (%v); its last lines:\n%s", p.proc.err, p.proc.tail())
				}
			}
			return 0, 0, fmt.Errorf("the %s failed a search: %v; %s", o.PeerName, err, hint)
		}
		return time.Since(t0), n, nil
	}

	if len(warm) > 0 {
		lo.progressf("warming up: %d queries each, not counted", len(warm))
		for _, q := range warm {
			if _, _, err := screen(q); err != nil {
				return err
			}
			if p != nil {
				if _, _, err := search(q); err != nil {
					return err
				}
			}
		}
	}
	for i := range o.Rounds {
		rd := round{LoadBefore: benchhost.Load(), Ctis: make([]time.Duration, 0, len(qs))}
		if p == nil {
			rd.PeerMatches = -1
		}
		for j, q := range qs {
			if ctx.Err() != nil {
				return fmt.Errorf("interrupted in round %d; every process the bench started is stopped: %w", i+1, ctx.Err())
			}
			ctisFirst := (i+j)%2 == 0
			for side := range 2 {
				if (side == 0) == ctisFirst {
					lat, hits, err := screen(q)
					if err != nil {
						return err
					}
					rd.Ctis = append(rd.Ctis, lat)
					if hits > 0 {
						rd.CtisHits++
					}
				} else if p != nil {
					lat, n, err := search(q)
					if err != nil {
						return err
					}
					rd.Peer = append(rd.Peer, lat)
					switch {
					case n < 0:
						rd.PeerMatches = -1
					case n > 0 && rd.PeerMatches >= 0:
						rd.PeerMatches++
					}
				}
			}
		}
		rd.LoadAfter = benchhost.Load()
		c := figuresOf(slices.Clone(rd.Ctis))
		msg := fmt.Sprintf("round %d of %d: ctis p50 %s p99 %s", i+1, o.Rounds, ms(c.P50), ms(c.P99))
		if p != nil {
			pf := figuresOf(slices.Clone(rd.Peer))
			msg += fmt.Sprintf(", %s p50 %s p99 %s", o.PeerName, ms(pf.P50), ms(pf.P99))
		}
		lo.progressf("%s", msg)
		r.Rounds = append(r.Rounds, rd)
	}
	r.End()
	if serve.exited() {
		return fmt.Errorf("ctis serve ended during the run (%v); its last lines:\n%s", serve.err, serve.tail())
	}
	r.print(w)
	return nil
}

// print writes the report.
func (r *sequentialReport) print(w io.Writer) {
	peer := r.PeerURL != ""
	fmt.Fprintf(w, "machine:   %s\n", r.Host)
	fmt.Fprintf(w, "ctis:      one serve process on %s, the UN list only (%d individuals); POST /api/v1/screen with a frontline token, audited, hits queued for review\n", r.Store, r.Individuals)
	if peer {
		fmt.Fprintf(w, "%-10s version %s; built %s; GET %s\n", r.PeerName+":", r.PeerVersion, orUnknown(r.PeerBuild), r.PeerURL)
	} else {
		fmt.Fprintf(w, "peer:      none (give --peer-url, and --peer-cmd to start it)\n")
	}
	fmt.Fprintf(w, "queries:   %d a round (%d of listed people: as listed, family name first or a letter dropped; %d of generated people not listed), the same each round, one request in flight;\n",
		r.Queries, r.ListedQ, r.UnlistedQ)
	fmt.Fprintf(w, "           ctis gets name, birth date or year, nationality and gender; %s\n", func() string {
		if !peer {
			return "latency from sending to the end of the answer"
		}
		return "the peer the name; they take turns query by query; latency from sending to the end of the answer"
	}())
	if r.Warmup > 0 {
		fmt.Fprintf(w, "           %d warm-up queries each before the rounds, not counted\n", r.Warmup)
	}

	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	head := "round\tload before\tload after\tctis p50\tp90\tp99\tmax\t"
	if peer {
		head += r.PeerName + " p50\tp90\tp99\tmax\tratio p50\tratio p99\t"
	}
	fmt.Fprintln(tw, head)
	var allC, allP []time.Duration
	var r50, r99 []float64
	row := func(name, before, after string, c, pf figures) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t", name, before, after, ms(c.P50), ms(c.P90), ms(c.P99), ms(c.Max))
		if peer {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%.2f\t", ms(pf.P50), ms(pf.P90), ms(pf.P99), ms(pf.Max), ratio(c.P50, pf.P50), ratio(c.P99, pf.P99))
		}
		fmt.Fprintln(tw)
	}
	for i, rd := range r.Rounds {
		allC, allP = append(allC, rd.Ctis...), append(allP, rd.Peer...)
		c, pf := figuresOf(slices.Clone(rd.Ctis)), figuresOf(slices.Clone(rd.Peer))
		r50, r99 = append(r50, ratio(c.P50, pf.P50)), append(r99, ratio(c.P99, pf.P99))
		row(fmt.Sprint(i+1), rd.LoadBefore, rd.LoadAfter, c, pf)
	}
	row("all", r.LoadBefore, r.LoadAfter, figuresOf(allC), figuresOf(allP))
	tw.Flush()

	if peer {
		lo50, med50, hi50 := benchhost.Spread(r50)
		lo99, med99, hi99 := benchhost.Spread(r99)
		fmt.Fprintf(w, "\nratio ctis/%s over %d rounds (min / median / max): of medians %.2f / %.2f / %.2f; of p99s %.2f / %.2f / %.2f\n",
			r.PeerName, len(r.Rounds), lo50, med50, hi50, lo99, med99, hi99)
	}
	if len(r.Rounds) > 0 {
		rd := r.Rounds[0]
		fmt.Fprintf(w, "queries with a hit, round 1: ctis %d of %d", rd.CtisHits, r.Queries)
		if peer {
			if rd.PeerMatches >= 0 {
				fmt.Fprintf(w, ", %s %d of %d", r.PeerName, rd.PeerMatches, r.Queries)
			} else {
				fmt.Fprintf(w, ", %s's answers do not say", r.PeerName)
			}
		}
		fmt.Fprintln(w, " (each at its own threshold)")
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "as not said (give --peer-build)"
	}
	return s
}
