package store_test

import (
	"testing"
	"time"

	"ctis"
	"ctis/store"
)

// A request key is claimed in the write's own commit, once: the same key
// again is refused and writes nothing; its answer is kept for its sender
// alone; the hourly retention lets it go after RequestKeyLifetime.
func TestRequestKeys(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db := openAt(t, newStore(t), store.Options{Now: func() time.Time { return at }})
	mustAgency(t, db, "DE-BKA", "DE")
	analyst := as("DE-BKA", ctis.RoleAnalyst)
	doc := document("K1234567", "DE", "", ctis.Handling{Distribution: ctis.DistAll})
	keyed := func() *ctis.RequestKey { return &ctis.RequestKey{Key: "k-1"} }

	k := keyed()
	if _, err := db.CreateEntity(ctis.WithRequestKey(analyst, k), doc); err != nil || !k.Claimed {
		t.Fatalf("first: %v, claimed %v", err, k.Claimed)
	}
	if a, done, err := db.Answer(analyst, "k-1"); err != nil || !done || a != nil {
		t.Fatalf("claimed, no answer kept: %v %v %v", a, done, err)
	}
	k2 := keyed()
	if _, err := db.CreateEntity(ctis.WithRequestKey(analyst, k2), doc); ctis.ErrorCode(err) != ctis.ECONFLICT || k2.Claimed {
		t.Fatalf("again: %v, claimed %v", err, k2.Claimed)
	}
	res, err := db.Search(analyst, ctis.SearchQuery{Property: "number", Value: "K1234567"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entities) != 1 {
		t.Fatalf("%d documents, want 1", len(res.Entities))
	}

	kept := ctis.KeptAnswer{Status: 201, Header: map[string]string{"Location": "/api/v1/entities/x"}, Body: []byte(`{"id":"x"}`)}
	if err := db.Keep(analyst, "k-1", kept); err != nil {
		t.Fatal(err)
	}
	if a, done, err := db.Answer(analyst, "k-1"); err != nil || !done || a == nil || a.Status != 201 || string(a.Body) != `{"id":"x"}` || a.Header["Location"] != "/api/v1/entities/x" {
		t.Fatalf("kept: %+v %v %v", a, done, err)
	}
	if _, done, _ := db.Answer(as("FR-DGSI", ctis.RoleAnalyst), "k-1"); done {
		t.Fatal("another user sees the key")
	}

	at = at.Add(ctis.RequestKeyLifetime + time.Minute)
	if _, done, _ := db.Answer(analyst, "k-1"); done {
		t.Fatal("a key past its lifetime still answers")
	}
	if _, err := db.ApplyRetention(system); err != nil {
		t.Fatal(err)
	}
	k3 := keyed()
	if _, err := db.CreateEntity(ctis.WithRequestKey(analyst, k3), doc); err != nil || !k3.Claimed {
		t.Fatalf("after the retention the key is free again: %v, claimed %v", err, k3.Claimed)
	}
}
