package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// seedAudit fills a store with a dozen events of several kinds and
// returns its address and the number of events.
func seedAudit(t *testing.T) (string, int64) {
	t.Helper()
	path := newStore(t)
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "DE-BKA", "DE")
	ctx := as("FR-DGSI", ctis.RoleAnalyst)
	for i := range 4 {
		e, err := db.CreateEntity(ctx, person(fmt.Sprintf("Person %d", i), ctis.Handling{Distribution: ctis.DistAll}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Entity(as("DE-BKA", ctis.RoleAnalyst), e.ID); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := db.Verify(system, nil)
	if err != nil || !rep.OK {
		t.Fatalf("untouched log: %+v, %v", rep, err)
	}
	return path, rep.Events
}

// tamper opens the store directly, as an intruder with access to the file
// or to the server as its superuser would, drops the append-only triggers
// and runs q.
func tamper(t *testing.T, path string, q ...string) {
	t.Helper()
	raw := ctistest.RawStore(t, path)
	defer raw.Close()
	drop := []string{dropTrigger("audit_events_no_update", "audit_events"), dropTrigger("audit_events_no_delete", "audit_events")}
	for _, s := range append(drop, q...) {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func verify(t *testing.T, path string) *ctis.AuditReport {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := db.Verify(system, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestAuditTamper edits, re-hashes, deletes and swaps each event in turn;
// verification must fail and name that event.
func TestAuditTamper(t *testing.T) {
	base, n := seedAudit(t)
	if n < 10 {
		t.Fatalf("only %d events", n)
	}
	cases := []struct {
		name string
		q    func(seq int64) []string
		// blamed is the event verification must name.
		blamed func(seq int64) int64
	}{
		{"edit", func(s int64) []string {
			return []string{fmt.Sprintf(`UPDATE audit_events SET purpose = 'nothing to see' WHERE seq = %d`, s)}
		}, func(s int64) int64 { return s }},
		{"edit and rehash", nil, func(s int64) int64 { return s }},
		{"delete", func(s int64) []string {
			return []string{fmt.Sprintf(`DELETE FROM audit_events WHERE seq = %d`, s)}
		}, func(s int64) int64 { return s }},
		{"swap with next", func(s int64) []string {
			return []string{
				fmt.Sprintf(`UPDATE audit_events SET seq = -1 WHERE seq = %d`, s),
				fmt.Sprintf(`UPDATE audit_events SET seq = %d WHERE seq = %d`, s, s+1),
				fmt.Sprintf(`UPDATE audit_events SET seq = %d WHERE seq = -1`, s+1),
			}
		}, func(s int64) int64 { return s }},
	}
	for _, c := range cases {
		for seq := int64(1); seq <= n; seq++ {
			if c.name == "swap with next" && seq == n {
				continue
			}
			t.Run(fmt.Sprintf("%s/%d", c.name, seq), func(t *testing.T) {
				path := copyDB(t, base)
				if c.q != nil {
					tamper(t, path, c.q(seq)...)
				} else {
					rehash(t, path, seq)
				}
				rep := verify(t, path)
				if rep.OK || rep.Broken == nil || rep.Broken.Seq != c.blamed(seq) {
					t.Fatalf("report %+v (broken %+v), want event %d named", rep, rep.Broken, c.blamed(seq))
				}
			})
		}
	}
}

// rehash edits an event and gives it a correct hash of its new content, as
// a careful intruder would.
func rehash(t *testing.T, path string, seq int64) {
	t.Helper()
	raw := ctistest.RawStore(t, path)
	var e ctis.AuditEvent
	var ns int64
	err := raw.QueryRow(`SELECT seq, time, user_id, username, agency, scope, action, object, purpose, detail, prev_hash FROM audit_events WHERE seq = `+strconv.FormatInt(seq, 10)).
		Scan(&e.Seq, &ns, &e.UserID, &e.Username, &e.Agency, &e.Scope, &e.Action, &e.Object, &e.Purpose, &e.Detail, &e.PrevHash)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	e.Time = timeOf(ns)
	e.Username = "someone-else"
	tamper(t, path, fmt.Sprintf(`UPDATE audit_events SET username = 'someone-else', hash = '%s' WHERE seq = %d`, e.ComputeHash(), seq))
}

// TestAuditAffectedScope: what an administrator of one agency does to
// another is in the other's audit scope too — users made, tokens issued
// and revoked, sharing groups joined and left — and in no third agency's;
// the chain verifies with the affected agencies in it.
func TestAuditAffectedScope(t *testing.T) {
	path := newStore(t)
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, a := range []string{"FR-DGSI", "JO-GID", "KZ-KNB", "INTERPOL"} {
		mustAgency(t, db, a, "FR")
	}
	admin := as("INTERPOL", ctis.RoleAdmin)
	u, _, err := db.CreateUser(admin, ctis.NewUser{Username: "analyst2.fr", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := db.CreateToken(admin, u.ID, "kiosk")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutGroup(admin, ctis.SharingGroup{Name: "euro-ct", Agencies: []string{"FR-DGSI", "INTERPOL"}}); err != nil {
		t.Fatal(err)
	}
	// FR-DGSI leaves, JO-GID joins: both are affected.
	if _, err := db.PutGroup(admin, ctis.SharingGroup{Name: "euro-ct", Agencies: []string{"JO-GID", "INTERPOL"}}); err != nil {
		t.Fatal(err)
	}
	actions := func(agency string) map[string]int {
		page, err := db.Events(as(agency, ctis.RoleAuditor), ctis.AuditFilter{Username: "INTERPOL.admin", Limit: ctis.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, e := range page.Events {
			n[e.Action]++
		}
		return n
	}
	for agency, want := range map[string]map[string]int{
		"FR-DGSI":  {ctis.ActUserCreate: 1, ctis.ActTokenCreate: 2, ctis.ActTokenRevoke: 1, ctis.ActGroupPut: 2},
		"JO-GID":   {ctis.ActGroupPut: 1},
		"KZ-KNB":   {},
		"INTERPOL": {ctis.ActUserCreate: 1, ctis.ActTokenCreate: 2, ctis.ActTokenRevoke: 1, ctis.ActGroupPut: 2},
	} {
		if got := actions(agency); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s's auditor sees the administrator's %v, want %v", agency, got, want)
		}
	}
	// The affected agencies are part of the event: taking one away, to
	// hide the event from that agency, breaks the chain.
	rep, err := db.Verify(system, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	page, err := db.Events(system, ctis.AuditFilter{Action: ctis.ActUserCreate, Username: "INTERPOL.admin"})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("user.create: %+v %v", page, err)
	}
	db.Close()
	seq := page.Events[0].Seq
	untouched := copyDB(t, path)
	tamper(t, path, fmt.Sprintf(`UPDATE audit_events SET affected = '' WHERE seq = %d`, seq))
	if rep := verify(t, path); rep.OK || rep.Broken.Seq != seq {
		t.Errorf("an event hidden from the agency it affects: %+v", rep)
	}
	// Nor can the index that auditors' scopes are read through lose it.
	tamper(t, untouched, dropTrigger("audit_affected_no_delete", "audit_affected"), fmt.Sprintf(`DELETE FROM audit_affected WHERE seq = %d`, seq))
	if rep := verify(t, untouched); rep.OK || rep.Broken.Seq != seq {
		t.Errorf("an event taken out of the affected index: %+v", rep)
	}
}
