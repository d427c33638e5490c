package hashindex

import (
	"math/rand/v2"
	"slices"
	"testing"

	"ctis/pdq"
)

// TestSearchIsBrute holds the index to a full scan: clustered and uniform
// hashes, many radii, hashes added one by one across segment merges,
// disabled and re-enabled, and an owner filter.
func TestSearchIsBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	seeds := Seeds(r, 50)
	x := NewPDQ(0)
	x.AddAll(Clustered(r, seeds, 70000, 40), make([]uint32, 70000))
	for i := range 9000 { // past two freezes of the open list into the delta
		h := Random(r)
		if i%2 == 0 {
			h = Perturb(r, seeds[r.IntN(len(seeds))], r.IntN(40))
		}
		x.Add(h, uint32(i%3))
	}
	for s := Slot(0); s < Slot(x.Len()); s += 7 {
		x.SetDisabled(s, true)
	}
	for s := Slot(0); s < Slot(x.Len()); s += 21 {
		x.SetDisabled(s, false)
	}
	if x.delta == nil || len(x.open) == 0 {
		t.Fatalf("the test should reach all three tiers: delta %v, open %d", x.delta != nil, len(x.open))
	}
	keep := func(owner uint32) bool { return owner != 1 }
	total := 0
	for _, radius := range []int{0, 8, 16, 31, 32, 47, 63} {
		var queries []pdq.Hash
		for range 8 {
			queries = append(queries, Perturb(r, seeds[r.IntN(len(seeds))], r.IntN(24)), Random(r))
		}
		queries = append(queries, x.Hash(Slot(r.IntN(x.Len()))))
		for _, k := range []func(uint32) bool{nil, keep} {
			got, want := x.Search(queries, radius, k), x.Brute(queries, radius, k)
			if !slices.Equal(got, want) {
				t.Fatalf("radius %d: index found %d matches, a full scan %d", radius, len(got), len(want))
			}
			total += len(want)
		}
	}
	if total < 1000 {
		t.Fatalf("only %d matches in all: the data should cluster", total)
	}
}

// TestSearchFindsAtRadius checks the edges: a hash exactly at the radius
// is found, one bit further is not.
func TestSearchFindsAtRadius(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := NewPDQ(0)
	var hs []pdq.Hash
	for range 70000 {
		hs = append(hs, Random(r))
	}
	x.AddAll(hs, make([]uint32, len(hs)))
	for _, radius := range []int{0, 1, 15, 31, 40, 63} {
		q := Perturb(r, hs[123], radius)
		got := x.Search([]pdq.Hash{q}, radius, nil)
		if len(got) != 1 || got[0].Slot != 123 || got[0].Distance != radius {
			t.Fatalf("radius %d: got %v", radius, got)
		}
		if got := x.Search([]pdq.Hash{q}, radius-1, nil); radius > 0 && len(got) != 0 {
			t.Fatalf("radius %d: a hash %d bits away was found at radius %d", radius, radius, radius-1)
		}
	}
}

func TestExact(t *testing.T) {
	x := NewExact()
	a := x.Add("k", 1)
	b := x.Add("k", 2)
	x.Add("other", 1)
	if got := x.Lookup("k", nil); !slices.Equal(got, []Slot{a, b}) {
		t.Fatalf("got %v", got)
	}
	x.SetDisabled(a, true)
	if got := x.Lookup("k", func(o uint32) bool { return o == 2 }); !slices.Equal(got, []Slot{b}) {
		t.Fatalf("got %v", got)
	}
	if got := x.Lookup("missing", nil); got != nil {
		t.Fatalf("got %v", got)
	}
}
