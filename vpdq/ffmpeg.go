package vpdq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ctis/pdq"
)

// Options say which frames are hashed, and within which limits.
type Options struct {
	// Rate is how many frames a second are hashed; 0 means 1. As in the
	// reference, every n-th decoded frame is taken, n the frame rate over
	// Rate (at least 1).
	Rate float64
	// EveryFrame hashes every decoded frame, as the reference's sample
	// hashes were made; Rate is then ignored.
	EveryFrame bool
	// Collapse drops each frame within Collapse bits of the last frame
	// kept, so a still scene keeps one frame; 0 drops only repeats of the
	// same hash, a negative value keeps every frame.
	Collapse int
	// Limits bound what a video may cost; a zero field takes its value
	// from DefaultLimits.
	Limits Limits
}

// Limits bound the decoding of one video. A video over them is refused,
// before decoding when its header tells, else as soon as it is seen.
type Limits struct {
	MaxBytes    int64         // the file's size
	MaxSide     int           // the frame's width and height, in pixels
	MaxDuration time.Duration // the video's length
	MaxFrames   int           // frames hashed
	Timeout     time.Duration // wall time of probing and decoding
	Memory      int64         // address space of each ffmpeg process, in bytes
}

// DefaultLimits admit an upload of up to 1 GiB and two hours of up to 8K
// video, decoded within ten minutes and 1 GiB of memory.
var DefaultLimits = Limits{
	MaxBytes:    1 << 30,
	MaxSide:     8192,
	MaxDuration: 2 * time.Hour,
	MaxFrames:   MaxFrames,
	Timeout:     10 * time.Minute,
	Memory:      1 << 30,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	l.MaxBytes = positiveOr(l.MaxBytes, d.MaxBytes)
	l.MaxSide = positiveOr(l.MaxSide, d.MaxSide)
	l.MaxDuration = positiveOr(l.MaxDuration, d.MaxDuration)
	l.MaxFrames = positiveOr(l.MaxFrames, d.MaxFrames)
	l.Timeout = positiveOr(l.Timeout, d.Timeout)
	l.Memory = positiveOr(l.Memory, d.Memory)
	return l
}

// positiveOr is v, or d when v is not positive.
func positiveOr[T int | int64 | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Errors a refused video wraps, beside a message naming what was wrong.
var (
	// ErrNotVideo: the file is not a video in a container ctis opens.
	ErrNotVideo = errors.New("not a video")
	// ErrLimit: the video is over the limits.
	ErrLimit = errors.New("over the limits")
	// ErrNoFFmpeg: Debian's ffmpeg is not installed.
	ErrNoFFmpeg = errors.New("ffmpeg not found (apt-get install ffmpeg)")
)

// containers are the demuxers ffmpeg may use, by the name ffprobe gives:
// the formats video is shared in. Others are refused, among them playlists
// and concatenation lists that would make ffmpeg open further files.
var containers = map[string]string{
	"mov,mp4,m4a,3gp,3g2,mj2": "mov",
	"matroska,webm":           "matroska",
	"avi":                     "avi",
	"flv":                     "flv",
	"mpegts":                  "mpegts",
	"mpeg":                    "mpeg",
	"ogg":                     "ogg",
	"asf":                     "asf",
}

// minSide is the smallest frame side PDQ hashes, as in the reference.
const minSide = 5

// hashSide is the side beyond which frames are first scaled down, aspect
// kept, by ffmpeg: PDQ reduces every frame to 64×64, so a 4K frame hashes
// as its 1920-pixel copy does within a few bits, at a quarter of the cost.
const hashSide = 1920

// stream is what ffprobe reports of a video's first video stream.
type stream struct {
	Container string        // ffprobe's format name
	Codec     string        // the video codec
	Width     int           // frame width in pixels
	Height    int           // frame height in pixels
	FrameRate float64       // frames a second
	Duration  time.Duration // 0 when the header does not say
}

// Hash hashes the video in the named file.
func Hash(ctx context.Context, name string, o Options) ([]Feature, error) {
	l := o.Limits.orDefault()
	ctx, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	p, err := probe(ctx, name, l)
	if err != nil {
		return nil, err
	}
	step := 1
	if !o.EveryFrame {
		rate := o.Rate
		if rate <= 0 {
			rate = 1
		}
		step = max(1, int(p.FrameRate/rate))
	}
	fs, err := decode(ctx, name, p, step, l)
	if err != nil {
		return nil, err
	}
	return collapse(fs, o.Collapse), nil
}

// ffmpegPath finds the named tool of Debian's ffmpeg package.
func ffmpegPath(tool string) (string, error) {
	path, err := exec.LookPath(tool)
	if err != nil {
		return "", ErrNoFFmpeg
	}
	return path, nil
}

// command runs an ffmpeg tool under an address-space limit, with a
// minimal environment and no standard input.
func command(ctx context.Context, l Limits, tool string, args ...string) (*exec.Cmd, error) {
	path, err := ffmpegPath(tool)
	if err != nil {
		return nil, err
	}
	// The shell sets the limit on itself and becomes the tool, so the
	// limit holds from the tool's first instruction.
	sh := append([]string{"-c", `ulimit -v "$0" && exec "$@"`, strconv.FormatInt(l.Memory>>10, 10), path}, args...)
	cmd := exec.CommandContext(ctx, "/bin/sh", sh...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	cmd.WaitDelay = time.Second
	return cmd, nil
}

// inputFile names a file for ffmpeg so that no part of the name is read
// as an option or a protocol.
func inputFile(name string) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	return "file:" + abs, nil
}

// probe checks the file and reads its first video stream's header.
func probe(ctx context.Context, name string, l Limits) (*stream, error) {
	st, err := os.Stat(name)
	if err != nil {
		// The path is the caller's to show, not this package's.
		if pe, ok := err.(*fs.PathError); ok {
			err = pe.Err
		}
		return nil, fmt.Errorf("vpdq: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("vpdq: %w: not a regular file (a pipe or device may never end)", ErrNotVideo)
	}
	if st.Size() > l.MaxBytes {
		return nil, fmt.Errorf("vpdq: %w: %d bytes, more than %d", ErrLimit, st.Size(), l.MaxBytes)
	}
	in, err := inputFile(name)
	if err != nil {
		return nil, err
	}
	cmd, err := command(ctx, l, "ffprobe", "-v", "error", "-protocol_whitelist", "file",
		"-select_streams", "v:0", "-of", "json",
		"-show_entries", "format=format_name,duration:stream=codec_name,width,height,avg_frame_rate,r_frame_rate,duration",
		in)
	if err != nil {
		return nil, err
	}
	var stdout bytes.Buffer
	stderr := &tail{max: 2048}
	cmd.Stdout, cmd.Stderr = &limited{&stdout, 64 << 10}, stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("vpdq: %w: probing took longer than %v", ErrLimit, l.Timeout)
		}
		return nil, childError("ffprobe", in, stderr, err, l)
	}
	var out struct {
		Format struct {
			Name     string `json:"format_name"`
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			Codec    string `json:"codec_name"`
			Width    int    `json:"width"`
			Height   int    `json:"height"`
			Avg      string `json:"avg_frame_rate"`
			Real     string `json:"r_frame_rate"`
			Duration string `json:"duration"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("vpdq: ffprobe's report: %w", err)
	}
	if _, ok := containers[out.Format.Name]; !ok {
		return nil, fmt.Errorf("vpdq: %w: container %q is not one of the video formats ctis opens", ErrNotVideo, out.Format.Name)
	}
	if len(out.Streams) == 0 {
		return nil, fmt.Errorf("vpdq: %w: no video stream in the %s container", ErrNotVideo, out.Format.Name)
	}
	s := out.Streams[0]
	p := &stream{Container: out.Format.Name, Codec: s.Codec, Width: s.Width, Height: s.Height}
	// The average frame rate, else the rate that represents every
	// timestamp, as the reference takes it.
	if p.FrameRate = ratio(s.Avg); p.FrameRate == 0 {
		p.FrameRate = ratio(s.Real)
	}
	if d := seconds(s.Duration); d > 0 {
		p.Duration = d
	} else {
		p.Duration = seconds(out.Format.Duration)
	}
	switch {
	case p.Width == 0 || p.Height == 0:
		return nil, fmt.Errorf("vpdq: %w: the frame size cannot be read", ErrNotVideo)
	case p.Width < minSide || p.Height < minSide:
		return nil, fmt.Errorf("vpdq: %w: frames of %d×%d pixels, too small to hash", ErrNotVideo, p.Width, p.Height)
	case p.Width > l.MaxSide || p.Height > l.MaxSide:
		return nil, fmt.Errorf("vpdq: %w: frames of %d×%d pixels, more than %d a side", ErrLimit, p.Width, p.Height, l.MaxSide)
	case p.FrameRate <= 0 || p.FrameRate > 1000:
		return nil, fmt.Errorf("vpdq: %w: frame rate %q unknown or implausible", ErrNotVideo, s.Avg)
	case p.Duration > l.MaxDuration:
		return nil, fmt.Errorf("vpdq: %w: %v long, more than %v", ErrLimit, p.Duration.Round(time.Second), l.MaxDuration)
	}
	return p, nil
}

// childError says why an ffmpeg tool failed: its memory limit reached,
// or else the file refused, in the tool's last words.
func childError(tool, in string, stderr *tail, err error, l Limits) error {
	msg := stderr.message(in, err)
	if strings.Contains(msg, "Cannot allocate memory") || strings.Contains(msg, "failed to map segment") {
		return fmt.Errorf("vpdq: %w: %s reached its memory limit of %d MiB", ErrLimit, tool, l.Memory>>20)
	}
	return fmt.Errorf("vpdq: %w: %s: %s", ErrNotVideo, tool, msg)
}

// ratio reads a rational such as "30000/1001"; 0 when it is not one.
func ratio(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	if !ok {
		return 0
	}
	a, err1 := strconv.ParseFloat(n, 64)
	b, err2 := strconv.ParseFloat(d, 64)
	if err1 != nil || err2 != nil || b == 0 || math.IsNaN(a/b) || math.IsInf(a/b, 0) {
		return 0
	}
	return a / b
}

// seconds reads a duration in seconds; 0 when there is none.
func seconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e9 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// decode has ffmpeg decode every step-th frame to RGB over a pipe, and
// hashes each as it arrives.
func decode(ctx context.Context, name string, p *stream, step int, l Limits) ([]Feature, error) {
	in, err := inputFile(name)
	if err != nil {
		return nil, err
	}
	w, h := p.Width, p.Height
	if s := max(w, h); s > hashSide {
		w, h = max(minSide, w*hashSide/s), max(minSide, h*hashSide/s)
	}
	// A decoding error ends the run (-xerror): a corrupt or truncated file
	// is refused rather than hashed in part. Frames are counted in
	// decoding order, as the reference counts them;
	// the scale pins the output size even if the stream changes it, and
	// converts to RGB with the reference's area filter.
	filter := fmt.Sprintf("select='not(mod(n\\,%d))',scale=%d:%d:flags=area,format=rgb24", step, w, h)
	// The input is cut a little past the longest admitted length, should
	// the header have said nothing or lied about it.
	cut := l.MaxDuration + time.Duration(float64(step)/p.FrameRate*float64(time.Second)) + time.Second
	cmd, err := command(ctx, l, "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
		"-xerror", "-protocol_whitelist", "file", "-f", containers[p.Container], "-noautorotate",
		"-threads", "2", "-t", strconv.FormatFloat(cut.Seconds(), 'f', 3, 64), "-i", in,
		"-map", "0:v:0", "-an", "-sn", "-dn", "-vf", filter, "-fps_mode", "passthrough",
		"-f", "rawvideo", "pipe:1")
	if err != nil {
		return nil, err
	}
	stderr := &tail{max: 2048}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	fs, readErr := hashFrames(stdout, w, h, step, p.FrameRate, l)
	if errors.Is(readErr, ErrLimit) {
		cmd.Cancel()
	}
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("vpdq: %w: decoding took longer than %v", ErrLimit, l.Timeout)
	case errors.Is(readErr, ErrLimit):
		return nil, readErr
	case waitErr != nil:
		// ffmpeg's reason comes before a frame it left unfinished.
		return nil, childError("ffmpeg", in, stderr, waitErr, l)
	case readErr != nil:
		return nil, readErr
	case len(fs) == 0:
		return nil, fmt.Errorf("vpdq: %w: no frame could be decoded", ErrNotVideo)
	}
	return fs, nil
}

// hashFrames reads w×h RGB frames until the end of r and hashes them.
func hashFrames(r io.Reader, w, h, step int, rate float64, l Limits) ([]Feature, error) {
	rgb := make([]byte, w*h*3)
	luma := make([]float32, w*h)
	var fs []Feature
	for i := 0; ; i++ {
		if _, err := io.ReadFull(r, rgb); err == io.EOF {
			return fs, nil
		} else if err != nil {
			return nil, fmt.Errorf("vpdq: %w: ffmpeg stopped within a frame", ErrNotVideo)
		}
		if i == l.MaxFrames {
			return nil, fmt.Errorf("vpdq: %w: more than %d frames to hash", ErrLimit, l.MaxFrames)
		}
		frame := i * step
		t := float64(frame) / rate
		if t > l.MaxDuration.Seconds() {
			return nil, fmt.Errorf("vpdq: %w: the stream runs past %v", ErrLimit, l.MaxDuration)
		}
		// The reference's luma: BT.601 weights on each 8-bit channel.
		for j := range luma {
			px := rgb[3*j : 3*j+3 : 3*j+3]
			luma[j] = 0.299*float32(px[0]) + 0.587*float32(px[1]) + 0.114*float32(px[2])
		}
		hash, q := pdq.HashLuma(luma, h, w)
		fs = append(fs, Feature{Frame: frame, Quality: q, Hash: hash, Time: t})
	}
}

// tail keeps the end of a child's error output, for the error message.
type tail struct {
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// message is the child's last error line, which says why it gave up,
// else how it ended; the file's name and ffmpeg's component tag, such as
// "[h264 @ 0x55d0…]", are left out.
func (t *tail) message(in string, err error) string {
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	if strings.HasPrefix(line, "[") {
		if _, rest, ok := strings.Cut(line, "] "); ok {
			line = rest
		}
	}
	line = strings.TrimPrefix(strings.TrimPrefix(line, in), ": ")
	if line == "" {
		return err.Error()
	}
	return line
}

// limited fails a child whose output runs past n bytes.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if len(p) > l.n {
		return 0, errors.New("output over its limit")
	}
	l.n -= len(p)
	return l.w.Write(p)
}
