package taxii

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"ctis"
	"ctis/stix"
)

func TestCursorRoundTrip(t *testing.T) {
	c := cursor{key: ctis.ListingKey{At: time.Date(2026, 3, 1, 9, 0, 1, 123_456_789, time.UTC), Seq: 42}, rank: 3, id: "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1"}
	got, err := decodeCursor(c.encode())
	if err != nil || order(*got, c) != 0 || !got.key.At.Equal(c.key.At) {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{"", "eA", c.encode() + "x"} {
		if _, err := decodeCursor(bad); err == nil {
			t.Errorf("%q: read as a token", bad)
		}
	}
}

func TestOrder(t *testing.T) {
	at := func(ns int) ctis.ListingKey {
		return ctis.ListingKey{At: time.Date(2026, 3, 1, 9, 0, 0, ns, time.UTC), Seq: 7}
	}
	in := []position{
		{key: at(2), rank: 3, id: "identity--00000000-0000-5000-8000-000000000001"},
		{key: at(1), rank: 3, id: "threat-actor--00000000-0000-5000-8000-000000000003"},
		{key: at(1), rank: 2, id: "marking-definition--00000000-0000-5000-8000-000000000009"},
		{key: at(1), rank: 0, id: stix.Creator},
		{key: ctis.ListingKey{At: at(1).At, Seq: 8}, rank: 0, id: stix.Creator},
	}
	got := slices.Clone(in)
	slices.SortFunc(got, order)
	want := []position{in[3], in[2], in[1], in[4], in[0]}
	if !slices.Equal(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
}

// TestStart: a read resumes at its token's change, and added_after is
// exclusive to the millisecond, as date_added is written.
func TestStart(t *testing.T) {
	ms := time.Date(2026, 3, 1, 9, 0, 1, 123_000_000, time.UTC)
	k := ctis.ListingKey{At: ms.Add(456), Seq: 9}
	f := filter{next: &cursor{key: k, rank: 3}}
	if got := f.start(); got.Compare(k) >= 0 || got.Compare(ctis.ListingKey{At: k.At, Seq: 7}) <= 0 {
		t.Errorf("next: %+v", got)
	}
	f = filter{addedAfter: ms}
	got := f.start()
	if got.Compare(ctis.ListingKey{At: ms.Add(999_999), Seq: 1 << 62}) < 0 || got.Compare(ctis.ListingKey{At: ms.Add(time.Millisecond)}) >= 0 {
		t.Errorf("added_after: %+v", got)
	}
	if (&filter{}).start() != (ctis.ListingKey{}) {
		t.Error("no filter: not from the start")
	}
}

// FuzzParseFilter feeds query strings to the parser of TAXII parameters:
// it must never panic, and what it accepts must be within bounds and page
// again from the next token it gives.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"",
		"limit=2&added_after=2026-03-01T09:00:00.000Z",
		"match[id]=identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1,threat-actor--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1",
		"match[type]=identity,relationship&match[version]=first,last,2026-03-01T09:00:00Z&match[spec_version]=2.1",
		"next=" + cursor{key: ctis.ListingKey{At: time.Unix(1e9, 0), Seq: 3}, rank: 3, id: "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1"}.encode(),
		"limit=0", "limit=-1", "limit=99999999999999999999", "match[colour]=red", "next=%%", "added_after=2026-03-01T09:00:00+01:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		for _, allowed := range []params{objectsParams, objectParams, versionsParams} {
			flt, err := parseFilter(q, allowed)
			if err != nil {
				if ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) == "" {
					t.Fatalf("%q: %v", raw, err)
				}
				continue
			}
			if flt.limit < 1 || flt.limit > ctis.MaxLimit {
				t.Fatalf("%q: limit %d", raw, flt.limit)
			}
			if flt.next != nil {
				back, err := decodeCursor(flt.next.encode())
				if err != nil || order(*back, *flt.next) != 0 {
					t.Fatalf("%q: next does not round-trip: %v", raw, err)
				}
			}
			o := record{ID: "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1", Type: "identity", SpecVersion: "2.1", added: time.Unix(1e9, 0), version: time.Unix(1e9, 0)}
			flt.keeps(&o)
			flt.start()
		}
	})
}
