package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestProbeRuleCost: six nested comprehensions over ten numbers, a rule
// of under 200 characters that took a PNR from 0.018 s to 0.40 s, are
// refused when saved, naming the rule, its estimated cost and the bound;
// a rule analysts write is saved.
func TestProbeRuleCost(t *testing.T) {
	p := newProbeNode(t)
	expr := "true"
	for i := 5; i >= 0; i-- {
		expr = fmt.Sprintf("[0,1,2,3,4,5,6,7,8,9].all(%c, %s)", 'a'+i, expr)
	}
	r := p.API(t, "analyst.fr", "POST", "/api/v1/rules", map[string]any{"name": "six loops", "expression": expr, "score": 0.4}).Want(t, http.StatusBadRequest)
	for _, want := range []string{`rule \"six loops\" costs up to 4555551`, "at most 10000 is allowed"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("reply %s, want %s", r.Body, want)
		}
	}
	var list struct{ Rules []any }
	p.API(t, "analyst.fr", "GET", "/api/v1/rules", nil).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Rules) != 0 {
		t.Errorf("a refused rule was stored: %+v", list.Rules)
	}
	p.API(t, "analyst.fr", "POST", "/api/v1/rules", map[string]any{"name": "via Amman, one way",
		"expression": `one_way && route.exists(a, a in ["AMM", "BEY"])`, "score": 0.4}).Want(t, http.StatusCreated)
}
