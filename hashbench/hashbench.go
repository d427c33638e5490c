// Package hashbench measures hash sharing: PDQ hashing of photographs
// (decoding and hashing apart) and matching against millions of stored
// hashes at radius 31, one query at a time and in batches of the eight
// rotations and reflections of an image. With a peer — the reference C++
// PDQ tools behind a small driver — the same images, the same stored
// hashes and the same queries run through both in one run, the figures
// are printed side by side with their ratio, and the matches of both must
// be the same pairs.
//
// The peer is a driver program called in two ways, each printing one JSON
// object on stdout:
//
//	PEER hash --repeat N FILE
//	  → {"decode_per_s":…, "hash_per_s":…, "total_per_s":…, "hashes":[{"hash":"<64 hex>"}]}
//	PEER match --stored F --queries F --radius R --method M --batch 1|8 [--pairs OUT]
//	  → {"build_s":…, "queries_per_s":…, "batches_per_s":…, "matches":…}
//
// The hash files hold one 64-hex-digit PDQ hash per line; with --batch 8,
// each eight consecutive query lines are one batch. OUT receives one line
// "QUERY STORED DISTANCE" (line numbers from 0) per match. The peer's
// memory is not its own report: ctis reads the driver's peak resident
// memory from the process (VmHWM) while it runs.
package hashbench

import (
	"bytes"
	"ctis/benchhost"
	"embed"
	"fmt"
	"image"
	_ "image/jpeg" // the photographs' format
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"ctis/jpegluma"
	"ctis/pdq"
)

//go:embed testdata/*.jpg
var images embed.FS

// Options tune a run.
type Options struct {
	// Hashes lists the stored-hash counts to match against.
	Hashes []int
	// Batches is how many 8-variant batches are matched at each count.
	Batches int
	// Radius is the match radius.
	Radius int
	// Seeds is how many pictures the stored hashes cluster around.
	Seeds int
	// Repeat is how many times each image is decoded and hashed.
	Repeat int
	// PeerMethods are the peer's matching methods to run.
	PeerMethods []string
	// Reps is how many times the matching figures are measured, ctis and
	// the peer one after the other each time; the report gives the least,
	// the median and the greatest, and the ratio of each repetition.
	Reps int
	// Dir holds the files handed to the peer; default a temporary one.
	Dir string
	// Seed seeds the generated hashes.
	Seed uint64
	// Progress receives a line as each stage starts, and Log the details
	// (each hash that differs from the reference's). nil means none.
	Progress, Log io.Writer
}

// Run measures and prints a report to w; peer may be "".
func Run(o Options, w io.Writer, peer string) error {
	if o.Dir == "" {
		d, err := os.MkdirTemp("", "ctis-hashbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		o.Dir = d
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	host := benchhost.Start()
	if o.Repeat > 0 {
		if err := hashing(o, w, peer); err != nil {
			return err
		}
	}
	for _, n := range o.Hashes {
		if n <= 0 {
			continue
		}
		if err := matching(o, w, peer, n); err != nil {
			return err
		}
	}
	host.End()
	if _, err := fmt.Fprintf(w, "machine: %s\n", host); err != nil {
		return err
	}
	if build := peerBuild(peer); len(build) > 0 {
		fmt.Fprintln(w, "reference driver (its BUILD file):")
		for _, line := range build {
			fmt.Fprintf(w, "  %s\n", line)
		}
	} else if peer != "" {
		fmt.Fprintf(w, "reference driver: build flags unknown, no BUILD file beside %s (hashbench/refdriver/build.sh writes one)\n", peer)
	}
	return nil
}

// peerBuild returns the summary of the BUILD file beside the peer driver,
// as hashbench/refdriver/build.sh writes it (the reference's commit, the
// compiler, the flags, whether Flat's SIMD path is in): its lines before
// the commands. None when there is no peer or no such file.
func peerBuild(peer string) []string {
	if peer == "" {
		return nil
	}
	path, err := exec.LookPath(peer)
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(path), "BUILD"))
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "commands:") {
			break
		}
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// rate is operations per second.
func rate(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

// hashing times decoding, hashing and both for each embedded photograph,
// Reps times, ctis then the peer each time.
func hashing(o Options, w io.Writer, peer string) error {
	reps := max(o.Reps, 1)
	fmt.Fprintf(w, "PDQ hashing, one core, %d times each, per second (decode: ctis to luma, the reference to RGB; ratio = ctis ÷ reference, per repetition);\n"+
		"%d repetitions, each figure min / median / max\n", o.Repeat, reps)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "image\tctis decode\thash\tdecode+hash\treference decode\thash\tdecode+hash\tratio decode+hash\tsame hash\t")
	for _, name := range []string{"aaa-orig.jpg", "square-256x256.jpg"} {
		data, _ := images.ReadFile("testdata/" + name)
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return err
		}
		path := filepath.Join(o.Dir, name)
		if peer != "" {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
		}
		var decode, hash, total, rDecode, rHash, rTotal, ratios []float64
		var h pdq.Hash
		same := "–"
		for range reps {
			var luma, scratch []float32
			var rows, cols int
			t0 := time.Now()
			for range o.Repeat {
				if luma, rows, cols, err = jpegluma.Decode(data, pdq.Sampled, luma); err != nil {
					return err
				}
			}
			decode = append(decode, rate(o.Repeat, time.Since(t0)))
			t0 = time.Now()
			for range o.Repeat {
				scratch = append(scratch[:0], luma...) // hashing overwrites its input
				h, _ = pdq.HashLuma(scratch, rows, cols)
			}
			hash = append(hash, rate(o.Repeat, time.Since(t0)))
			t0 = time.Now()
			for range o.Repeat {
				if luma, rows, cols, err = jpegluma.Decode(data, pdq.Sampled, luma); err != nil {
					return err
				}
				pdq.HashLuma(luma, rows, cols)
			}
			total = append(total, rate(o.Repeat, time.Since(t0)))
			if peer == "" {
				continue
			}
			var r struct {
				Decode float64 `json:"decode_per_s"`
				Hash   float64 `json:"hash_per_s"`
				Total  float64 `json:"total_per_s"`
				Hashes []struct {
					Hash string `json:"hash"`
				} `json:"hashes"`
			}
			if _, err := runPeer(&r, peer, "hash", "--repeat", fmt.Sprint(o.Repeat), path); err != nil {
				return err
			}
			same = fmt.Sprint(len(r.Hashes) == 1 && r.Hashes[0].Hash == h.String())
			if len(r.Hashes) == 1 && same == "false" {
				if ref, err := pdq.ParseHash(r.Hashes[0].Hash); err == nil {
					fmt.Fprintf(o.Log, "%s: ctis and the reference differ by %d bits\n", name, pdq.Distance(h, ref))
				}
			}
			rDecode, rHash, rTotal = append(rDecode, r.Decode), append(rHash, r.Hash), append(rTotal, r.Total)
			ratios = append(ratios, total[len(total)-1]/r.Total)
		}
		row := fmt.Sprintf("%s %d×%d\t%s\t%s\t%s", name, cfg.Width, cfg.Height, spreadOf(decode, "%.0f"), spreadOf(hash, "%.0f"), spreadOf(total, "%.0f"))
		if peer == "" {
			fmt.Fprintln(tw, row+"\t–\t–\t–\t–\t–\t")
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", row, spreadOf(rDecode, "%.0f"), spreadOf(rHash, "%.0f"), spreadOf(rTotal, "%.0f"), spreadOf(ratios, "%.2f×"), same)
	}
	return tw.Flush()
}
