package pdq

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// synthetic is a deterministic picture with edges and gradients.
func synthetic(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x ^ y) & 0xff), 255})
		}
	}
	return img
}

// BenchmarkHash reports decoding and hashing separately, in images per
// second, for a 1600×1004 and a 256×256 JPEG:
//
//	go test -run '^$' -bench Hash ./pdq/
func BenchmarkHash(b *testing.B) {
	for _, sz := range []struct {
		name string
		w, h int
	}{{"1600x1004", 1600, 1004}, {"256x256", 256, 256}} {
		var buf bytes.Buffer
		jpeg.Encode(&buf, synthetic(sz.w, sz.h), &jpeg.Options{Quality: 90})
		data := buf.Bytes()
		b.Run("decode/"+sz.name, func(b *testing.B) {
			for range b.N {
				if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
		})
		img, _ := jpeg.Decode(bytes.NewReader(data))
		b.Run("hash/"+sz.name, func(b *testing.B) {
			for range b.N {
				Hash256(img)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hashes/s")
		})
	}
}
