package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// user returns a context acting as a named user of agency.
func user(agency, name string, roles ...ctis.Role) context.Context {
	id := ctis.Identity{UserID: agency + "/" + name, Username: name, Agency: agency, Roles: roles}
	return ctis.WithPurpose(ctis.NewContext(context.Background(), id), "PIU case 2026/88")
}

// travelStore opens a store at path, on the clock *now, with the
// passenger information units FR-PIU and DE-PIU: what the travel-data
// retention tests start from.
func travelStore(t *testing.T, now *time.Time) (*store.DB, string) {
	t.Helper()
	*now = time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	path := newStore(t)
	db, err := store.Open(context.Background(), path, store.Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	mustAgency(t, db, "FR-PIU", "FR")
	mustAgency(t, db, "DE-PIU", "DE")
	return db, path
}

func TestTravelRetention(t *testing.T) {
	var now time.Time
	db, path := travelStore(t, &now)
	var (
		analyst  = user("FR-PIU", "analyst", ctis.RoleAnalyst)
		selfish  = user("FR-PIU", "selfish", ctis.RoleAnalyst, ctis.RoleApprover)
		approver = user("FR-PIU", "approver", ctis.RoleApprover)
		dpo      = user("FR-PIU", "dpo", ctis.RoleDPO)
		border   = user("FR-PIU", "border", ctis.RoleFrontline)
		other    = user("DE-PIU", "analyst", ctis.RoleAnalyst)
		admin    = ctis.NewContext(context.Background(), ctis.SystemIdentity("retention"))
	)
	journey := ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-01-11T09:00", Document: "X1234567"}
	ids, err := db.ReceiveTravel(border, []ctis.NewTravelRecord{
		{Kind: ctis.TravelAPI, Reference: "M1", Journey: journey, Personal: ctis.TravelPersonal{Name: "Julio Xavier Martínez", BirthDate: "1968-02-23", Nationality: "ES"}},
		{Kind: ctis.TravelPNR, Reference: "P1", Locator: "ABC123", Journey: journey, Personal: ctis.TravelPersonal{Name: "Sorina Martinez", Address: "1 rue de la Paix, Paris",
			Contact: "+33 1 23 45 67 89", Payment: "VISA 4111", FrequentFlyer: "ZZ 998877", Remarks: "travels with JULIO", CoTravellers: []string{"Julio Xavier Martínez"}}},
	})
	if err != nil {
		t.Fatal(err)
	}

	// Whole at first, for the receiving agency only.
	found, err := db.SearchTravel(analyst, ctis.TravelQuery{Name: "martinez julio"})
	if err != nil || len(found) != 1 || found[0].Personal == nil || found[0].Personal.Document != "X1234567" || found[0].Journey.Document != "" {
		t.Fatalf("search: %v %+v", err, found)
	}
	if !found[0].MaskAt.Equal(now.AddDate(0, 6, 0)) || !found[0].DeleteAt.Equal(now.AddDate(5, 0, 0)) {
		t.Errorf("policy dates %v %v", found[0].MaskAt, found[0].DeleteAt)
	}
	if got, _ := db.SearchTravel(other, ctis.TravelQuery{Name: "martinez"}); len(got) != 0 {
		t.Errorf("another agency finds %+v", got)
	}
	if _, err := db.TravelRecord(other, ids[0]); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("another agency reads: %v", err)
	}
	if _, err := db.RequestUnmask(analyst, ids[0], "case 88"); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("unmasking a whole record: %v", err)
	}

	// A day short of six months nothing happens; at six months the
	// personal part is masked and names no longer find it.
	now = now.AddDate(0, 6, -1)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.Masked != 0 {
		t.Fatalf("early retention: %v %+v", err, rep)
	}
	now = now.AddDate(0, 0, 1)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.Masked != 2 || rep.Deleted != 0 {
		t.Fatalf("retention: %v %+v", err, rep)
	}
	if got, _ := db.SearchTravel(analyst, ctis.TravelQuery{Name: "julio"}); len(got) != 0 {
		t.Errorf("a masked name is found: %+v", got)
	}
	byFlight, err := db.SearchTravel(analyst, ctis.TravelQuery{Flight: "zz 123", Day: "2026-01-11"})
	if err != nil || len(byFlight) != 2 {
		t.Fatalf("by flight: %v %+v", err, byFlight)
	}
	for _, r := range byFlight {
		if !r.Masked || r.Personal != nil || r.Journey.Flight != "ZZ123" {
			t.Errorf("masked record shows %+v", r)
		}
	}
	exportShows := func(ctx context.Context) string {
		var b strings.Builder
		if err := db.ExportTravel(ctx, func(r ctis.TravelRecord) error {
			if r.Personal != nil {
				b.WriteString(r.Personal.Name + r.Personal.Document + r.Personal.Address + "|")
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if s := exportShows(analyst); s != "" {
		t.Errorf("export of masked records shows %q", s)
	}

	// Unmasking: asked with a reason, approved by a second person, who
	// may not be the one who asked; the DPO sees the approval.
	req, err := db.RequestUnmask(selfish, ids[0], "suspected facilitator, case 88")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideUnmask(selfish, req.ID, true, "urgent"); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("self-approval: %v", err)
	}
	if _, err := db.DecideUnmask(analyst, req.ID, true, "urgent"); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("approval without the approver role: %v", err)
	}
	if _, err := db.DecideUnmask(user("DE-PIU", "approver", ctis.RoleApprover), req.ID, true, "ok"); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("approval by another agency: %v", err)
	}
	if r, _ := db.TravelRecord(selfish, ids[0]); r.Personal != nil {
		t.Error("unmasked before approval")
	}
	if _, err := db.DecideUnmask(approver, req.ID, true, "proportionate for case 88"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideUnmask(approver, req.ID, false, "changed my mind"); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("deciding twice: %v", err)
	}
	told, err := db.UnmaskRequests(dpo, ctis.UnmaskApproved)
	if err != nil || len(told) != 1 || told[0].DecidedBy != "approver" || told[0].RequestedBy != "selfish" {
		t.Errorf("DPO is told %v %+v", err, told)
	}
	if r, _ := db.TravelRecord(selfish, ids[0]); r.Personal == nil || r.Personal.Name != "Julio Xavier Martínez" {
		t.Errorf("approved unmasking shows %+v", r)
	}
	if r, _ := db.TravelRecord(analyst, ids[0]); r.Personal != nil {
		t.Error("an unmasking shows the record to someone who did not ask")
	}
	if got, _ := db.SearchTravel(selfish, ctis.TravelQuery{Name: "julio"}); len(got) != 0 {
		t.Error("an unmasked record is searchable by name again")
	}
	now = now.Add(8 * 24 * time.Hour)
	if r, _ := db.TravelRecord(selfish, ids[0]); r.Personal != nil {
		t.Error("an unmasking does not lapse")
	}

	// At five years everything goes: records, personal parts, names and
	// requests; nothing is left to read or export.
	now = time.Date(2031, 1, 10, 9, 0, 0, 0, time.UTC)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.Deleted != 2 {
		t.Fatalf("deletion: %v %+v", err, rep)
	}
	if _, err := db.TravelRecord(analyst, ids[1]); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("deleted record reads: %v", err)
	}
	n := 0
	db.ExportTravel(analyst, func(ctis.TravelRecord) error { n++; return nil })
	if n != 0 {
		t.Errorf("export after deletion holds %d records", n)
	}
	raw := ctistest.RawStore(t, path)
	for _, table := range []string{"travel_records", "travel_personal", "travel_names", "unmask_requests"} {
		var left int
		if err := raw.QueryRow(`SELECT count(*) FROM ` + table).Scan(&left); err != nil || left != 0 {
			t.Errorf("%s: %d rows left (%v)", table, left, err)
		}
	}
	if _, err := db.ApplyRetention(analyst); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("retention by an analyst: %v", err)
	}
}

// TestReceiveTravelAllOrNothing: a message whose second traveller cannot
// be kept as sent (issue 11, item 2) is refused whole, the field named,
// and nothing of it is stored.
func TestReceiveTravelAllOrNothing(t *testing.T) {
	db, err := store.Open(context.Background(), newStore(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustAgency(t, db, "FR-PIU", "FR")
	analyst := user("FR-PIU", "analyst", ctis.RoleAnalyst)
	journey := ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-01-11T09:00"}
	good := ctis.NewTravelRecord{Kind: ctis.TravelAPI, Reference: "M1", Journey: journey, Personal: ctis.TravelPersonal{Name: "Julio Martinez"}}
	for _, c := range []struct {
		bad   func(*ctis.NewTravelRecord)
		field string
	}{
		{func(r *ctis.NewTravelRecord) { r.Personal.Name = strings.Repeat("N", 400) }, "records[1].personal.name"},
		{func(r *ctis.NewTravelRecord) { r.Personal.Name = strings.Repeat("N", 500_000) }, "records[1].personal.name"},
		{func(r *ctis.NewTravelRecord) { r.Personal.Name = "Jos\xe9 Martinez" }, "records[1].personal.name"},
		{func(r *ctis.NewTravelRecord) { r.Personal.Remarks = "meal \xff" }, "records[1].personal.remarks"},
		{func(r *ctis.NewTravelRecord) { r.Personal.CoTravellers = []string{"Ann Roe", strings.Repeat("N", 400)} }, "records[1].personal.co_travellers[1]"},
		{func(r *ctis.NewTravelRecord) { r.Journey.Flight = strings.Repeat("9", 200) }, "records[1].journey.flight"},
		{func(r *ctis.NewTravelRecord) { r.Kind = "fax" }, "records[1].kind"},
	} {
		bad := good
		bad.Personal.Name = "Ann Roe"
		c.bad(&bad)
		_, err := db.ReceiveTravel(analyst, []ctis.NewTravelRecord{good, bad})
		if ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) != c.field {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	found, err := db.SearchTravel(analyst, ctis.TravelQuery{Flight: "ZZ123"})
	if err != nil || len(found) != 0 {
		t.Fatalf("refused messages left %d records (%v)", len(found), err)
	}
	if _, err := db.ReceiveTravel(analyst, []ctis.NewTravelRecord{good}); err != nil {
		t.Fatal(err)
	}
	if found, _ := db.SearchTravel(analyst, ctis.TravelQuery{Flight: "ZZ123"}); len(found) != 1 {
		t.Fatalf("%d records", len(found))
	}
}

// TestReferralsFollowTheirRecord: a targeting rule's referral is queued
// in the write that keeps its travel record, or not at all; it is masked
// with the record, shown whole again only to the holder of an approved
// unmasking of the record, and deleted with it.
func TestReferralsFollowTheirRecord(t *testing.T) {
	var now time.Time
	db, path := travelStore(t, &now)
	var (
		analyst  = user("FR-PIU", "analyst", ctis.RoleAnalyst)
		asker    = user("FR-PIU", "asker", ctis.RoleAnalyst)
		approver = user("FR-PIU", "approver", ctis.RoleApprover)
		border   = user("FR-PIU", "border", ctis.RoleFrontline)
		admin    = ctis.NewContext(context.Background(), ctis.SystemIdentity("retention"))
	)
	journey := ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-01-11T09:00"}
	rule := ctis.Referral{RuleID: ctis.NewID(), RuleVersion: 3, RuleName: "cash, one way", Score: 0.5, Expression: `payment == "cash"`,
		Explanation: "paid in cash", Facts: map[string]any{"payment": "cash"}}
	record := ctis.NewTravelRecord{Kind: ctis.TravelPNR, Reference: "P1", Locator: "ABC123", Journey: journey,
		Personal: ctis.TravelPersonal{Name: "Sorina Martinez", Payment: "cash"},
		Referrals: []ctis.TravellerReferral{{Reference: "P1", Locator: "ABC123", Rule: rule,
			Traveller: ctis.Subject{Name: "Sorina Martinez", BirthDate: "1980-03-02", DocumentNumber: "X1234567", Journey: &journey}}}}
	queue := func(ctx context.Context) []ctis.TravellerReferral {
		t.Helper()
		page, err := db.Referrals(ctx, ctis.ReferralFilter{Status: ctis.HitOpen})
		if err != nil {
			t.Fatal(err)
		}
		return page.Referrals
	}

	// A message refused for its second traveller queues nothing of the
	// first's referral.
	bad := record
	bad.Personal.Name, bad.Referrals = strings.Repeat("N", 400), nil
	if _, err := db.ReceiveTravel(border, []ctis.NewTravelRecord{record, bad}); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Fatalf("a message with a bad record: %v", err)
	}
	if got := queue(analyst); len(got) != 0 {
		t.Fatalf("a refused message queued %+v", got)
	}

	ids, err := db.ReceiveTravel(border, []ctis.NewTravelRecord{record})
	if err != nil {
		t.Fatal(err)
	}
	got := queue(analyst)
	if len(got) != 1 || got[0].RecordID != ids[0] || got[0].Traveller.Name != "Sorina Martinez" || got[0].Rule.Facts["payment"] != "cash" || got[0].MaskedAt != nil {
		t.Fatalf("queued %+v", got)
	}
	refID := got[0].ID
	withheld := func(r ctis.TravellerReferral) bool {
		return r.MaskedAt != nil && r.Traveller.Name == "" && r.Traveller.BirthDate == "" && r.Traveller.DocumentNumber == "" &&
			r.Rule.Subject == "" && r.Rule.Explanation == "" && r.Rule.Facts == nil && r.Traveller.Journey != nil && r.Traveller.Journey.Flight == "ZZ123" &&
			r.Rule.RuleName == rule.RuleName
	}

	// At six months the referral is masked with its record: in the
	// queue, in the one-referral read and in a decision's answer.
	now = now.AddDate(0, 6, 0)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.Masked != 1 || rep.ReferralsMasked != 1 {
		t.Fatalf("retention: %v %+v", err, rep)
	}
	if got := queue(analyst); len(got) != 1 || !withheld(got[0]) {
		t.Errorf("masked referral in the queue: %+v", got)
	}
	if r, err := db.Referral(analyst, refID); err != nil || !withheld(*r) {
		t.Errorf("masked referral read: %+v %v", r, err)
	}

	// An approved unmasking of the record shows it whole to its asker
	// only.
	req, err := db.RequestUnmask(asker, ids[0], "case 88")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideUnmask(approver, req.ID, true, "proportionate"); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Referral(asker, refID); err != nil || r.Traveller.Name != "Sorina Martinez" || r.Rule.Facts["payment"] != "cash" {
		t.Errorf("unmasked referral: %+v %v", r, err)
	}
	if r, err := db.DecideReferral(analyst, refID, ctis.HitEscalated, "look again"); err != nil || !withheld(*r) {
		t.Errorf("a decision's answer to another user: %+v %v", r, err)
	}

	// At five years it goes with its record.
	now = time.Date(2031, 1, 10, 9, 0, 0, 0, time.UTC)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.Deleted != 1 || rep.ReferralsDeleted != 1 {
		t.Fatalf("deletion: %v %+v", err, rep)
	}
	if _, err := db.Referral(analyst, refID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("a deleted referral reads: %v", err)
	}
	var left int
	if err := ctistest.RawStore(t, path).QueryRow(`SELECT count(*) FROM rule_referrals`).Scan(&left); err != nil || left != 0 {
		t.Errorf("rule_referrals: %d rows left (%v)", left, err)
	}
}

// TestHitsOfTravellersFollowTheRetention: a hit of a traveller screened
// from travel data is masked at the records' masking age, for the
// screening agency and an agency it was escalated to alike, and deleted
// at their deletion age with the clearance it left; a hit of a subject
// screened otherwise is not travel data, and stays.
func TestHitsOfTravellersFollowTheRetention(t *testing.T) {
	var now time.Time
	db, path := travelStore(t, &now)
	var (
		analyst = user("FR-PIU", "analyst", ctis.RoleAnalyst)
		german  = user("DE-PIU", "analyst", ctis.RoleAnalyst)
		admin   = ctis.NewContext(context.Background(), ctis.SystemIdentity("retention"))
	)
	journey := &ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-01-11T09:00"}
	hit := func(entity string) ctis.Hit {
		return ctis.Hit{EntityID: entity, Schema: "Person", Score: 0.9, Matched: "Karim Hadad", Agencies: []string{"DE-PIU"}, Fingerprint: "f1",
			Explanation: []ctis.ScoreComponent{{Component: "name", Weight: 1, Score: 0.9, Detail: "Haddad ~ Hadad (one letter)"}},
			Sources:     []ctis.HitSource{{Originator: "DE-PIU", Handling: ctis.Handling{Distribution: ctis.DistAll}, Components: []string{"name"}}}}
	}
	traveller := ctis.Subject{Name: "Karim Haddad", BirthDate: "1980-03-02", DocumentNumber: "X1234567", Journey: journey}
	walkIn := ctis.Subject{Name: "Karim Haddad", BirthDate: "1980-03-02"}
	res, err := db.RecordScreenings(analyst, []ctis.Screening{
		{Subject: traveller, Hits: []ctis.Hit{hit("E1"), hit("E2")}},
		{Subject: walkIn, Hits: []ctis.Hit{hit("E3")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	cleared, escalated, kept := res[0].Hits[0].ID, res[0].Hits[1].ID, res[1].Hits[0].ID
	if _, err := db.Decide(analyst, cleared, ctis.HitFalsePositive, "another man"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Decide(analyst, escalated, ctis.HitEscalated, "DE to look"); err != nil {
		t.Fatal(err)
	}
	raw := ctistest.RawStore(t, path)
	count := func(q string) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count(`SELECT count(*) FROM clearances`) != 1 || count(`SELECT count(*) FROM hit_recipients`) != 1 {
		t.Fatal("the decisions left no clearance or no recipient")
	}
	masked := func(h *ctis.Hit) bool {
		return h.MaskedAt != nil && h.Subject.Name == "" && h.Subject.BirthDate == "" && h.Subject.DocumentNumber == "" &&
			h.Subject.Journey != nil && h.Subject.Journey.Flight == "ZZ123" && (len(h.Explanation) == 0 || h.Explanation[0].Detail == "")
	}

	now = now.AddDate(0, 6, -1)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.HitsMasked != 0 {
		t.Fatalf("early retention: %v %+v", err, rep)
	}
	now = now.AddDate(0, 0, 1)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.HitsMasked != 2 || rep.HitsDeleted != 0 {
		t.Fatalf("retention: %v %+v", err, rep)
	}
	for _, c := range []struct {
		ctx context.Context
		id  string
	}{{analyst, cleared}, {analyst, escalated}, {german, escalated}} {
		if h, err := db.Hit(c.ctx, c.id); err != nil || !masked(h) {
			t.Errorf("a masked hit reads %+v %v", h, err)
		}
	}
	page, err := db.Hits(analyst, ctis.HitFilter{})
	if err != nil || len(page.Hits) != 3 {
		t.Fatalf("queue: %+v %v", page, err)
	}
	for _, h := range page.Hits {
		if (h.ID == kept) == masked(&h) {
			t.Errorf("in the queue, hit %s masked %v", h.ID, masked(&h))
		}
	}
	if h, _ := db.Hit(analyst, kept); h.Subject.Name != "Karim Haddad" || h.Explanation[0].Detail == "" {
		t.Errorf("a walk-in's hit is masked: %+v", h)
	}
	if raw := count(`SELECT count(*) FROM hits WHERE subject LIKE '%Haddad%' OR explanation LIKE '%Haddad%'`); raw != 1 {
		t.Errorf("%d hits still hold the traveller's name", raw)
	}

	now = time.Date(2031, 1, 10, 9, 0, 0, 0, time.UTC)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.HitsDeleted != 2 {
		t.Fatalf("deletion: %v %+v", err, rep)
	}
	for _, c := range []struct {
		ctx context.Context
		id  string
	}{{analyst, cleared}, {analyst, escalated}, {german, escalated}} {
		if _, err := db.Hit(c.ctx, c.id); ctis.ErrorCode(err) != ctis.ENOTFOUND {
			t.Errorf("a deleted hit reads: %v", err)
		}
	}
	if _, err := db.Hit(analyst, kept); err != nil {
		t.Errorf("a walk-in's hit went: %v", err)
	}
	if n := count(`SELECT count(*) FROM clearances`) + count(`SELECT count(*) FROM hit_recipients`); n != 0 {
		t.Errorf("%d clearances and recipients outlive their hits", n)
	}
}

// TestRetentionAuditedForEachAgency: what the travel-data policy did to
// an agency's data is in that agency's audit trail, counted for it
// alone; the node's operator sees the whole; and what the review policy
// purged is in each originator's trail, its own statements only.
func TestRetentionAuditedForEachAgency(t *testing.T) {
	var now time.Time
	db, _ := travelStore(t, &now)
	admin := ctis.NewContext(context.Background(), ctis.SystemIdentity("retention"))
	journey := ctis.Journey{Carrier: "ZZ", Flight: "ZZ123", From: "IST", To: "CDG", Departure: "2026-01-11T09:00"}
	for agency, n := range map[string]int{"FR-PIU": 2, "DE-PIU": 1} {
		var records []ctis.NewTravelRecord
		for range n {
			records = append(records, ctis.NewTravelRecord{Kind: ctis.TravelAPI, Reference: "M1", Journey: journey, Personal: ctis.TravelPersonal{Name: "Ann Roe"}})
		}
		if _, err := db.ReceiveTravel(user(agency, "border", ctis.RoleFrontline), records); err != nil {
			t.Fatal(err)
		}
	}
	now = now.AddDate(0, 6, 0)
	if rep, err := db.ApplyRetention(admin); err != nil || rep.Masked != 3 {
		t.Fatalf("retention: %+v %v", rep, err)
	}
	retained := func(ctx context.Context) []map[string]any {
		t.Helper()
		page, err := db.Events(ctx, ctis.AuditFilter{Action: ctis.ActTravelRetained, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, e := range page.Events {
			var d map[string]any
			if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
		return out
	}
	for agency, n := range map[string]float64{"FR-PIU": 2, "DE-PIU": 1} {
		if got := retained(user(agency, "auditor", ctis.RoleAuditor)); len(got) != 1 || got[0]["masked"] != n {
			t.Errorf("%s's auditor sees %v, want one event of %v masked", agency, got, n)
		}
	}
	if got := retained(admin); len(got) != 3 || !slices.ContainsFunc(got, func(d map[string]any) bool { return d["masked"] == float64(3) }) {
		t.Errorf("the operator sees %v, want the whole and each agency's", got)
	}
}
