package jpegluma

import "math/bits"

// The inverse DCT is the integer one of Go's image/jpeg (Go 1.26), step
// for step, so that the pixels are the same to the last bit: a pass along
// the rows of coefficients, then one down the columns, with the same
// fixed-point constants and the same shifts. The multiplications and
// additions wrap in int32 as there, which keeps even absurd coefficients
// in step; only the work is cut where inputs are known to be zero.

// Fixed-point constants: round(x·2^bits) for the x and bits named.
const (
	rowCos6 = 70936  // cos(6π/16)/√2, 18 bits
	rowSin6 = 171254 // sin(6π/16)/√2, 18 bits
	rowR2   = 181    // 1/√2, 8 bits
	colCos6 = 1108   // cos(6π/16)/√2, 12 bits
	colSin6 = 2676   // sin(6π/16)/√2, 12 bits
	colR2   = 11585  // 1/√2, 14 bits
	cos1    = 4017   // cos(π/16), 12 bits
	sin1    = 799    // sin(π/16), 12 bits
	cos3    = 3406   // cos(3π/16), 12 bits
	sin3    = 2276   // sin(3π/16), 12 bits
)

// rotate turns (x, y) by the angle whose cosine and sine are c and s:
// (c·x − s·y, s·x + c·y), in three multiplications.
func rotate(x, y, c, s int32) (int32, int32) {
	t := c * (x + y)
	return t - (c+s)*y, t - (c-s)*x
}

// idctRows transforms the first rows rows of blk in place; the others
// must be zero, and stay so.
func idctRows(blk *[64]int32, rows int) {
	for r := range rows {
		x := (*[8]int32)(blk[8*r:])
		if x[1]|x[2]|x[3]|x[4]|x[5]|x[6]|x[7] == 0 {
			if x[0] == 0 {
				continue
			}
			// Only the row's DC term: every output is the same.
			v := x[0] << 17
			x[1], x[2], x[3], x[4], x[5], x[6], x[7] = v, v, v, v, v, v, v
			x[0] = v
			continue
		}
		// Even part.
		a0, a1 := x[0]<<17, x[4]<<17
		e0, e1 := a0+a1, a0-a1
		e2, e3 := rotate(x[2], x[6], rowCos6, rowSin6)
		e1, e2 = e1+e2, e1-e2
		e0, e3 = e0+e3, e0-e3
		// Odd part.
		o7, o4 := x[1]<<7, x[7]<<7
		o7, o4 = o7+o4, o7-o4
		o6, o5 := x[5]*rowR2, x[3]*rowR2
		o7, o5 = o7+o5, o7-o5
		o4, o6 = o4+o6, o4-o6
		o4, o7 = rotate(o4>>2, o7>>2, cos3, sin3)
		o5, o6 = rotate(o5>>2, o6>>2, cos1, sin1)
		x[0], x[7] = e0+o7, e0-o7
		x[1], x[6] = e1+o6, e1-o6
		x[2], x[5] = e2+o5, e2-o5
		x[3], x[4] = e3+o4, e3-o4
	}
}

// idctColumns transforms in place the columns of blk set in cols, after
// idctRows of its first rows rows, into pixels less 128.
func idctColumns(blk *[64]int32, rows int, cols uint8) {
	for m := cols; m != 0; m &= m - 1 {
		i := bits.TrailingZeros8(m) & 7
		if rows == 1 {
			// Only the first row: the column is flat.
			v := (blk[i] + 1<<19) >> 20
			blk[i], blk[8+i], blk[16+i], blk[24+i] = v, v, v, v
			blk[32+i], blk[40+i], blk[48+i], blk[56+i] = v, v, v, v
			continue
		}
		var e0, e1, e2, e3, o4, o5, o6, o7 int32
		if rows <= 4 {
			// The lower rows are zero: the same steps without them.
			x0 := blk[i] + 1<<19
			e0 = x0 >> 2
			e1 = e0
			a := blk[16+i] >> 13
			e2, e3 = colCos6*a, colSin6*a
			o7 = blk[8+i]
			o4 = o7
			o5 = (blk[24+i] >> 13) * colR2
			o6 = o4
			o7, o5 = o7+o5, o7-o5
		} else {
			x0, x1 := blk[i]+1<<19, blk[32+i]
			e0, e1 = (x0+x1)>>2, (x0-x1)>>2
			e2, e3 = rotate(blk[16+i]>>13, blk[48+i]>>13, colCos6, colSin6)
			o7, o4 = blk[8+i], blk[56+i]
			o7, o4 = o7+o4, o7-o4
			o5, o6 = (blk[24+i]>>13)*colR2, (blk[40+i]>>13)*colR2
			o7, o5 = o7+o5, o7-o5
			o4, o6 = o4+o6, o4-o6
		}
		e1, e2 = e1+e2, e1-e2
		e0, e3 = e0+e3, e0-e3
		o4, o7 = rotate(o4>>14, o7>>14, cos3, sin3)
		o5, o6 = rotate(o5>>14, o6>>14, cos1, sin1)
		blk[i], blk[56+i] = (e0+o7)>>18, (e0-o7)>>18
		blk[8+i], blk[48+i] = (e1+o6)>>18, (e1-o6)>>18
		blk[16+i], blk[40+i] = (e2+o5)>>18, (e2-o5)>>18
		blk[24+i], blk[32+i] = (e3+o4)>>18, (e3-o4)>>18
	}
}

// pixel is a level-shifted IDCT output brought back to 0..255.
func pixel(v int32) uint8 {
	v += 128
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// store inverse-transforms blk, whose coefficients after zig-zag place
// last are zero, and writes the pixels wanted into dst: the columns set
// in cols and the rows set in rows, packed, rows stride apart. It leaves
// blk zero.
func store(blk *[64]int32, last uint, dst []uint8, stride int, cols, rows uint8) {
	if last == 0 {
		// Only the DC term: the block is flat.
		p := pixel((blk[0]<<17 + 1<<19) >> 20)
		blk[0] = 0
		w := bits.OnesCount8(cols)
		for range bits.OnesCount8(rows) {
			row := dst[:w]
			for i := range row {
				row[i] = p
			}
			if len(dst) > stride {
				dst = dst[stride:]
			}
		}
		return
	}
	n := int(rowsUpTo[last&63])
	idctRows(blk, n)
	idctColumns(blk, n, cols)
	if cols == 0xff && rows == 0xff {
		for r := range 8 {
			d, b := (*[8]uint8)(dst[r*stride:]), (*[8]int32)(blk[8*r:])
			d[0], d[1], d[2], d[3] = pixel(b[0]), pixel(b[1]), pixel(b[2]), pixel(b[3])
			d[4], d[5], d[6], d[7] = pixel(b[4]), pixel(b[5]), pixel(b[6]), pixel(b[7])
		}
	} else {
		for mr := rows; mr != 0; mr &= mr - 1 {
			b := (*[8]int32)(blk[8*(bits.TrailingZeros8(mr)&7):])
			out := 0
			for mc := cols; mc != 0; mc &= mc - 1 {
				dst[out] = pixel(b[bits.TrailingZeros8(mc)&7])
				out++
			}
			if len(dst) > stride {
				dst = dst[stride:]
			}
		}
	}
	clear(blk[:])
}
