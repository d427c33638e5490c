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

// measured is one side's matching figures.
type measured struct {
	build, single, batch time.Duration
	bytes                int
	pairs                map[pair]bool
	matches              int
}

func matching(o Options, w io.Writer, peer string, n int) error {
	fmt.Fprintf(o.Progress, "generating %d clustered hashes round %d seeds…\n", n, o.Seeds)
	wl := generate(o, n)
	fmt.Fprintf(o.Progress, "indexing…\n")
	var c measured
	t0 := time.Now()
	x := hashindex.NewPDQ(n)
	x.AddAll(wl.stored, make([]uint32, n))
	c.build = time.Since(t0)
	// The index's arrays live partly outside the Go heap (huge pages):
	// its own account of them, and the engine's slot → entry map.
	c.bytes = x.Bytes() + n*8
	fmt.Fprintf(o.Progress, "matching…\n")
	t0 = time.Now()
	for _, b := range wl.batches {
		x.Search(b[:1], o.Radius, nil)
	}
	c.single = time.Since(t0)
	c.pairs = map[pair]bool{}
	t0 = time.Now()
	for bi, b := range wl.batches {
		for _, m := range x.Search(b, o.Radius, nil) {
			c.pairs[pair{uint32(bi*8 + m.Query), m.Slot}] = true
			c.matches++
		}
	}
	c.batch = time.Since(t0)
	// The oracle, on a sample of batches: a full scan finds the same.
	for bi := 0; bi < len(wl.batches); bi += max(1, len(wl.batches)/20) {
		if got, want := len(x.Search(wl.batches[bi], o.Radius, nil)), len(x.Brute(wl.batches[bi], o.Radius, nil)); got != want {
			return fmt.Errorf("batch %d: the index found %d matches, a full scan %d", bi, got, want)
		}
	}

	nb := len(wl.batches)
	fmt.Fprintf(w, "\nMatching at radius %d against %d stored hashes (clustered round %d pictures), %d queries one by one and %d batches of 8, one core\n",
		o.Radius, n, o.Seeds, nb, nb)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tbuild\tbytes per hash\tqueries/s\tbatches/s\tmatches\tsame pairs as ctis\t")
	fmt.Fprintf(tw, "ctis multi-index\t%.1f s\t%d\t%.0f\t%.0f\t%d\t–\t\n", c.build.Seconds(), c.bytes/n, rate(nb, c.single), rate(nb, c.batch), c.matches)
	if peer == "" {
		return tw.Flush()
	}
	stored, single, batch := filepath.Join(o.Dir, "stored.txt"), filepath.Join(o.Dir, "single.txt"), filepath.Join(o.Dir, "batches.txt")
	if err := writeHashes(stored, wl.stored); err != nil {
		return err
	}
	var firsts, all []pdq.Hash
	for _, b := range wl.batches {
		firsts, all = append(firsts, b[0]), append(all, b...)
	}
	if err := writeHashes(single, firsts); err != nil {
		return err
	}
	if err := writeHashes(batch, all); err != nil {
		return err
	}
	best := 0.0
	for _, method := range o.PeerMethods {
		fmt.Fprintf(o.Progress, "reference %s…\n", method)
		var one, eight peerMatch
		pairs := filepath.Join(o.Dir, "pairs.txt")
		if _, err := runPeer(&one, peer, "match", "--stored", stored, "--queries", single, "--radius", fmt.Sprint(o.Radius), "--method", method, "--batch", "1"); err != nil {
			return err
		}
		peak, err := runPeer(&eight, peer, "match", "--stored", stored, "--queries", batch, "--radius", fmt.Sprint(o.Radius), "--method", method, "--batch", "8", "--pairs", pairs)
		if err != nil {
			return err
		}
		same, err := samePairs(pairs, c.pairs)
		if err != nil {
			return err
		}
		best = max(best, eight.Batches)
		fmt.Fprintf(tw, "reference %s\t%.1f s\t%d\t%.0f\t%.0f\t%d\t%v\t\n", method, eight.Build, peak/int64(n), one.Queries, eight.Batches, eight.Matches, same)
	}
	fmt.Fprintf(tw, "ctis ÷ reference's best, batches\t\t\t\t%s\t\t\t\n", ratio(rate(nb, c.batch), best))
	return tw.Flush()
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
