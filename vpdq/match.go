package vpdq

import (
	"cmp"
	"errors"
	"slices"

	"ctis/hashindex"
	"ctis/pdq"
)

// Thresholds decide when two videos match.
type Thresholds struct {
	// Radius is the largest Hamming distance at which two frames match.
	Radius int
	// Quality is the least quality a frame needs to be compared at all.
	Quality int
	// QueryPercent is the share of the query's frames that must match a
	// frame of the stored video, in percent.
	QueryPercent float64
	// StoredPercent is the share of the stored video's frames that must
	// match a frame of the query, in percent.
	StoredPercent float64
}

// Defaults are the reference's thresholds (python-threatexchange's vPDQ
// signal, which HMA uses): frames within 31 bits, of quality 50 or more;
// 80% of the query's frames matched, and no share of the stored video
// required, so that a clip cut from a stored video matches it. (The
// reference's README gives the two percentages the other way round as an
// example; its code is followed here.)
var Defaults = Thresholds{Radius: 31, Quality: 50, QueryPercent: 80, StoredPercent: 0}

// Result is how far two videos match.
type Result struct {
	QueryPercent  float64 // share of the query's frames matched
	StoredPercent float64 // share of the stored video's frames matched
	Match         bool    // a frame matches, and both shares reach their thresholds
}

func (t Thresholds) result(queryHit, queryAll, storedHit, storedAll int) Result {
	r := Result{
		QueryPercent:  float64(queryHit) * 100 / float64(queryAll),
		StoredPercent: float64(storedHit) * 100 / float64(storedAll),
	}
	// Videos without a frame in common never match, whatever the
	// thresholds, as in the reference's index.
	r.Match = queryHit > 0 && r.QueryPercent >= t.QueryPercent && r.StoredPercent >= t.StoredPercent
	return r
}

// distinct returns the distinct hashes of the frames of quality q or more,
// in order of first appearance: the frames matching counts, as the
// reference counts them.
func distinct(fs []Feature, q int) []pdq.Hash {
	seen := make(map[pdq.Hash]bool, len(fs))
	out := make([]pdq.Hash, 0, len(fs))
	for _, f := range fs {
		if f.Quality >= q && !seen[f.Hash] {
			seen[f.Hash] = true
			out = append(out, f.Hash)
		}
	}
	return out
}

// Compare matches a query video against a stored one frame by frame, as
// the reference's brute-force matcher does. When either has no frame of
// the quality needed, nothing matches.
func Compare(query, stored []Feature, t Thresholds) Result {
	q, s := distinct(query, t.Quality), distinct(stored, t.Quality)
	if len(q) == 0 || len(s) == 0 {
		return Result{}
	}
	return t.result(matched(q, s, t.Radius), len(q), matched(s, q, t.Radius), len(s))
}

// matched counts the hashes of a with a hash of b within radius.
func matched(a, b []pdq.Hash, radius int) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if pdq.Distance(x, y) <= radius {
				n++
				break
			}
		}
	}
	return n
}

// VideoID numbers a video in an Index, in the order they were added.
type VideoID = uint32

// Index finds the stored videos a query matches without comparing it with
// each: every distinct frame hash is stored once in a PDQ index and knows
// the videos holding it; the query's frames are looked up there, and the
// hits counted per video. Results are those of Compare against every
// stored video. Searches may run together, but an add must run alone.
type Index struct {
	t      Thresholds
	hashes *hashindex.PDQ
	slot   map[pdq.Hash]hashindex.Slot
	// The first video holding a hash is its slot's owner in the PDQ index;
	// others, few when videos are not copies of each other, are listed
	// here.
	more   map[hashindex.Slot][]VideoID
	frames []int32 // per video, its distinct frames of the quality needed
}

// NewIndex returns an empty index matching with t.
func NewIndex(t Thresholds) *Index {
	return &Index{
		t:      t,
		hashes: hashindex.NewPDQ(0),
		slot:   make(map[pdq.Hash]hashindex.Slot),
		more:   make(map[hashindex.Slot][]VideoID),
	}
}

// ErrNoFrames is returned when a video has no frame of the quality needed
// to match.
var ErrNoFrames = errors.New("vpdq: no frame of the quality needed to match")

// Add stores a video and returns its ID.
func (x *Index) Add(fs []Feature) (VideoID, error) {
	hs := distinct(fs, x.t.Quality)
	if len(hs) == 0 {
		return 0, ErrNoFrames
	}
	id := VideoID(len(x.frames))
	x.frames = append(x.frames, int32(len(hs)))
	for _, h := range hs {
		if s, ok := x.slot[h]; ok {
			x.more[s] = append(x.more[s], id)
			continue
		}
		x.slot[h] = x.hashes.Add(h, id)
	}
	return id, nil
}

// Len is the number of stored videos.
func (x *Index) Len() int { return len(x.frames) }

// VideoMatch is a stored video a query matches.
type VideoMatch struct {
	Video VideoID
	Result
}

// Search returns the stored videos the query matches, by ID, among those
// keep accepts (nil keeps all).
func (x *Index) Search(query []Feature, keep func(VideoID) bool) []VideoMatch {
	q := distinct(query, x.t.Quality)
	if len(q) == 0 {
		return nil
	}
	type tally struct {
		queries   int
		lastQuery int
		stored    map[hashindex.Slot]bool
	}
	hits := make(map[VideoID]*tally)
	count := func(v VideoID, m hashindex.Match) {
		if keep != nil && !keep(v) {
			return
		}
		t := hits[v]
		if t == nil {
			t = &tally{lastQuery: -1, stored: make(map[hashindex.Slot]bool)}
			hits[v] = t
		}
		// Matches come grouped by query: a query counts once.
		if t.lastQuery != m.Query {
			t.lastQuery = m.Query
			t.queries++
		}
		t.stored[m.Slot] = true
	}
	for _, m := range x.hashes.Search(q, x.t.Radius, nil) {
		count(x.hashes.Owner(m.Slot), m)
		for _, v := range x.more[m.Slot] {
			count(v, m)
		}
	}
	var out []VideoMatch
	for v, t := range hits {
		if r := x.t.result(t.queries, len(q), len(t.stored), int(x.frames[v])); r.Match {
			out = append(out, VideoMatch{v, r})
		}
	}
	// The closest first: by the query's share, then the stored video's.
	slices.SortFunc(out, func(a, b VideoMatch) int {
		return cmp.Or(cmp.Compare(b.QueryPercent, a.QueryPercent),
			cmp.Compare(b.StoredPercent, a.StoredPercent), cmp.Compare(a.Video, b.Video))
	})
	return out
}
