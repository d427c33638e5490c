package hashbench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"ctis/benchhost"
	"ctis/hashindex"
	"ctis/pdq"
)

// workload is stored hashes clustered round seed pictures, and batches of
// eight queries: in half of them the first query is a near copy of a
// seed, the rest are unrelated pictures.
type workload struct {
	stored  []pdq.Hash
	batches [][]pdq.Hash
}

func generate(o Options, n int) workload {
	r := rand.New(rand.NewPCG(o.Seed, uint64(n)))
	seeds := hashindex.Seeds(r, o.Seeds)
	w := workload{stored: hashindex.Clustered(r, seeds, n, 40)}
	for i := range o.Batches {
		b := hashindex.Seeds(r, 8)
		if i%2 == 0 {
			b[0] = hashindex.Perturb(r, seeds[r.IntN(len(seeds))], r.IntN(25))
		}
		w.batches = append(w.batches, b)
	}
	return w
}

// pair is a match as both sides report it: query line, stored line.
type pair struct{ q, s uint32 }

// side is what one matcher measured over the repetitions.
type side struct {
	name           string
	build          float64 // seconds, of the first repetition
	bytes          int     // per stored hash
	queries, batch []float64
	matches        int
	same           string // whether its pairs are ctis's
}

func matching(o Options, w io.Writer, peer string, n int) error {
	fmt.Fprintf(o.Progress, "generating %d clustered hashes round %d seeds…\n", n, o.Seeds)
	wl := generate(o, n)
	fmt.Fprintf(o.Progress, "indexing…\n")
	t0 := time.Now()
	x := hashindex.NewPDQ(n)
	x.AddAll(wl.stored, make([]uint32, n))
	// The index's arrays live partly outside the Go heap (huge pages):
	// its own account of them, and the engine's slot → entry map.
	c := side{name: "ctis multi-index", build: time.Since(t0).Seconds(), bytes: (x.Bytes() + n*8) / n, same: "–"}
	pairs := map[pair]bool{}
	for bi, b := range wl.batches {
		for _, m := range x.Search(b, o.Radius, nil) {
			pairs[pair{uint32(bi*8 + m.Query), m.Slot}] = true
			c.matches++
		}
	}
	// The oracle, on a sample of batches: a full scan finds the same.
	for bi := 0; bi < len(wl.batches); bi += max(1, len(wl.batches)/20) {
		if got, want := len(x.Search(wl.batches[bi], o.Radius, nil)), len(x.Brute(wl.batches[bi], o.Radius, nil)); got != want {
			return fmt.Errorf("batch %d: the index found %d matches, a full scan %d", bi, got, want)
		}
	}
	var stored, single, batch string
	if peer != "" {
		stored, single, batch = filepath.Join(o.Dir, "stored.txt"), filepath.Join(o.Dir, "single.txt"), filepath.Join(o.Dir, "batches.txt")
		var firsts, all []pdq.Hash
		for _, b := range wl.batches {
			firsts, all = append(firsts, b[0]), append(all, b...)
		}
		for f, hs := range map[string][]pdq.Hash{stored: wl.stored, single: firsts, batch: all} {
			if err := writeHashes(f, hs); err != nil {
				return err
			}
		}
	}
	var peers []side
	if peer != "" {
		peers = make([]side, len(o.PeerMethods))
	}
	var ratios, ratiosSingle []float64
	nb := len(wl.batches)
	for r := range max(o.Reps, 1) {
		fmt.Fprintf(o.Progress, "matching, repetition %d of %d…\n", r+1, max(o.Reps, 1))
		t0 := time.Now()
		for _, b := range wl.batches {
			x.Search(b[:1], o.Radius, nil)
		}
		c.queries = append(c.queries, rate(nb, time.Since(t0)))
		t0 = time.Now()
		for _, b := range wl.batches {
			x.Search(b, o.Radius, nil)
		}
		c.batch = append(c.batch, rate(nb, time.Since(t0)))
		if peer == "" {
			continue
		}
		// The ratio of this repetition: ctis over the best of the
		// reference's methods, each run just after ctis.
		bestBatch, bestSingle := 0.0, 0.0
		for i, method := range o.PeerMethods {
			p := &peers[i]
			p.name = "reference " + method
			var one, eight peerMatch
			if _, err := runPeer(&one, peer, "match", "--stored", stored, "--queries", single, "--radius", fmt.Sprint(o.Radius), "--method", method, "--batch", "1"); err != nil {
				return err
			}
			args := []string{"match", "--stored", stored, "--queries", batch, "--radius", fmt.Sprint(o.Radius), "--method", method, "--batch", "8"}
			pairsFile := filepath.Join(o.Dir, "pairs.txt")
			if r == 0 {
				args = append(args, "--pairs", pairsFile)
			}
			peak, err := runPeer(&eight, peer, args...)
			if err != nil {
				return err
			}
			if r == 0 {
				same, err := samePairs(pairsFile, pairs)
				if err != nil {
					return err
				}
				p.same, p.build, p.bytes, p.matches = fmt.Sprint(same), eight.Build, int(peak/int64(n)), eight.Matches
			}
			p.queries, p.batch = append(p.queries, one.Queries), append(p.batch, eight.Batches)
			bestBatch, bestSingle = max(bestBatch, eight.Batches), max(bestSingle, one.Queries)
		}
		ratios = append(ratios, c.batch[r]/bestBatch)
		ratiosSingle = append(ratiosSingle, c.queries[r]/bestSingle)
	}

	fmt.Fprintf(w, "\nMatching at radius %d against %d stored hashes (clustered round %d pictures), %d queries one by one and %d batches of 8, one core;\n"+
		"%d repetitions, each figure min / median / max\n", o.Radius, n, o.Seeds, nb, nb, max(o.Reps, 1))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tbuild\tbytes per hash\tqueries/s\tbatches/s\tmatches\tsame pairs as ctis\t")
	for _, sd := range append([]side{c}, peers...) {
		fmt.Fprintf(tw, "%s\t%.1f s\t%d\t%s\t%s\t%d\t%s\t\n", sd.name, sd.build, sd.bytes, spreadOf(sd.queries, "%.0f"), spreadOf(sd.batch, "%.0f"), sd.matches, sd.same)
	}
	if peer != "" {
		fmt.Fprintf(tw, "ctis ÷ reference's best, per repetition\t\t\t%s\t%s\t\t\t\n", spreadOf(ratiosSingle, "%.2f×"), spreadOf(ratios, "%.2f×"))
	}
	return tw.Flush()
}

// spreadOf writes the least, median and greatest of r.
func spreadOf(r []float64, format string) string {
	lo, mid, hi := benchhost.Spread(slices.Clone(r))
	return fmt.Sprintf(format+" / "+format+" / "+format, lo, mid, hi)
}

type peerMatch struct {
	Build   float64 `json:"build_s"`
	Queries float64 `json:"queries_per_s"`
	Batches float64 `json:"batches_per_s"`
	Matches int     `json:"matches"`
}

func writeHashes(path string, hs []pdq.Hash) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	for _, h := range hs {
		bw.WriteString(h.String())
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// samePairs reports whether the peer's pairs file ("query stored
// distance" lines) holds exactly the pairs ctis found.
func samePairs(path string, ours map[pair]bool) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var p pair
		var d int
		if _, err := fmt.Sscan(sc.Text(), &p.q, &p.s, &d); err != nil {
			return false, fmt.Errorf("the reference's pairs file: %q: %w", sc.Text(), err)
		}
		if !ours[p] {
			return false, nil
		}
		n++
	}
	return n == len(ours), sc.Err()
}

// runPeer runs the peer driver, decodes the one JSON object it prints and
// returns the driver's peak resident memory, measured from the process
// itself (benchhost.Run).
func runPeer(v any, peer string, args ...string) (peak int64, err error) {
	cmd := exec.Command(peer, args...)
	var stdout bytes.Buffer
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if peak, err = benchhost.Run(cmd); err != nil {
		return 0, fmt.Errorf("the reference (%s %s) failed: %v: %s", peer, strings.Join(args, " "), err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		return 0, fmt.Errorf("the reference printed no JSON report: %w", err)
	}
	return peak, nil
}
