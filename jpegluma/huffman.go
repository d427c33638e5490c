package jpegluma

import (
	"encoding/binary"
	"errors"
)

// lookupBits is how many bits of the stream the Huffman look-up tables
// read at once: codes up to this length, and for AC codes their extra
// bits too when both fit, are decoded with one look-up.
const lookupBits = 10

// huffman is a Huffman table, for DC differences or AC coefficients.
//
// An entry of lookup, indexed by the next lookupBits bits of the stream,
// is 0 when the code there is longer than lookupBits. Otherwise its low 5
// bits are the bits to consume; and either its top 16 bits are zero and
// bits 8 to 15 hold the symbol (the code alone was decoded), or, for an
// AC code whose extra bits also fit, the top 16 bits hold the coefficient
// itself (never zero), bits 8 to 11 the run of zeros before it and bits
// 12 to 15 the length of the code alone.
type huffman struct {
	defined bool
	lookup  [1 << lookupBits]int32
	// For codes longer than lookupBits: maxCode[l] is the largest code of
	// length l (-1 if none) and offset[l] turns a code of length l into
	// an index in symbols.
	maxCode [17]int32
	offset  [17]int32
	symbols [256]uint8
}

var errBadHuffmanTable = errors.New("jpeg: bad Huffman table")

// build sets the table from the code counts per length (counts[i] codes
// of length i+1) and the symbols in code order. ac says whether lookup
// may decode coefficients as well as symbols.
func (h *huffman) build(counts *[16]uint8, symbols []uint8, ac bool) error {
	h.defined = false
	copy(h.symbols[:], symbols)
	clear(h.lookup[:])
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := int32(counts[l-1])
		if code+n > 1<<l {
			return errBadHuffmanTable
		}
		h.offset[l] = int32(k) - code
		h.maxCode[l] = -1
		if n > 0 {
			h.maxCode[l] = code + n - 1
		}
		for range n {
			if l <= lookupBits {
				h.setCode(code, l, symbols[k], ac)
			}
			code++
			k++
		}
		code <<= 1
	}
	h.defined = true
	return nil
}

// setCode sets the look-up entries of a code of length l for symbol s.
func (h *huffman) setCode(code int32, l int, s uint8, ac bool) {
	spare := lookupBits - l
	first := int(code) << spare
	size := int(s & 15)
	for i := range 1 << spare {
		e := int32(s)<<8 | int32(l)
		if ac && size != 0 && size <= spare {
			extra := int32(i >> (spare - size))
			v := extend(extra, uint(size))
			e = v<<16 | int32(l)<<12 | int32(s>>4)<<8 | int32(l+size)
		}
		h.lookup[first+i] = e
	}
}

// extend turns the size extra bits of a coefficient into its value:
// those with a leading 0 are negative.
func extend(bits int32, size uint) int32 {
	if bits < 1<<(size-1) {
		return bits - 1<<size + 1
	}
	return bits
}

// slowSymbol decodes a code longer than lookupBits at the top of acc,
// returning its symbol and length, or length 0 for a code not in the
// table.
func (h *huffman) slowSymbol(acc uint64) (s uint8, l uint) {
	for l = lookupBits + 1; l <= 16; l++ {
		code := int32(acc >> (64 - l))
		if code <= h.maxCode[l] {
			return h.symbols[uint8(code+h.offset[l])], l
		}
	}
	return 0, 0
}

// bitReader reads the entropy-coded data of a scan, removing the stuffed
// zero bytes. When the data ends, at a marker or at the end of the file,
// it supplies zero bits and counts them in padded: a scan that consumes
// them is truncated.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint64 // the next bit at the top
	n      uint   // how many bits of acc are valid
	padded uint   // how many of those are padding
}

// fill tops acc up to at least 56 valid bits.
func (r *bitReader) fill(acc uint64, n uint) (uint64, uint) {
	if r.pos+8 <= len(r.data) {
		v := binary.BigEndian.Uint64(r.data[r.pos:])
		// Without an 0xff byte there is no stuffing and no marker: take
		// as many whole bytes as fit.
		if (^v-0x0101010101010101)&v&0x8080808080808080 == 0 {
			k := (63 - n) >> 3
			acc |= v >> (64 - 8*k) << (64 - n - 8*k)
			r.pos += int(k)
			return acc, n + 8*k
		}
	}
	for n <= 56 {
		var b byte
		switch {
		case r.pos >= len(r.data):
			r.padded += 8
		case r.data[r.pos] != 0xff:
			b = r.data[r.pos]
			r.pos++
		case r.pos+1 < len(r.data) && r.data[r.pos+1] == 0:
			b = 0xff
			r.pos += 2
		default: // a marker: the scan's data ends here
			r.padded += 8
		}
		acc |= uint64(b) << (56 - n)
		n += 8
	}
	return acc, n
}

// restart discards the bits left of a restart interval and moves past the
// restart marker expected (0xd0 to 0xd7), skipping any data before it.
func (r *bitReader) restart(marker byte) error {
	r.acc, r.n, r.padded = 0, 0, 0
	for r.pos+1 < len(r.data) {
		if r.data[r.pos] != 0xff {
			r.pos++
			continue
		}
		switch m := r.data[r.pos+1]; {
		case m == marker:
			r.pos += 2
			return nil
		case m == 0xff:
			r.pos++
		case m == 0:
			r.pos += 2
		default:
			return errors.New("jpeg: missing restart marker")
		}
	}
	return errTruncated
}

var errTruncated = errors.New("jpeg: truncated Huffman data")

// unzig maps a coefficient's place in zig-zag order to its place in the
// block, row by row.
var unzig = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// rowsUpTo[k] is how many of a block's rows hold the coefficients up to
// zig-zag place k: the rows below are zero when k is the last one read.
var rowsUpTo = func() [64]uint8 {
	var t [64]uint8
	rows := uint8(0)
	for k, z := range unzig {
		rows = max(rows, z/8+1)
		t[k] = rows
	}
	return t
}()

var (
	errBadCode   = errors.New("jpeg: bad Huffman code")
	errBadACCode = errors.New("jpeg: bad AC symbol (end-of-band run in a sequential scan)")
)

// decodeBlock reads a block's coefficients into blk, which must be zero,
// dequantized and in natural order, and returns the zig-zag place of the
// last one read (0 when there is only the DC coefficient).
func (r *bitReader) decodeBlock(c *component, blk *[64]int32) (uint, error) {
	acc, n := r.acc, r.n
	if n < 32 {
		acc, n = r.fill(acc, n)
	}
	// The DC difference: a size, then that many bits.
	var s uint
	if e := c.dc.lookup[acc>>(64-lookupBits)]; e != 0 {
		s = uint(e>>8) & 0xff
		l := uint(e & 31)
		acc <<= l
		n -= l
	} else {
		sym, l := c.dc.slowSymbol(acc)
		if l == 0 {
			return 0, errBadCode
		}
		s = uint(sym)
		acc <<= l
		n -= l
	}
	if s > 16 {
		return 0, unsupported("DC difference over 16 bits")
	}
	if s != 0 {
		c.pred += extend(int32(acc>>(64-s)), s)
		acc <<= s
		n -= s
	}
	q := c.quant
	blk[0] = c.pred * q[0]
	last := uint(0)
	ac := c.ac
	for k := uint(1); k < 64; {
		if n < 32 {
			// Inline, the usual refill: eight bytes without 0xff.
			if p := r.pos; p+8 <= len(r.data) {
				v := binary.BigEndian.Uint64(r.data[p:])
				if (^v-0x0101010101010101)&v&0x8080808080808080 == 0 {
					k := (63 - n) >> 3
					acc |= v >> (64 - 8*k) << (64 - n - 8*k)
					r.pos = p + int(k)
					n += 8 * k
				} else {
					acc, n = r.fill(acc, n)
				}
			} else {
				acc, n = r.fill(acc, n)
			}
		}
		e := ac.lookup[acc>>(64-lookupBits)]
		if v := e >> 16; v != 0 {
			// A coefficient decoded whole.
			k += uint(e>>8) & 15
			if k > 63 {
				// The run overshoots the block: the extra bits are not read.
				l := uint(e>>12) & 15
				acc <<= l
				n -= l
				break
			}
			l := uint(e & 31)
			acc <<= l
			n -= l
			blk[unzig[k]] = v * q[k]
			last = k
			k++
			continue
		}
		var sym uint8
		if e != 0 {
			sym = uint8(e >> 8)
			l := uint(e & 31)
			acc <<= l
			n -= l
		} else {
			var l uint
			sym, l = ac.slowSymbol(acc)
			if l == 0 {
				return 0, errBadCode
			}
			acc <<= l
			n -= l
		}
		run, size := uint(sym>>4), uint(sym&15)
		if size == 0 {
			if run == 15 { // sixteen zeros
				k += 16
				continue
			}
			if run == 0 { // end of block
				break
			}
			return 0, errBadACCode
		}
		k += run
		if k > 63 {
			break
		}
		blk[unzig[k]] = extend(int32(acc>>(64-size)), size) * q[k]
		acc <<= size
		n -= size
		last = k
		k++
	}
	r.acc, r.n = acc, n
	if n < r.padded {
		return 0, errTruncated
	}
	return last, nil
}
