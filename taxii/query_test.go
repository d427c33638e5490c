package taxii

import (
	"net/url"
	"testing"
	"time"

	"ctis"
)

func TestCursorRoundTrip(t *testing.T) {
	c := cursor{added: time.Date(2026, 3, 1, 9, 0, 1, 123_000_000, time.UTC), id: "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1"}
	got, err := decodeCursor(c.encode())
	if err != nil || !got.added.Equal(c.added) || got.id != c.id {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestPageOrder(t *testing.T) {
	at := func(s int) time.Time { return time.Date(2026, 3, 1, 9, 0, s, 0, time.UTC) }
	objs := []record{
		{ID: "identity--00000000-0000-5000-8000-000000000001", Type: "identity", SpecVersion: "2.1", added: at(1), version: at(1)},
		{ID: "identity--00000000-0000-5000-8000-000000000002", Type: "identity", SpecVersion: "2.1", added: at(1), version: at(1)},
		{ID: "threat-actor--00000000-0000-5000-8000-000000000003", Type: "threat-actor", SpecVersion: "2.1", added: at(2), version: at(2)},
	}
	f := filter{limit: 2}
	page, more := f.page(objs)
	if len(page) != 2 || !more {
		t.Fatalf("%v %v", page, more)
	}
	// The next page starts after the last object of this one, even
	// though it shares its date_added with the one before.
	f.next = &cursor{added: page[1].added, id: page[1].ID}
	page, more = f.page(objs)
	if len(page) != 1 || more || page[0].ID != objs[2].ID {
		t.Fatalf("%v %v", page, more)
	}
	f = filter{limit: 10, addedAfter: at(1)}
	if page, _ := f.page(objs); len(page) != 1 {
		t.Fatalf("added_after is exclusive: %v", page)
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
		"next=" + cursor{added: time.Unix(1e9, 0), id: "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1"}.encode(),
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
				if err != nil || back.id != flt.next.id || !back.added.Equal(flt.next.added) {
					t.Fatalf("%q: next does not round-trip: %v", raw, err)
				}
			}
			o := record{ID: "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1", Type: "identity", SpecVersion: "2.1", added: time.Unix(1e9, 0), version: time.Unix(1e9, 0)}
			flt.page([]record{o})
		}
	})
}
