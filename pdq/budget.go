package pdq

import (
	"image"
	"image/color"
	"runtime"
	"sync"
)

// DecodeBudget is how many bytes of decoded pixels a node holds at once,
// over all the images it is hashing. A 64-megapixel PNG of a few hundred
// kilobytes decodes to 256 MiB; without a budget, uploads of it at once
// each take that much. An image larger than the budget is decoded alone.
const DecodeBudget = 384 << 20

// lumaDecodeSize is what jpegluma takes at most: the rows and columns of
// each component that the Sampled×Sampled samples fall in, and their luma.
const lumaDecodeSize = 4 << 20

// decodeSize is what decoding an image of cfg takes, in bytes: its
// pixels as the decoder holds them.
func decodeSize(cfg image.Config) int64 {
	var perPixel int64
	switch cfg.ColorModel {
	case color.GrayModel, color.AlphaModel:
		perPixel = 1
	case color.Gray16Model, color.Alpha16Model:
		perPixel = 2
	case color.YCbCrModel, color.NYCbCrAModel: // 4:4:4 at most, with alpha
		perPixel = 4
	case color.RGBA64Model, color.NRGBA64Model:
		perPixel = 8
	default: // RGBA, NRGBA, CMYK, and a palette that an alpha can widen
		perPixel = 4
	}
	if _, ok := cfg.ColorModel.(color.Palette); ok {
		perPixel = 1
	}
	return int64(cfg.Width) * int64(cfg.Height) * perPixel
}

// budget is a node's decode budget: a semaphore weighted by bytes, first
// come first served, so that a large image is not passed over forever by
// small ones.
type budget struct {
	mu      sync.Mutex
	size    int64
	used    int64
	waiting []*waiter
}

type waiter struct {
	n     int64
	ready chan struct{}
}

// decodes is the node's decode budget.
var decodes = &budget{size: DecodeBudget}

// acquire waits until n bytes of the budget are free and takes them; n
// over the whole budget takes the whole. It returns what was taken.
func (b *budget) acquire(n int64) int64 {
	n = min(max(n, 0), b.size)
	b.mu.Lock()
	if len(b.waiting) == 0 && b.used+n <= b.size {
		b.used += n
		b.mu.Unlock()
		return n
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	b.waiting = append(b.waiting, w)
	b.mu.Unlock()
	<-w.ready
	return n
}

// release gives back n bytes and wakes the waiters they make room for,
// in order.
func (b *budget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	for len(b.waiting) > 0 && b.used+b.waiting[0].n <= b.size {
		w := b.waiting[0]
		b.waiting = b.waiting[1:]
		b.used += w.n
		close(w.ready)
	}
}

// withBudget runs decode within n bytes of the node's decode budget and
// one core. A large decode's pixels are garbage when it returns; they are
// collected before the bytes are given back, so that the next decode does
// not find them still in the heap.
func withBudget(n int64, decode func()) {
	n = decodes.acquire(n)
	decoding <- struct{}{}
	decode()
	<-decoding
	if n >= 64<<20 {
		runtime.GC()
	}
	decodes.release(n)
}
