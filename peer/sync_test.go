package peer_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/peer"
	"ctis/stix"
)

const (
	fr = "FR-DGSI" // an agency of node A
	nl = "NL-AIVD" // another agency of node A
	de = "DE-BKA"  // an agency of node B, and B's account at A
	es = "ES-CNI"  // an agency of node B the agreement names nowhere, and C's account at B
)

// twoNodes is node A, whose FR-DGSI and NL-AIVD share with DE-BKA, and
// node B, DE-BKA's node, which pulls from A as DE-BKA under an agreement:
// A speaks for FR-DGSI and NL-AIVD; what A releases to DE-BKA goes to
// DE-BKA here, and what A releases to its group western to B's group
// western (DE-BKA alone).
func twoNodes(t *testing.T) (a, b *node, p ctis.Peer) {
	a, b = newNode(t, "node-a"), newNode(t, "node-b")
	a.agency(fr, "FR")
	a.agency(nl, "NL")
	a.agency(de, "DE")
	a.group("western", fr, de)
	b.agency(de, "DE")
	b.agency(es, "ES")
	b.group("western", de)
	a.serve(b)
	p = b.peerOf(a, de, ctis.Agreement{
		SpeaksFor:  []ctis.Agency{{Code: fr, Name: "DGSI", Country: "FR", Kind: "security"}, {Code: nl, Name: "AIVD", Country: "NL", Kind: "intelligence"}},
		Recipients: map[string][]string{de: {de}, "group:western": {"group:western"}},
	})
	return a, b, p
}

func person(t *testing.T, n *node, agency, name string, h ctis.Handling) *ctis.Entity {
	t.Helper()
	e, err := n.Entities.CreateEntity(ctistest.As(agency, ctis.RoleAnalyst), ctistest.Person(name, h))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func screen(t *testing.T, n *node, agency string, role ctis.Role, name string) *ctis.ScreenResult {
	t.Helper()
	res, err := n.Screener.Screen(ctistest.As(agency, role), ctis.Subject{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestTwoNodes is the two-node run on loopback: A shares with B under the
// agreement; B's analysts see what A released to them and B's frontline
// officers only the tearline; a hit notice of A tells B's screeners only
// whom to contact, at which node; A's withdrawal reaches B; a partition,
// before a pull and in the middle of one, then its healing, loses nothing
// and duplicates nothing.
func TestTwoNodes(t *testing.T) {
	a, b, p := twoNodes(t)
	toDE := ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{de}, HitNotice: true}
	analysts := person(t, a, fr, "Abu Zqanalyst al-Test", toDE)
	tearline := person(t, a, fr, "Abu Zqtearline al-Test", ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{de}, Frontline: true})
	group := person(t, a, fr, "Abu Zqgroup al-Test", ctis.Handling{Distribution: ctis.DistGroup, Group: "western"})
	secret := person(t, a, fr, "Abu Zqsecret al-Test", ctis.Handling{HitNotice: true})
	dutch := person(t, a, nl, "Abu Zqdutch al-Test", ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{fr}, HitNotice: true})
	org, err := a.Entities.CreateEntity(ctistest.As(fr, ctis.RoleAnalyst), ctis.NewEntity{Schema: "Organization",
		Statements: ctistest.Statements(ctis.Handling{Distribution: ctis.DistAll}, "name", "Zq Front")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Entities.AddStatements(ctistest.As(fr, ctis.RoleAnalyst), analysts.ID, ctistest.Statements(toDE, "memberOf", org.ID)); err != nil {
		t.Fatal(err)
	}

	rep := b.mustPull(p, 2)
	if rep.Added == 0 || rep.Pages < 2 {
		t.Fatalf("first pull: %+v", rep)
	}
	deAnalyst, deBorder := ctistest.As(de, ctis.RoleAnalyst), ctistest.As(de, ctis.RoleFrontline)
	// What DE-BKA sees at B is what DE-BKA sees at A, no more, no less.
	if got, want := b.statements(deAnalyst), a.statements(deAnalyst); !maps.Equal(got, want) {
		t.Fatalf("B shows DE-BKA %v, A shows it %v", got, want)
	}
	e, err := b.Entities.Entity(deAnalyst, analysts.ID)
	if err != nil || len(e.Statements) != 2 {
		t.Fatalf("B's analyst reads %+v %v", e, err)
	}
	for _, s := range e.Statements {
		if s.Originator != fr || s.Handling.Distribution != ctis.DistAgencies || strings.Join(s.Handling.Agencies, ",") != de || !s.Handling.HitNotice || s.Handling.Frontline {
			t.Errorf("kept as %s under %+v", s.Originator, s.Handling)
		}
	}
	for _, id := range []string{group.ID, tearline.ID, org.ID} {
		if _, err := b.Entities.Entity(deAnalyst, id); err != nil {
			t.Errorf("B's analyst: entity %s: %v", id, err)
		}
	}
	for _, id := range []string{secret.ID, dutch.ID} {
		if _, err := b.Entities.Entity(deAnalyst, id); ctis.ErrorCode(err) != ctis.ENOTFOUND {
			t.Errorf("B holds entity %s, never released to DE-BKA: %v", id, err)
		}
	}
	// The frontline officer sees the tearline only.
	if _, err := b.Entities.Entity(deBorder, tearline.ID); err != nil {
		t.Errorf("B's frontline officer, the tearline: %v", err)
	}
	for _, id := range []string{analysts.ID, group.ID} {
		if _, err := b.Entities.Entity(deBorder, id); ctis.ErrorCode(err) != ctis.ENOTFOUND {
			t.Errorf("B's frontline officer reads %s, not tearline: %v", id, err)
		}
	}
	if res := screen(t, b, de, ctis.RoleFrontline, "Abu Zqtearline al-Test"); len(res.Hits) != 1 {
		t.Errorf("B's screener, the tearline: %+v", res)
	}
	// A hit notice of A: B's screener learns whom to contact, at which
	// node, and nothing else; ES-CNI, no recipient, likewise.
	for _, who := range []struct {
		agency string
		role   ctis.Role
	}{{de, ctis.RoleFrontline}, {es, ctis.RoleAnalyst}, {es, ctis.RoleFrontline}} {
		res := screen(t, b, who.agency, who.role, "Abu Zqanalyst al-Test")
		if len(res.Hits) != 0 || len(res.Notices) != 1 || res.Notices[0].Agency != fr || res.Notices[0].Node != "node-a" || res.Notices[0].Reference == "" {
			t.Errorf("%s %s screens a hit-notice statement of A: %+v", who.agency, who.role, res)
		}
	}
	if res := screen(t, b, de, ctis.RoleFrontline, "Abu Zqsecret al-Test"); len(res.Hits)+len(res.Notices) != 0 {
		t.Errorf("a statement A kept to its originator shows at B: %+v", res)
	}
	if res := screen(t, b, de, ctis.RoleAnalyst, "Abu Zqanalyst al-Test"); len(res.Hits) != 1 {
		t.Errorf("B's analyst screens: %+v", res)
	}

	// Again: nothing new.
	if rep := b.mustPull(p, 2); rep.Added+rep.Withdrawn != 0 {
		t.Fatalf("a second pull changed %+v", rep)
	}

	// A's withdrawal disappears at B. (An hour on, so that what a pull
	// reads again before its cursor is this change alone.)
	a.tick(time.Hour)
	if _, err := a.Entities.WithdrawStatement(ctistest.As(fr, ctis.RoleAnalyst), analysts.Statements[0].ID, "not the same person"); err != nil {
		t.Fatal(err)
	}
	if rep := b.mustPull(p, 2); rep.Withdrawn != 1 || rep.Added != 0 {
		t.Fatalf("pull after the withdrawal: %+v", rep)
	}
	if res := screen(t, b, de, ctis.RoleAnalyst, "Abu Zqanalyst al-Test"); len(res.Hits)+len(res.Notices) != 0 {
		t.Errorf("a withdrawn statement still matches at B: %+v", res)
	}
	if res, err := b.Entities.Search(deAnalyst, ctis.SearchQuery{Name: "abu zqanalyst"}); err != nil || len(res.Entities) != 0 {
		t.Errorf("a withdrawn statement is still found at B: %+v %v", res, err)
	}

	// A partition: A is down, meanwhile it adds and withdraws.
	a.down.Store(true)
	if _, err := b.pull(p, 2); err == nil {
		t.Fatal("a pull from a node that is down succeeded")
	}
	// Minutes apart, beyond what a pull reads again before its cursor.
	var later []*ctis.Entity
	for _, name := range []string{"Abu Zqlater one", "Abu Zqlater two", "Abu Zqlater three", "Abu Zqlater four", "Abu Zqlater five"} {
		a.tick(2 * peer.Overlap)
		later = append(later, person(t, a, fr, name, ctis.Handling{Distribution: ctis.DistAll, Frontline: true}))
	}
	if _, err := a.Entities.WithdrawStatement(ctistest.As(fr, ctis.RoleAnalyst), tearline.Statements[0].ID, "arrested"); err != nil {
		t.Fatal(err)
	}
	// It comes back, and goes again in the middle of the next pull: the
	// pages stored stay stored.
	a.down.Store(false)
	a.failAfter.Store(10) // the audit head witnessed (2), discovery, API root, collections, then a few pages
	part, err := b.pull(p, 2)
	if err == nil {
		t.Fatalf("the pull cut in the middle succeeded: %+v", part)
	}
	a.down.Store(false)
	healed := b.mustPull(p, 2)
	if part.Added == 0 || healed.Added == 0 {
		t.Errorf("the cut did not fall in the middle of the new statements: %+v, then %+v", part, healed)
	}
	if part.Added+healed.Added != len(later) || part.Withdrawn+healed.Withdrawn != 1 {
		t.Errorf("across the partition: %+v then %+v, want %d added and 1 withdrawn", part, healed, len(later))
	}
	if got, want := b.statements(deAnalyst), a.statements(deAnalyst); !maps.Equal(got, want) {
		t.Fatalf("after the partition B shows DE-BKA %v, A shows it %v", got, want)
	}
	for _, e := range later {
		got, err := b.Entities.Entity(deBorder, e.ID)
		if err != nil || len(got.Statements) != 1 {
			t.Errorf("entity %s after the partition: %+v %v", e.ID, got, err)
		}
	}
	if res := screen(t, b, de, ctis.RoleFrontline, "Abu Zqtearline al-Test"); len(res.Hits) != 0 {
		t.Errorf("withdrawn during the partition, still a hit at B: %+v", res)
	}

	// B narrows its agreement: what A releases to DE-BKA no longer maps
	// to DE-BKA here. The next pull reads A from the start and narrows
	// what B holds; the group's statement stays as it was.
	p.Agreement.Recipients = map[string][]string{"group:western": {"group:western"}}
	p = *must(b.DB.PutPeer(ctistest.System, p))
	if rep := b.mustPull(p, 0); rep.Remapped == 0 || rep.Added != 0 {
		t.Fatalf("pull after narrowing the agreement: %+v", rep)
	}
	if _, err := b.Entities.Entity(deAnalyst, analysts.ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("released to DE-BKA at A, no longer mapped, still read at B: %v", err)
	}
	if _, err := b.Entities.Entity(deAnalyst, group.ID); err != nil {
		t.Errorf("the group's statement: %v", err)
	}
	// Released to all of A's members: now what A's one mapped recipient,
	// its group, maps to.
	if e, err := b.Entities.Entity(deBorder, later[0].ID); err != nil || e.Statements[0].Handling.Distribution != ctis.DistGroup || e.Statements[0].Handling.Group != "western" {
		t.Errorf("released to all of A's members, now: %+v %v", e, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestNoHopWidens: B cannot pass A's statements to a node C beyond A's
// distribution. C pulls from B as ES-CNI, an agency of B that A's
// agreement with B names nowhere, and gets nothing of A's, even what A
// released to all its members; B's analysts cannot pass A's statements on
// as their own either.
func TestNoHopWidens(t *testing.T) {
	a, b, p := twoNodes(t)
	c := newNode(t, "node-c")
	c.agency("IT-AISE", "IT")
	b.serve(c)
	all := person(t, a, fr, "Abu Zqall al-Test", ctis.Handling{Distribution: ctis.DistAll, Frontline: true, HitNotice: true})
	person(t, a, fr, "Abu Zqde al-Test", ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{de}, HitNotice: true})
	own := person(t, b, es, "Abu Zqspanish al-Test", ctis.Handling{Distribution: ctis.DistAll})
	b.mustPull(p, 0)
	// C's agreement with B would even take FR-DGSI's statements from B.
	pc := c.peerOf(b, es, ctis.Agreement{
		SpeaksFor: []ctis.Agency{{Code: es, Name: "CNI", Country: "ES", Kind: "intelligence"}, {Code: de, Name: "BKA", Country: "DE", Kind: "law_enforcement"},
			{Code: fr, Name: "DGSI", Country: "FR", Kind: "security"}},
		Recipients: map[string][]string{es: {"IT-AISE"}},
	})
	c.mustPull(pc, 0)
	got := c.statements(ctistest.As(es, ctis.RoleAnalyst))
	if len(got) != 1 || !maps.Equal(got, map[string]bool{own.Statements[0].ID: false}) {
		t.Fatalf("C holds %v, want only ES-CNI's own statement", got)
	}
	if _, err := c.Entities.Entity(ctistest.As("IT-AISE", ctis.RoleAnalyst), all.ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Fatalf("A's statement for all its members reached C: %v", err)
	}
	// B's analyst exports A's statements, and cannot import them again
	// as DE-BKA's own.
	var entities []ctis.Entity
	if err := b.Entities.Export(ctistest.As(de, ctis.RoleAnalyst), func(e *ctis.Entity) error { entities = append(entities, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := stix.NewEntities(entities, de); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Fatalf("B re-originates A's statements: %v", err)
	}
	// And the statements of A cannot be changed at B.
	if _, err := b.Entities.WithdrawStatement(ctistest.As(fr, ctis.RoleAnalyst), entities[0].Statements[0].ID, "x"); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Fatalf("a statement of A withdrawn at B: %v", err)
	}
}

// TestGroupChangesReachPeer: a sharing group of A that comes to hold B's
// account releases its statements to B at B's next pull, though they
// were recorded before B's cursor; one that no longer holds it takes them
// back at B's next reconciliation, which reads A's collection whole and
// withdraws what A no longer releases to B, relationships included. What
// DE-BKA sees at B is then what it sees at A.
func TestGroupChangesReachPeer(t *testing.T) {
	a, b := newNode(t, "node-a"), newNode(t, "node-b")
	a.agency(fr, "FR")
	a.agency(de, "DE")
	a.group("western", fr, de)
	a.group("eastern", fr)
	b.agency(de, "DE")
	b.group("western", de)
	a.serve(b)
	p := b.peerOf(a, de, ctis.Agreement{
		SpeaksFor:  []ctis.Agency{{Code: fr, Name: "DGSI", Country: "FR", Kind: "security"}},
		Recipients: map[string][]string{de: {de}, "group:western": {"group:western"}, "group:eastern": {de}},
	})
	western, eastern := ctis.Handling{Distribution: ctis.DistGroup, Group: "western"}, ctis.Handling{Distribution: ctis.DistGroup, Group: "eastern"}
	// Eastern's statement is older than B's cursor by more than a pull
	// reads again.
	east := person(t, a, fr, "Haroun Qorbani", eastern)
	a.tick(2 * peer.Overlap)
	// West's name is released to the frontline too.
	west := person(t, a, fr, "Abu Zqwest al-Test", ctis.Handling{Distribution: ctis.DistGroup, Group: "western", Frontline: true})
	org, err := a.Entities.CreateEntity(ctistest.As(fr, ctis.RoleAnalyst), ctis.NewEntity{Schema: "Organization",
		Statements: ctistest.Statements(ctis.Handling{Distribution: ctis.DistAll}, "name", "Zq Front")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Entities.AddStatements(ctistest.As(fr, ctis.RoleAnalyst), west.ID, ctistest.Statements(western, "memberOf", org.ID)); err != nil {
		t.Fatal(err)
	}
	deAnalyst := ctistest.As(de, ctis.RoleAnalyst)
	same := func(when string) {
		t.Helper()
		if got, want := b.statements(deAnalyst), a.statements(deAnalyst); !maps.Equal(got, want) {
			t.Fatalf("%s: B shows DE-BKA %v, A shows it %v", when, got, want)
		}
	}
	b.mustPull(p, 2)
	same("first pull")
	if _, err := b.Entities.Entity(deAnalyst, east.ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Fatalf("B holds a statement of a group without DE-BKA: %v", err)
	}

	// Widening: eastern takes DE-BKA in, an hour after B's last pull.
	a.tick(time.Hour)
	a.group("eastern", fr, de)
	if rep := b.mustPull(p, 2); rep.Added != 1 {
		t.Fatalf("the pull after eastern took DE-BKA in: %+v", rep)
	}
	same("after widening")
	if res := screen(t, b, de, ctis.RoleFrontline, "Abu Zqwest al-Test"); len(res.Hits) != 1 {
		t.Fatalf("B's frontline officer screens the tearline of western: %+v", res)
	}

	// Narrowing: western lets DE-BKA go. A pull cannot tell; the
	// reconciliation does, and withdraws the name and the membership.
	a.tick(time.Hour)
	a.group("western", fr)
	rep, err := b.reconcile(p, 2)
	if err != nil || rep.Withdrawn != 2 || rep.Added != 0 {
		t.Fatalf("reconciliation after western let DE-BKA go: %+v %v", rep, err)
	}
	same("after narrowing")
	for _, role := range []ctis.Role{ctis.RoleAnalyst, ctis.RoleFrontline} {
		if res := screen(t, b, de, role, "Abu Zqwest al-Test"); len(res.Hits)+len(res.Notices) != 0 {
			t.Errorf("a statement no longer released matches at B for DE-BKA's %s: %+v", role, res)
		}
	}
	// Once more, nothing to do.
	if rep, err := b.reconcile(p, 2); err != nil || rep.Withdrawn+rep.Added != 0 {
		t.Errorf("a second reconciliation: %+v %v", rep, err)
	}
}
