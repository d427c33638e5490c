package pdq

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	_ "image/gif"  // GIF decoder
	_ "image/jpeg" // JPEG decoder
	_ "image/png"  // PNG decoder
	"io"
	"runtime"

	"ctis/jpegluma"

	_ "golang.org/x/image/bmp"  // BMP decoder
	_ "golang.org/x/image/tiff" // TIFF decoder
	_ "golang.org/x/image/webp" // WebP decoder
)

// Limits on what is decoded: a hostile file must not exhaust memory. The
// dimensions are read from the header before any pixel is.
const (
	MaxFileBytes = 64 << 20
	MaxPixels    = 64 << 20 // 64 megapixels
)

// decoding admits one decode per core: the decode budget bounds their
// memory, this their use of the processors.
var decoding = make(chan struct{}, runtime.GOMAXPROCS(0))

// File is what ctis records of an image: its PDQ hash and quality, and
// its cryptographic digests.
type File struct {
	PDQ     string `json:"pdq"`
	Quality int    `json:"quality"`
	MD5     string `json:"md5"`
	SHA256  string `json:"sha256"`
	Format  string `json:"format"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	// Variants are the hashes of the seven rotations and reflections,
	// when asked for.
	Variants []string `json:"variants,omitempty"`
}

// HashFile reads an image (JPEG, PNG, GIF, WebP, BMP or TIFF), within the
// limits, and hashes it; with variants, the seven rotations and
// reflections too.
func HashFile(r io.Reader, variants bool) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("the file is larger than %d MiB", MaxFileBytes>>20)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not an image ctis can read (JPEG, PNG, GIF, WebP, BMP, TIFF): %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("the image is %d×%d pixels; at most %d megapixels are hashed", cfg.Width, cfg.Height, MaxPixels>>20)
	}
	hs, q, err := hashData(data, format, decodeSize(cfg))
	if err != nil {
		return nil, fmt.Errorf("the %s image is damaged: %w", format, err)
	}
	m5, s256 := md5.Sum(data), sha256.Sum256(data)
	f := &File{MD5: hex.EncodeToString(m5[:]), SHA256: hex.EncodeToString(s256[:]), Format: format, Width: cfg.Width, Height: cfg.Height}
	f.PDQ, f.Quality = hs[Original].String(), q
	if variants {
		for _, h := range hs[1:] {
			f.Variants = append(f.Variants, h.String())
		}
	}
	return f, nil
}

// hashData decodes an image and hashes it with its rotations and
// reflections, within the node's decode budget; size is what its pixels
// take decoded. A JPEG is decoded straight to luma by jpegluma, which
// keeps only the pixels sampled; one it does not read (progressive, CMYK,
// or damaged) is left to image/jpeg, which decides whether it can be read
// at all.
func hashData(data []byte, format string, size int64) (hs [8]Hash, q int, err error) {
	bufs := buffers.Get().(*[2][]float32)
	defer buffers.Put(bufs)
	if format == "jpeg" {
		withBudget(lumaDecodeSize, func() {
			var luma []float32
			var rows, cols int
			if luma, rows, cols, err = jpegluma.Decode(data, Sampled, bufs[0]); err == nil {
				bufs[0] = luma
				hs, q = dihedralLuma(luma, rows, cols, bufs)
			}
		})
		if err == nil {
			return hs, q, nil
		}
	}
	withBudget(size, func() {
		var img image.Image
		if img, _, err = image.Decode(bytes.NewReader(data)); err != nil {
			return
		}
		luma, rows, cols := luminance(img, bufs[0])
		bufs[0] = luma
		hs, q = dihedralLuma(luma, rows, cols, bufs)
	})
	return hs, q, err
}
