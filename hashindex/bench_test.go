package hashindex

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"ctis/pdq"
)

// BenchmarkSearch measures 8-variant batches at radius 31 against
// clustered hashes; CTIS_HASHES sets the count (default 1,000,000).
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{1_000_000} {
		r := rand.New(rand.NewPCG(7, 7))
		seeds := Seeds(r, 4096)
		hs := Clustered(r, seeds, n, 40)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		x := NewPDQ(n)
		x.AddAll(hs, make([]uint32, n))
		built := time.Since(t0)
		b.Logf("%d hashes: build %v, %d bytes per hash", n, built, x.Bytes()/n)
		batches := make([][]pdq.Hash, 256)
		for i := range batches {
			batches[i] = append([]pdq.Hash{Perturb(r, seeds[r.IntN(len(seeds))], r.IntN(24))}, Seeds(r, 7)...)
		}
		b.Run(fmt.Sprintf("n=%d/index", n), func(b *testing.B) {
			for i := range b.N {
				x.Search(batches[i%len(batches)], 31, nil)
			}
		})
		b.Run(fmt.Sprintf("n=%d/brute", n), func(b *testing.B) {
			for i := range b.N {
				x.Brute(batches[i%len(batches)], 31, nil)
			}
		})
	}
}
