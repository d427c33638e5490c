package main

import (
	"io"

	"github.com/spf13/cobra"

	"ctis"
	"ctis/hashbench"
	"ctis/screenbench"
)

func newBench() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure ctis"}
	var o screenbench.Options
	var peer, peerName string
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
			o.Log = io.Discard
			if verbose {
				o.Log = cmd.ErrOrStderr()
			}
			var p *screenbench.Peer
			if peer != "" {
				var err error
				if p, err = screenbench.StartPeer(peer, peerName, peerThreshold, o.Dir); err != nil {
					return err
				}
				defer p.Close()
			}
			return screenbench.Run(&o, cmd.OutOrStdout(), p)
		},
	}
	screening.Flags().IntVar(&o.Records, "records", 1_000_000, "size of the generated watchlist (0 skips the speed test)")
	screening.Flags().Uint64Var(&o.Seed, "seed", 1, "seed of the generated people")
	screening.Flags().StringVar(&o.Dir, "dir", "", "directory for the temporary databases")
	screening.Flags().StringVar(&peer, "peer", "", "command line of another screener to compare with")
	screening.Flags().StringVar(&peerName, "peer-name", "peer", "the other screener's name in the report")
	screening.Flags().Float64Var(&peerThreshold, "peer-threshold", 0.85, "the other screener's match threshold")
	screening.Flags().BoolVarP(&verbose, "verbose", "v", false, "log progress, misses and false hits on stderr")
	cmd.AddCommand(screening, newBenchHashes())
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
			"be the same pairs as ctis's.",
		Example: "  ctis bench hashes --hashes 1000000\n  ctis bench hashes --hashes 1000000,10000000 --peer /opt/pdq-ref/pdq-ref-bench --peer-methods brute,mih",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
	f.BoolVarP(&verbose, "verbose", "v", false, "log progress on stderr")
	return cmd
}
