package main

import (
	"os"
	"os/exec"
	"time"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/hashbench"
	"ctis/loadbench"
	"ctis/screenbench"
	"ctis/syncbench"
)

func newBench(o *options) *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure ctis"}
	var so screenbench.Options
	var peer, peerName, cpuProfile string
	var peerThreshold float64
	var verbose bool
	screening := &cobra.Command{
		Use:   "screening",
		Short: "Measure screening quality and speed, optionally beside another screener",
		Long: "Print precision, recall and F1 on labelled name pairs; recall at rank 1 of Arabic and Cyrillic names\n" +
			"against the UN list imported without them; transliteration agreement; the false-hit rate on generated\n" +
			"people who are not listed; and, on a generated watchlist of --records persons, index build time, memory\n" +
			"per record, single-screening p50/p99 and a 300-person batch.\n\n" +
			"With --peer, the same queries also run through another screener started as 'PEER LIST.xml', speaking\n" +
			"JSON lines on stdin and stdout (see package screenbench), and the figures are printed side by side.",
		Example: "  ctis bench screening --records 100000\n  ctis bench screening --peer ./wm-adapter --peer-name watchman --peer-threshold 0.85",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			so.Progress = cmd.ErrOrStderr()
			if verbose {
				so.Log = cmd.ErrOrStderr()
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				so.CPUProfile = f
			}
			var p *screenbench.Peer
			if peer != "" {
				var err error
				if p, err = screenbench.StartPeer(peer, peerName, peerThreshold, so.Dir); err != nil {
					return err
				}
				defer p.Close()
			}
			return screenbench.Run(&so, cmd.OutOrStdout(), p)
		},
	}
	screening.Flags().IntVar(&so.Records, "records", 1_000_000, "size of the generated watchlist (0 skips the speed test)")
	screening.Flags().Uint64Var(&so.Seed, "seed", 1, "seed of the generated people")
	screening.Flags().IntVar(&so.Reps, "reps", 5, "repetitions of the watchlist's screening figures; the report gives min / median / max")
	screening.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the watchlist's screenings to this file (go tool pprof)")
	screening.Flags().StringVar(&so.Dir, "dir", "", "directory for the temporary databases")
	screening.Flags().StringVar(&peer, "peer", "", "command line of another screener to compare with")
	screening.Flags().StringVar(&peerName, "peer-name", "peer", "the other screener's name in the report")
	screening.Flags().Float64Var(&peerThreshold, "peer-threshold", 0.85, "the other screener's match threshold")
	screening.Flags().BoolVarP(&verbose, "verbose", "v", false, "log each miss, false hit and UN name not found first on stderr, besides the progress")
	cmd.AddCommand(screening, newBenchHashes(), newBenchLoad(o), newBenchSequential(o), newBenchEvents(), newBenchSync(o))
	return cmd
}

func newBenchHashes() *cobra.Command {
	var o hashbench.Options
	var peer string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "hashes",
		Short: "Measure PDQ hashing and hash matching, optionally beside the reference C++ tools",
		Long: "Print PDQ hashes per second of a 1600×1004 and a 256×256 JPEG (decoding and hashing apart), and, for each\n" +
			"--hashes count of stored hashes clustered round --seeds pictures, the index build time, memory per hash,\n" +
			"single queries and 8-variant batches per second at --radius.\n\n" +
			"With --peer, the same images, stored hashes and queries also run through a driver of the reference C++\n" +
			"implementation (facebook/ThreatExchange pdq/cpp), called as 'PEER hash --repeat N FILE' and\n" +
			"'PEER match --stored F --queries F --radius R --method M --batch 1|8 [--pairs F]', each printing one JSON\n" +
			"object (see package hashbench); the figures are printed side by side, and the reference's matches must\n" +
			"be the same pairs as ctis's. hashbench/refdriver/build.sh builds that driver (see its README).",
		Example: "  ctis bench hashes --hashes 1000000\n  ctis bench hashes --hashes 1000000,10000000 --peer /opt/pdq-ref/pdq-ref-bench --peer-methods brute,mih",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Progress = cmd.ErrOrStderr()
			if verbose {
				o.Log = cmd.ErrOrStderr()
			}
			return hashbench.Run(o, cmd.OutOrStdout(), peer)
		},
	}
	f := cmd.Flags()
	f.IntSliceVar(&o.Hashes, "hashes", []int{1_000_000, 10_000_000}, "counts of stored hashes to match against (0 skips matching)")
	f.IntVar(&o.Batches, "batches", 1000, "8-variant batches matched at each count")
	f.IntVar(&o.Radius, "radius", ctis.DefaultRadius, "match radius in bits")
	f.IntVar(&o.Seeds, "seeds", 4096, "pictures the stored hashes cluster round")
	f.IntVar(&o.Repeat, "repeat", 100, "times each image is decoded and hashed (0 skips hashing)")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the generated hashes")
	f.StringVar(&o.Dir, "dir", "", "directory for the files handed to the peer")
	f.StringVar(&peer, "peer", "", "the reference's benchmark driver")
	f.StringSliceVar(&o.PeerMethods, "peer-methods", []string{"brute", "mih"}, "the reference's matching methods to run")
	f.IntVar(&o.Reps, "reps", 5, "repetitions of each figure, ctis and the reference in turn; the report gives min / median / max")
	f.BoolVarP(&verbose, "verbose", "v", false, "log each image whose hash differs from the reference's on stderr, besides the progress")
	return cmd
}

// ctisCommand returns the command that runs this ctis binary with args;
// the tests replace it with the test binary re-executed.
var ctisCommand = func(args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return exec.Command(exe, args...)
}

func newBenchLoad(o *options) *cobra.Command {
	var lo loadbench.Options
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Measure serve processes behind HAProxy under an open-loop load, killing one mid-run",
		Long: "Fill a store with the UN list and --persons generated persons, start --processes 'ctis serve' processes on it\n" +
			"behind HAProxy (configured from deploy/haproxy.cfg), all on loopback, and send --rate requests a second for\n" +
			"--duration on a fixed schedule, whatever the latency: screenings of listed and unlisted people and a --writes\n" +
			"share of statements created. Latency runs from each request's scheduled time. --kill-after kills one serve\n" +
			"process (SIGKILL); the balancer must move its traffic. Then every write the API acknowledged (each hit\n" +
			"queued for review, each statement created) is looked up in the store, and the bench fails if one is lost.\n\n" +
			"--db takes a postgres:// URL of an empty database; without it the store is a temporary SQLite file.\n" +
			"Needs haproxy (apt-get install haproxy).",
		Example: "  ctis bench load --rate 1000 --duration 60s\n  ctis bench load --db postgres://ctis@localhost/bench --processes 2 --kill-after 30s",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("db") {
				lo.DB = o.db
			}
			if !cmd.Flags().Changed("processes") && lo.DB != "" {
				lo.Processes = 2
			}
			if !cmd.Flags().Changed("kill-after") && lo.Processes >= 2 {
				lo.KillAfter = lo.Duration / 2
			}
			lo.Command = ctisCommand
			lo.Progress = cmd.ErrOrStderr()
			return loadbench.Run(cmd.Context(), lo, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.IntVar(&lo.Persons, "persons", 100_000, "generated persons stored besides the UN list")
	f.IntVar(&lo.Processes, "processes", 1, "serve processes behind the balancer (default 2 with a postgres:// --db)")
	f.Float64Var(&lo.Rate, "rate", 1000, "requests sent per second")
	f.DurationVar(&lo.Duration, "duration", 60*time.Second, "how long the load lasts")
	f.DurationVar(&lo.KillAfter, "kill-after", 0, "kill one serve process this long into the load; 0 kills none (default: half the duration with 2 processes or more)")
	f.Float64Var(&lo.Listed, "listed", 0.1, "share of screenings that are of listed people")
	f.Float64Var(&lo.Writes, "writes", 0.02, "share of requests that create a statement")
	f.BoolVar(&lo.NoKeys, "no-keys", false, "send requests without an Idempotency-Key (cheaper; the balancer then cannot resend those a killed process took)")
	f.DurationVar(&lo.Timeout, "timeout", 10*time.Second, "longest wait for one answer")
	f.IntVar(&lo.Connections, "connections", 2048, "most connections open to the balancer; requests beyond wait, and the wait counts in their latency")
	f.DurationVar(&lo.StartTimeout, "start-timeout", 10*time.Minute, "longest start of one serve process, its index build included")
	f.Uint64Var(&lo.Seed, "seed", 1, "seed of the generated persons and of the request mix")
	f.StringVar(&lo.Dir, "dir", "", "directory for the temporary files")
	f.BoolVar(&lo.Keep, "keep", false, "keep the temporary files: the store, the logs, the balancer's configuration")
	f.StringVar(&lo.HAProxy, "haproxy", "haproxy", "the haproxy binary")
	return cmd
}

func newBenchSequential(o *options) *cobra.Command {
	var so loadbench.SequentialOptions
	cmd := &cobra.Command{
		Use:   "sequential",
		Short: "Measure one screening at a time over HTTP against the UN list, beside a peer such as moov-io/watchman",
		Long: "Fill a store with the UN list only, start one 'ctis serve' on it on loopback, and for --rounds rounds send the\n" +
			"same --queries screenings one at a time (a --listed share of listed people, as listed, family name first or\n" +
			"with a letter dropped; the others generated people who are not listed), each a real screening through the\n" +
			"API (POST /api/v1/screen, audited, hits queued for review). Print per round and overall the p50, p90, p99\n" +
			"and max latency, with the machine, the load average and the store.\n\n" +
			"With --peer-url, the same names also go to a peer screener, ctis and the peer taking turns query by query,\n" +
			"and the report adds the peer's figures and the ratio ctis/peer of medians and p99s, min / median / max over\n" +
			"the rounds. --peer-cmd starts the peer (words split at spaces, leading NAME=value words set in its\n" +
			"environment) and the bench waits until its search answers; without it the peer must be running already.\n\n" +
			"--db takes a postgres:// URL of an empty database; without it the store is a temporary SQLite file.\n\n" +
			"moov-io/watchman runs as the peer offline, on the same UN list, from a local copy of it and a configuration\n" +
			"file; loadbench/README.md says how to build it and write that file (the example below uses /tmp/wm).",
		Example: "  ctis bench sequential\n" +
			"  ctis bench sequential --peer-name watchman \\\n" +
			"    --peer-cmd \"APP_CONFIG=/tmp/wm/config.yml /opt/watchman/bin/watchman\" \\\n" +
			"    --peer-url \"http://127.0.0.1:18084/v2/search?type=person&limit=10&minMatch=0.75&name={name}\" \\\n" +
			"    --peer-version-url http://127.0.0.1:19094/version --peer-build \"commit d299005f, go build -trimpath\"",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("db") {
				so.DB = o.db
			}
			so.Command = ctisCommand
			so.Progress = cmd.ErrOrStderr()
			return loadbench.RunSequential(cmd.Context(), so, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.IntVar(&so.Rounds, "rounds", 5, "rounds of the same queries")
	f.IntVar(&so.Queries, "queries", 1000, "queries a round, sent one at a time to each side")
	f.IntVar(&so.Warmup, "warmup", 100, "queries each side answers before the rounds, not counted")
	f.Float64Var(&so.Listed, "listed", 0.1, "share of queries that are of listed people")
	f.DurationVar(&so.Timeout, "timeout", 10*time.Second, "longest wait for one answer")
	f.DurationVar(&so.StartTimeout, "start-timeout", 10*time.Minute, "longest start of ctis serve or of the peer")
	f.Uint64Var(&so.Seed, "seed", 1, "seed of the queries")
	f.StringVar(&so.Dir, "dir", "", "directory for the temporary files")
	f.BoolVar(&so.Keep, "keep", false, "keep the temporary files: the store and the processes' logs")
	f.StringVar(&so.PeerURL, "peer-url", "", "the peer's search URL, {name} standing for the name (such as http://127.0.0.1:18084/v2/search?type=person&name={name})")
	f.StringVar(&so.PeerCmd, "peer-cmd", "", "command line that starts the peer; leading NAME=value words go to its environment")
	f.StringVar(&so.PeerName, "peer-name", "peer", "the peer's name in the report")
	f.StringVar(&so.PeerBuild, "peer-build", "", "how the peer was built, for the report: its commit and build flags")
	f.StringVar(&so.PeerVersionURL, "peer-version-url", "", "URL that answers the peer's version (watchman: its admin port's /version)")
	return cmd
}

func newBenchSync(o *options) *cobra.Command {
	var so syncbench.Options
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Measure node-to-node sync: a full pull over TAXII with mutual TLS, and the lag of a new statement",
		Long: "Fill node A's store with --statements statements (generated persons; one in ten a member of an organisation),\n" +
			"serve it over TAXII 2.1 and the peer link with mutual TLS on loopback, and have node B (a new SQLite file each\n" +
			"run) pull all of it through the TAXII client, --repeat times: total time, objects/s and statements/s, min,\n" +
			"median and max. Then time one new statement at a time from A's commit to B's store: --poll-lags with B\n" +
			"polling every --poll, each written at a random point of the interval, and --push-lags with A's notifier\n" +
			"telling B to pull at once.\n\n" +
			"--db takes a postgres:// URL of an empty database for node A; without it A is a temporary SQLite file.",
		Example: "  ctis bench sync\n  ctis bench sync --statements 20000 --repeat 3 --poll 1m --poll-lags 3 --push-lags 10",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("db") {
				so.DB = o.db
			}
			so.Progress = cmd.ErrOrStderr()
			return syncbench.Run(cmd.Context(), so, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.IntVar(&so.Statements, "statements", 1_000_000, "statements node A holds")
	f.IntVar(&so.Repeat, "repeat", 3, "full pulls measured, each into a new node B")
	f.IntVar(&so.Page, "page", 0, "objects a pull asks for a page (default the peers' 100)")
	f.DurationVar(&so.Poll, "poll", time.Minute, "node B's poll interval for the lag under a poll")
	f.IntVar(&so.PollLags, "poll-lags", 3, "new statements timed under the poll")
	f.IntVar(&so.PushLags, "push-lags", 10, "new statements timed with the push trigger")
	f.Uint64Var(&so.Seed, "seed", 1, "seed of the generated persons")
	f.StringVar(&so.Dir, "dir", "", "directory for the temporary files")
	return cmd
}
