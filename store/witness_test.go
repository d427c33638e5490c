package store_test

import (
	"strings"
	"testing"
	"time"

	"ctis"
)

// TestWitnessPeerHead: heads that extend the one witnessed are recorded;
// one that goes back, changes an event's hash, or whose previous event
// changed is an alarm, recorded, audited and shown with the peer, while
// the head witnessed stays the last good one. Malformed heads change
// nothing.
func TestWitnessPeerHead(t *testing.T) {
	db := peerNode(t)
	if _, err := db.PutPeer(system, peerA()); err != nil {
		t.Fatal(err)
	}
	hash := func(c string) string { return strings.Repeat(c, 64) }
	head := func(seq int64, h, prev string) ctis.PeerHead {
		return ctis.PeerHead{Peer: "node-a", AuditHead: ctis.AuditHead{Seq: seq, Hash: h}, Previous: prev}
	}
	for _, bad := range []ctis.PeerHead{head(-1, hash("a"), ""), head(1, "xyz", ""), head(1, hash("A"), ""), head(1, hash("a"), "short")} {
		if _, err := db.WitnessPeerHead(system, bad); ctis.ErrorCode(err) != ctis.EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := db.WitnessPeerHead(system, ctis.PeerHead{Peer: "node-x", AuditHead: ctis.AuditHead{Seq: 1, Hash: hash("a")}}); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("an unknown peer: %v", err)
	}
	if _, err := db.WitnessPeerHead(as("DE-BKA", ctis.RoleAnalyst), head(5, hash("a"), "")); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("an analyst: %v", err)
	}
	for _, c := range []struct {
		h     ctis.PeerHead
		alarm string
	}{
		{head(5, hash("a"), ""), ""},
		{head(5, hash("a"), ""), ""},
		{head(9, hash("b"), hash("a")), ""},
		{head(9, hash("c"), ""), "changed hash"},
		{head(7, hash("d"), ""), "went back"},
		{head(12, hash("e"), hash("f")), "rewritten"},
		{head(12, hash("e"), hash("b")), ""},
	} {
		alarm, err := db.WitnessPeerHead(system, c.h)
		if err != nil || (c.alarm == "") != (alarm == "") || !strings.Contains(alarm, c.alarm) {
			t.Errorf("%+v: alarm %q, %v; want %q", c.h, alarm, err, c.alarm)
		}
	}
	got, ok, err := db.PeerHead(system, "node-a")
	if err != nil || !ok || got.Seq != 12 || got.Hash != hash("e") {
		t.Errorf("witnessed %+v %v %v", got, ok, err)
	}
	ps, err := db.Peers(system)
	if err != nil || ps[0].Witnessed == nil || ps[0].Witnessed.Seq != 12 || !strings.Contains(ps[0].Alarm, "rewritten") {
		t.Errorf("listed %+v %v", ps, err)
	}
	page, err := db.Events(system, ctis.AuditFilter{Action: ctis.ActPeerAlarm, Limit: 10})
	if err != nil || len(page.Events) != 3 {
		t.Errorf("alarms audited: %+v %v", page, err)
	}
}

// TestReleasedChangedAfter: what a node tells its peers of is a change of
// its own agencies' statements released beyond their originator.
func TestReleasedChangedAfter(t *testing.T) {
	db := peerNode(t)
	de := as("DE-BKA", ctis.RoleAnalyst)
	start := time.Now().Add(-time.Second)
	changed := func() bool {
		t.Helper()
		ok, _, err := db.ReleasedChangedAfter(system, start)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if _, err := db.CreateEntity(de, person("Abu Own", ctis.Handling{Distribution: ctis.DistOriginator})); err != nil {
		t.Fatal(err)
	}
	if changed() {
		t.Error("a statement for its originator alone is told of")
	}
	e, err := db.CreateEntity(de, person("Abu Shared", ctis.Handling{Distribution: ctis.DistAll}))
	if err != nil {
		t.Fatal(err)
	}
	ok, at, err := db.ReleasedChangedAfter(system, start)
	if err != nil || !ok || !at.Equal(e.Statements[0].RecordedAt) {
		t.Fatalf("a shared statement: %v %v %v, recorded %v", ok, at, err, e.Statements[0].RecordedAt)
	}
	if ok, _, _ := db.ReleasedChangedAfter(system, at); ok {
		t.Error("a change told of again")
	}
	if _, _, err := db.ReleasedChangedAfter(de, start); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("an analyst asks: %v", err)
	}
}
