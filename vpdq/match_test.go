package vpdq

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"ctis/hashindex"
	"ctis/pdq"
)

// video makes a video of the hashes, one a second, of quality 100.
func video(hs ...pdq.Hash) []Feature {
	fs := make([]Feature, len(hs))
	for i, h := range hs {
		fs[i] = Feature{Frame: i, Quality: 100, Hash: h, Time: float64(i)}
	}
	return fs
}

// groups are three sets of 16 hashes, as in the reference's index tests:
// within a set they match (at most 30 bits apart), across sets they do
// not (random centres, about 128 bits apart).
func groups(r *rand.Rand) [3][]pdq.Hash {
	var g [3][]pdq.Hash
	for i := range g {
		centre := hashindex.Random(r)
		for k := range 16 {
			g[i] = append(g[i], hashindex.Perturb(r, centre, k))
		}
	}
	return g
}

// pick returns n distinct members of g.
func pick(r *rand.Rand, g []pdq.Hash, n int) []pdq.Hash {
	var out []pdq.Hash
	for _, i := range r.Perm(len(g))[:n] {
		out = append(out, g[i])
	}
	return out
}

// expect checks both the index and the brute-force comparison find
// exactly the matches wanted of query among stored.
func expect(t *testing.T, th Thresholds, stored [][]Feature, query []Feature, want ...VideoMatch) {
	t.Helper()
	x := NewIndex(th)
	for _, v := range stored {
		if _, err := x.Add(v); err != nil {
			t.Fatal(err)
		}
	}
	if got := x.Search(query, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("index: got %+v, want %+v", got, want)
	}
	var brute []VideoMatch
	for i, v := range stored {
		if r := Compare(query, v, th); r.Match {
			brute = append(brute, VideoMatch{VideoID(i), r})
		}
	}
	if !reflect.DeepEqual(brute, want) {
		t.Errorf("brute force: got %+v, want %+v", brute, want)
	}
}

func match(v VideoID, q, s float64) VideoMatch {
	return VideoMatch{v, Result{QueryPercent: q, StoredPercent: s, Match: true}}
}

// The cases of the reference's index tests (python-threatexchange,
// extensions/vpdq/tests/test_vpdq_faiss.py), each decided alike by the
// index and by brute force.
func TestReferenceMatchCases(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 1))
	g := groups(r)
	queryZero := Defaults
	queryZero.QueryPercent = 0
	whole := video(g[0][0], g[1][0], g[2][0], g[0][15])[:3]

	t.Run("self", func(t *testing.T) {
		expect(t, Defaults, [][]Feature{whole}, whole, match(0, 100, 100))
	})
	t.Run("half", func(t *testing.T) {
		four := video(g[0][1], g[1][1], g[2][1], hashindex.Random(r))
		expect(t, queryZero, [][]Feature{four}, four[:2], match(0, 100, 50))
		expect(t, queryZero, [][]Feature{four[:2]}, four, match(0, 50, 100))
	})
	t.Run("same video twice", func(t *testing.T) {
		expect(t, Defaults, [][]Feature{whole, whole}, whole, match(0, 100, 100), match(1, 100, 100))
	})
	t.Run("no match", func(t *testing.T) {
		v1, v2 := video(g[0]...), video(g[1]...)
		expect(t, Defaults, [][]Feature{v1}, v2)
		expect(t, Defaults, [][]Feature{v2}, v1)
		expect(t, Thresholds{Radius: 31, Quality: 50}, [][]Feature{v1}, v2)
	})
	cat := func(parts ...[]pdq.Hash) []Feature {
		var hs []pdq.Hash
		for _, p := range parts {
			hs = append(hs, p...)
		}
		return video(hs...)
	}
	v1 := cat(pick(r, g[0], 2), pick(r, g[1], 3), pick(r, g[2], 5))
	v2 := cat(pick(r, g[0], 1), pick(r, g[1], 1), pick(r, g[2], 8))
	v3 := cat(pick(r, g[0], 1), pick(r, g[2], 9))
	v4 := cat(pick(r, g[2], 10))
	t.Run("query share about 80%", func(t *testing.T) {
		expect(t, Defaults, [][]Feature{v4}, v1)
		expect(t, Defaults, [][]Feature{v4}, v2, match(0, 80, 100))
		expect(t, Defaults, [][]Feature{v4}, v3, match(0, 90, 100))
	})
	t.Run("stored share about 80%", func(t *testing.T) {
		th := Thresholds{Radius: 31, Quality: 50, StoredPercent: 80}
		expect(t, th, [][]Feature{v1}, v4)
		expect(t, th, [][]Feature{v2}, v4, match(0, 100, 80))
		expect(t, th, [][]Feature{v3}, v4, match(0, 100, 90))
	})
	t.Run("one unmatched frame each", func(t *testing.T) {
		a, b := video(pick(r, g[0], 9)...), video(pick(r, g[0], 9)...)
		a = append(a, Feature{Frame: 9, Quality: 100, Hash: hashindex.Random(r)})
		b = append(b, Feature{Frame: 9, Quality: 100, Hash: hashindex.Perturb(r, a[0].Hash, 128)})
		expect(t, Defaults, [][]Feature{a}, b, match(0, 90, 90))
		expect(t, Defaults, [][]Feature{b}, a, match(0, 90, 90))
		expect(t, Defaults, [][]Feature{a[:9]}, b, match(0, 90, 100))
		expect(t, Defaults, [][]Feature{a[:9]}, b[:9], match(0, 100, 100))
	})
	t.Run("repeated frame counted once", func(t *testing.T) {
		a := video(pick(r, g[0], 9)...)
		var b []Feature
		for _, f := range a {
			f.Hash = hashindex.Perturb(r, f.Hash, 31) // at the radius: a match
			b = append(b, f)
		}
		a = append(a, Feature{Frame: 9, Quality: 10, Hash: a[8].Hash, Time: 9})
		expect(t, Defaults, [][]Feature{a}, b, match(0, 100, 100))
	})
	t.Run("a video and its first half", func(t *testing.T) {
		a := cat(pick(r, g[0], 5), pick(r, g[1], 5))
		q := cat(pick(r, g[0], 5), pick(r, g[1], 5))
		expect(t, queryZero, [][]Feature{a, a[:5]}, q, match(0, 100, 100), match(1, 50, 100))
	})
	t.Run("low quality only", func(t *testing.T) {
		low := video(g[0][0])
		low[0].Quality = 49
		if _, err := NewIndex(Defaults).Add(low); err != ErrNoFrames {
			t.Errorf("Add of a video without a frame of quality: got %v", err)
		}
		expect(t, Defaults, [][]Feature{whole}, low)
	})
}

// The index finds what comparing with every stored video finds, on videos
// that share scenes, and keep leaves videos out.
func TestIndexIsBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 2))
	scenes := hashindex.Seeds(r, 40)
	th := Thresholds{Radius: 31, Quality: 50, QueryPercent: 30, StoredPercent: 20}
	x := NewIndex(th)
	var stored [][]Feature
	for range 200 {
		v := video(hashindex.Clustered(r, scenes, 1+r.IntN(12), 20)...)
		for i := range v {
			v[i].Quality = 40 + r.IntN(61)
		}
		if _, err := x.Add(v); err == nil {
			stored = append(stored, v)
		}
	}
	odd := func(v VideoID) bool { return v%2 == 1 }
	found := 0
	for n := range 50 {
		q := video(hashindex.Clustered(r, scenes, 1+r.IntN(12), 20)...)
		var want []VideoMatch
		for i, v := range stored {
			if res := Compare(q, v, th); res.Match && odd(VideoID(i)) {
				want = append(want, VideoMatch{VideoID(i), res})
			}
		}
		got := x.Search(q, odd)
		slices.SortFunc(got, func(a, b VideoMatch) int { return cmp.Compare(a.Video, b.Video) })
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("query %d: index %v, brute force %v", n, got, want)
		}
		found += len(got)
	}
	if found < 50 {
		t.Errorf("only %d matches in all: the case tests too little", found)
	}
}
