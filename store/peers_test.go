package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// peerA is a peer that speaks for FR-DGSI, whose statements for DE-BKA
// at node A go to DE-BKA here and those for its group western to the
// group western here.
func peerA() ctis.Peer {
	return ctis.Peer{Name: "node-a", URL: "https://node-a.example/taxii2/", Fingerprint: strings.Repeat("ab", 32),
		ClientCert: "/etc/ctis/b.crt", ClientKey: "/etc/ctis/b.key", TokenFile: "/etc/ctis/a.token",
		Agreement: ctis.Agreement{
			SpeaksFor: []ctis.Agency{{Code: "FR-DGSI", Name: "DGSI", Country: "FR", Kind: "security"}},
			Recipients: map[string][]string{
				"DE-BKA":        {"DE-BKA"},
				"group:western": {"group:western"},
			},
		}}
}

// peerNode is a store holding DE-BKA and JO-GID as its own agencies and a
// group western of DE-BKA alone.
func peerNode(t *testing.T) *store.DB {
	t.Helper()
	db := openDB(t, store.Options{})
	mustAgency(t, db, "DE-BKA", "DE")
	mustAgency(t, db, "JO-GID", "JO")
	if _, err := db.PutGroup(system, ctis.SharingGroup{Name: "western", Agencies: []string{"DE-BKA"}}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestPeers: a peer and its agreement are kept, listed, replaced and
// removed by the operator alone, each change audited; the agencies it
// speaks for are kept as agencies of its node, which have no users here
// and which no other peer, nor this node, may claim.
func TestPeers(t *testing.T) {
	db := peerNode(t)
	p := peerA()
	if _, err := db.PutPeer(as("DE-BKA", ctis.RoleAnalyst), p); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Fatalf("an analyst adds a peer: %v", err)
	}
	if _, err := db.PutPeer(system, p); err != nil {
		t.Fatal(err)
	}
	as, err := db.Agencies(system)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range as {
		if a.Code == "FR-DGSI" {
			found = a.Node == "node-a"
		}
	}
	if !found {
		t.Fatalf("FR-DGSI is not an agency of node-a: %+v", as)
	}
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "fr.here", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}); ctis.ErrorField(err) != "agency" {
		t.Fatalf("a user of a peer's agency: %v", err)
	}
	// Replaced: the new settings, the first creation time.
	p.URL = "https://node-a.example:8443/taxii2/"
	got, err := db.PutPeer(system, p)
	if err != nil {
		t.Fatal(err)
	}
	peers, err := db.Peers(system)
	if err != nil || len(peers) != 1 || peers[0].URL != p.URL || !peers[0].CreatedAt.Equal(got.CreatedAt) || len(peers[0].Agreement.Recipients) != 2 {
		t.Fatalf("peers %+v %v", peers, err)
	}
	bad := []struct {
		name  string
		edit  func(*ctis.Peer)
		field string
	}{
		{"own agency", func(p *ctis.Peer) { p.Agreement.SpeaksFor[0].Code = "DE-BKA" }, "agreement.speaks_for[0]"},
		{"another peer's agency", func(p *ctis.Peer) { p.Name = "node-c" }, "agreement.speaks_for[0]"},
		{"unknown recipient", func(p *ctis.Peer) { p.Agreement.Recipients["DE-BKA"] = []string{"XX-NONE"} }, "agreement.recipients.DE-BKA"},
		{"unknown group", func(p *ctis.Peer) { p.Agreement.Recipients["DE-BKA"] = []string{"group:nowhere"} }, "agreement.recipients.DE-BKA"},
		{"plain http", func(p *ctis.Peer) { p.URL = "http://node-a.example/taxii2/" }, "url"},
		{"short fingerprint", func(p *ctis.Peer) { p.Fingerprint = "abcd" }, "fingerprint"},
		{"no token file", func(p *ctis.Peer) { p.TokenFile = "" }, "token_file"},
		{"nobody spoken for", func(p *ctis.Peer) { p.Agreement.SpeaksFor = nil }, "agreement.speaks_for"},
	}
	for _, b := range bad {
		q := peerA()
		b.edit(&q)
		if _, err := db.PutPeer(system, q); ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) != b.field {
			t.Errorf("%s: %v, want invalid %s", b.name, err, b.field)
		}
	}
	if err := db.RemovePeer(system, "node-a"); err != nil {
		t.Fatal(err)
	}
	if err := db.RemovePeer(system, "node-a"); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Fatalf("removed twice: %v", err)
	}
	text := ctistest.AuditText(t, db, "DE-BKA")
	if strings.Count(text, ctis.ActPeerPut) != 2 {
		t.Errorf("the audit trail of DE-BKA, a recipient, does not show both changes of the agreement:\n%s", text)
	}
}

// TestApplyPeerPage: a page's statements are stored with their
// originator and their handling mapped through the agreement, never
// wider; a repeat adds nothing; a withdrawal is applied; a statement of
// an agency the peer does not speak for refuses the whole page, cursor
// included.
func TestApplyPeerPage(t *testing.T) {
	db := peerNode(t)
	if _, err := db.PutPeer(system, peerA()); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	st := func(id, name string, h ctis.Handling) ctis.Statement {
		return ctis.Statement{ID: id, Property: "name", Value: name, Originator: "FR-DGSI", Handling: h, Grading: "B2", RecordedAt: at}
	}
	ids := []string{ctis.NewID(), ctis.NewID(), ctis.NewID(), ctis.NewID(), ctis.NewID()}
	entity := ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{
		st(ids[0], "Abu Zqde", ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA", "NL-AIVD"}, Frontline: true}),
		st(ids[1], "Abu Zqwestern", ctis.Handling{Distribution: ctis.DistGroup, Group: "western"}),
		st(ids[2], "Abu Zqall", ctis.Handling{Distribution: ctis.DistAll, HitNotice: true}),
		st(ids[3], "Abu Zqunmapped", ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"NL-AIVD"}, HitNotice: true}),
	}}
	page := ctis.PeerPage{Peer: "node-a", Collection: "c1", Entities: []ctis.Entity{entity}, AddedLast: at}
	rep, err := db.ApplyPeerPage(system, page)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 4 {
		t.Fatalf("report %+v", rep)
	}
	if c, err := db.PeerCursor(system, "node-a", "c1"); err != nil || !c.Equal(at) {
		t.Fatalf("cursor %v %v", c, err)
	}
	de, err := db.Entity(as("DE-BKA", ctis.RoleAnalyst), entity.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]ctis.Statement{}
	for _, s := range de.Statements {
		got[s.ID] = s
	}
	if len(got) != 3 || got[ids[0]].Originator != "FR-DGSI" || got[ids[3]].ID != "" {
		t.Fatalf("DE-BKA sees %+v", de.Statements)
	}
	// NL-AIVD is no recipient here; "all" at node A is what A's
	// recipients map to here, never all of this node's members.
	if h := got[ids[0]].Handling; h.Distribution != ctis.DistAgencies || len(h.Agencies) != 1 || h.Agencies[0] != "DE-BKA" || !h.Frontline {
		t.Errorf("mapped handling %+v", h)
	}
	if h := got[ids[2]].Handling; h.Distribution != ctis.DistAgencies || strings.Join(h.Agencies, ",") != "DE-BKA" || !h.HitNotice {
		t.Errorf("all at node A maps to %+v", h)
	}
	if _, err := db.Entity(as("JO-GID", ctis.RoleAnalyst), entity.ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("JO-GID, no recipient, reads %v", err)
	}
	// JO-GID's search meets the hit notices only: contact FR-DGSI at node-a.
	res, err := db.Search(as("JO-GID", ctis.RoleAnalyst), ctis.SearchQuery{Name: "abu zqall"})
	if err != nil || len(res.Entities) != 0 || len(res.Notices) != 1 || res.Notices[0].Agency != "FR-DGSI" || res.Notices[0].Node != "node-a" {
		t.Fatalf("JO-GID's search: %+v %v", res, err)
	}

	// A hit on it in DE-BKA's queue, read by one of its frontline
	// officers, who may not see the statement: its notice names the node.
	src := got[ids[2]]
	if _, err := db.RecordScreenings(as("DE-BKA", ctis.RoleAnalyst), []ctis.Screening{{Subject: ctis.Subject{Name: "Abu Zqall"}, Hits: []ctis.Hit{{EntityID: entity.ID, Schema: "Person", Score: 0.9,
		Sources: []ctis.HitSource{{Originator: src.Originator, Handling: src.Handling, Components: []string{"name"}}}}}}}); err != nil {
		t.Fatal(err)
	}
	queue, err := db.Hits(as("DE-BKA", ctis.RoleFrontline), ctis.HitFilter{})
	if err != nil || len(queue.Hits) != 1 || !slices.Equal(queue.Hits[0].Notice, []string{"FR-DGSI at node node-a"}) || queue.Hits[0].EntityID != "" {
		t.Fatalf("the frontline officer's queue: %+v %v", queue, err)
	}

	// Again: nothing added. Then the withdrawal of one.
	if rep, err := db.ApplyPeerPage(system, page); err != nil || rep.Added != 0 || rep.Unchanged != 4 {
		t.Fatalf("repeat: %+v %v", rep, err)
	}
	entity.Statements[0].Withdrawn = &ctis.Withdrawal{At: at.Add(time.Hour), By: "someone.at.a", Reason: "wrong person"}
	if rep, err := db.ApplyPeerPage(system, ctis.PeerPage{Peer: "node-a", Collection: "c1", Entities: []ctis.Entity{entity}, AddedLast: at.Add(time.Hour)}); err != nil || rep.Withdrawn != 1 {
		t.Fatalf("withdrawal: %+v %v", rep, err)
	}
	res, err = db.Search(as("DE-BKA", ctis.RoleAnalyst), ctis.SearchQuery{Name: "abu zqde"})
	if err != nil || len(res.Entities) != 0 {
		t.Fatalf("a withdrawn statement matches: %+v %v", res, err)
	}
	// The entity comes again without its group statement: node A no
	// longer releases it here, and it is withdrawn here too.
	narrowed := entity
	narrowed.Statements = slices.Delete(slices.Clone(entity.Statements), 1, 2)
	if rep, err := db.ApplyPeerPage(system, ctis.PeerPage{Peer: "node-a", Collection: "c1", Entities: []ctis.Entity{narrowed}}); err != nil || rep.Withdrawn != 1 {
		t.Fatalf("a statement no longer released: %+v %v", rep, err)
	}
	e, err := db.Entity(as("DE-BKA", ctis.RoleAnalyst), entity.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range e.Statements {
		if s.ID == ids[1] && (s.Withdrawn == nil || s.Withdrawn.Reason != "no longer released to this node by node node-a") {
			t.Errorf("the statement no longer released: %+v", s)
		}
	}

	// A statement of an agency node-a does not speak for: nothing of the
	// page, cursor included, is stored.
	other := ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{st(ids[4], "Abu Zqnew", ctis.Handling{Distribution: ctis.DistAll})}}
	forged := ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{st(ctis.NewID(), "Abu Zqforged", ctis.Handling{Distribution: ctis.DistAll})}}
	forged.Statements[0].Originator = "JO-GID"
	_, err = db.ApplyPeerPage(system, ctis.PeerPage{Peer: "node-a", Collection: "c1", Entities: []ctis.Entity{other, forged}, AddedLast: at.Add(2 * time.Hour)})
	if ctis.ErrorCode(err) != ctis.EFORBIDDEN || !strings.Contains(err.Error(), "JO-GID") || !strings.Contains(err.Error(), "nothing of the page was stored") {
		t.Fatalf("forged originator: %v", err)
	}
	if _, err := db.Entity(as("DE-BKA", ctis.RoleAnalyst), other.ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("a statement of the refused page was stored: %v", err)
	}
	if c, _ := db.PeerCursor(system, "node-a", "c1"); !c.Equal(at.Add(time.Hour)) {
		t.Errorf("the cursor moved with a refused page: %v", c)
	}
	// The agreement narrowed: DE-BKA's statements are DE-BKA's no more
	// once pulled again, and the cursor starts over.
	narrower := peerA()
	delete(narrower.Agreement.Recipients, "DE-BKA")
	if _, err := db.PutPeer(system, narrower); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.PeerCursor(system, "node-a", "c1"); !c.IsZero() {
		t.Errorf("the cursor stays at %v under a new agreement", c)
	}
	if rep, err := db.ApplyPeerPage(system, ctis.PeerPage{Peer: "node-a", Collection: "c1", Entities: []ctis.Entity{narrowed}}); err != nil || rep.Remapped != 2 {
		t.Fatalf("remapped: %+v %v", rep, err)
	}
	if e, err := db.Entity(as("DE-BKA", ctis.RoleAnalyst), entity.ID); err != nil || slices.ContainsFunc(e.Statements, func(s ctis.Statement) bool { return s.ID == ids[0] }) {
		t.Errorf("DE-BKA reads %+v (%v)", e, err)
	}
	// A statement held here already under another entity is refused.
	moved := ctis.Entity{ID: ctis.NewID(), Schema: "Person", Statements: []ctis.Statement{entity.Statements[1]}}
	if _, err := db.ApplyPeerPage(system, ctis.PeerPage{Peer: "node-a", Collection: "c1", Entities: []ctis.Entity{moved}}); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Fatalf("a statement moved to another entity: %v", err)
	}
}
