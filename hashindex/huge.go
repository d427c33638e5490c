package hashindex

import (
	"sync"
	"unsafe"
)

// hugeMin is the smallest array worth memory of its own: below it the Go
// heap serves.
const hugeMin = 2 << 20

// arena holds the large arrays of one index in memory mapped for it and,
// where the system offers it, backed by huge pages: the index's reads are
// random over hundreds of megabytes, and with 4 KiB pages nearly each one
// would also miss the TLB. An arena is freed with its index (or array by
// array as segments are replaced); its arrays hold no Go pointers.
type arena struct {
	mu   sync.Mutex
	live map[unsafe.Pointer][]byte
}

// alloc returns a zeroed array of n Ts, with len = cap = n. It must never
// be appended to.
func alloc[T any](a *arena, n int) []T {
	var zero T
	size := n * int(unsafe.Sizeof(zero))
	if size < hugeMin {
		return make([]T, n)
	}
	m, b, err := mapHuge(size)
	if err != nil {
		return make([]T, n) // no mapping here: the heap will do
	}
	a.mu.Lock()
	if a.live == nil {
		a.live = map[unsafe.Pointer][]byte{}
	}
	a.live[unsafe.Pointer(&b[0])] = m
	a.mu.Unlock()
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}

// release frees an array alloc made; one from the heap is left to the
// collector.
func release[T any](a *arena, s []T) {
	if cap(s) == 0 {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(s))
	a.mu.Lock()
	b, ok := a.live[p]
	delete(a.live, p)
	a.mu.Unlock()
	if ok {
		unmap(b)
	}
}

// freeAll frees every array of the arena.
func (a *arena) freeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for p, b := range a.live {
		unmap(b)
		delete(a.live, p)
	}
}
