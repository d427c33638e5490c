package jpegluma_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"ctis/jpegluma"
	"ctis/pdq"
)

// photos are the PDQ test images, real photographs of several sizes.
const photos = "../pdq/testdata/images"

// reference is the luma through image/jpeg and pdq.Luminance.
func reference(t testing.TB, data []byte) []float32 {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	luma, _, _ := pdq.Luminance(img)
	return luma
}

// sampled is the luma of a decoded image sampled to at most max×max by
// the rule Decode follows, each pixel converted on its own.
func sampled(img image.Image, max int) (luma []float32, rows, cols int) {
	b := img.Bounds()
	at := func(n, other int) []int {
		var out []int
		if n <= max && other <= max {
			for i := range n {
				out = append(out, i)
			}
			return out
		}
		for i := range max {
			out = append(out, i*n/max)
		}
		return out
	}
	xs, ys := at(b.Dx(), b.Dy()), at(b.Dy(), b.Dx())
	for _, y := range ys {
		for _, x := range xs {
			switch m := img.(type) {
			case *image.Gray:
				luma = append(luma, float32(m.GrayAt(x, y).Y))
			case *image.YCbCr:
				c := m.COffset(x, y)
				dR, dG, dB := jpegluma.Chroma(m.Cb[c], m.Cr[c])
				luma = append(luma, jpegluma.Luma(m.Y[m.YOffset(x, y)], dR, dG, dB))
			default:
				panic(fmt.Sprintf("%T", img))
			}
		}
	}
	return luma, len(ys), len(xs)
}

// same reports the first pixel where two luma buffers differ.
func same(got, want []float32) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d pixels, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("pixel %d is %v, want %v", i, got[i], want[i])
		}
	}
	return nil
}

// check decodes data at the pdq size and at smaller ones, and compares
// each with image/jpeg's pixels.
func check(t *testing.T, name string, data []byte) {
	t.Helper()
	luma, rows, cols, err := jpegluma.Decode(data, pdq.Sampled, nil)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	if want := reference(t, data); rows*cols != len(luma) {
		t.Errorf("%s: %d×%d but %d pixels", name, rows, cols, len(luma))
	} else if err := same(luma, want); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	img, _ := jpeg.Decode(bytes.NewReader(data))
	buf := luma
	for _, max := range []int{1, 7, 50, 64, 149} {
		want, wr, wc := sampled(img, max)
		luma, rows, cols, err := jpegluma.Decode(data, max, buf)
		if err != nil {
			t.Errorf("%s at %d: %v", name, max, err)
			continue
		}
		if rows != wr || cols != wc {
			t.Errorf("%s at %d: %d×%d, want %d×%d", name, max, cols, rows, wc, wr)
		} else if err := same(luma, want); err != nil {
			t.Errorf("%s at %d: %v", name, max, err)
		}
	}
}

// TestPhotos: every PDQ test photograph gives image/jpeg's luma exactly,
// but for the two progressive ones, left to image/jpeg.
func TestPhotos(t *testing.T) {
	progressive := map[string]bool{"small.jpg": true, "wee.jpg": true}
	names, _ := filepath.Glob(filepath.Join(photos, "*.jpg"))
	if len(names) < 18 {
		t.Fatalf("%d test images", len(names))
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if progressive[filepath.Base(name)] {
			if _, _, _, err := jpegluma.Decode(data, pdq.Sampled, nil); !errors.Is(err, jpegluma.ErrUnsupported) {
				t.Errorf("%s: %v, want ErrUnsupported", name, err)
			}
			continue
		}
		check(t, filepath.Base(name), data)
	}
}

// TestSubsampling covers the chroma subsamplings and the restart
// intervals of image/jpeg's own test images (copied to testdata), and the
// kinds of JPEG left to image/jpeg.
func TestSubsampling(t *testing.T) {
	for name, wantErr := range map[string]bool{
		"video-001.jpeg":                         false,
		"video-001.q50.410.jpeg":                 false,
		"video-001.q50.411.jpeg":                 false,
		"video-001.q50.420.jpeg":                 false,
		"video-001.q50.422.jpeg":                 false,
		"video-001.q50.440.jpeg":                 false,
		"video-001.q50.444.jpeg":                 false,
		"video-001.221212.jpeg":                  false,
		"video-001.restart2.jpeg":                false,
		"video-005.gray.q50.jpeg":                false,
		"video-005.gray.q50.2x2.jpeg":            false,
		"video-001.progressive.jpeg":             true,
		"video-001.cmyk.jpeg":                    true,
		"video-001.rgb.jpeg":                     true,
		"video-001.separate.dc.progression.jpeg": true,
	} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !wantErr {
			check(t, name, data)
			continue
		}
		if _, _, _, err := jpegluma.Decode(data, pdq.Sampled, nil); !errors.Is(err, jpegluma.ErrUnsupported) {
			t.Errorf("%s: %v, want ErrUnsupported", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

// synthetic is a deterministic picture with edges, gradients and
// saturated colours.
func synthetic(w, h int, gray bool) image.Image {
	if gray {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.SetGray(x, y, color.Gray{uint8((x*7 + y*3) ^ (x * y >> 3))})
			}
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xff), 255})
		}
	}
	return img
}

// TestSynthetic: images/jpeg's own output (4:2:0 and grayscale) at odd
// sizes, at both sides of the sampling threshold, and at every quality.
func TestSynthetic(t *testing.T) {
	sizes := []image.Point{{1, 1}, {37, 23}, {600, 9}, {9, 600}, {512, 513}, {513, 7}, {1030, 700}, {64, 64}, {2000, 300}, {17, 1100}}
	for _, size := range sizes {
		for _, q := range []int{1, 50, 90, 100} {
			for _, gray := range []bool{false, true} {
				var buf bytes.Buffer
				if err := jpeg.Encode(&buf, synthetic(size.X, size.Y, gray), &jpeg.Options{Quality: q}); err != nil {
					t.Fatal(err)
				}
				check(t, fmt.Sprintf("%dx%d q%d gray %v", size.X, size.Y, q, gray), buf.Bytes())
			}
		}
	}
}

// TestMalformed: damaged and hostile files are refused, each with a
// reason.
func TestMalformed(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(photos, "small.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	huge := bytes.Clone(data)
	sof := bytes.Index(huge, []byte{0xff, 0xc0})
	huge[sof+5], huge[sof+6], huge[sof+7], huge[sof+8] = 0xff, 0xff, 0xff, 0xff
	empty := bytes.Clone(data)
	empty[sof+5], empty[sof+6] = 0, 0
	for name, in := range map[string][]byte{
		"empty file":     nil,
		"not a JPEG":     []byte("GIF89a"),
		"truncated":      data[:len(data)/2],
		"no EOI":         data[:len(data)-2],
		"65535 squared":  huge,
		"height 0":       empty,
		"only SOI + EOI": {0xff, 0xd8, 0xff, 0xd9},
	} {
		_, _, _, err := jpegluma.Decode(in, pdq.Sampled, nil)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		t.Logf("%s: %v", name, err)
	}
}

func FuzzDecode(f *testing.F) {
	var seeds [][]byte
	for _, name := range []string{photos + "/small.jpg", "testdata/video-001.q50.422.jpeg",
		"testdata/video-001.restart2.jpeg", "testdata/video-005.gray.q50.jpeg"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	for _, gray := range []bool{false, true} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, synthetic(33, 17, gray), &jpeg.Options{Quality: 50}); err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, buf.Bytes())
	}
	for _, data := range seeds {
		f.Add(data)
		f.Add(data[:len(data)*2/3])
		corrupt := bytes.Clone(data)
		for i := len(corrupt) / 2; i < len(corrupt); i += 97 {
			corrupt[i] ^= 0x55
		}
		f.Add(corrupt)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, max := range []int{pdq.Sampled, 16} {
			luma, rows, cols, err := jpegluma.Decode(data, max, nil)
			if err != nil {
				continue
			}
			if len(luma) != rows*cols || rows == 0 || cols == 0 {
				t.Fatalf("%d×%d in %d pixels", cols, rows, len(luma))
			}
			// Where image/jpeg reads the file too, the pixels agree.
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
			if err != nil || cfg.Width*cfg.Height > 1<<22 {
				continue
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				continue
			}
			want, wr, wc := sampled(img, max)
			if wr != rows || wc != cols {
				t.Fatalf("%d×%d, image/jpeg %d×%d", cols, rows, wc, wr)
			}
			if err := same(luma, want); err != nil {
				t.Fatalf("at %d: %v", max, err)
			}
		}
	})
}

// BenchmarkDecode compares, in images per second, image/jpeg with
// pdq.Luminance and Decode, on a large and a small photograph:
//
//	go test -run '^$' -bench Decode ./jpegluma/
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"aaa-orig.jpg", "square-256x256.jpg"} {
		data, err := os.ReadFile(filepath.Join(photos, name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/image-jpeg", func(b *testing.B) {
			for range b.N {
				img, err := jpeg.Decode(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				pdq.Luminance(img)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
		})
		b.Run(name+"/jpegluma", func(b *testing.B) {
			var buf []float32
			for range b.N {
				luma, _, _, err := jpegluma.Decode(data, pdq.Sampled, buf)
				if err != nil {
					b.Fatal(err)
				}
				buf = luma
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
