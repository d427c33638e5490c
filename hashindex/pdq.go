// Package hashindex finds stored PDQ hashes within a Hamming radius of a
// query, exactly, and cryptographic digests and URLs by equality.
//
// The PDQ index is multi-index hashing (Norouzi, Punjani and Fleet,
// "Fast search in Hamming space with multi-index hashing", CVPR 2012): the
// 256 bits are cut into m chunks of about log2(n) bits, and each chunk
// keeps a table from its value to the hashes holding it. Two hashes within
// distance r differ by at most t[i] bits on at least one chunk i, for any
// thresholds with sum(t[i]+1) > r (the generalised pigeonhole principle;
// see segment.thresholds), so probing each chunk's table at every value
// within its threshold of the query's chunk finds every match; candidates
// are then checked on all 256 bits. Nothing is approximate: results are those of a full scan, which
// Brute gives and tests hold the index to.
//
// Hashes are added one by one and go first to a small open list searched
// by scan; full lists freeze into a delta segment, and the delta merges
// into the main segment when it reaches an eighth of it, so adding costs
// amortised constant work and never a rebuild per hash. Disabling a hash
// sets a bit; it stays stored and can be enabled again.
package hashindex

import (
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"ctis/pdq"
)

// Slot numbers a stored hash in the order it was added.
type Slot = uint32

// Match is a stored hash within the radius of a query.
type Match struct {
	Slot     Slot
	Query    int // the index of the query in the batch
	Distance int
}

// MaxRadius is the largest radius searched: past 63 bits two PDQ hashes
// are no longer of the same picture in any useful sense.
const MaxRadius = 63

// openMax is how many hashes wait in the open list before they are frozen
// into an indexed segment.
const openMax = 4096

// PDQ is an index of PDQ hashes. It is safe for concurrent use: searches
// run in parallel, adds and disables take turns with them.
type PDQ struct {
	mu       sync.RWMutex
	hashes   []pdq.Hash
	owners   []uint32 // who holds each slot, for the caller's filter
	disabled []uint64 // a bit per slot
	main     *segment
	delta    *segment
	open     []Slot
	mem      *arena // hashes and the segments' tables
}

// NewPDQ returns an empty index with room for n hashes.
func NewPDQ(n int) *PDQ {
	x := &PDQ{owners: make([]uint32, 0, n), mem: &arena{}}
	x.hashes = alloc[pdq.Hash](x.mem, n)[:0]
	runtime.AddCleanup(x, func(a *arena) { a.freeAll() }, x.mem)
	return x
}

// reserve makes room for n more hashes, doubling the array as it fills.
func (x *PDQ) reserve(n int) {
	if len(x.hashes)+n <= cap(x.hashes) {
		return
	}
	grown := alloc[pdq.Hash](x.mem, max(2*cap(x.hashes), len(x.hashes)+n, 1024))[:len(x.hashes)]
	copy(grown, x.hashes)
	release(x.mem, x.hashes)
	x.hashes = grown
}

// Len is the number of stored hashes, enabled or not.
func (x *PDQ) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.hashes)
}

// Add stores h for owner and returns its slot.
func (x *PDQ) Add(h pdq.Hash, owner uint32) Slot {
	x.mu.Lock()
	defer x.mu.Unlock()
	s := Slot(len(x.hashes))
	x.reserve(1)
	x.hashes = append(x.hashes, h)
	x.owners = append(x.owners, owner)
	if int(s)/64 >= len(x.disabled) {
		x.disabled = append(x.disabled, 0)
	}
	x.open = append(x.open, s)
	if len(x.open) >= openMax {
		x.freeze()
	}
	return s
}

// AddAll stores many hashes at once and indexes them in one build, as at
// start-up; it returns the first slot.
func (x *PDQ) AddAll(hs []pdq.Hash, owners []uint32) Slot {
	x.mu.Lock()
	defer x.mu.Unlock()
	first := Slot(len(x.hashes))
	x.reserve(len(hs))
	x.hashes = append(x.hashes, hs...)
	x.owners = append(x.owners, owners...)
	for len(x.disabled)*64 < len(x.hashes) {
		x.disabled = append(x.disabled, 0)
	}
	for i := range hs {
		x.open = append(x.open, first+Slot(i))
	}
	x.freeze()
	return first
}

// freeze indexes the open list: into the delta segment, and the delta into
// the main segment once it has grown to an eighth of it.
func (x *PDQ) freeze() {
	if len(x.open) == 0 {
		return
	}
	slots := x.open
	if x.delta != nil {
		slots = append(slices.Clip(x.delta.slots), slots...)
	}
	x.open = nil
	x.delta.release(x.mem)
	x.delta = nil
	if x.main == nil || len(slots) >= len(x.main.slots)/8 {
		if x.main != nil {
			slots = append(slices.Clip(x.main.slots), slots...)
		}
		old := x.main
		x.main = build(x.mem, x.hashes, slots)
		old.release(x.mem)
		return
	}
	x.delta = build(x.mem, x.hashes, slots)
}

// SetDisabled disables or re-enables a slot.
func (x *PDQ) SetDisabled(s Slot, off bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if off {
		x.disabled[s/64] |= 1 << (s % 64)
	} else {
		x.disabled[s/64] &^= 1 << (s % 64)
	}
}

// Owner returns the owner of slot s.
func (x *PDQ) Owner(s Slot) uint32 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.owners[s]
}

// Hash returns the hash stored at s.
func (x *PDQ) Hash(s Slot) pdq.Hash {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.hashes[s]
}

// Search finds, for each query, every enabled stored hash within radius
// whose owner keep accepts (nil keeps all). Matches come grouped by query
// and within a query by slot. The queries of a batch are probed together,
// so that the memory reads of all of them are in flight at once.
func (x *PDQ) Search(queries []pdq.Hash, radius int, keep func(owner uint32) bool) []Match {
	radius = min(max(radius, 0), MaxRadius)
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Match
	for _, seg := range []*segment{x.main, x.delta} {
		for lo := 0; seg != nil && lo < len(queries); lo += probeBatch {
			out = seg.search(x, queries[lo:min(lo+probeBatch, len(queries))], lo, radius, keep, out)
		}
	}
	for qi, q := range queries {
		out = x.scan(x.open, q, qi, radius, keep, out)
	}
	slices.SortFunc(out, func(a, b Match) int {
		if a.Query != b.Query {
			return a.Query - b.Query
		}
		return int(a.Slot) - int(b.Slot)
	})
	return out
}

// Brute finds the same matches as Search by comparing every stored hash:
// the oracle the index is tested against. (Search itself scans a segment
// when the radius is too wide for its tables to help.)
func (x *PDQ) Brute(queries []pdq.Hash, radius int, keep func(owner uint32) bool) []Match {
	radius = min(max(radius, 0), MaxRadius)
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []Match
	for qi, q := range queries {
		for s := range x.hashes {
			out = x.check(Slot(s), q, qi, radius, keep, out)
		}
	}
	return out
}

func (x *PDQ) check(s Slot, q pdq.Hash, qi, radius int, keep func(uint32) bool, out []Match) []Match {
	h := &x.hashes[s]
	d := bits.OnesCount64(h[0]^q[0]) + bits.OnesCount64(h[1]^q[1]) + bits.OnesCount64(h[2]^q[2]) + bits.OnesCount64(h[3]^q[3])
	if d > radius || x.disabled[s/64]&(1<<(s%64)) != 0 || keep != nil && !keep(x.owners[s]) {
		return out
	}
	return append(out, Match{Slot: s, Query: qi, Distance: d})
}

func (x *PDQ) scan(slots []Slot, q pdq.Hash, qi, radius int, keep func(uint32) bool, out []Match) []Match {
	for _, s := range slots {
		out = x.check(s, q, qi, radius, keep, out)
	}
	return out
}

// Bytes estimates the memory the index holds.
func (x *PDQ) Bytes() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := cap(x.hashes)*32 + cap(x.owners)*4 + cap(x.disabled)*8 + cap(x.open)*4
	for _, seg := range []*segment{x.main, x.delta} {
		if seg != nil {
			n += seg.bytes()
		}
	}
	return n
}

// segment is an immutable multi-index over some slots.
type segment struct {
	slots  []Slot
	chunks []chunk
}

// chunk is one chunk's table: the slots whose hash has chunk value v are
// ids[bucket(v)].
type chunk struct {
	off, width uint
	start      []uint32
	ids        []Slot
}

func (c *chunk) value(h *pdq.Hash) uint32 {
	w, b := c.off/64, c.off%64
	v := h[w] >> b
	if b+c.width > 64 {
		v |= h[w+1] << (64 - b)
	}
	return uint32(v & (1<<c.width - 1))
}

// bucket returns the bounds in ids of the slots whose chunk value is v.
func (c *chunk) bucket(v uint32) (lo, hi uint32) {
	lo, hi = c.start[v], uint32(len(c.ids))
	if int(v)+1 < len(c.start) {
		hi = c.start[v+1]
	}
	return lo, hi
}

// build indexes slots, choosing chunks of about log2(len(slots)) bits so
// that a probe finds about one hash.
func build(mem *arena, hashes []pdq.Hash, slots []Slot) *segment {
	seg := &segment{slots: slots}
	width := min(max(bits.Len(uint(len(slots))), 8), 24)
	m := (pdq.Bits + width - 1) / width
	var off uint
	seg.chunks = make([]chunk, m)
	for i := range m {
		w := uint(pdq.Bits / m)
		if i < pdq.Bits%m {
			w++
		}
		seg.chunks[i] = chunk{off: off, width: w}
		off += w
	}
	var wg sync.WaitGroup
	work := make(chan *chunk)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for c := range work {
				c.fill(mem, hashes, slots)
			}
		})
	}
	for i := range seg.chunks {
		work <- &seg.chunks[i]
	}
	close(work)
	wg.Wait()
	return seg
}

// fill is a counting sort of slots by chunk value. The table has exactly
// 1<<width entries, a whole number of huge pages: the end of the last
// bucket is the end of ids.
func (c *chunk) fill(mem *arena, hashes []pdq.Hash, slots []Slot) {
	size := uint32(1) << c.width
	c.start = alloc[uint32](mem, int(size))
	for _, s := range slots {
		if v := c.value(&hashes[s]) + 1; v < size {
			c.start[v]++
		}
	}
	for v := 1; v < len(c.start); v++ {
		c.start[v] += c.start[v-1]
	}
	c.ids = alloc[Slot](mem, len(slots))
	next := slices.Clone(c.start)
	for _, s := range slots {
		v := c.value(&hashes[s])
		c.ids[next[v]] = s
		next[v]++
	}
}

// release frees the segment's tables; nil releases nothing.
func (seg *segment) release(mem *arena) {
	if seg == nil {
		return
	}
	for i := range seg.chunks {
		release(mem, seg.chunks[i].start)
		release(mem, seg.chunks[i].ids)
	}
}

func (seg *segment) bytes() int {
	n := cap(seg.slots) * 4
	for _, c := range seg.chunks {
		n += cap(c.start)*4 + cap(c.ids)*4
	}
	return n
}

// probeBatch is how many queries are probed together: enough for the
// memory reads of a batch to overlap, few enough for its candidates to
// stay in cache.
const probeBatch = 64

// thresholds are how far each chunk is probed for a radius, by the
// generalised pigeonhole principle: a hash within radius of the query
// differs from it by at most t[i] bits on some chunk i as long as
// sum(t[i]+1) > radius. The extra bits go to the narrowest chunks, whose
// probes are fewest.
func (seg *segment) thresholds(radius int) []int {
	m := len(seg.chunks)
	t := make([]int, m)
	need := radius + 1 - m
	if need <= 0 {
		return t
	}
	base, extra := need/m, need%m
	for i := range t {
		t[i] = base
		if i >= m-extra {
			t[i]++
		}
	}
	return t
}

// search probes every chunk of the segment at each value within its
// threshold of each query's, or scans the segment when that would touch
// more of it than a scan.
// Matches name their query by first plus its index in queries.
func (seg *segment) search(x *PDQ, queries []pdq.Hash, first, radius int, keep func(uint32) bool, out []Match) []Match {
	t := seg.thresholds(radius)
	expected := 0
	for i, c := range seg.chunks {
		expected += len(flips(c.width, t[i])) * (1 + len(seg.slots)>>c.width)
	}
	// A probe and the hashes it finds are random reads; a scan reads in
	// order, several times cheaper per hash.
	if expected*4 > len(seg.slots) {
		for qi, q := range queries {
			out = x.scan(seg.slots, q, first+qi, radius, keep, out)
		}
		return out
	}
	// Three passes over the whole batch, each a run of independent memory
	// reads, so that the processor keeps many in flight: the buckets'
	// bounds, then the slots in them, then the hashes of those slots.
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.qv = sc.qv[:0]
	for _, q := range queries {
		for i := range seg.chunks {
			sc.qv = append(sc.qv, seg.chunks[i].value(&q))
		}
	}
	m := len(seg.chunks)
	sc.ranges = sc.ranges[:0]
	for qi := range queries {
		qv := sc.qv[qi*m : (qi+1)*m]
		for i := range seg.chunks {
			c := &seg.chunks[i]
			for _, f := range flips(c.width, t[i]) {
				v := qv[i] ^ f
				if lo, hi := c.bucket(v); lo < hi {
					sc.ranges = append(sc.ranges, bucket{lo, hi, uint16(i), uint16(qi)})
				}
			}
		}
	}
	sc.slots, sc.from = sc.slots[:0], sc.from[:0]
	for _, b := range sc.ranges {
		sc.slots = append(sc.slots, seg.chunks[b.chunk].ids[b.lo:b.hi]...)
		for range b.hi - b.lo {
			sc.from = append(sc.from, b.chunk, b.query)
		}
	}
	hashes := x.hashes
	for k, s := range sc.slots {
		h := &hashes[s]
		qi := int(sc.from[2*k+1])
		q := &queries[qi]
		d := bits.OnesCount64(h[0]^q[0]) + bits.OnesCount64(h[1]^q[1]) + bits.OnesCount64(h[2]^q[2]) + bits.OnesCount64(h[3]^q[3])
		if d > radius || !seg.first(h, int(sc.from[2*k]), sc.qv[qi*m:(qi+1)*m], t) {
			continue // too far, or another chunk reports it
		}
		out = x.check(s, *q, first+qi, radius, keep, out)
	}
	return out
}

// scratch holds one search's candidates.
type scratch struct {
	qv     []uint32 // each query's chunk values
	ranges []bucket
	slots  []Slot
	from   []uint16 // the chunk and the query that found each slot
}

// bucket is a probed bucket: ids[lo:hi] of chunk, for query.
type bucket struct {
	lo, hi       uint32
	chunk, query uint16
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// first reports whether chunk i is the first chunk within its threshold
// of the query's, the one that reports a match.
func (seg *segment) first(h *pdq.Hash, i int, qv []uint32, t []int) bool {
	for j := range i {
		if bits.OnesCount32(seg.chunks[j].value(h)^qv[j]) <= t[j] {
			return false
		}
	}
	return true
}

// flips lists every mask of width bits with at most spread bits set.
func flips(width uint, spread int) []uint32 {
	key := flipKey{width, spread}
	if f, ok := flipCache.Load(key); ok {
		return f.([]uint32)
	}
	out := []uint32{0}
	var grow func(mask uint32, from uint, left int)
	grow = func(mask uint32, from uint, left int) {
		for b := from; b < width && left > 0; b++ {
			m := mask | 1<<b
			out = append(out, m)
			grow(m, b+1, left-1)
		}
	}
	grow(0, 0, spread)
	flipCache.Store(key, out)
	return out
}

type flipKey struct {
	width  uint
	spread int
}

var flipCache sync.Map
