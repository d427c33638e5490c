package jpegluma

// sample lists the coordinates read along a side of n pixels when the
// other side has other: every one, or max of them, floor(i·n/max), when
// either side is longer than max (and max is positive).
func sample(out []int32, n, other, max int) []int32 {
	out = out[:0]
	if max <= 0 || n <= max && other <= max {
		for i := range n {
			out = append(out, int32(i))
		}
		return out
	}
	for i := range max {
		out = append(out, int32(i*n/max))
	}
	return out
}

// plan works out, for each component, which of its rows and columns the
// output samples, and makes room for them.
func (d *decoder) plan() {
	d.xs = sample(d.xs, d.width, d.height, d.max)
	d.ys = sample(d.ys, d.height, d.width, d.max)
	h0, v0 := d.comp[0].h, d.comp[0].v
	mcusX, mcusY := (d.width+8*h0-1)/(8*h0), (d.height+8*v0-1)/(8*v0)
	for i := range d.nComp {
		c := &d.comp[i]
		c.colMask, c.colAt, c.outCol, c.stride = keep(c.colMask, c.colAt, c.outCol, d.xs, mcusX*c.h, h0/c.h)
		var n int
		c.rowMask, c.rowAt, c.outRow, n = keep(c.rowMask, c.rowAt, c.outRow, d.ys, mcusY*c.v, v0/c.v)
		c.plane = grow(c.plane, n*c.stride)
	}
}

// keep works along one side of a component's plane, of blocks blocks,
// whose samples are one for every ratio pixels of the image: for the
// image coordinates at, it sets which of each block's lines are kept and
// the packed index of the first, and the packed index of each
// coordinate's sample; it returns them with the number of lines kept.
func keep(mask []uint8, first, packed, at []int32, blocks, ratio int) ([]uint8, []int32, []int32, int) {
	mask, first, packed = grow(mask, blocks), grow(first, blocks), grow(packed, len(at))
	clear(mask)
	clear(first)
	n, prev := 0, int32(-1)
	for j, x := range at {
		u := x / int32(ratio)
		if u != prev {
			b := u >> 3
			if mask[b] == 0 {
				first[b] = int32(n)
			}
			mask[b] |= 1 << (u & 7)
			n++
			prev = u
		}
		packed[j] = int32(n - 1)
	}
	return mask, first, packed, n
}

// grow returns s with length n, reallocated only when too small.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// luma converts the kept pixels into the output, into buf when it is
// large enough.
func (d *decoder) luma(buf []float32) (luma []float32, rows, cols int) {
	rows, cols = len(d.ys), len(d.xs)
	luma = grow(buf, rows*cols)
	y := &d.comp[0]
	if d.nComp == 1 {
		for i := range rows {
			out := luma[i*cols : (i+1)*cols]
			src := y.plane[int(y.outRow[i])*y.stride:]
			if y.stride == cols { // every column, in order
				for j, p := range src[:cols] {
					out[j] = float32(p)
				}
				continue
			}
			for j, x := range y.outCol[:cols] {
				out[j] = float32(src[x])
			}
		}
		return luma, rows, cols
	}
	cb, cr := &d.comp[1], &d.comp[2]
	ratio := y.h / cb.h
	for i := range rows {
		out := luma[i*cols : (i+1)*cols]
		ys := y.plane[int(y.outRow[i])*y.stride:]
		cbs := cb.plane[int(cb.outRow[i])*cb.stride:]
		crs := cr.plane[int(cr.outRow[i])*cr.stride:]
		if cols == d.width { // every column, in order
			switch ratio {
			case 1:
				LumaRow(out, ys, cbs, crs)
				continue
			case 2:
				LumaPairs(out, ys, cbs, crs)
				continue
			}
		}
		// Neighbours may share a chroma sample: convert it once.
		last, dR, dG, dB := int32(-1), 0, 0, 0
		yc, cc := y.outCol[:cols], cb.outCol[:cols]
		for j := range out {
			if c := cc[j]; c != last {
				dR, dG, dB = Chroma(cbs[c], crs[c])
				last = c
			}
			out[j] = Luma(ys[yc[j]], dR, dG, dB)
		}
	}
	return luma, rows, cols
}
