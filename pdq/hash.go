package pdq

import (
	"encoding/hex"
	"fmt"
	"math/bits"
)

// Hash is a 256-bit PDQ hash. Read as one big-endian 256-bit number, its
// bit i is the reference implementation's bit i (word i/16, bit i%16), so
// String gives the same 64 hex digits the reference tools print: h[0]
// holds the first 16 digits (bits 255..192), h[3] the last 16 (bits 63..0).
type Hash [4]uint64

// Bits is the length of a PDQ hash in bits.
const Bits = 256

// ParseHash reads the 64-hex-digit form of a PDQ hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 64 {
		return h, fmt.Errorf("pdq hash: want 64 hex digits, got %d characters", len(s))
	}
	var b [32]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return h, fmt.Errorf("pdq hash: %w", err)
	}
	for w := range 4 {
		for j := range 8 {
			h[w] = h[w]<<8 | uint64(b[w*8+j])
		}
	}
	return h, nil
}

// String returns the 64 lower-case hex digits of h.
func (h Hash) String() string {
	var b [32]byte
	for w := range 4 {
		for j := range 8 {
			b[w*8+j] = byte(h[w] >> (56 - 8*j))
		}
	}
	return hex.EncodeToString(b[:])
}

// Bit reports bit i (0 ≤ i < 256) of h.
func (h Hash) Bit(i int) bool {
	return h[3-i/64]>>(i%64)&1 == 1
}

// SetBit sets bit i (0 ≤ i < 256) of h.
func (h *Hash) SetBit(i int) {
	h[3-i/64] |= 1 << (i % 64)
}

// Distance is the Hamming distance between a and b: the number of bits in
// which they differ.
func Distance(a, b Hash) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}
