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

// platform is the platform member of the referral tests.
const platform = "VIDEOHOST"

// referralNode is a seeded store on a clock of its own, with a platform
// member.
func referralNode(t *testing.T) (*store.DB, *clock, ctis.Services) {
	t.Helper()
	c := &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	n := ctistest.SeededStore(t, engine, store.Options{Now: c.Now})
	if _, err := n.DB.CreateAgency(system, ctis.Agency{Code: platform, Name: "Video hosting service", Country: "IE", Kind: "platform"}); err != nil {
		t.Fatal(err)
	}
	return n.DB, c, n.Services
}

func newReferral(basis ctis.ContentReferralBasis) ctis.NewContentReferral {
	return ctis.NewContentReferral{Platform: platform, Basis: basis, Type: ctis.HashURL, Content: "https://videohost.example/watch?v=attack",
		Labels:   ctis.HashLabels{Entity: "Islamic State", Behaviours: []ctis.Behaviour{"attack_footage"}, ContentType: "video"},
		Evidence: []ctis.Evidence{{Type: ctis.HashSHA256, Value: strings.Repeat("5e", 32)}, {Type: ctis.HashPDQ, Value: strings.Repeat("f0", 32)}},
		Note:     "the attack of 1 March, re-uploaded"}
}

// TestReferralLifecycle walks referrals under the terms of service and
// removal orders through every state on a clock the test moves: an
// order acted on within its hour, one acted on late after the clock
// flagged it, one contested and upheld (with a new hour), one contested
// and withdrawn; each step told to the other party, on the timeline and
// in the audit trail, and counted in the figures.
func TestReferralLifecycle(t *testing.T) {
	db, c, svc := referralNode(t)
	fr, vh := as(ctistest.FR, ctis.RoleAnalyst), as(platform, ctis.RoleAnalyst)
	refer := func(basis ctis.ContentReferralBasis) *ctis.ContentReferral {
		t.Helper()
		r, err := db.Refer(fr, newReferral(basis))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	act := func(ctx any, r *ctis.ContentReferral, action ctis.ContentReferralAction, reason string, want ctis.ContentReferralState) *ctis.ContentReferral {
		t.Helper()
		who := fr
		if ctx == "platform" {
			who = vh
		}
		out, err := db.ActOnReferral(who, r.ID, ctis.ContentReferralStep{Action: action, Reason: reason})
		if err != nil {
			t.Fatalf("%s %s: %v", r.State, action, err)
		}
		if out.State != want {
			t.Fatalf("%s %s: state %s, want %s", r.State, action, out.State, want)
		}
		return out
	}
	sweep := func() int {
		t.Helper()
		n, err := db.SweepReferrals(system)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Terms of service: acknowledged, then kept with the platform's
	// reason; no deadline.
	tos := refer(ctis.BasisTermsOfService)
	if tos.Deadline != nil || tos.State != ctis.ContentReferralSent || len(tos.Evidence) != 2 || tos.Content != "videohost.example/watch?v=attack" {
		t.Fatalf("referral %+v", tos)
	}
	if got := ctistest.NoticeRefs(t, svc, vh, ctis.NoticeReferral); !slices.Equal(got, []string{tos.ID}) {
		t.Errorf("platform told of %v", got)
	}
	c.advance(20 * time.Minute)
	tos = act("platform", tos, ctis.ContentReferralAcknowledge, "", ctis.ContentReferralAcknowledged)
	c.advance(2 * time.Hour)
	tos = act("platform", tos, ctis.ContentReferralKeep, "satire reporting on the attack, within our terms", ctis.ContentReferralKept)
	if tos.Reason == "" || tos.DecidedAt == nil || tos.ClosedAt == nil || tos.Overdue {
		t.Errorf("kept: %+v", tos)
	}
	if got := ctistest.NoticeRefs(t, svc, fr, ctis.NoticeReferral); !slices.Equal(got, []string{tos.ID}) {
		t.Errorf("referrer told of %v", got)
	}
	if _, err := db.ActOnReferral(vh, tos.ID, ctis.ContentReferralStep{Action: ctis.ContentReferralRemove}); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("acting on a kept referral: %v", err)
	}
	if _, err := tos.BankEntries(); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("kept content to a bank: %v", err)
	}

	// A removal order acted on within its hour.
	met := refer(ctis.BasisRemovalOrder)
	if met.Deadline == nil || !met.Deadline.Equal(c.Now().Add(time.Hour)) {
		t.Fatalf("order's deadline %v", met.Deadline)
	}
	c.advance(40 * time.Minute)
	met = act("platform", met, ctis.ContentReferralRemove, "", ctis.ContentReferralRemoved)
	if met.Overdue || met.AcknowledgedAt == nil {
		t.Errorf("removed in time: %+v", met)
	}
	if entries, err := met.BankEntries(); err != nil || len(entries) != 3 || entries[0].Type != ctis.HashURL || entries[0].Labels.Entity != "Islamic State" {
		t.Errorf("bank entries %+v, %v", entries, err)
	}

	// A removal order missed: the clock flags it once, both parties are
	// told, and the late removal counts against the deadline.
	missed := refer(ctis.BasisRemovalOrder)
	c.advance(30 * time.Minute)
	missed = act("platform", missed, ctis.ContentReferralAcknowledge, "", ctis.ContentReferralAcknowledged)
	if n := sweep(); n != 0 {
		t.Errorf("swept %d before the hour", n)
	}
	c.advance(31 * time.Minute)
	if n := sweep(); n != 1 {
		t.Errorf("swept %d after the hour, want 1", n)
	}
	if n := sweep(); n != 0 {
		t.Errorf("swept %d again, want none", n)
	}
	c.advance(10 * time.Minute)
	missed = act("platform", missed, ctis.ContentReferralGeoBlock, "disabled in the Union", ctis.ContentReferralGeoBlocked)
	if !missed.Overdue {
		t.Errorf("late geo-block not overdue: %+v", missed)
	}
	if i := slices.IndexFunc(missed.Timeline, func(e ctis.ContentReferralEvent) bool { return e.Reminder == ctis.ReminderOverdue }); i < 0 {
		t.Errorf("no overdue entry on the timeline: %+v", missed.Timeline)
	}

	// A removal order contested (the clock stops), upheld (a new hour),
	// then removed within it.
	upheld := refer(ctis.BasisRemovalOrder)
	c.advance(10 * time.Minute)
	if _, err := db.ActOnReferral(vh, upheld.ID, ctis.ContentReferralStep{Action: ctis.ContentReferralKeep, Reason: "not terrorist"}); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Errorf("keeping an order: %v", err)
	}
	upheld = act("platform", upheld, ctis.ContentReferralContest, "news reporting, exempt under article 1(3)", ctis.ContentReferralContested)
	if upheld.Deadline != nil {
		t.Errorf("contested order keeps its deadline %v", upheld.Deadline)
	}
	c.advance(3 * time.Hour)
	if n := sweep(); n != 0 {
		t.Errorf("swept %d contested orders", n)
	}
	if _, err := db.ActOnReferral(vh, upheld.ID, ctis.ContentReferralStep{Action: ctis.ContentReferralUphold, Reason: "x"}); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("platform upholding: %v", err)
	}
	upheld = act("referrer", upheld, ctis.ContentReferralUphold, "the footage is the perpetrator's own livestream", ctis.ContentReferralUpheld)
	if upheld.Deadline == nil || !upheld.Deadline.Equal(c.Now().Add(time.Hour)) || upheld.ContestOutcome != ctis.ContestUpheld {
		t.Errorf("upheld: %+v", upheld)
	}
	c.advance(20 * time.Minute)
	upheld = act("platform", upheld, ctis.ContentReferralRemove, "", ctis.ContentReferralRemoved)
	if upheld.Overdue {
		t.Errorf("removed within the new hour, but overdue")
	}

	// A removal order contested and withdrawn.
	dropped := refer(ctis.BasisRemovalOrder)
	dropped = act("platform", dropped, ctis.ContentReferralContest, "the URL shows a different video", ctis.ContentReferralContested)
	dropped = act("referrer", dropped, ctis.ContentReferralWithdraw, "wrong URL", ctis.ContentReferralWithdrawn)
	if dropped.ContestOutcome != ctis.ContestWithdrawn || dropped.Overdue {
		t.Errorf("withdrawn: %+v", dropped)
	}

	// Figures: five referrals to the platform this month; of the three
	// orders due, two were met.
	figures, err := db.ContentReferralFigures(fr, "2026-03", "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	if len(figures) != 1 {
		t.Fatalf("figures %+v", figures)
	}
	f := figures[0]
	if f.Platform != platform || f.Referrals != 5 || f.RemovalOrders != 4 || f.Removed != 2 || f.GeoBlocked != 1 || f.Kept != 1 || f.Withdrawn != 1 ||
		f.OrdersDue != 3 || f.OrdersInTime != 2 || f.Contests != 2 || f.ContestsUpheld != 1 || f.ContestsWithdrawn != 1 {
		t.Errorf("figures %+v", f)
	}

	// Every step of every referral is in the audit trail, under the
	// platform's oversight too.
	for _, r := range []*ctis.ContentReferral{tos, met, missed, upheld, dropped} {
		page, err := db.Events(as(platform, ctis.RoleAuditor), ctis.AuditFilter{Object: r.ID, Limit: ctis.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) < len(r.Timeline) {
			t.Errorf("%s: %d audit events for %d timeline entries", r.ID, len(page.Events), len(r.Timeline))
		}
	}
}

// TestReferralBadInput refuses bad referrals and steps with a clear
// error and changes nothing.
func TestReferralBadInput(t *testing.T) {
	db, _, _ := referralNode(t)
	fr, vh := as(ctistest.FR, ctis.RoleAnalyst), as(platform, ctis.RoleAnalyst)
	count := func() int {
		t.Helper()
		list, err := db.ContentReferrals(fr, ctis.ContentReferralQuery{})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	bad := []struct {
		name string
		edit func(*ctis.NewContentReferral)
		code string
	}{
		{"not a platform", func(r *ctis.NewContentReferral) { r.Platform = ctistest.DE }, ctis.EINVALID},
		{"unknown platform", func(r *ctis.NewContentReferral) { r.Platform = "NOBODY" }, ctis.EINVALID},
		{"own agency", func(r *ctis.NewContentReferral) { r.Platform = ctistest.FR }, ctis.EINVALID},
		{"oversized evidence", func(r *ctis.NewContentReferral) {
			r.Evidence = slices.Repeat([]ctis.Evidence{{Type: ctis.HashMD5, Value: strings.Repeat("a", 32)}}, ctis.MaxContentReferralEvidence+1)
		}, ctis.ETOOLARGE},
		{"hostile URL", func(r *ctis.NewContentReferral) { r.Content = "javascript:fetch('//evil')" }, ctis.EINVALID},
		{"hostile note", func(r *ctis.NewContentReferral) { r.Note = "\x1b[2J\u202e" }, ctis.EINVALID},
		{"unknown basis", func(r *ctis.NewContentReferral) { r.Basis = "please" }, ctis.EINVALID},
	}
	for _, c := range bad {
		nr := newReferral(ctis.BasisRemovalOrder)
		c.edit(&nr)
		if _, err := db.Refer(fr, nr); ctis.ErrorCode(err) != c.code || ctis.ErrorMessage(err) == "" {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d referrals stored from bad input", n)
	}
	if _, err := db.Refer(as(ctistest.FR, ctis.RoleFrontline), newReferral(ctis.BasisRemovalOrder)); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("frontline referring: %v", err)
	}
	r, err := db.Refer(fr, newReferral(ctis.BasisTermsOfService))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		ctx  any
		step ctis.ContentReferralStep
		code string
	}{
		{vh, ctis.ContentReferralStep{Action: "erase"}, ctis.EINVALID},
		{vh, ctis.ContentReferralStep{Action: ""}, ctis.EINVALID},
		{vh, ctis.ContentReferralStep{Action: ctis.ContentReferralContest, Reason: "no"}, ctis.EINVALID},
		{vh, ctis.ContentReferralStep{Action: ctis.ContentReferralKeep}, ctis.EINVALID},
		{vh, ctis.ContentReferralStep{Action: ctis.ContentReferralWithdraw}, ctis.EFORBIDDEN},
		{fr, ctis.ContentReferralStep{Action: ctis.ContentReferralRemove}, ctis.EFORBIDDEN},
		{fr, ctis.ContentReferralStep{Action: ctis.ContentReferralUphold, Reason: "x"}, ctis.EINVALID},
		{vh, ctis.ContentReferralStep{Action: ctis.ContentReferralKeep, Reason: strings.Repeat("x", ctis.MaxContentReferralText+1)}, ctis.EINVALID},
	}
	for _, s := range steps {
		ctx := fr
		if s.ctx == vh {
			ctx = vh
		}
		if _, err := db.ActOnReferral(ctx, r.ID, s.step); ctis.ErrorCode(err) != s.code {
			t.Errorf("%+v: %v, want %s", s.step, err, s.code)
		}
	}
	after, err := db.ContentReferral(fr, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.State != ctis.ContentReferralSent || len(after.Timeline) != 1 || after.AcknowledgedAt != nil {
		t.Errorf("changed by refused steps: %+v", after)
	}
	for _, q := range []ctis.ContentReferralQuery{{State: "lost"}, {Basis: "x"}, {Role: "clock"}, {Limit: -1}} {
		if _, err := db.ContentReferrals(fr, q); ctis.ErrorCode(err) != ctis.EINVALID {
			t.Errorf("query %+v: %v", q, err)
		}
	}
	if _, err := db.ContentReferral(fr, "../../etc"); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("hostile ID: %v", err)
	}
	if _, err := db.SweepReferrals(fr); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("analyst running the clock: %v", err)
	}
}
