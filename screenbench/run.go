package screenbench

import (
	"ctis/benchhost"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"ctis/screen"
)

// Run runs every measurement and prints a report to w; with a peer, side
// by side.
func Run(o *Options, w io.Writer, peer *Peer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	them := func(s string) string {
		if peer == nil {
			return ""
		}
		return "\t" + s
	}
	host := benchhost.Start()
	header := "measure\tctis"
	if peer != nil {
		header += "\t" + peer.Name
	}
	fmt.Fprintf(tw, "%s\n", header)

	o.progressf("name pairs…")
	ours, theirs, err := NameBench(o, peer)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "name pairs (%d): precision\t%.3f%s\n", ours.TP+ours.FP+ours.FN+ours.TN, ours.Precision(), them(fmt.Sprintf("%.3f", theirs.Precision())))
	fmt.Fprintf(tw, "name pairs: recall\t%.3f%s\n", ours.Recall(), them(fmt.Sprintf("%.3f", theirs.Recall())))
	fmt.Fprintf(tw, "name pairs: F1\t%.3f%s\n", ours.F1(), them(fmt.Sprintf("%.3f", theirs.F1())))

	o.progressf("UN list across scripts…")
	recalls, err := UNRecall(o, peer)
	if err != nil {
		return err
	}
	for _, r := range recalls {
		fmt.Fprintf(tw, "UN list, %s names (%d): recall at rank 1\t%.3f%s\n", r.Script, r.Queries, r.Rate(), them(fmt.Sprintf("%.3f", ratio(r.Theirs, r.Queries))))
		for _, nf := range r.NotFound {
			o.logf("not first: %s", nf)
		}
	}

	for _, a := range Agreements() {
		fmt.Fprintf(tw, "transliteration agreement, %s (%d pairs)\t%.3f%s\n", a.Corpus, a.Pairs, a.Rate(), them("-"))
	}

	const people = 10000
	o.progressf("false hits…")
	fh, theirFH, lat, err := FalseHits(o, peer, people)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "false-hit rate (%d people not listed)\t%.4f%s\n", people, ratio(fh, people), them(fmt.Sprintf("%.4f", ratio(theirFH, people))))
	ours50, ours99 := percentile(lat, 0.5), percentile(lat, 0.99)
	fmt.Fprintf(tw, "UN list: one screening p50 / p99 (ctis: audited and queued)\t%s / %s%s\n", ours50.Round(time.Microsecond), ours99.Round(time.Microsecond),
		them(fmt.Sprintf("%s / %s", percentile(peerLatency(peer), 0.5).Round(time.Microsecond), percentile(peerLatency(peer), 0.99).Round(time.Microsecond))))
	if peer != nil {
		fmt.Fprintf(tw, "UN list: p50 ratio %s / ctis\t\t%.1f×\n", peer.Name, float64(percentile(peer.Latency, 0.5))/float64(ours50))
	}
	fmt.Fprintf(tw, "default threshold\t%.2f%s\n", screen.DefaultThreshold, them(fmt.Sprintf("%.2f", peerThreshold(peer))))

	if o.Records > 0 {
		o.progressf("generated watchlist of %d…", o.Records)
		sp, err := SpeedTest(o)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "watchlist of %d: store import\t%s%s\n", sp.Records, sp.Import.Round(time.Millisecond), them("-"))
		fmt.Fprintf(tw, "watchlist: index build\t%s%s\n", sp.Build.Round(time.Millisecond), them("-"))
		fmt.Fprintf(tw, "watchlist: index memory per record\t%.0f B%s\n", sp.BytesPerRecord, them("-"))
		fmt.Fprintf(tw, "watchlist: one screening p50, %d repetitions of 1,000, min / median / max\t%s%s\n", len(sp.P50s), spread(sp.P50s, time.Microsecond), them("-"))
		fmt.Fprintf(tw, "watchlist: one screening p99, min / median / max\t%s%s\n", spread(sp.P99s, time.Microsecond), them("-"))
		fmt.Fprintf(tw, "watchlist: batch of 300, min / median / max\t%s%s\n", spread(sp.Batches, time.Millisecond), them("-"))
		fmt.Fprintf(tw, "watchlist: manifest of 300 passengers, read and screened, min / median / max\t%s%s\n", spread(sp.ManifestRuns, time.Millisecond), them("-"))
		fmt.Fprintf(tw, "watchlist: listed people written otherwise, found (%d)\t%.3f%s\n", sp.Listed, ratio(sp.Found, sp.Listed), them("-"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	host.End()
	_, err = fmt.Fprintf(w, "machine: %s\n", host)
	return err
}

func peerLatency(p *Peer) []time.Duration {
	if p == nil {
		return nil
	}
	return p.Latency
}

func peerThreshold(p *Peer) float64 {
	if p == nil {
		return 0
	}
	return p.Threshold
}

// spread writes the least, median and greatest of d, rounded to unit.
func spread(d []time.Duration, unit time.Duration) string {
	return fmt.Sprintf("%s / %s / %s", slices.Min(d).Round(unit), median(d).Round(unit), slices.Max(d).Round(unit))
}
