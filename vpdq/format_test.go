package vpdq

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// readSample reads one of the reference's sample hash files.
func readSample(t testing.TB, name string) []Feature {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Read(bytes.NewReader(data), 0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return fs
}

// The reference's sample files read and write back byte for byte.
func TestReadWriteSamples(t *testing.T) {
	for _, name := range []string{"doorknob-hd-no-bar", "test-padded-dimensions", "pattern-sd-grey-bar", "chair-20-sd-bar"} {
		data, err := os.ReadFile("testdata/" + name + ".txt")
		if err != nil {
			t.Fatal(err)
		}
		fs, err := Read(bytes.NewReader(data), 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out bytes.Buffer
		if err := Write(&out, fs); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), data) {
			t.Errorf("%s: written back differs from the reference's file", name)
		}
	}
}

const goodLine = "0,100,dadb999c25266273529cadac89cb52c22324ad3bce99726c38668d93c799f07c,0.000\n"

func TestReadErrors(t *testing.T) {
	hash := "dadb999c25266273529cadac89cb52c22324ad3bce99726c38668d93c799f07c"
	for _, c := range []struct{ in, want string }{
		{"", "no frames"},
		{"0,100," + hash + "\n", "line 1: want 4 comma-separated fields"},
		{goodLine + "1,100," + hash + ",1.0,extra\n", "line 2: want 4"},
		{"-1,100," + hash + ",0\n", "frame number \"-1\""},
		{"x,100," + hash + ",0\n", "frame number \"x\""},
		{"0,101," + hash + ",0\n", "quality \"101\""},
		{"0,100,dadb,0\n", "want 64 hex digits"},
		{"0,100," + strings.Repeat("zz", 32) + ",0\n", "invalid byte"},
		{"0,100," + hash + ",NaN\n", "timestamp \"NaN\""},
		{"0,100," + hash + ",-1\n", "timestamp \"-1\""},
		{"0,100," + hash + ",1e300\n", "timestamp \"1e300\""},
		{goodLine + goodLine, "line 2: frame 0 after frame 0"},
		{strings.Repeat("1", 300) + "\n", "line 1: line longer than 256 bytes"},
	} {
		_, err := Read(strings.NewReader(c.in), 0)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read(%.40q): got %v, want an error with %q", c.in, err, c.want)
		}
	}
	var pe *ParseError
	if _, err := Read(strings.NewReader("bad\n"), 0); !errors.As(err, &pe) || pe.Line != 1 {
		t.Errorf("want a ParseError on line 1, got %v", err)
	}
	// CRLF line ends are read; a frame past the limit is refused.
	crlf := strings.ReplaceAll(goodLine, "\n", "\r\n") + strings.ReplaceAll(strings.Replace(goodLine, "0,", "1,", 1), "\n", "\r\n")
	if fs, err := Read(strings.NewReader(crlf), 0); err != nil || len(fs) != 2 {
		t.Errorf("CRLF: %v, %d frames", err, len(fs))
	}
	if _, err := Read(strings.NewReader(crlf), 1); err == nil || !strings.Contains(err.Error(), "more than 1 frames") {
		t.Errorf("limit: got %v", err)
	}
}

// FuzzRead holds the reader to its contract: an error, or frames that
// write back to text it reads again as the same frames.
func FuzzRead(f *testing.F) {
	f.Add([]byte(goodLine))
	f.Add([]byte(goodLine + "1,5,0000000000000000000000000000000000000000000000000000000000000000,0.033\n"))
	f.Add([]byte("0,100,xyz,0\n"))
	f.Add([]byte("1e3,1,,\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, err := Read(bytes.NewReader(data), 1000)
		if err != nil {
			if fs != nil {
				t.Fatal("frames beside an error")
			}
			return
		}
		var out bytes.Buffer
		if err := Write(&out, fs); err != nil {
			t.Fatal(err)
		}
		again, err := Read(&out, 1000)
		if err != nil {
			t.Fatalf("written frames do not read back: %v", err)
		}
		for i := range fs {
			if again[i].Frame != fs[i].Frame || again[i].Quality != fs[i].Quality || again[i].Hash != fs[i].Hash {
				t.Fatalf("frame %d changed: %+v became %+v", i, fs[i], again[i])
			}
		}
	})
}

func TestIsVideo(t *testing.T) {
	mp4, err := os.ReadFile("testdata/doorknob-hd-no-bar.mp4")
	if err != nil {
		t.Fatal(err)
	}
	heic := append([]byte{0, 0, 0, 24}, "ftypheic"...)
	for _, c := range []struct {
		name string
		head []byte
		want bool
	}{
		{"clip.MP4", nil, true},
		{"clip.webm", nil, true},
		{"upload.bin", mp4[:512], true},
		{"upload.bin", []byte{0x1A, 0x45, 0xDF, 0xA3, 1, 0, 0, 0, 0, 0, 0, 0}, true},
		{"upload.bin", []byte("RIFF\x00\x00\x00\x00AVI LIST"), true},
		{"photo.heic", heic, false},
		{"photo.jpg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1}, false},
		{"notes.txt", []byte("ftyp is a word in this text"), false},
	} {
		if got := IsVideo(c.name, c.head); got != c.want {
			t.Errorf("IsVideo(%q, %.12q) = %v, want %v", c.name, c.head, got, c.want)
		}
	}
}
