package hashindex

import (
	"math/rand/v2"

	"ctis/pdq"
)

// Random returns a uniformly random hash.
func Random(r *rand.Rand) pdq.Hash {
	return pdq.Hash{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
}

// Perturb returns h with flips distinct random bits inverted.
func Perturb(r *rand.Rand, h pdq.Hash, flips int) pdq.Hash {
	var done pdq.Hash
	for flips > 0 {
		b := r.IntN(pdq.Bits)
		if done[b/64]&(1<<(b%64)) == 0 {
			done[b/64] |= 1 << (b % 64)
			h[b/64] ^= 1 << (b % 64)
			flips--
		}
	}
	return h
}

// Clustered returns n hashes shaped like real PDQ data: near-copies of a
// few thousand pictures. Each is one of seeds random hashes with up to
// maxFlips of its bits inverted.
func Clustered(r *rand.Rand, seeds []pdq.Hash, n, maxFlips int) []pdq.Hash {
	out := make([]pdq.Hash, n)
	for i := range out {
		out[i] = Perturb(r, seeds[r.IntN(len(seeds))], r.IntN(maxFlips+1))
	}
	return out
}

// Seeds returns n random hashes to cluster around.
func Seeds(r *rand.Rand, n int) []pdq.Hash {
	out := make([]pdq.Hash, n)
	for i := range out {
		out[i] = Random(r)
	}
	return out
}
