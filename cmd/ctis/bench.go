package main

import (
	"io"

	"github.com/spf13/cobra"

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
	cmd.AddCommand(screening)
	return cmd
}
