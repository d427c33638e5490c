package store_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// clock is a store clock the test moves by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// requestNode is a seeded store on a clock of its own, with DE-BKA's
// central authority in the directory and a Person FR-DGSI may link.
func requestNode(t *testing.T) (*store.DB, *clock, *ctis.Authority, string) {
	t.Helper()
	c := &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	n := ctistest.SeededStore(t, engine, store.Options{Now: c.Now})
	auth, err := n.DB.CreateAuthority(as(ctistest.DE, ctis.RoleAnalyst), ctistest.NewAuthority("DE", ctis.InstrumentMLA, "2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := n.DB.CreateEntity(as(ctistest.FR, ctis.RoleAnalyst), person("Karim Belkacem Haddad", ctis.Handling{Distribution: ctis.DistAll}))
	if err != nil {
		t.Fatal(err)
	}
	return n.DB, c, auth, e.ID
}

// TestRequestLifecycle walks each kind of request through its states on
// a clock the test moves: reminders fire once each as the deadline nears
// and passes, a preservation lapses unless extended, a refusal needs its
// reason, and every step lands on the timeline and in the audit trail.
func TestRequestLifecycle(t *testing.T) {
	db, c, auth, entity := requestNode(t)
	fr, de := as(ctistest.FR, ctis.RoleAnalyst), as(ctistest.DE, ctis.RoleAnalyst)
	sweep := func() ctis.SweepReport {
		t.Helper()
		rep, err := db.SweepRequests(system)
		if err != nil {
			t.Fatal(err)
		}
		return *rep
	}
	create := func(kind ctis.RequestKind, deadline time.Duration) *ctis.Request {
		t.Helper()
		nr := ctis.NewRequest{Kind: kind, Authority: auth.ID, LegalBasis: "Budapest Convention", Offence: "terrorist financing",
			Description: "what is asked", Entities: []string{entity},
			Attachments: []ctis.Attachment{{Name: "request.pdf", SHA256: strings.Repeat("0f", 32), Size: 52114}}}
		if deadline > 0 {
			d := c.Now().Add(deadline)
			nr.Deadline = &d
		}
		r, err := db.CreateRequest(fr, nr)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return r
	}
	step := func(ctx context.Context, r *ctis.Request, s ctis.Step) *ctis.Request {
		t.Helper()
		got, err := db.TakeStep(ctx, r.ID, s)
		if err != nil {
			t.Fatalf("%s %s: %v", r.Kind, s.Action, err)
		}
		return got
	}
	reminders := func(r *ctis.Request) []string {
		t.Helper()
		got, err := db.Request(fr, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range got.Timeline {
			if s.Reminder != "" {
				out = append(out, s.Reminder)
			}
		}
		return out
	}

	for _, kind := range ctis.RequestKinds {
		if kind == ctis.KindPreservation {
			continue
		}
		t.Run(string(kind), func(t *testing.T) {
			var deadline time.Duration
			switch kind {
			case ctis.KindUrgent:
				deadline = 2 * 24 * time.Hour
			case ctis.KindSpontaneous:
			default:
				deadline = 20 * 24 * time.Hour
			}
			// The answered path, reminded as the deadline nears.
			r := create(kind, deadline)
			r = step(fr, r, ctis.Step{Action: ctis.ActionSend})
			r = step(de, r, ctis.Step{Action: ctis.ActionAcknowledge})
			if kind != ctis.KindSpontaneous {
				c.advance(deadline - ctis.ReminderBefore(kind)/2)
				if got := sweep(); got.Reminders != 1 {
					t.Errorf("deadline near: %+v", got)
				}
				sweep()
				if got := reminders(r); !reflect.DeepEqual(got, []string{ctis.ReminderDeadlineNear}) {
					t.Errorf("reminders %v", got)
				}
			}
			r = step(de, r, ctis.Step{Action: ctis.ActionStart})
			r = step(de, r, ctis.Step{Action: ctis.ActionAnswer, Note: "records attached",
				Attachments: []ctis.Attachment{{Name: "records.zip", SHA256: strings.Repeat("ab", 32), Size: 1 << 20}}})
			if r.State != ctis.StateAnswered || r.ClosedAt == nil || len(r.Attachments) != 2 || r.Attachments[1].Agency != ctistest.DE {
				t.Errorf("answered: %+v", r)
			}
			var actions []ctis.RequestAction
			for _, s := range r.Timeline {
				if s.Reminder == "" {
					actions = append(actions, s.Action)
				}
			}
			if want := []ctis.RequestAction{"create", "send", "acknowledge", "start", "answer"}; !reflect.DeepEqual(actions, want) {
				t.Errorf("timeline %v, want %v", actions, want)
			}

			// The overdue path: refused, with the reason it must give.
			r = create(kind, deadline)
			r = step(fr, r, ctis.Step{Action: ctis.ActionSend})
			if _, err := db.TakeStep(de, r.ID, ctis.Step{Action: ctis.ActionRefuse}); ctis.ErrorField(err) != "reason" {
				t.Errorf("refusal without reason: %v", err)
			}
			if kind != ctis.KindSpontaneous {
				c.advance(deadline + time.Hour)
				if got := sweep(); got.Reminders < 1 {
					t.Errorf("overdue: %+v", got)
				}
				sweep()
				if got := reminders(r); got[len(got)-1] != ctis.ReminderOverdue || strings.Count(strings.Join(got, " "), ctis.ReminderOverdue) != 1 {
					t.Errorf("reminders %v", got)
				}
			}
			r = step(de, r, ctis.Step{Action: ctis.ActionRefuse, Reason: "dual criminality not met"})
			if r.State != ctis.StateRefused || r.Reason != "dual criminality not met" || r.Overdue != (kind != ctis.KindSpontaneous) {
				t.Errorf("refused: %+v", r)
			}

			// The withdrawn path.
			r = create(kind, deadline)
			r = step(fr, r, ctis.Step{Action: ctis.ActionSend})
			r = step(fr, r, ctis.Step{Action: ctis.ActionWithdraw, Reason: "the suspect was arrested"})
			if r.State != ctis.StateWithdrawn {
				t.Errorf("withdrawn: %+v", r)
			}
			if _, err := db.TakeStep(de, r.ID, ctis.Step{Action: ctis.ActionAcknowledge}); ctis.ErrorCode(err) != ctis.ECONFLICT {
				t.Errorf("acknowledging a withdrawn request: %v", err)
			}
		})
	}

	t.Run("preservation", func(t *testing.T) {
		// Lapses: reminded a week ahead, expired by the clock at the end
		// of its period, and nothing can be done to it after.
		r := create(ctis.KindPreservation, 0)
		r = step(fr, r, ctis.Step{Action: ctis.ActionSend})
		if r.ExpiresAt == nil || !r.ExpiresAt.Equal(c.Now().Add(ctis.PreservationPeriod)) {
			t.Fatalf("expires at %v", r.ExpiresAt)
		}
		r = step(de, r, ctis.Step{Action: ctis.ActionAcknowledge})
		c.advance(ctis.PreservationPeriod - 24*time.Hour)
		sweep()
		if got := reminders(r); !reflect.DeepEqual(got, []string{ctis.ReminderExpiryNear}) {
			t.Errorf("reminders %v", got)
		}
		c.advance(25 * time.Hour)
		// Past its end and not yet swept, it takes no step.
		if _, err := db.TakeStep(fr, r.ID, ctis.Step{Action: ctis.ActionExtend}); ctis.ErrorCode(err) != ctis.ECONFLICT {
			t.Errorf("extending a lapsed preservation: %v", err)
		}
		if got := sweep(); got.Expired < 1 {
			t.Errorf("sweep %+v", got)
		}
		got, err := db.Request(de, r.ID)
		if err != nil || got.State != ctis.StateExpired || !got.ClosedAt.Equal(*r.ExpiresAt) {
			t.Fatalf("lapsed: %+v %v", got, err)
		}
		if _, err := db.TakeStep(de, r.ID, ctis.Step{Action: ctis.ActionAnswer}); ctis.ErrorCode(err) != ctis.ECONFLICT {
			t.Errorf("answering an expired request: %v", err)
		}

		// Extended before its end, it holds for another period, is
		// reminded again before the new end, and is answered.
		r = create(ctis.KindPreservation, 0)
		r = step(fr, r, ctis.Step{Action: ctis.ActionSend})
		c.advance(ctis.PreservationPeriod - time.Hour)
		sweep()
		r = step(fr, r, ctis.Step{Action: ctis.ActionExtend})
		if r.State != ctis.StateSent || !r.ExpiresAt.Equal(c.Now().Add(ctis.PreservationPeriod)) {
			t.Errorf("extended: %+v", r)
		}
		c.advance(2 * time.Hour)
		if got := sweep(); got.Expired != 0 {
			t.Errorf("an extended preservation lapsed: %+v", got)
		}
		c.advance(ctis.PreservationPeriod - 3*24*time.Hour)
		sweep()
		if got := reminders(r); !reflect.DeepEqual(got, []string{ctis.ReminderExpiryNear, ctis.ReminderExpiryNear}) {
			t.Errorf("reminders %v", got)
		}
		r = step(de, r, ctis.Step{Action: ctis.ActionAcknowledge})
		r = step(de, r, ctis.Step{Action: ctis.ActionAnswer, Note: "data preserved"})
		if r.State != ctis.StateAnswered {
			t.Errorf("answered: %+v", r)
		}
	})

	// Every step was audited, and the chain holds.
	rep, err := db.Verify(system, nil)
	if err != nil || !rep.OK {
		t.Fatalf("audit: %+v %v", rep, err)
	}
	page, err := db.Events(as(ctistest.DE, ctis.RoleAuditor), ctis.AuditFilter{Action: ctis.ActRequestStep, Limit: ctis.MaxLimit})
	if err != nil || len(page.Events) == 0 {
		t.Fatalf("DE-BKA's auditors see %d request steps (%v)", len(page.Events), err)
	}
	figures, err := db.RequestFigures(system)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figures {
		want := 3
		if f.Kind == ctis.KindPreservation {
			want = 2
		}
		if f.Sent != want || f.Answered != 1 {
			t.Errorf("figures %+v", f)
		}
		if f.Kind == ctis.KindMLA && (f.AnsweredWithDeadline != 1 || f.AnsweredInTime != 1 || *f.ShareAnsweredInTime != 1 || f.MedianHoursToAcknowledge == nil) {
			t.Errorf("figures %+v", f)
		}
	}
}

// TestRequestBadInput: unknown kinds, impossible deadlines, illegal state
// changes, oversized attachments and the like are refused with the field
// at fault, and change nothing: no request, no step, no audit event.
func TestRequestBadInput(t *testing.T) {
	db, c, auth, entity := requestNode(t)
	fr, de := as(ctistest.FR, ctis.RoleAnalyst), as(ctistest.DE, ctis.RoleAnalyst)
	week := c.Now().Add(7 * 24 * time.Hour)
	past := c.Now().Add(-time.Minute)
	far := c.Now().Add(3 * 365 * 24 * time.Hour)
	good := func() ctis.NewRequest {
		d := week
		return ctis.NewRequest{Kind: ctis.KindMLA, Authority: auth.ID, LegalBasis: "treaty", Offence: "terrorism", Description: "records",
			Entities: []string{entity}, Deadline: &d}
	}
	r, err := db.CreateRequest(fr, good())
	if err != nil {
		t.Fatal(err)
	}
	events := func() int64 {
		rep, err := db.Verify(system, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Events
	}
	before := events()
	big := ctis.Attachment{Name: "dump.img", SHA256: strings.Repeat("ab", 32), Size: ctis.MaxAttachmentSize + 1}
	for _, c := range []struct {
		name, code, field string
		edit              func(*ctis.NewRequest)
	}{
		{"unknown kind", ctis.EINVALID, "kind", func(r *ctis.NewRequest) { r.Kind = "letter_rogatory" }},
		{"past deadline", ctis.EINVALID, "deadline", func(r *ctis.NewRequest) { r.Deadline = &past }},
		{"far deadline", ctis.EINVALID, "deadline", func(r *ctis.NewRequest) { r.Deadline = &far }},
		{"oversized attachment", ctis.EINVALID, "attachments[0].size", func(r *ctis.NewRequest) { r.Attachments = []ctis.Attachment{big} }},
		{"too many attachments", ctis.EINVALID, "attachments", func(r *ctis.NewRequest) {
			r.Attachments = make([]ctis.Attachment, ctis.MaxAttachments+1)
		}},
		{"unknown authority", ctis.EINVALID, "authority", func(r *ctis.NewRequest) { r.Authority = ctis.NewID() }},
		{"unknown entity", ctis.EINVALID, "entities[0]", func(r *ctis.NewRequest) { r.Entities = []string{ctis.NewID()} }},
	} {
		nr := good()
		c.edit(&nr)
		_, err := db.CreateRequest(fr, nr)
		if ctis.ErrorCode(err) != c.code || ctis.ErrorField(err) != c.field {
			t.Errorf("%s: %v, want %s at %s", c.name, err, c.code, c.field)
		}
	}
	// A request to an authority the sender keeps itself.
	own, err := db.CreateAuthority(fr, ctistest.NewAuthority("FR", ctis.InstrumentMLA, "2026-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	before = events()
	nr := good()
	nr.Authority = own.ID
	if _, err := db.CreateRequest(fr, nr); ctis.ErrorField(err) != "authority" {
		t.Errorf("request to its own agency: %v", err)
	}
	for _, c := range []struct {
		name  string
		ctx   context.Context
		step  ctis.Step
		code  string
		field string
	}{
		{"unknown action", fr, ctis.Step{Action: "approve"}, ctis.EINVALID, "action"},
		{"answer a draft", de, ctis.Step{Action: ctis.ActionAnswer}, ctis.ENOTFOUND, ""}, // a draft is the sender's alone
		{"sender answers", fr, ctis.Step{Action: ctis.ActionAnswer}, ctis.ECONFLICT, "action"},
		{"acknowledge a draft", fr, ctis.Step{Action: ctis.ActionAcknowledge}, ctis.ECONFLICT, "action"},
		{"extend an MLA", fr, ctis.Step{Action: ctis.ActionExtend}, ctis.EINVALID, "action"},
		{"expire by hand", fr, ctis.Step{Action: ctis.ActionExpire}, ctis.EINVALID, "action"},
		{"oversized attachment", fr, ctis.Step{Action: ctis.ActionSend, Attachments: []ctis.Attachment{big}}, ctis.EINVALID, "attachments[0].size"},
		{"frontline", as(ctistest.FR, ctis.RoleFrontline), ctis.Step{Action: ctis.ActionSend}, ctis.EFORBIDDEN, ""},
	} {
		_, err := db.TakeStep(c.ctx, r.ID, c.step)
		if ctis.ErrorCode(err) != c.code || ctis.ErrorField(err) != c.field || ctis.ErrorMessage(err) == "" {
			t.Errorf("%s: %v, want %s at %q", c.name, err, c.code, c.field)
		}
	}
	if _, err := db.TakeStep(fr, r.ID, ctis.Step{Action: ctis.ActionSend}); err != nil {
		t.Fatal(err)
	}
	before++
	for _, c := range []struct {
		name string
		ctx  context.Context
		step ctis.Step
		code string
	}{
		{"sender acknowledges", fr, ctis.Step{Action: ctis.ActionAcknowledge}, ctis.EFORBIDDEN},
		{"receiver withdraws", de, ctis.Step{Action: ctis.ActionWithdraw}, ctis.EFORBIDDEN},
		{"send again", fr, ctis.Step{Action: ctis.ActionSend}, ctis.ECONFLICT},
		{"refuse without reason", de, ctis.Step{Action: ctis.ActionRefuse}, ctis.EINVALID},
	} {
		if _, err := db.TakeStep(c.ctx, r.ID, c.step); ctis.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := db.ShareRequest(fr, r.ID, "XX-NONE"); ctis.ErrorField(err) != "agency" {
		t.Errorf("share with an unknown agency: %v", err)
	}
	if _, err := db.ShareRequest(fr, r.ID, ctistest.DE); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("share with the receiver: %v", err)
	}
	if got := events(); got != before {
		t.Errorf("refused input wrote %d audit events", got-before)
	}
	got, err := db.Request(fr, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != ctis.StateSent || len(got.Timeline) != 2 || len(got.Attachments) != 0 || len(got.Agencies) != 0 {
		t.Errorf("refused input changed the request: %+v", got)
	}
	list, err := db.Requests(fr, ctis.RequestQuery{})
	if err != nil || len(list) != 1 {
		t.Errorf("requests after refused input: %d, %v", len(list), err)
	}
	if _, err := db.Requests(fr, ctis.RequestQuery{Kind: "rogatory"}); ctis.ErrorField(err) != "kind" {
		t.Errorf("list by unknown kind: %v", err)
	}
}

// TestAuthorityDirectory: entries are searched by country, instrument
// and text, flagged stale a year after their last verification, changed
// and removed by their agency with every change audited, and a removed
// entry still names itself on the requests that went to it.
func TestAuthorityDirectory(t *testing.T) {
	db, c, auth, _ := requestNode(t)
	de := as(ctistest.DE, ctis.RoleAnalyst)
	fr := as(ctistest.FR, ctis.RoleAnalyst)
	network := ctistest.NewAuthority("DE", ctis.InstrumentNetwork247, "2026-02-01")
	network.Name = "BKA 24/7 contact point"
	if _, err := db.CreateAuthority(de, network); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAuthority(de, ctistest.NewAuthority("DE", ctis.InstrumentMLA, "2026-03-03")); ctis.ErrorField(err) != "verified_on" {
		t.Errorf("verified tomorrow: %v", err)
	}
	search := func(q ctis.AuthorityQuery) []string {
		t.Helper()
		list, err := db.Authorities(as(ctistest.JO, ctis.RoleFrontline), q)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range list {
			names = append(names, a.Name)
		}
		return names
	}
	if got := search(ctis.AuthorityQuery{Text: "24/7"}); len(got) != 1 || got[0] != "BKA 24/7 contact point" {
		t.Errorf("text search: %v", got)
	}
	if got := search(ctis.AuthorityQuery{Instrument: ctis.InstrumentMLA, Country: "de"}); len(got) != 1 {
		t.Errorf("by instrument and country: %v", got)
	}
	if got := search(ctis.AuthorityQuery{Stale: true}); len(got) != 0 {
		t.Errorf("stale today: %v", got)
	}
	c.advance(366 * 24 * time.Hour)
	if got := search(ctis.AuthorityQuery{Stale: true, Agency: ctistest.DE}); len(got) != 2 {
		t.Errorf("stale a year on: %v", got)
	}
	// Verified again, it is fresh.
	again := *auth
	again.VerifiedOn = c.Now().Format(time.DateOnly)
	if _, err := db.UpdateAuthority(de, again); err != nil {
		t.Fatal(err)
	}
	if got := search(ctis.AuthorityQuery{Stale: true}); len(got) != 1 || got[0] != "BKA 24/7 contact point" {
		t.Errorf("stale after verifying one: %v", got)
	}
	d := c.Now().Add(7 * 24 * time.Hour)
	r, err := db.CreateRequest(fr, ctis.NewRequest{Kind: ctis.KindMLA, Authority: auth.ID, LegalBasis: "treaty", Offence: "terrorism", Description: "records", Deadline: &d})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveAuthority(de, auth.ID); err != nil {
		t.Fatal(err)
	}
	if got := search(ctis.AuthorityQuery{Instrument: ctis.InstrumentMLA}); len(got) != 0 {
		t.Errorf("removed entry still listed: %v", got)
	}
	got, err := db.Request(fr, r.ID)
	if err != nil || got.Authority.ID != auth.ID || !got.Authority.Removed {
		t.Errorf("the request's authority after removal: %+v %v", got.Authority, err)
	}
	if _, err := db.CreateRequest(fr, ctis.NewRequest{Kind: ctis.KindMLA, Authority: auth.ID, LegalBasis: "treaty", Offence: "terrorism", Description: "records", Deadline: &d}); ctis.ErrorField(err) != "authority" {
		t.Errorf("request to a removed authority: %v", err)
	}
	page, err := db.Events(as(ctistest.DE, ctis.RoleAuditor), ctis.AuditFilter{Object: auth.ID, Limit: ctis.MaxLimit})
	if err != nil || len(page.Events) != 3 {
		t.Errorf("the entry's audit: %d events (%v), want create, update, remove", len(page.Events), err)
	}
}
