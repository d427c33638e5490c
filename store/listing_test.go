package store_test

import (
	"context"
	"testing"
	"time"

	"ctis"
	"ctis/stix"
	"ctis/store"
)

// TestListing lists a scope by last change: each entity once, at its last
// change, references at their own; a change moves an entity to the end;
// a scope narrows; the UUIDs of STIX identifiers find entities.
func TestListing(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := openDB(t, store.Options{Now: func() time.Time { now = now.Add(1500 * time.Microsecond); return now }})
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "DE-BKA", "DE")
	fr, de := as("FR-DGSI", ctis.RoleAnalyst), as("DE-BKA", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll}
	org, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Organization", Statements: []ctis.NewStatement{{Property: "name", Value: "Front Test", Handling: all}}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Abu Listed", Handling: all},
		{Property: "memberOf", Value: org.ID, Handling: all},
	}})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.CreateEntity(fr, person("Abu Secret", ctis.Handling{Distribution: ctis.DistOriginator}))
	if err != nil {
		t.Fatal(err)
	}
	apart := []string{"memberOf"}
	read := func(ctx context.Context, q ctis.ListingQuery) []ctis.ListingItem {
		t.Helper()
		var out []ctis.ListingItem
		for {
			page, err := db.Listing(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				if page.Entities[it.Entity] == nil {
					t.Fatalf("item %+v without its entity", it)
				}
				if len(out) > 0 && it.Key.Compare(out[len(out)-1].Key) <= 0 {
					t.Fatalf("item %+v not after %+v", it, out[len(out)-1])
				}
				out = append(out, it)
				q.After = it.Key
			}
			if !page.More {
				return out
			}
		}
	}
	items := read(de, ctis.ListingQuery{Limit: 1, Apart: apart})
	// The organisation; the person's name and reference, listed as one
	// item since the reference is the person's last change. Without
	// memberOf apart, the person alone.
	if got := read(de, ctis.ListingQuery{Limit: 5}); len(got) != 2 || got[1].Reference != "" || !got[1].Latest {
		t.Fatalf("DE reads, nothing apart: %+v", got)
	}
	if len(items) != 2 || items[0].Entity != org.ID || !items[0].Latest ||
		items[1].Entity != a.ID || !items[1].Latest || items[1].Reference != a.Statements[1].ID {
		t.Fatalf("DE reads %+v", items)
	}
	// Where a handling is first used.
	before := func(key ctis.ListingKey, m ctis.HandlingMatch) bool {
		t.Helper()
		ok, err := db.ListedBefore(de, ctis.Scope{}, apart, key, m)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if before(items[0].Key, ctis.HandlingMatch{}) || !before(items[1].Key, ctis.HandlingMatch{}) {
		t.Error("the first item has something before it, or the second nothing")
	}
	st := a.Statements[1]
	if !before(items[1].Key, ctis.HandlingMatch{Handling: &st.Handling, Grading: st.Grading, ReviewBy: st.ReviewBy}) {
		t.Error("the organisation's handling is not used before the person")
	}
	if before(items[1].Key, ctis.HandlingMatch{Handling: &st.Handling, Grading: st.Grading, ReviewBy: "2099-01-01"}) {
		t.Error("another review date is used before the person")
	}
	if before(ctis.ListingKey{At: now.Add(time.Hour)}, ctis.HandlingMatch{Distributions: []ctis.Distribution{ctis.DistOriginator}}) {
		t.Error("DE is told of FR's own statement")
	}
	if got := read(fr, ctis.ListingQuery{Limit: 5, Apart: apart}); len(got) != 3 || got[2].Entity != secret.ID {
		t.Fatalf("FR reads %+v", got)
	}
	if got := read(fr, ctis.ListingQuery{Limit: 5, Scope: ctis.Scope{Distribution: ctis.DistOriginator}}); len(got) != 1 || got[0].Entity != secret.ID {
		t.Fatalf("FR's originator-only scope: %+v", got)
	}

	// A new statement on the organisation lists it again, last; the
	// person's reference stays where it was.
	if _, err := db.AddStatements(fr, org.ID, []ctis.NewStatement{{Property: "alias", Value: "FT", Handling: all}}); err != nil {
		t.Fatal(err)
	}
	since := read(de, ctis.ListingQuery{Limit: 5, Apart: apart, After: items[1].Key})
	if len(since) != 1 || since[0].Entity != org.ID || !since[0].Latest {
		t.Fatalf("after the change: %+v", since)
	}
	// Withdrawn, a statement moves its entity to the withdrawal.
	if _, err := db.WithdrawStatement(fr, a.Statements[0].ID, "wrong"); err != nil {
		t.Fatal(err)
	}
	since = read(de, ctis.ListingQuery{Limit: 5, Apart: apart, After: since[0].Key})
	if len(since) != 1 || since[0].Entity != a.ID || since[0].Reference != "" || !since[0].Key.At.After(items[1].Key.At) {
		t.Fatalf("after the withdrawal: %+v", since)
	}

	got := read(de, ctis.ListingQuery{Limit: 5, Apart: apart, EntityUUIDs: []string{stix.EntityUUID(a.ID), stix.EntityUUID(secret.ID)}})
	if len(got) != 2 || got[0].Entity != a.ID || got[0].Reference == "" || got[1].Entity != a.ID || !got[1].Latest {
		t.Fatalf("by UUID: %+v", got)
	}
	for _, bad := range []ctis.ListingQuery{{Limit: 0}, {Limit: ctis.MaxLimit + 1}, {Limit: 1, EntityUUIDs: []string{"x"}}, {Limit: 1, Apart: []string{"name"}}, {Limit: 1, Apart: []string{"x') OR 1=1 --"}}} {
		if _, err := db.Listing(de, bad); ctis.ErrorCode(err) != ctis.EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}

}
