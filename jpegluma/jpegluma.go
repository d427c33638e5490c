// Package jpegluma decodes a JPEG straight to the luma that PDQ hashes,
// several times faster than image/jpeg followed by a colour conversion.
//
// It reads baseline and extended sequential Huffman-coded JPEGs of 8-bit
// precision, grayscale or YCbCr with any chroma subsampling Go's
// image/jpeg accepts, with or without restart intervals, and gives the
// same pixels as image/jpeg to the last bit: the same integer inverse DCT,
// chroma taken from the nearest sample, and the colour conversion of
// package pdq. Progressive, arithmetic-coded, lossless, 12-bit, RGB and
// CMYK JPEGs return ErrUnsupported, for the caller to decode them another
// way.
//
// When the image is sampled down, only the pixels sampled are computed:
// every block's Huffman data must still be read, but the inverse DCT of
// the rows and columns no sample falls in is skipped.
package jpegluma

import (
	"errors"
	"fmt"
	"sync"
)

// ErrUnsupported is returned, wrapped, for a JPEG this package does not
// decode but which may be valid: progressive, arithmetic-coded, lossless,
// hierarchical, 12-bit, RGB, CMYK, or with one component per scan.
var ErrUnsupported = errors.New("jpeg: unsupported feature")

// unsupported names a feature not decoded; it is ErrUnsupported.
type unsupported string

func (e unsupported) Error() string        { return "jpeg: unsupported " + string(e) }
func (e unsupported) Is(target error) bool { return target == ErrUnsupported }

// MaxPixels is the largest image decoded, in pixels.
const MaxPixels = 64 << 20

// Decode reads a JPEG and returns its luma, row by row: rows×cols float32
// values. When either side is larger than max, the image is sampled to
// max×max by nearest neighbour: output pixel (i, j) is source pixel
// (floor(j·W/max), floor(i·H/max)), both sides, aspect not kept, as
// pdq.Luminance samples. A max of 0 or less keeps every pixel. buf is
// reused when it is large enough.
func Decode(data []byte, max int, buf []float32) (luma []float32, rows, cols int, err error) {
	d := decoders.Get().(*decoder)
	defer decoders.Put(d)
	d.reset(data, max)
	if err := d.decode(); err != nil {
		return nil, 0, 0, err
	}
	luma, rows, cols = d.luma(buf)
	d.data, d.bits.data = nil, nil
	return luma, rows, cols, nil
}

// decoders holds decoders, with their tables and buffers, for reuse.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

// component is one of the image's components (Y, Cb, Cr) with the part
// of its plane kept: the rows and columns some output pixel samples,
// packed.
type component struct {
	id     uint8
	h, v   int   // sampling factors
	tq     uint8 // quantization table
	dc, ac *huffman
	quant  *[64]int32 // in zig-zag order
	pred   int32      // the last DC value, to which differences add

	plane  []uint8 // the kept pixels, row by row
	stride int     // kept pixels per row
	// Per column of blocks, the columns kept (bit i for the block's
	// column i) and the packed index of the first; likewise per row of
	// blocks.
	colMask, rowMask []uint8
	colAt, rowAt     []int32
	// The packed column and row of each output pixel's sample.
	outCol, outRow []int32
}

// decoder is the state of one decode, and buffers kept for the next.
type decoder struct {
	data []byte
	pos  int
	max  int

	width, height int
	nComp         int
	comp          [3]component
	quant         [4][64]int32
	huff          [2][4]huffman // DC tables, then AC
	interval      int           // MCUs per restart interval; 0 for none
	frame         bool          // SOF read
	scanned       bool          // the scan decoded

	jfif           bool
	adobe          bool
	adobeTransform uint8

	bits bitReader
	blk  [64]int32
	xs   []int32 // the source column of each output column
	ys   []int32 // the source row of each output row
}

func (d *decoder) reset(data []byte, max int) {
	d.data, d.pos, d.max = data, 0, max
	d.width, d.height, d.nComp = 0, 0, 0
	d.quant = [4][64]int32{}
	for i := range d.huff {
		for j := range d.huff[i] {
			d.huff[i][j].defined = false
		}
	}
	d.interval = 0
	d.frame, d.scanned = false, false
	d.jfif, d.adobe, d.adobeTransform = false, false, 0
	d.bits = bitReader{}
	d.blk = [64]int32{} // a failed decode may leave coefficients
}

// Markers, from table B.1 of ITU T.81.
const (
	sof0  = 0xc0 // baseline
	sof1  = 0xc1 // extended sequential
	sof2  = 0xc2 // progressive
	sof3  = 0xc3 // lossless
	dht   = 0xc4
	dac   = 0xcc // arithmetic-coding conditioning
	rst0  = 0xd0
	rst7  = 0xd7
	eoi   = 0xd9
	sos   = 0xda
	dqt   = 0xdb
	dri   = 0xdd
	app0  = 0xe0
	app14 = 0xee // Adobe's
	com   = 0xfe
)

var errShortSegment = errors.New("jpeg: truncated segment")

// decode reads the markers and the scan, up to the end of the image.
func (d *decoder) decode() error {
	if len(d.data) < 2 || d.data[0] != 0xff || d.data[1] != 0xd8 {
		return errors.New("jpeg: missing start-of-image marker")
	}
	d.pos = 2
	for {
		marker, err := d.nextMarker()
		if err != nil {
			return err
		}
		if marker == eoi {
			break
		}
		if rst0 <= marker && marker <= rst7 {
			continue // a stray restart marker after the scan, harmless
		}
		if d.pos+2 > len(d.data) {
			return errShortSegment
		}
		n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1]) - 2
		if n < 0 {
			return errors.New("jpeg: segment length too short")
		}
		d.pos += 2
		if d.pos+n > len(d.data) {
			return errShortSegment
		}
		seg := d.data[d.pos : d.pos+n]
		d.pos += n
		switch {
		case marker == sof0 || marker == sof1:
			err = d.readFrame(seg)
		case marker == sof2:
			err = unsupported("progressive JPEG")
		case marker == sof3 || marker == sof3+8:
			err = unsupported("lossless JPEG")
		case marker >= sof0+9 && marker <= sof0+15 || marker == dac:
			err = unsupported("arithmetic-coded JPEG")
		case marker >= sof0+5 && marker <= sof0+7:
			err = unsupported("hierarchical JPEG")
		case marker == dht:
			err = d.readHuffman(seg)
		case marker == dqt:
			err = d.readQuant(seg)
		case marker == dri:
			if n != 2 {
				return errors.New("jpeg: DRI segment of wrong length")
			}
			d.interval = int(seg[0])<<8 | int(seg[1])
		case marker == sos:
			err = d.readScan(seg)
		case marker == app0:
			if n >= 5 {
				d.jfif = string(seg[:5]) == "JFIF\x00"
			}
		case marker == app14:
			if n >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe, d.adobeTransform = true, seg[11]
			}
		case marker > app0 && marker <= 0xef || marker == com:
			// Other application data and comments: skipped.
		case marker < sof0:
			err = fmt.Errorf("jpeg: unknown marker %#x", marker)
		default:
			err = unsupported(fmt.Sprintf("marker %#x", marker))
		}
		if err != nil {
			return err
		}
	}
	if !d.scanned {
		return errors.New("jpeg: no image data (missing SOS)")
	}
	if d.nComp == 3 && d.isRGB() {
		return unsupported("RGB JPEG")
	}
	return nil
}

// nextMarker finds the next marker, skipping stray bytes before it as
// image/jpeg does, and returns its code.
func (d *decoder) nextMarker() (byte, error) {
	for {
		for d.pos < len(d.data) && d.data[d.pos] != 0xff {
			d.pos++
		}
		// Any number of 0xff fill bytes may precede the code.
		for d.pos < len(d.data) && d.data[d.pos] == 0xff {
			d.pos++
		}
		if d.pos >= len(d.data) {
			return 0, errors.New("jpeg: missing end-of-image marker")
		}
		m := d.data[d.pos]
		d.pos++
		if m != 0 { // 0xff 0x00 is stray data too
			return m, nil
		}
	}
}

// isRGB says whether a three-component image holds RGB rather than
// YCbCr, by image/jpeg's rule.
func (d *decoder) isRGB() bool {
	if d.jfif {
		return false
	}
	if d.adobe && d.adobeTransform == 0 {
		return true
	}
	return d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B'
}

// readFrame reads a SOF segment: size and components.
func (d *decoder) readFrame(seg []byte) error {
	if d.frame {
		return errors.New("jpeg: more than one SOF marker")
	}
	d.frame = true
	switch len(seg) {
	case 6 + 3*1:
		d.nComp = 1
	case 6 + 3*3:
		d.nComp = 3
	case 6 + 3*4:
		return unsupported("CMYK JPEG")
	default:
		return unsupported("number of components")
	}
	if seg[0] != 8 {
		return unsupported(fmt.Sprintf("%d-bit JPEG", seg[0]))
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	if int(seg[5]) != d.nComp {
		return errors.New("jpeg: SOF segment of wrong length")
	}
	if d.width == 0 || d.height == 0 {
		return errors.New("jpeg: image has no pixels")
	}
	if d.width*d.height > MaxPixels {
		return fmt.Errorf("jpeg: image of %d×%d pixels is over %d megapixels", d.width, d.height, MaxPixels>>20)
	}
	for i := range d.nComp {
		c := &d.comp[i]
		b := seg[6+3*i:]
		c.id, c.tq = b[0], b[2]
		for j := range i {
			if d.comp[j].id == c.id {
				return errors.New("jpeg: repeated component identifier")
			}
		}
		if c.tq > 3 {
			return errors.New("jpeg: bad quantization table selector")
		}
		c.h, c.v = int(b[1]>>4), int(b[1]&15)
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.h == 3 || c.v == 3 {
			return unsupported("sampling factors")
		}
		if d.nComp == 1 {
			// One component is not interleaved: its blocks are in raster
			// order whatever its factors say.
			c.h, c.v = 1, 1
			continue
		}
		// As image/jpeg: Y's factors multiples of the chroma's, which
		// are the same for Cb and Cr.
		switch i {
		case 0:
			if c.v == 4 {
				return unsupported("sampling factors")
			}
		case 1:
			if d.comp[0].h%c.h != 0 || d.comp[0].v%c.v != 0 {
				return unsupported("sampling factors")
			}
		case 2:
			if c.h != d.comp[1].h || c.v != d.comp[1].v {
				return unsupported("sampling factors")
			}
		}
	}
	return nil
}

// readHuffman reads a DHT segment: one or more Huffman tables.
func (d *decoder) readHuffman(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return errors.New("jpeg: DHT segment of wrong length")
		}
		class, id := seg[0]>>4, seg[0]&15
		if class > 1 || id > 3 {
			return errors.New("jpeg: bad Huffman table class or number")
		}
		counts := (*[16]uint8)(seg[1:17])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if total == 0 || total > 256 {
			return errors.New("jpeg: Huffman table of bad length")
		}
		seg = seg[17:]
		if len(seg) < total {
			return errors.New("jpeg: DHT segment of wrong length")
		}
		if err := d.huff[class][id].build(counts, seg[:total], class == 1); err != nil {
			return err
		}
		seg = seg[total:]
	}
	return nil
}

// readQuant reads a DQT segment: one or more quantization tables.
func (d *decoder) readQuant(seg []byte) error {
	for len(seg) > 0 {
		precision, id := seg[0]>>4, seg[0]&15
		seg = seg[1:]
		if id > 3 {
			return errors.New("jpeg: bad quantization table number")
		}
		q := &d.quant[id]
		switch {
		case precision == 0 && len(seg) >= 64:
			for i := range q {
				q[i] = int32(seg[i])
			}
			seg = seg[64:]
		case precision == 1 && len(seg) >= 128:
			for i := range q {
				q[i] = int32(seg[2*i])<<8 | int32(seg[2*i+1])
			}
			seg = seg[128:]
		case precision > 1:
			return errors.New("jpeg: bad quantization table precision")
		default:
			return errors.New("jpeg: DQT segment of wrong length")
		}
	}
	return nil
}

// readScan reads a SOS segment and decodes the scan after it.
func (d *decoder) readScan(seg []byte) error {
	if !d.frame {
		return errors.New("jpeg: SOS before SOF")
	}
	if d.scanned {
		return unsupported("JPEG of several scans")
	}
	if len(seg) < 6 || len(seg) != 4+2*int(seg[0]) {
		return errors.New("jpeg: SOS segment of wrong length")
	}
	n := int(seg[0])
	if n != d.nComp {
		return unsupported("JPEG of one component per scan")
	}
	var order [3]*component
	total := 0
	for i := range n {
		id, tables := seg[1+2*i], seg[2+2*i]
		var c *component
		for j := range d.nComp {
			if d.comp[j].id == id {
				c = &d.comp[j]
			}
		}
		if c == nil {
			return errors.New("jpeg: scan of an unknown component")
		}
		for _, o := range order[:i] {
			if o == c {
				return errors.New("jpeg: component repeated in a scan")
			}
		}
		order[i] = c
		total += c.h * c.v
		td, ta := tables>>4, tables&15
		if td > 3 || ta > 3 {
			return errors.New("jpeg: bad Huffman table selector")
		}
		c.dc, c.ac = &d.huff[0][td], &d.huff[1][ta]
		if !c.dc.defined || !c.ac.defined {
			return errors.New("jpeg: scan uses an undefined Huffman table")
		}
		c.quant = &d.quant[c.tq]
		c.pred = 0
	}
	if n > 1 && total > 10 {
		return errors.New("jpeg: too many blocks per MCU")
	}
	d.scanned = true
	d.plan()
	d.bits = bitReader{data: d.data, pos: d.pos}
	if err := d.decodeScan(order[:n]); err != nil {
		return err
	}
	d.pos = d.bits.pos
	return nil
}

// decodeScan decodes the MCUs of an interleaved scan (or the blocks of a
// grayscale one) in order.
func (d *decoder) decodeScan(order []*component) error {
	h0, v0 := d.comp[0].h, d.comp[0].v
	mcusX, mcusY := (d.width+8*h0-1)/(8*h0), (d.height+8*v0-1)/(8*v0)
	r := &d.bits
	blk := &d.blk
	mcu, marker := 0, byte(rst0)
	for my := range mcusY {
		for mx := range mcusX {
			for _, c := range order {
				for v := range c.v {
					by := my*c.v + v
					rows := c.rowMask[by]
					line := c.plane[int(c.rowAt[by])*c.stride:]
					for h := range c.h {
						last, err := r.decodeBlock(c, blk)
						if err != nil {
							return err
						}
						bx := mx*c.h + h
						if cols := c.colMask[bx]; cols != 0 && rows != 0 {
							store(blk, last, line[c.colAt[bx]:], c.stride, cols, rows)
						} else {
							clear(blk[:8*int(rowsUpTo[last&63])])
						}
					}
				}
			}
			mcu++
			if d.interval > 0 && mcu%d.interval == 0 && mcu < mcusX*mcusY {
				if err := r.restart(marker); err != nil {
					return err
				}
				marker = rst0 + (marker+1-rst0)&7
				for _, c := range order {
					c.pred = 0
				}
			}
		}
	}
	return nil
}
