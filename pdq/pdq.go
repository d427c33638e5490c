// Package pdq computes PDQ, the perceptual hash Meta published for
// matching images of terrorist and other harmful content: luminance,
// downsampling to 64×64 with a Jarosz (repeated box) filter, a 16×16
// corner of the two-dimensional DCT, and a bit per coefficient against
// their median, with a quality figure for images too flat to hash well.
// Implemented from the published description; no code was taken from the
// reference implementation.
//
// Pixels are hashed as stored, as the reference does: an EXIF orientation
// tag is not applied, and the eight rotations and reflections (Dihedral)
// match an image however it was turned.
package pdq

import (
	"image"
	"math"
	"sort"
	"sync"

	"ctis/jpegluma"
)

const (
	size      = 64 // the downsampled image's side
	dctSize   = 16 // the side of the kept DCT corner
	jaroszRep = 2  // box-filter passes
)

// dct is the 16×64 matrix of the DCT rows kept (the DC row left out).
var dct = func() [dctSize][size]float32 {
	var m [dctSize][size]float32
	scale := math.Sqrt(2.0 / size)
	for i := range dctSize {
		for j := range size {
			m[i][j] = float32(scale * math.Cos(math.Pi/2/size*float64(i+1)*float64(2*j+1)))
		}
	}
	return m
}()

// Sampled is the side to which a larger image is first reduced, as the
// reference implementation does: each side over it is sampled down to it
// by nearest neighbour (pixel floor(i·n/512) of n), both sides together,
// aspect ratio not kept. Hashes differ by a few bits at most from those of
// the full image, and a large photograph hashes several times faster.
const Sampled = 512

// Luminance returns an image's luma, row by row, as the reference
// computes it (ITU-R BT.601 weights on 8-bit channels; a YCbCr pixel is
// taken through RGB as jpegluma.Luma does), at most Sampled×Sampled
// pixels.
func Luminance(img image.Image) (luma []float32, rows, cols int) {
	return luminance(img, nil)
}

// luminance is Luminance into buf when it is large enough.
func luminance(img image.Image, buf []float32) (luma []float32, rows, cols int) {
	b := img.Bounds()
	xs, ys := sample(b.Min.X, b.Dx(), b.Dy()), sample(b.Min.Y, b.Dy(), b.Dx())
	rows, cols = len(ys), len(xs)
	if cap(buf) >= rows*cols {
		luma = buf[:rows*cols]
	} else {
		luma = make([]float32, rows*cols)
	}
	switch m := img.(type) {
	case *image.YCbCr:
		if pairs := m.SubsampleRatio == image.YCbCrSubsampleRatio420 || m.SubsampleRatio == image.YCbCrSubsampleRatio422; cols == b.Dx() && b.Min.X%2 == 0 &&
			(pairs || m.SubsampleRatio == image.YCbCrSubsampleRatio444 || m.SubsampleRatio == image.YCbCrSubsampleRatio440) {
			// Every column, in order: each chroma sample is converted once
			// for the one or two pixels that share it.
			for y, sy := range ys {
				yRow := m.Y[m.YOffset(b.Min.X, sy):][:cols]
				c := m.COffset(b.Min.X, sy)
				if pairs {
					jpegluma.LumaPairs(luma[y*cols:(y+1)*cols], yRow, m.Cb[c:], m.Cr[c:])
				} else {
					jpegluma.LumaRow(luma[y*cols:(y+1)*cols], yRow, m.Cb[c:], m.Cr[c:])
				}
			}
			break
		}
		// Offsets are separable: a row's start plus a column's step.
		yx, cx := make([]int, cols), make([]int, cols)
		y0, c0 := m.YOffset(b.Min.X, b.Min.Y), m.COffset(b.Min.X, b.Min.Y)
		for x, sx := range xs {
			yx[x], cx[x] = m.YOffset(sx, b.Min.Y)-y0, m.COffset(sx, b.Min.Y)-c0
		}
		for y, sy := range ys {
			row := luma[y*cols : (y+1)*cols]
			yRow, cRow := m.Y[m.YOffset(b.Min.X, sy):], m.COffset(b.Min.X, sy)
			cb, cr := m.Cb[cRow:], m.Cr[cRow:]
			// Neighbours share a chroma sample: convert it once.
			last, dR, dG, dB := -1, 0, 0, 0
			for x := range row {
				if ci := cx[x]; ci != last {
					dR, dG, dB = jpegluma.Chroma(cb[ci], cr[ci])
					last = ci
				}
				row[x] = jpegluma.Luma(yRow[yx[x]], dR, dG, dB)
			}
		}
	case *image.Gray:
		for y, sy := range ys {
			for x, sx := range xs {
				luma[y*cols+x] = float32(m.GrayAt(sx, sy).Y)
			}
		}
	default:
		for y, sy := range ys {
			for x, sx := range xs {
				r, g, bl, _ := img.At(sx, sy).RGBA()
				luma[y*cols+x] = 0.299*float32(r>>8) + 0.587*float32(g>>8) + 0.114*float32(bl>>8)
			}
		}
	}
	return luma, rows, cols
}

// sample lists the coordinates read along a side of n pixels starting at
// min, when the other side has other: every one, or Sampled of them when
// either side is longer than Sampled.
func sample(min, n, other int) []int {
	out := make([]int, 0, max(n, Sampled))
	if n <= Sampled && other <= Sampled {
		for i := range n {
			out = append(out, min+i)
		}
		return out
	}
	for i := range Sampled {
		out = append(out, min+i*n/Sampled)
	}
	return out
}

// Hash256 hashes an image, returning the hash and its quality (0 to 100;
// under 50 the hash is not to be trusted).
func Hash256(img image.Image) (Hash, int) {
	bufs := buffers.Get().(*[2][]float32)
	defer buffers.Put(bufs)
	luma, rows, cols := luminance(img, bufs[0])
	bufs[0] = luma
	h, q, _ := hashLuma(luma, rows, cols, bufs)
	return h, q
}

// buffers holds the luma and scratch buffers of hashing, at most
// Sampled×Sampled each, for reuse.
var buffers = sync.Pool{New: func() any { return new([2][]float32) }}

// hashLuma hashes a luma buffer, overwriting it, with scratch space in
// bufs[1]; it also returns the DCT corner, for the dihedral variants.
func hashLuma(luma []float32, rows, cols int, bufs *[2][]float32) (Hash, int, *[dctSize][dctSize]float32) {
	if rows == 0 || cols == 0 {
		return Hash{}, 0, &[dctSize][dctSize]float32{}
	}
	if cap(bufs[1]) < len(luma) {
		bufs[1] = make([]float32, len(luma))
	}
	tmp := bufs[1][:len(luma)]
	buf := luma
	sums := make([]float32, cols)
	wr, wc := windowSize(cols), windowSize(rows)
	// The first pass filters every row, then every column.
	for i := range rows {
		box(buf[i*cols:], tmp[i*cols:], cols, 1, wr)
	}
	boxColumns(tmp, buf, rows, cols, wc, sums)
	// The second is needed only where the 64×64 samples fall: along each
	// row at the sampled columns, then down those columns at the sampled
	// rows.
	var at [size]int
	for j := range size {
		at[j] = int((float64(j) + 0.5) * float64(cols) / size)
	}
	colsAt := make([]float32, rows*size) // the row-filtered samples, row by row
	var lo, hi [size]int
	var n [size]float32
	for j, c := range at {
		lo[j], hi[j] = window(c, cols, wr)
		n[j] = float32(hi[j] - lo[j] + 1)
	}
	for i := range rows {
		row := buf[i*cols : (i+1)*cols]
		out := colsAt[i*size : (i+1)*size]
		for j := range out {
			var sum float32
			for _, v := range row[lo[j] : hi[j]+1] {
				sum += v
			}
			out[j] = sum / n[j]
		}
	}
	var small [size][size]float32
	for i := range size {
		r := int((float64(i) + 0.5) * float64(rows) / size)
		l, h := window(r, rows, wc)
		for j := range size {
			var sum float32
			for k := l; k <= h; k++ {
				sum += colsAt[k*size+j]
			}
			small[i][j] = sum / float32(h-l+1)
		}
	}
	q := quality(&small)
	// B = D · A · Dᵀ, the 16×16 corner of the DCT, each sum taken in
	// order of k.
	var t [dctSize][size]float32
	for i := range dctSize {
		ti := &t[i]
		for k := range size {
			d, sk := dct[i][k], &small[k]
			for j := range size {
				ti[j] += d * sk[j]
			}
		}
	}
	var b [dctSize][dctSize]float32
	for i := range dctSize {
		for j := range dctSize {
			var s float32
			ti, dj := &t[i], &dct[j]
			for k := range size {
				s += ti[k] * dj[k]
			}
			b[i][j] = s
		}
	}
	return threshold(&b), q, &b
}

// threshold sets a bit for each coefficient above the median.
func threshold(b *[dctSize][dctSize]float32) Hash {
	vals := make([]float32, 0, dctSize*dctSize)
	for i := range dctSize {
		vals = append(vals, b[i][:]...)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	median := vals[(len(vals)-1)/2] // the lower median, as the reference takes it
	var h Hash
	for i := range dctSize {
		for j := range dctSize {
			if b[i][j] > median {
				h.SetBit(i*dctSize + j)
			}
		}
	}
	return h
}

// windowSize is the box width that brings n samples down to 64.
func windowSize(n int) int { return (n + 2*size - 1) / (2 * size) }

// window is the span box averages for its output at o of n samples:
// o-(w-half) to o+half-1, clipped to the ends.
func window(o, n, w int) (lo, hi int) {
	half := (w + 2) / 2
	return max(0, o-(w-half)), min(n-1, o+half-1)
}

// box is a one-dimensional moving average of width w over n samples
// spaced stride apart, the window growing in from the edges.
func box(in, out []float32, n, stride, w int) {
	half := (w + 2) / 2
	p1, p2, p3, p4 := half-1, w-half+1, n-w, half-1
	li, ri, oi := 0, 0, 0
	var sum float32
	cur := 0
	for range p1 {
		if ri/stride >= n {
			break
		}
		sum += in[ri]
		cur++
		ri += stride
	}
	for range p2 {
		if ri/stride < n {
			sum += in[ri]
			cur++
			ri += stride
		}
		if oi/stride < n {
			out[oi] = sum / float32(cur)
			oi += stride
		}
	}
	for range max(p3, 0) {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / float32(cur)
		li += stride
		ri += stride
		oi += stride
	}
	for range p4 {
		if oi/stride >= n {
			break
		}
		sum -= in[li]
		cur--
		out[oi] = sum / float32(cur)
		li += stride
		oi += stride
	}
}

// boxColumns is box down every column at once, a row at a time, so that
// memory is read in order: out[o] is the mean of in[o-(w-half)] to
// in[o+half-1], clipped to the image, summed in the same order as box.
func boxColumns(in, out []float32, rows, cols, w int, sums []float32) {
	half := (w + 2) / 2
	clear(sums)
	next := 0 // the next row to add
	for o := range rows {
		lo, hi := max(0, o-(w-half)), min(rows-1, o+half-1)
		for ; next <= hi; next++ {
			row := in[next*cols : (next+1)*cols]
			for c := range sums {
				sums[c] += row[c]
			}
		}
		if drop := lo - 1; drop >= 0 && o-(w-half) > 0 {
			row := in[drop*cols : (drop+1)*cols]
			for c := range sums {
				sums[c] -= row[c]
			}
		}
		n := float32(hi - lo + 1)
		dst := out[o*cols : (o+1)*cols]
		for c := range dst {
			dst[c] = sums[c] / n
		}
	}
}

// quality sums the downsampled image's gradients: a flat or nearly flat
// image has few, and its hash says little.
func quality(a *[size][size]float32) int {
	sum := 0
	for i := range size - 1 {
		for j := range size {
			sum += abs(int((a[i][j] - a[i+1][j]) * 100 / 255))
		}
	}
	for i := range size {
		for j := range size - 1 {
			sum += abs(int((a[i][j] - a[i][j+1]) * 100 / 255))
		}
	}
	return min(sum/90, 100)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// The eight rotations and reflections of an image, in the order Dihedral
// returns their hashes.
const (
	Original = iota
	Rotate90
	Rotate180
	Rotate270
	FlipX      // mirrored left to right
	FlipY      // mirrored top to bottom
	FlipPlus1  // reflected in the main diagonal (transposed)
	FlipMinus1 // reflected in the other diagonal
)

// HashLuma hashes a luma buffer, row by row, which it overwrites: as
// Luminance gives it (at most Sampled×Sampled values), or a video frame's
// at its full size, as the reference's vPDQ hashes frames.
func HashLuma(luma []float32, rows, cols int) (Hash, int) {
	bufs := buffers.Get().(*[2][]float32)
	defer buffers.Put(bufs)
	h, q, _ := hashLuma(luma, rows, cols, bufs)
	return h, q
}

// Dihedral hashes an image and its seven rotations and reflections, from
// one DCT: turning an image only transposes the DCT and changes the sign
// of its odd rows or columns, so nothing is hashed twice.
func Dihedral(img image.Image) ([8]Hash, int) {
	bufs := buffers.Get().(*[2][]float32)
	defer buffers.Put(bufs)
	luma, rows, cols := luminance(img, bufs[0])
	bufs[0] = luma
	return dihedralLuma(luma, rows, cols, bufs)
}

// dihedralLuma is Dihedral of a luma buffer, which it overwrites, with
// scratch space in bufs[1].
func dihedralLuma(luma []float32, rows, cols int, bufs *[2][]float32) ([8]Hash, int) {
	_, q, b := hashLuma(luma, rows, cols, bufs)
	var out [8]Hash
	for k := range 8 {
		out[k] = threshold(turn(b, k))
	}
	return out, q
}

// turn applies rotation or reflection k to a DCT corner. Coefficient
// (i, j) is of vertical frequency i+1 and horizontal frequency j+1; a
// mirror negates the coefficients of odd frequency along it, that is the
// columns (left-right) or rows (top-bottom) of even index.
func turn(b *[dctSize][dctSize]float32, k int) *[dctSize][dctSize]float32 {
	flipX, flipY, transpose := false, false, false
	switch k {
	case Rotate90:
		transpose, flipX = true, true
	case Rotate180:
		flipX, flipY = true, true
	case Rotate270:
		transpose, flipY = true, true
	case FlipX:
		flipX = true
	case FlipY:
		flipY = true
	case FlipPlus1:
		transpose = true
	case FlipMinus1:
		transpose, flipX, flipY = true, true, true
	}
	var out [dctSize][dctSize]float32
	for i := range dctSize {
		for j := range dctSize {
			v := b[i][j]
			if transpose {
				v = b[j][i]
			}
			if flipX && j%2 == 0 {
				v = -v
			}
			if flipY && i%2 == 0 {
				v = -v
			}
			out[i][j] = v
		}
	}
	return &out
}
