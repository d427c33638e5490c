package vpdq

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"ctis/hashindex"
)

// BenchmarkVPDQFrames measures PDQ on decoded 1280×720 RGB frames, as
// they come from ffmpeg's pipe: the hashing alone.
func BenchmarkVPDQFrames(b *testing.B) {
	const w, h, frames = 1280, 720, 16
	r := rand.New(rand.NewPCG(18, 4))
	raw := make([]byte, 0, w*h*3*frames)
	for f := range frames {
		for y := range h {
			for x := range w {
				v := byte((x*(f+1) + y*3) / 7)
				raw = append(raw, v, v^byte(r.IntN(16)), byte(y))
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := hashFrames(bytes.NewReader(raw), w, h, 1, 30, DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(frames*b.N)/b.Elapsed().Seconds(), "frames/s")
}

// BenchmarkVPDQVideo measures hashing a sample video frame by frame
// (1080×1080, 150 frames), ffmpeg's decoding included.
func BenchmarkVPDQVideo(b *testing.B) {
	needFFmpeg(b)
	n := 0
	for b.Loop() {
		fs, err := Hash(context.Background(), "testdata/test-padded-dimensions.mp4", Options{EveryFrame: true, Collapse: -1})
		if err != nil {
			b.Fatal(err)
		}
		n += len(fs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "frames/s")
}

// benchVideo is a generated video of 60 frames a second apart: a few
// scenes, each frame a few bits from its scene, as real footage is.
func benchVideo(r *rand.Rand) []Feature {
	scenes := hashindex.Seeds(r, 2+r.IntN(6))
	fs := make([]Feature, 60)
	for i := range fs {
		s := scenes[i*len(scenes)/len(fs)]
		fs[i] = Feature{Frame: 30 * i, Quality: 60 + r.IntN(41), Hash: hashindex.Perturb(r, s, r.IntN(8)), Time: float64(i)}
	}
	return fs
}

// BenchmarkVPDQMatch measures matching a video against a bank of stored
// videos of 60 frames each: CTIS_VPDQ_VIDEOS sets how many (default
// 2,000; the figure is for 100,000). Each query is a stored
// video's frames moved by up to 16 bits, and must find it; "brute" is
// Compare against every stored video, for the ratio.
func BenchmarkVPDQMatch(b *testing.B) {
	n := 2000
	if s := os.Getenv("CTIS_VPDQ_VIDEOS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 64 {
			b.Fatalf("CTIS_VPDQ_VIDEOS=%q: want a count of 64 or more", s)
		}
	}
	r := rand.New(rand.NewPCG(18, 5))
	x := NewIndex(Defaults)
	stored := make([][]Feature, n)
	t0 := time.Now()
	for i := range stored {
		stored[i] = benchVideo(r)
		if _, err := x.Add(stored[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d videos of 60 frames indexed in %v", n, time.Since(t0).Round(time.Millisecond))
	queries := make([][]Feature, 64)
	for i := range queries {
		v := stored[r.IntN(n)]
		q := make([]Feature, len(v))
		for j, f := range v {
			f.Hash = hashindex.Perturb(r, f.Hash, r.IntN(17))
			q[j] = f
		}
		queries[i] = q
	}
	b.Run("index", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if len(x.Search(queries[i%len(queries)], nil)) == 0 {
				b.Fatal("a copy of a stored video matched nothing")
			}
			i++
		}
		b.ReportMetric(float64(n), "videos")
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "queries/s")
	})
	if ref := os.Getenv("CTIS_VPDQ_REF_MATCH"); ref != "" {
		b.Run("reference", func(b *testing.B) { beside(b, ref, x, stored, queries[:8]) })
	}
	b.Run("brute", func(b *testing.B) {
		i := 0
		for b.Loop() {
			q, found := queries[i%len(queries)], 0
			for _, v := range stored {
				if Compare(q, v, Defaults).Match {
					found++
				}
			}
			if found == 0 {
				b.Fatal("a copy of a stored video matched nothing")
			}
			i++
		}
		b.ReportMetric(float64(n), "videos")
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "queries/s")
	})
}

// BenchmarkVPDQBesideReference hashes the same sample video frame by
// frame with ctis and with the reference's vpdq-hash-video (its C++
// build, named by CTIS_VPDQ_REF; skipped without it), taking turns, and
// reports each one's frames a second, ffmpeg's decoding included, and
// the ratio of ctis's to the reference's. Build the reference outside
// the repository: cmake and make in ThreatExchange's vpdq/cpp, with
// Debian's libavcodec-dev, libavformat-dev, libswscale-dev and friends.
func BenchmarkVPDQBesideReference(b *testing.B) {
	ref := os.Getenv("CTIS_VPDQ_REF")
	if ref == "" {
		b.Skip("CTIS_VPDQ_REF names no reference vpdq-hash-video")
	}
	needFFmpeg(b)
	for _, name := range []string{"test-padded-dimensions", "doorknob-hd-no-bar"} {
		b.Run(name, func(b *testing.B) {
			video := "testdata/" + name + ".mp4"
			out := filepath.Join(b.TempDir(), "ref.txt")
			var ours, theirs time.Duration
			oursFrames, theirFrames := 0, 0
			for b.Loop() {
				t := time.Now()
				fs, err := Hash(context.Background(), video, Options{EveryFrame: true, Collapse: -1})
				if err != nil {
					b.Fatal(err)
				}
				ours += time.Since(t)
				oursFrames += len(fs)
				t = time.Now()
				if msg, err := exec.Command(ref, "-i", video, "-o", out, "-r", "0").CombinedOutput(); err != nil {
					b.Fatalf("%s: %v\n%s", ref, err, msg)
				}
				theirs += time.Since(t)
				f, err := os.Open(out)
				if err != nil {
					b.Fatal(err)
				}
				got, err := Read(f, 0)
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				theirFrames += len(got)
			}
			ctis, reference := float64(oursFrames)/ours.Seconds(), float64(theirFrames)/theirs.Seconds()
			b.ReportMetric(ctis, "ctis-frames/s")
			b.ReportMetric(reference, "ref-frames/s")
			b.ReportMetric(ctis/reference, "ratio")
		})
	}
}

// beside matches queries against the stored videos with ctis's index and
// with the reference's pairwise matcher over every stored video (its C++
// build of vpdq-ref-match, vpdq/refdriver), in turn, checks that both find
// the same videos, and reports each one's queries a second and their ratio.
func beside(b *testing.B, ref string, x *Index, stored, queries [][]Feature) {
	dir := b.TempDir()
	write := func(name string, videos [][]Feature) string {
		var buf bytes.Buffer
		for v, fs := range videos {
			for _, f := range fs {
				fmt.Fprintf(&buf, "%d,%d,%d,%s,%.3f\n", v, f.Frame, f.Quality, f.Hash, f.Time)
			}
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
		return path
	}
	storedFile, queryFile := write("stored.txt", stored), write("queries.txt", queries)
	var ours, theirs time.Duration
	for b.Loop() {
		t0 := time.Now()
		var found [][2]int
		for qi, q := range queries {
			for _, m := range x.Search(q, nil) {
				found = append(found, [2]int{qi, int(m.Video)})
			}
		}
		ours += time.Since(t0)
		out, err := exec.Command(ref, "--stored", storedFile, "--queries", queryFile, "--distance", fmt.Sprint(Defaults.Radius),
			"--quality", fmt.Sprint(Defaults.Quality), "--query-pct", fmt.Sprint(Defaults.QueryPercent), "--target-pct", fmt.Sprint(Defaults.StoredPercent)).Output()
		if err != nil {
			b.Fatalf("the reference: %v", err)
		}
		var r struct {
			QueriesPerS float64  `json:"queries_per_s"`
			Pairs       [][2]int `json:"pairs"`
		}
		if err := json.Unmarshal(out, &r); err != nil {
			b.Fatalf("the reference's report: %v", err)
		}
		theirs += time.Duration(float64(len(queries)) / r.QueriesPerS * float64(time.Second))
		slices.SortFunc(found, func(a, c [2]int) int { return cmp.Or(a[0]-c[0], a[1]-c[1]) })
		slices.SortFunc(r.Pairs, func(a, c [2]int) int { return cmp.Or(a[0]-c[0], a[1]-c[1]) })
		if !slices.Equal(found, r.Pairs) {
			b.Fatalf("ctis found %d videos, the reference %d: %v / %v", len(found), len(r.Pairs), found, r.Pairs)
		}
	}
	n := float64(b.N * len(queries))
	b.ReportMetric(n/ours.Seconds(), "ctis-queries/s")
	b.ReportMetric(n/theirs.Seconds(), "reference-queries/s")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "ratio")
}
