package vpdq

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"ctis/pdq"
)

// The reference's file format is a line per frame, four fields separated
// by commas: frame number, quality, the PDQ hash in 64 hex digits, and the
// timestamp in seconds with three decimals:
//
//	0,100,dadb999c25266273529cadac89cb52c22324ad3bce99726c38668d93c799f07c,0.000

// MaxFrames is the most lines Read accepts: an hour of video at 60 frames
// a second, hashed frame by frame.
const MaxFrames = 216000

// maxLine is the longest line Read accepts; a well-formed one is under 90
// bytes.
const maxLine = 256

// maxTime is the latest timestamp read, in seconds: over thirty years, and
// short enough to write back on a line.
const maxTime = 1e9

// ParseError is an error on one line of a vPDQ file.
type ParseError struct {
	Line int // from 1
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("vpdq line %d: %v", e.Line, e.Err) }

func (e *ParseError) Unwrap() error { return e.Err }

// Read reads a vPDQ file, at most max frames (MaxFrames when max ≤ 0).
// Frame numbers must rise from line to line, as the reference writes
// them; a file without frames is an error, as the reference's reader
// makes it.
func Read(r io.Reader, max int) ([]Feature, error) {
	if max <= 0 {
		max = MaxFrames
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, maxLine), maxLine)
	var out []Feature
	line := 0
	for sc.Scan() {
		line++
		if len(out) == max {
			return nil, &ParseError{line, fmt.Errorf("more than %d frames", max)}
		}
		f, err := parseLine(strings.TrimSuffix(sc.Text(), "\r"))
		if err == nil && len(out) > 0 && f.Frame <= out[len(out)-1].Frame {
			err = fmt.Errorf("frame %d after frame %d: frame numbers must rise", f.Frame, out[len(out)-1].Frame)
		}
		if err != nil {
			return nil, &ParseError{line, err}
		}
		out = append(out, f)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("line longer than %d bytes", maxLine)
		}
		return nil, &ParseError{line + 1, err}
	}
	if len(out) == 0 {
		return nil, errors.New("vpdq: no frames")
	}
	return out, nil
}

// parseLine reads one line's four fields.
func parseLine(s string) (Feature, error) {
	var f Feature
	fields := strings.Split(s, ",")
	if len(fields) != 4 {
		return f, fmt.Errorf("want 4 comma-separated fields (frame, quality, hash, timestamp), got %d", len(fields))
	}
	frame, err := strconv.Atoi(fields[0])
	if err != nil || frame < 0 {
		return f, fmt.Errorf("frame number %q is not a whole number ≥ 0", fields[0])
	}
	quality, err := strconv.Atoi(fields[1])
	if err != nil || quality < 0 || quality > 100 {
		return f, fmt.Errorf("quality %q is not a whole number from 0 to 100", fields[1])
	}
	h, err := pdq.ParseHash(fields[2])
	if err != nil {
		return f, err
	}
	t, err := strconv.ParseFloat(fields[3], 64)
	if err != nil || !(t >= 0 && t <= maxTime) {
		return f, fmt.Errorf("timestamp %q is not a number of seconds from 0 to %g", fields[3], float64(maxTime))
	}
	return Feature{Frame: frame, Quality: quality, Hash: h, Time: t}, nil
}

// Write writes features in the reference's format.
func Write(w io.Writer, fs []Feature) error {
	bw := bufio.NewWriter(w)
	for _, f := range fs {
		fmt.Fprintf(bw, "%d,%d,%s,%.3f\n", f.Frame, f.Quality, f.Hash, f.Time)
	}
	return bw.Flush()
}
