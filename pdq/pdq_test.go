package pdq

import (
	"bytes"
	"encoding/csv"
	"image"
	_ "image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"ctis/jpegluma"
)

func decodeFile(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open("testdata/images/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return img
}

// TestConformance holds the hashes to the reference implementation's: at
// most 10 bits apart for every image of quality 80 or more, the bar the
// reference project sets for ports. It prints every distance.
func TestConformance(t *testing.T) {
	f, err := os.Open("testdata/expected.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		want, err := ParseHash(r[1])
		if err != nil {
			t.Fatal(err)
		}
		wantQ, _ := strconv.Atoi(r[2])
		got, q := Hash256(decodeFile(t, r[0]))
		d := Distance(got, want)
		t.Logf("%-22s distance %3d  quality %3d (reference %3d)", r[0], d, q, wantQ)
		if wantQ >= 80 && d > 10 {
			t.Errorf("%s: %d bits from the reference hash %s (got %s)", r[0], d, want, got)
		}
	}
}

// turned turns a luma image: the rotation or reflection k of Dihedral.
func turned(luma []float32, rows, cols, k int) ([]float32, int, int) {
	at := func(y, x int) float32 { return luma[y*cols+x] }
	r, c := rows, cols
	if k == Rotate90 || k == Rotate270 || k == FlipPlus1 || k == FlipMinus1 {
		r, c = cols, rows
	}
	out := make([]float32, r*c)
	for y := range r {
		for x := range c {
			var v float32
			switch k {
			case Original:
				v = at(y, x)
			case Rotate90: // clockwise
				v = at(rows-1-x, y)
			case Rotate180:
				v = at(rows-1-y, cols-1-x)
			case Rotate270:
				v = at(x, cols-1-y)
			case FlipX:
				v = at(y, cols-1-x)
			case FlipY:
				v = at(rows-1-y, x)
			case FlipPlus1:
				v = at(x, y)
			case FlipMinus1:
				v = at(rows-1-x, cols-1-y)
			}
			out[y*c+x] = v
		}
	}
	return out, r, c
}

// TestDihedral: the variants derived from one DCT are near the hashes of
// the image actually turned — the box filter's and the sampler's edges are
// not symmetric, which on a 512-pixel image shifts up to about 24 bits —
// and well within the match radius of 31, so that a turned copy matches;
// and each is far from the original.
func TestDihedral(t *testing.T) {
	img := decodeFile(t, "aaa-orig.jpg")
	variants, _ := Dihedral(img)
	luma, rows, cols := Luminance(img)
	for k := range 8 {
		l, r, c := turned(luma, rows, cols, k)
		direct, _, _ := hashLuma(l, r, c, new([2][]float32))
		d := Distance(direct, variants[k])
		t.Logf("variant %d: %d bits from the turned image's hash", k, d)
		if d > 28 {
			t.Errorf("variant %d: %d bits from the hash of the turned image", k, d)
		}
		if k > 0 && Distance(variants[k], variants[0]) < 60 {
			t.Errorf("variant %d is close to the original: %d bits", k, Distance(variants[k], variants[0]))
		}
	}
}

func TestHashFile(t *testing.T) {
	b, err := os.ReadFile("testdata/images/wee.jpg")
	if err != nil {
		t.Fatal(err)
	}
	f, err := HashFile(bytes.NewReader(b), true)
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != "jpeg" || f.Quality != 100 || len(f.Variants) != 7 || len(f.MD5) != 32 || len(f.SHA256) != 64 {
		t.Errorf("%+v", f)
	}
	// Every format ctis reads hashes the same picture alike.
	img := decodeFile(t, "square-128x128.jpg")
	want, _ := Hash256(img)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	pf, err := HashFile(&buf, false)
	if err != nil || pf.Format != "png" {
		t.Fatalf("png: %v %+v", err, pf)
	}
	if got, _ := ParseHash(pf.PDQ); Distance(got, want) > 6 {
		t.Errorf("the PNG of an image is %d bits from its JPEG", Distance(got, want))
	}
	for name, in := range map[string][]byte{
		"not an image": []byte("hello"),
		"huge":         hugePNGHeader(),
		"truncated":    b[:len(b)/3],
	} {
		if _, err := HashFile(bytes.NewReader(in), false); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

// hugePNGHeader is a PNG whose header claims 100,000 × 100,000 pixels.
func hugePNGHeader() []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	// IHDR's width and height follow the signature (8), length (4) and type (4).
	for _, at := range []int{16, 20} {
		b[at], b[at+1], b[at+2], b[at+3] = 0, 0x01, 0x86, 0xA0
	}
	return b
}

func FuzzHashFile(f *testing.F) {
	b, err := os.ReadFile("testdata/images/wee.jpg")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(hugePNGHeader())
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := HashFile(bytes.NewReader(in), false)
		if err == nil && (h.Quality < 0 || h.Quality > 100 || len(h.PDQ) != 64) {
			t.Fatalf("%+v", h)
		}
	})
}

func FuzzParseHash(f *testing.F) {
	f.Add("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err == nil && h.String() != strings.ToLower(s) {
			t.Fatalf("%q read as %s", s, h)
		}
	})
}

// TestLuminanceYCbCr: the row-wise paths for each chroma subsampling give
// the luma of every pixel through its own chroma sample, odd sizes too.
func TestLuminanceYCbCr(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		for _, size := range []image.Point{{37, 23}, {600, 9}, {8, 700}} {
			m := image.NewYCbCr(image.Rect(0, 0, size.X, size.Y), ratio)
			for _, p := range [][]uint8{m.Y, m.Cb, m.Cr} {
				for i := range p {
					p[i] = uint8(r.IntN(256))
				}
			}
			luma, rows, cols := Luminance(m)
			xs, ys := sample(0, size.X, size.Y), sample(0, size.Y, size.X)
			if rows != len(ys) || cols != len(xs) {
				t.Fatalf("%v %v: %d×%d", ratio, size, cols, rows)
			}
			for y, sy := range ys {
				for x, sx := range xs {
					ci := m.COffset(sx, sy)
					dR, dG, dB := jpegluma.Chroma(m.Cb[ci], m.Cr[ci])
					want := jpegluma.Luma(m.Y[m.YOffset(sx, sy)], dR, dG, dB)
					if luma[y*cols+x] != want {
						t.Fatalf("%v %v: pixel (%d, %d) luma %v, want %v", ratio, size, x, y, luma[y*cols+x], want)
					}
				}
			}
		}
	}
}

// TestHashFileJPEG: HashFile, which decodes JPEGs with jpegluma where it
// can, gives every test image the hashes of image/jpeg's pixels.
func TestHashFileJPEG(t *testing.T) {
	names, _ := filepath.Glob("testdata/images/*.jpg")
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := HashFile(bytes.NewReader(data), true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, q := Dihedral(decodeFile(t, filepath.Base(name)))
		if f.PDQ != want[Original].String() || f.Quality != q {
			t.Errorf("%s: %s quality %d, want %s quality %d", name, f.PDQ, f.Quality, want[Original], q)
		}
		for k, v := range f.Variants {
			if v != want[k+1].String() {
				t.Errorf("%s: variant %d is %s, want %s", name, k+1, v, want[k+1])
			}
		}
	}
}
