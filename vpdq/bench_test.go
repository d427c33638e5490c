package vpdq

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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
