package manifest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ctis"
	"ctis/manifest"
	"ctis/paxlst"
	"ctis/rules"
)

// TestRuleOverCost: a manifest of thousands of legs makes a rule that was
// accepted for a booking's route go over its cost. That rule is stopped
// and named in the warnings; the traveller is still screened and referred
// by the other rule.
func TestRuleOverCost(t *testing.T) {
	m := &paxlst.Manifest{Travellers: []paxlst.Traveller{{Role: "FL", Surname: "SMITH", GivenNames: "JO"}}}
	for i := range 3000 {
		m.Legs = append(m.Legs, paxlst.Leg{Carrier: "ZZ", Flight: "ZZ1", From: fmt.Sprintf("A%04d", i), To: fmt.Sprintf("A%04d", i+1), Departure: "2026-11-21T09:00"})
	}
	var active []*rules.Compiled
	for _, r := range []ctis.Rule{
		{ID: "twice", Version: 1, Name: "an airport twice", Expression: `route.exists(a, route.exists(b, a == b && a == "XXX"))`, Score: 0.5},
		{ID: "oneway", Version: 1, Name: "one way", Expression: `one_way`, Score: 0.3},
	} {
		c, err := rules.Compile(r)
		if err != nil {
			t.Fatal(err)
		}
		active = append(active, c)
	}
	res, err := manifest.Screen(context.Background(), &echo{}, nil, active, m)
	if err != nil {
		t.Fatal(err)
	}
	if refs := res.Travellers[0].Referrals; len(refs) != 1 || refs[0].RuleID != "oneway" {
		t.Errorf("referrals %+v", refs)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `traveller 1: rule "an airport twice" (twice v1) was not evaluated`) ||
		!strings.Contains(res.Warnings[0], "cost limit") {
		t.Errorf("warnings %q", res.Warnings)
	}
}
