package vpdq

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ctis/pdq"
)

// needFFmpeg skips a test when Debian's ffmpeg is missing, unless
// CTIS_VIDEO_TESTS is set, as in CI, where it fails instead.
func needFFmpeg(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CTIS_VIDEO_TESTS") != "" {
				t.Fatalf("%s not installed", tool)
			}
			t.Skipf("%s not installed (apt-get install ffmpeg)", tool)
		}
	}
}

// ffmpeg runs ffmpeg to make a test's input.
func ffmpeg(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// samples are the reference's sample videos kept in testdata, with their
// sample hashes.
var samples = []string{"doorknob-hd-no-bar", "test-padded-dimensions", "pattern-sd-grey-bar"}

// ctis's frame hashes agree with the reference's sample hashes, made from
// every frame (its regression test's rate), within 10 bits on each frame
// of quality 80 or more; and each video matches its sample hash, as the
// reference's regression test requires.
func TestConformance(t *testing.T) {
	needFFmpeg(t)
	type row struct {
		name                     string
		frames, compared, within int
		maxDist                  int
		sumDist                  int
		queryShare, storedShare  float64
	}
	rows := make([]row, len(samples))
	t.Run("videos", func(t *testing.T) {
		for i, name := range samples {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				want := readSample(t, name)
				got, err := Hash(context.Background(), "testdata/"+name+".mp4", Options{EveryFrame: true, Collapse: -1})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%d frames, the reference %d", len(got), len(want))
				}
				r := row{name: name, frames: len(got)}
				for j, g := range got {
					w := want[j]
					if g.Frame != w.Frame || fmt.Sprintf("%.3f", g.Time) != fmt.Sprintf("%.3f", w.Time) {
						t.Errorf("line %d: frame %d at %.3f s, the reference frame %d at %.3f s", j+1, g.Frame, g.Time, w.Frame, w.Time)
					}
					if g.Quality < 80 || w.Quality < 80 {
						continue
					}
					d := pdq.Distance(g.Hash, w.Hash)
					r.compared++
					r.sumDist += d
					r.maxDist = max(r.maxDist, d)
					if d <= 10 {
						r.within++
					} else {
						t.Errorf("frame %d: %d bits from the reference", g.Frame, d)
					}
				}
				res := Compare(got, want, Defaults)
				back := Compare(want, got, Defaults)
				if !res.Match || !back.Match {
					t.Errorf("does not match its sample hash: %+v, %+v", res, back)
				}
				r.queryShare, r.storedShare = res.QueryPercent, res.StoredPercent
				rows[i] = r
			})
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-24s %6s %8s %8s %9s %10s %14s\n", "video", "frames", "compared", "max bits", "mean bits", "within 10", "match q%/s%")
	for _, r := range rows {
		if r.compared == 0 {
			continue
		}
		fmt.Fprintf(&b, "%-24s %6d %8d %8d %9.2f %9.1f%% %6.1f/%6.1f\n", r.name, r.frames, r.compared, r.maxDist,
			float64(r.sumDist)/float64(r.compared), 100*float64(r.within)/float64(r.compared), r.queryShare, r.storedShare)
	}
	t.Log(b.String())
}

// At one frame a second the reference takes frames 0, n, 2n… with n the
// frame rate: its own test's hashes of chair-20 at that rate are its
// every-frame sample hashes at frames 0, 30, 60…; ctis samples alike, and
// its sampled frames are the reference's within 10 bits.
func TestSamplingRate(t *testing.T) {
	// The first three of the 21 hashes the reference's test expects of
	// chair-20-sd-bar.mp4 at one frame a second.
	chair := readSample(t, "chair-20-sd-bar")
	for i, h := range []string{
		"e42926b9cb58d261383b699f0ff2e1076fe6183dff4986d82ca36da48034fc54",
		"4ce949b11f1035e2f2eb0a5e76f68716870e70f97bd91d1049a3dbe1d164b454",
		"643c8f9e5f0eb6866886355a4a4bdbe38343a4e924b969b41d321ba33a85f55e",
	} {
		if f := chair[30*i]; f.Frame != 30*i || f.Hash.String() != h {
			t.Errorf("chair-20 frame %d: %s, the reference's one-a-second hash %s", f.Frame, f.Hash, h)
		}
	}
	needFFmpeg(t)
	want := readSample(t, "test-padded-dimensions")
	got, err := Hash(context.Background(), "testdata/test-padded-dimensions.mp4", Options{Collapse: -1})
	if err != nil {
		t.Fatal(err)
	}
	var frames []int
	for _, g := range got {
		frames = append(frames, g.Frame)
		if d := pdq.Distance(g.Hash, want[g.Frame].Hash); d > 10 {
			t.Errorf("frame %d: %d bits from the reference", g.Frame, d)
		}
	}
	if fmt.Sprint(frames) != "[0 30 60 90 120]" {
		t.Errorf("frames %v, want [0 30 60 90 120]", frames)
	}
}

// A copy re-encoded with another codec, scaled down and cut at both ends
// matches its original in a bank of the sample videos, and nothing else.
// It is cut at a whole second, so that its sampled frames fall where the
// original's did: on footage that changes fast, frames half a second
// apart are too far apart to match, in ctis as in the reference.
func TestCopyMatches(t *testing.T) {
	needFFmpeg(t)
	ctx := context.Background()
	x := NewIndex(Defaults)
	for _, name := range samples {
		fs, err := Hash(ctx, "testdata/"+name+".mp4", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.Add(fs); err != nil {
			t.Fatal(err)
		}
	}
	copyOf := filepath.Join(t.TempDir(), "copy.mp4")
	ffmpeg(t, "-ss", "1", "-i", "testdata/pattern-sd-grey-bar.mp4", "-t", "4", "-an",
		"-vf", "scale=360:360", "-c:v", "mpeg4", "-q:v", "6", copyOf)
	fs, err := Hash(ctx, copyOf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := x.Search(fs, nil)
	if len(got) != 1 || got[0].Video != 2 {
		t.Fatalf("the copy matched %+v, want the pattern video (2) alone", got)
	}
	t.Logf("copy: %d frames, %.0f%% of them matched, %.0f%% of the original's", len(fs), got[0].QueryPercent, got[0].StoredPercent)
	// An unrelated video matches nothing but itself.
	door, err := Hash(ctx, "testdata/doorknob-hd-no-bar.mp4", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Search(door, nil); len(got) != 1 || got[0].Video != 0 {
		t.Errorf("the doorknob video matched %+v, want itself (0) alone", got)
	}
}

// Collapsing drops frames near the last kept one.
func TestCollapse(t *testing.T) {
	var a, b pdq.Hash
	b[0] = 0xFFFF // 16 bits from a
	fs := video(a, a, b, b, a)
	if got := collapse(append([]Feature(nil), fs...), 0); len(got) != 3 {
		t.Errorf("collapse 0: %d frames, want 3", len(got))
	}
	if got := collapse(append([]Feature(nil), fs...), 16); len(got) != 1 {
		t.Errorf("collapse 16: %d frames, want 1", len(got))
	}
	if got := collapse(append([]Feature(nil), fs...), -1); len(got) != 5 {
		t.Errorf("collapse -1: %d frames, want 5", len(got))
	}
}

// Hostile and broken files are refused within the limits, with errors
// that say what is wrong.
func TestRefused(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	door, err := os.ReadFile("testdata/doorknob-hd-no-bar.mp4")
	if err != nil {
		t.Fatal(err)
	}
	corrupt := append([]byte(nil), door...)
	for i := 16; i < len(corrupt); i += 7 {
		corrupt[i] ^= 0x5A
	}
	tiny := filepath.Join(dir, "tiny.avi")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1", "-c:v", "rawvideo", "-pix_fmt", "bgr24", tiny)
	audio := filepath.Join(dir, "audio.m4a")
	ffmpeg(t, "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audio)
	// A stream written to a pipe has no duration in its header.
	long := filepath.Join(dir, "long.mkv")
	cmd := exec.Command("sh", "-c", "ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=size=64x48:rate=10:duration=8 -c:v mpeg4 -f matroska pipe:1 > "+long)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	fifo := filepath.Join(dir, "endless.mp4")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	short := Limits{MaxDuration: 3 * time.Second, Timeout: 20 * time.Second}
	for _, c := range []struct {
		name   string
		path   string
		limits Limits
		want   error
		text   string
	}{
		{"corrupt", write("corrupt.mp4", corrupt), Limits{}, ErrNotVideo, "ffprobe"},
		{"truncated", write("truncated.mp4", door[:len(door)/3]), Limits{}, ErrNotVideo, "ffmpeg: corrupt input packet"},
		{"text named .mp4", write("notes.mp4", []byte("This is not a video.\nIt is a text file.\n")), Limits{}, ErrNotVideo, ""},
		{"playlist", write("list.mp4", []byte("#EXTM3U\n#EXTINF:1,\n/etc/passwd\n")), Limits{}, ErrNotVideo, ""},
		{"image", write("still.mp4", pngBytes(t)), Limits{}, ErrNotVideo, "container"},
		{"audio only", audio, Limits{}, ErrNotVideo, "no video stream"},
		{"huge frames", write("huge.avi", hugeAVI(t, tiny, 16000, 16000)), Limits{}, ErrLimit, "16000×16000 pixels, more than 8192 a side"},
		{"over the size limit", tiny, Limits{MaxBytes: 1000}, ErrLimit, "bytes, more than 1000"},
		{"past the duration", long, short, ErrLimit, "runs past 3s"},
		{"too many frames", long, Limits{MaxFrames: 2}, ErrLimit, "more than 2 frames"},
		{"memory limit", "testdata/test-padded-dimensions.mp4", Limits{Memory: 256 << 20}, ErrLimit, "memory limit of 256 MiB"},
		{"endless pipe", fifo, short, ErrNotVideo, "not a regular file"},
		{"missing", filepath.Join(dir, "absent.mp4"), Limits{}, os.ErrNotExist, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Hash(context.Background(), c.path, Options{Limits: c.limits})
			if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.text) {
				t.Fatalf("got %v, want %v with %q", err, c.want, c.text)
			}
			if strings.Contains(err.Error(), dir) {
				t.Errorf("the error names the file's path: %v", err)
			}
			t.Logf("%v (%v)", err, time.Since(start).Round(time.Millisecond))
		})
	}
	// The timeout stops a decode that takes too long.
	_, err = Hash(context.Background(), "testdata/pattern-sd-grey-bar.mp4", Options{EveryFrame: true, Limits: Limits{Timeout: 50 * time.Millisecond}})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "took longer than 50ms") {
		t.Errorf("timeout: got %v", err)
	}
}

// pngBytes is a small PNG image.
func pngBytes(t *testing.T) []byte {
	p := filepath.Join(t.TempDir(), "still.png")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc=size=32x32", "-frames:v", "1", p)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// hugeAVI is the raw-video AVI at path with its header claiming frames of
// w×h: what a hostile upload declares to make a decoder allocate.
func hugeAVI(t *testing.T, path string, w, h uint32) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	avih := bytes.Index(data, []byte("avih"))
	strf := bytes.Index(data, []byte("strf"))
	if avih < 0 || strf < 0 {
		t.Fatal("no AVI headers")
	}
	binary.LittleEndian.PutUint32(data[avih+8+32:], w)
	binary.LittleEndian.PutUint32(data[avih+8+36:], h)
	binary.LittleEndian.PutUint32(data[strf+8+4:], w)
	binary.LittleEndian.PutUint32(data[strf+8+8:], h)
	return data
}
