package rules_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ctis"
	"ctis/paxlst"
	"ctis/pnrgov"
	"ctis/rules"
	"ctis/store"
)

func compile(t testing.TB, expr string) *rules.Compiled {
	t.Helper()
	c, err := rules.Compile(ctis.Rule{ID: "r", Version: 1, Name: "test", Expression: expr, Score: 0.5})
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return c
}

// TestExampleRules: each kind of rule the issue names, on facts that
// meet it and facts that do not.
func TestExampleRules(t *testing.T) {
	base := rules.Facts{Route: []string{"IST", "AMM", "CDG"}, Origin: "IST", Destination: "CDG", DaysToDeparture: 30, Payments: []string{"CC"},
		OneWay: false, Alone: false, DocumentAgeDays: 2000}
	for _, tt := range []struct {
		name, expr string
		hit        func(*rules.Facts)
	}{
		{"route via listed airports", `route.exists(a, a in ["AMM", "BEY", "GZT"]) && destination != "AMM"`, func(f *rules.Facts) {}},
		{"booked late", `days_to_departure >= 0 && days_to_departure <= 3`, func(f *rules.Facts) { f.DaysToDeparture = 1 }},
		{"paid cash", `"CA" in payments`, func(f *rules.Facts) { f.Payments = []string{"CA"} }},
		{"one way", `one_way`, func(f *rules.Facts) { f.OneWay = true }},
		{"alone", `alone && one_way`, func(f *rules.Facts) { f.Alone, f.OneWay = true, true }},
		{"new document", `document_age_days >= 0 && document_age_days < 30`, func(f *rules.Facts) { f.DocumentAgeDays = 10 }},
	} {
		c := compile(t, tt.expr)
		hit := base
		tt.hit(&hit)
		if ok, err := c.Eval(hit); err != nil || !ok {
			t.Errorf("%s: %v %v on %+v", tt.name, ok, err, hit)
		}
		if tt.name == "route via listed airports" {
			miss := base
			miss.Route = []string{"IST", "CDG"}
			if ok, _ := c.Eval(miss); ok {
				t.Errorf("%s holds for a direct flight", tt.name)
			}
			continue
		}
		if ok, err := c.Eval(base); err != nil || ok {
			t.Errorf("%s holds for %+v", tt.name, base)
		}
	}
}

// TestSensitiveRefused: a rule that uses a sensitive characteristic, even
// beside others and whatever its spelling inside strings, is refused.
func TestSensitiveRefused(t *testing.T) {
	for expr, uses := range map[string]string{
		`nationality == "SY"`:                          "nationality",
		`one_way && (meal == "MOML" || gender == "M")`: "gender, meal",
		`alone && religion != ""`:                      "religion",
		`has(special_service.wheelchair)`:              "special_service",
	} {
		_, err := rules.Compile(ctis.Rule{Name: "x", Expression: expr, Score: 0.5})
		if err == nil || !strings.Contains(err.Error(), "sensitive characteristics; this one uses "+uses) {
			t.Errorf("%s: %v", expr, err)
		}
	}
	// The words inside a string are data, not a use.
	compile(t, `destination != "nationality"`)
	for _, bad := range []string{`route`, `days_to_departure +`, `unknown_fact`, ``} {
		if _, err := rules.Compile(ctis.Rule{Name: "x", Expression: bad, Score: 0.5}); ctis.ErrorCode(err) != ctis.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestFactsOfPNR derives the facts of a real PNRGOV booking.
func TestFactsOfPNR(t *testing.T) {
	f, err := os.Open("../pnrgov/testdata/02_gtas_pnrMessage_spec_example_DL324.edi")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := pnrgov.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	b := &ms[0].PNRs[0]
	got := rules.FactsOf(b, &b.Passengers[0])
	if strings.Join(got.Route, ">") != "LHR>JFK>YVR" || !got.OneWay || got.Alone || got.DaysToDeparture != 6 ||
		len(got.Payments) != 1 || got.Payments[0] != "CC" || got.Bags != 4 {
		t.Errorf("facts %+v", got)
	}
	refs, err := rules.Refer([]*rules.Compiled{compile(t, `one_way && "CC" in payments`), compile(t, `alone`)}, got, "JONATHON SMITHJR")
	if err != nil || len(refs) != 1 || refs[0].RuleVersion != 1 || refs[0].Subject != "JONATHON SMITHJR" {
		t.Errorf("referrals %+v %v", refs, err)
	}
}

// TestVersions keeps every version, refers by the version in force, and
// stores nothing of a refused rule.
func TestVersions(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ctis.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CreateAgency(ctis.NewContext(context.Background(), ctis.SystemIdentity("t")), ctis.Agency{Code: "FR-PIU", Name: "PIU", Country: "FR"}); err != nil {
		t.Fatal(err)
	}
	ctx := ctis.NewContext(context.Background(), ctis.Identity{Username: "analyst", Agency: "FR-PIU", Roles: []ctis.Role{ctis.RoleAnalyst}})
	svc := rules.Service{Store: db}
	v1, err := svc.SaveRule(ctx, ctis.Rule{Name: "booked late", Expression: `days_to_departure <= 3`, Score: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := svc.SaveRule(ctx, ctis.Rule{ID: v1.ID, Name: "booked late", Expression: `days_to_departure >= 0 && days_to_departure <= 2`, Score: 0.5})
	if err != nil || v2.Version != 2 || v2.ID != v1.ID {
		t.Fatalf("second version: %+v %v", v2, err)
	}
	if _, err := svc.SaveRule(ctx, ctis.Rule{ID: v1.ID, Name: "booked late", Expression: `nationality == "SY"`, Score: 0.5}); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Fatalf("a sensitive version: %v", err)
	}
	versions, err := svc.RuleVersions(ctx, v1.ID)
	if err != nil || len(versions) != 2 || versions[0].Version != 2 || versions[1].Expression != `days_to_departure <= 3` {
		t.Fatalf("versions %+v %v", versions, err)
	}
	active, err := svc.Active(ctx)
	if err != nil || len(active) != 1 {
		t.Fatalf("active %v %v", active, err)
	}
	refs, _ := rules.Refer(active, rules.Facts{DaysToDeparture: 1, DocumentAgeDays: -1}, "x")
	if len(refs) != 1 || refs[0].RuleVersion != 2 || refs[0].RuleID != v1.ID {
		t.Errorf("referral %+v", refs)
	}
	other := ctis.NewContext(context.Background(), ctis.Identity{Username: "a", Agency: "DE-PIU", Roles: []ctis.Role{ctis.RoleAnalyst}})
	if _, err := svc.RuleVersions(other, v1.ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("another agency reads the rule: %v", err)
	}
}

// TestFactsOfManifest derives an API traveller's facts: the route, and a
// passport issued ten days before departure.
func TestFactsOfManifest(t *testing.T) {
	m := &paxlst.Manifest{Legs: []paxlst.Leg{{Carrier: "ZZ", Flight: "ZZ1", From: "IST", To: "AMM", Departure: "2026-11-21T09:00"},
		{Carrier: "ZZ", Flight: "ZZ2", From: "AMM", To: "CDG", Departure: "2026-11-21T15:00"}}}
	tr := paxlst.Traveller{Documents: []paxlst.Document{{Type: "P", Number: "X1", Issued: "2026-11-11"}}}
	got := rules.FactsOfTraveller(m, &tr)
	if strings.Join(got.Route, ">") != "IST>AMM>CDG" || !got.OneWay || got.DocumentAgeDays != 10 || got.DaysToDeparture != -1 {
		t.Errorf("facts %+v", got)
	}
	if ok, _ := compile(t, `document_age_days >= 0 && document_age_days < 30 && "AMM" in route`).Eval(got); !ok {
		t.Error("a new passport via Amman is not referred")
	}
}
