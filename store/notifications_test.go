package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
)

// TestNotifications follows what tells people that something needs them:
// a request sent, its steps, its reminders and lapse, a stale directory
// entry. Each is shown to the people of the agencies concerned who attend
// to its kind, and to nobody else; each queues one mail to each of them
// with an address, in the transaction of the change; a mail that fails
// waits and is tried again, and one sent is not sent again.
func TestNotifications(t *testing.T) {
	db, c, auth, entity := requestNode(t)
	user := func(name, agency string, role ctis.Role, email string) context.Context {
		t.Helper()
		u, _, err := db.CreateUser(system, ctis.NewUser{Username: name, Agency: agency, Roles: []ctis.Role{role}, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		return ctis.WithPurpose(ctis.NewContext(context.Background(), ctis.Identity{UserID: u.ID, Username: u.Username, Agency: agency, Roles: u.Roles}), "case 1")
	}
	frDesk := user("fr.desk", ctistest.FR, ctis.RoleAnalyst, "desk@dgsi.example")
	deDesk := user("de.desk", ctistest.DE, ctis.RoleAnalyst, "mla@bka.example")
	deQuiet := user("de.quiet", ctistest.DE, ctis.RoleAnalyst, "") // no address: shown, never mailed
	deBorder := user("de.border", ctistest.DE, ctis.RoleFrontline, "border@bka.example")
	jo := user("jo.desk", ctistest.JO, ctis.RoleAnalyst, "gid@gid.example")
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "bad.mail", Agency: ctistest.DE, Roles: []ctis.Role{ctis.RoleAnalyst}, Email: "x@y\r\nBcc: z@w.example"}); ctis.ErrorField(err) != "email" {
		t.Errorf("an address carrying a header: %v", err)
	}

	topics := func(ctx context.Context) (got []string, unread int) {
		t.Helper()
		list, n, err := db.Notifications(ctx, ctis.NotificationQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			got = append(got, string(x.Kind)+":"+x.Topic)
			if x.Link == "" || x.Ref == "" {
				t.Errorf("notification without its subject: %+v", x)
			}
		}
		slices.Sort(got)
		return got, n
	}
	want := func(label string, ctx context.Context, topicsWant ...string) {
		t.Helper()
		got, _ := topics(ctx)
		slices.Sort(topicsWant)
		if !slices.Equal(got, topicsWant) {
			t.Errorf("%s: %v, want %v", label, got, topicsWant)
		}
	}
	mails := func() map[string]int {
		t.Helper()
		due, err := db.PendingMail(system, 100)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, m := range due {
			out[m.To+" "+string(m.Kind)]++
		}
		return out
	}

	deadline := c.Now().Add(10 * 24 * time.Hour)
	r, err := db.CreateRequest(frDesk, ctis.NewRequest{Kind: ctis.KindMLA, Authority: auth.ID, LegalBasis: "bilateral treaty", Offence: "financing of terrorism",
		Description: "bank records", Entities: []string{entity}, Deadline: &deadline})
	if err != nil {
		t.Fatal(err)
	}
	want("a draft", deDesk)
	if _, err := db.TakeStep(frDesk, r.ID, ctis.Step{Action: ctis.ActionSend}); err != nil {
		t.Fatal(err)
	}
	want("DE-BKA's analyst, sent", deDesk, "request:send")
	want("DE-BKA's analyst without an address, sent", deQuiet, "request:send")
	want("DE-BKA's border officer", deBorder)
	want("the sender", frDesk)
	want("JO-GID", jo)
	if got := mails(); len(got) != 1 || got["mla@bka.example request"] != 1 {
		t.Errorf("mail queued: %v", got)
	}

	if _, err := db.TakeStep(deDesk, r.ID, ctis.Step{Action: ctis.ActionAcknowledge}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ShareRequest(deDesk, r.ID, ctistest.JO); err != nil {
		t.Fatal(err)
	}
	want("the sender, acknowledged", frDesk, "request:acknowledge")
	want("JO-GID, shown", jo, "request:share")

	// The clock: a week before the deadline, then past it.
	c.advance(4 * 24 * time.Hour)
	if _, err := db.SweepRequests(system); err != nil {
		t.Fatal(err)
	}
	c.advance(7 * 24 * time.Hour)
	if _, err := db.SweepRequests(system); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SweepRequests(system); err != nil {
		t.Fatal(err)
	}
	want("the sender, reminded", frDesk, "request:acknowledge", "reminder:deadline_near", "reminder:overdue")
	want("the receiver, reminded", deDesk, "request:send", "reminder:deadline_near", "reminder:overdue")
	want("JO-GID, added, is not reminded", jo, "request:share")

	// Read marks are each user's own; another agency's cannot be set.
	list, unread, err := db.Notifications(deDesk, ctis.NotificationQuery{})
	if err != nil || unread != 3 {
		t.Fatalf("unread %d, %v", unread, err)
	}
	if err := db.MarkRead(deDesk, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := db.Notifications(deDesk, ctis.NotificationQuery{}); n != 2 {
		t.Errorf("after one read: %d unread", n)
	}
	if _, n, _ := db.Notifications(deQuiet, ctis.NotificationQuery{}); n != 3 {
		t.Errorf("a colleague's read marks another's: %d unread", n)
	}
	if only, _, _ := db.Notifications(deDesk, ctis.NotificationQuery{Unread: true}); len(only) != 2 {
		t.Errorf("unread only: %+v", only)
	}
	if err := db.MarkRead(jo, list[0].ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("JO-GID marking DE-BKA's notification: %v", err)
	}

	// The outbox: a failure waits, then the mail goes once.
	due, err := db.PendingMail(system, 100)
	if err != nil || len(due) != 7 { // DE-BKA's desk 3, FR-DGSI's 3, JO-GID's 1
		t.Fatalf("pending mail: %d, %v", len(due), err)
	}
	if _, err := db.PendingMail(deDesk, 1); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("a user reading the outbox: %v", err)
	}
	for i, m := range due {
		var sendErr error
		if i == 0 {
			sendErr = errors.New("relay down")
		}
		if err := db.MailSent(system, m.ID, sendErr); err != nil {
			t.Fatal(err)
		}
	}
	if got := mails(); len(got) != 0 {
		t.Errorf("after sending, before the retry: %v", got)
	}
	c.advance(2 * time.Minute)
	if again, _ := db.PendingMail(system, 100); len(again) != 1 || again[0].ID != due[0].ID {
		t.Errorf("the retry: %+v", again)
	}

	// A directory entry not verified for a year is flagged to its agency,
	// once for each date it was last verified on.
	c.advance(400 * 24 * time.Hour)
	for range 2 {
		if _, err := db.FlagStaleAuthorities(system); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := db.FlagStaleAuthorities(as(ctistest.DE, ctis.RoleAdmin)); ctis.ErrorCode(err) != ctis.EFORBIDDEN || n != 0 {
		t.Errorf("a user running the directory's clock: %v", err)
	}
	got, _ := topics(deDesk)
	if stale := slices.IndexFunc(got, func(s string) bool { return s == "directory:"+auth.VerifiedOn }); stale < 0 || slices.Contains(got[stale+1:], got[stale]) {
		t.Errorf("DE-BKA after a year: %v", got)
	}
	want("FR-DGSI is not told of DE-BKA's entry", frDesk, "request:acknowledge", "reminder:deadline_near", "reminder:overdue")
}

// TestNotificationsOfAnotherAgencyHidden: a request sent to DE-BKA tells
// DE-BKA's analysts, and no other agency, nor DE-BKA's auditors or
// border officers, who do not attend to requests.
func TestNotificationsOfAnotherAgencyHidden(t *testing.T) {
	db, _, auth, _ := requestNode(t)
	r, err := db.CreateRequest(as(ctistest.FR, ctis.RoleAnalyst), ctis.NewRequest{Kind: ctis.KindSpontaneous, Authority: auth.ID,
		LegalBasis: "art. 7", Offence: "recruitment", Description: "for your information"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TakeStep(as(ctistest.FR, ctis.RoleAnalyst), r.ID, ctis.Step{Action: ctis.ActionSend}); err != nil {
		t.Fatal(err)
	}
	for i, who := range []context.Context{as(ctistest.JO, ctis.RoleAnalyst), as(ctistest.DE, ctis.RoleAuditor), as(ctistest.DE, ctis.RoleFrontline)} {
		if list, n, err := db.Notifications(who, ctis.NotificationQuery{}); err != nil || len(list) != 0 || n != 0 {
			t.Errorf("reader %d: %+v, %d, %v", i, list, n, err)
		}
	}
	if list, _, _ := db.Notifications(as(ctistest.DE, ctis.RoleAnalyst), ctis.NotificationQuery{}); len(list) != 1 {
		t.Errorf("DE-BKA's analyst: %+v", list)
	}
}
