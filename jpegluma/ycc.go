package jpegluma

import "math"

// The luma of a YCbCr pixel is taken through 8-bit RGB as a JPEG decoder
// gives it (the JFIF conversion in 16.16 fixed point, each channel
// clipped to 0..255), then weighted 0.299, 0.587, 0.114 in float32, which
// is what the PDQ reference hashes. Package pdq converts decoded images
// with the same functions, so that both paths agree bit for bit.

// clipOffset centres the luma tables: Y plus a chroma term lies within
// ±240 of it.
const clipOffset = 512

// Tables of the YCbCr to RGB conversion, and of the luma weights applied
// to a channel's value clipped to 0..255, indexed by the value plus
// clipOffset.
var (
	crR, cbB, cbG, crG  [256]int
	lumaR, lumaG, lumaB [1024]float32
)

func init() {
	const one = 1 << 16
	for i := range 256 {
		x := float64(i - 128)
		crR[i] = int(math.Floor(1.40200*x*one+one/2)) >> 16
		cbB[i] = int(math.Floor(1.77200*x*one+one/2)) >> 16
		cbG[i] = -int(math.Floor(0.34414*one+0.5))*(i-128) + one/2
		crG[i] = -int(math.Floor(0.71414*one+0.5)) * (i - 128)
	}
	for i := range lumaR {
		v := float32(min(max(i-clipOffset, 0), 255))
		lumaR[i], lumaG[i], lumaB[i] = 0.299*v, 0.587*v, 0.114*v
	}
}

// Chroma returns what a chroma sample adds to Y for each of R, G and B,
// to be passed to Luma for every pixel that shares the sample.
func Chroma(cb, cr uint8) (dR, dG, dB int) {
	return crR[cr], (cbG[cb] + crG[cr]) >> 16, cbB[cb]
}

// Luma is the luma of a pixel of luminance y whose chroma terms Chroma
// gave.
func Luma(y uint8, dR, dG, dB int) float32 {
	yy := int(y) + clipOffset
	return lumaR[(yy+dR)&(len(lumaR)-1)] + lumaG[(yy+dG)&(len(lumaG)-1)] + lumaB[(yy+dB)&(len(lumaB)-1)]
}

// LumaRow converts a row whose pixels each have their own chroma sample
// (4:4:4): out[x] is the luma of y[x], cb[x], cr[x].
func LumaRow(out []float32, y, cb, cr []uint8) {
	y, cb, cr = y[:len(out)], cb[:len(out)], cr[:len(out)]
	for x := range out {
		dR, dG, dB := Chroma(cb[x], cr[x])
		out[x] = Luma(y[x], dR, dG, dB)
	}
}

// LumaPairs converts a row whose pixels share chroma samples in pairs
// (4:2:2, 4:2:0): out[x] is the luma of y[x], cb[x/2], cr[x/2].
func LumaPairs(out []float32, y, cb, cr []uint8) {
	y = y[:len(out)]
	half := (len(out) + 1) / 2
	cb, cr = cb[:half], cr[:half]
	for c := range half {
		dR, dG, dB := Chroma(cb[c], cr[c])
		x := 2 * c
		out[x] = Luma(y[x], dR, dG, dB)
		if x+1 < len(out) {
			out[x+1] = Luma(y[x+1], dR, dG, dB)
		}
	}
}
