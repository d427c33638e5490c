package rules_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/pnrgov"
	"ctis/rules"
)

// nested is n comprehensions over ten numbers, one inside the other: a
// rule of a few hundred characters that costs ten times more a level.
func nested(n int) string {
	e := "true"
	for i := n - 1; i >= 0; i-- {
		e = fmt.Sprintf("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].all(%c, %s)", 'a'+i, e)
	}
	return e
}

// TestCostRefused: six nested comprehensions, 190 characters and a
// million steps a traveller, are refused when the rule is compiled, with
// the rule's name, its estimated cost and the bound; the rules analysts
// write are far under it.
func TestCostRefused(t *testing.T) {
	for _, n := range []int{4, 5, 6} {
		_, err := rules.Compile(ctis.Rule{Name: "loops", Expression: nested(n), Score: 0.5})
		if ctis.ErrorCode(err) != ctis.EINVALID || !strings.Contains(err.Error(), `rule "loops" costs up to `) ||
			!strings.Contains(err.Error(), fmt.Sprintf("at most %d is allowed", rules.MaxCost)) {
			t.Errorf("%d nested: %v", n, err)
		}
	}
	_, err := rules.Compile(ctis.Rule{Name: "loops", Expression: nested(6), Score: 0.5})
	if want := `rule "loops" costs up to 4555551 to evaluate`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("six nested: %v, want %q", err, want)
	}
	for _, expr := range []string{
		nested(3),
		`route.exists(a, a in ["AMM", "BEY", "GZT"]) && destination != "AMM"`,
		`document_age_days >= 0 && document_age_days < 30 && "AMM" in route`,
		`route.exists(a, a.startsWith("A")) && payments.all(p, p in ["CA", "MS"])`,
		`route.exists(a, route.exists(b, a == b))`, // a route through an airport twice
	} {
		if c := compile(t, expr); c.Cost > rules.MaxCost {
			t.Errorf("%s: cost %d", expr, c.Cost)
		}
	}
	// Three routes nested is more than a booking's route is worth.
	if _, err := rules.Compile(ctis.Rule{Name: "x", Expression: `route.exists(a, route.exists(b, route.exists(c, a == b && b == c)))`, Score: 0.5}); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Errorf("three nested routes: %v", err)
	}
}

// TestCostLimitAtRuntime: a rule estimated for a route of MaxRoute
// airports meets one of thousands (a hostile message). Its evaluation is
// stopped at the cost limit and named in the error; the traveller is
// still referred by the other rules.
func TestCostLimitAtRuntime(t *testing.T) {
	loop := compile(t, `route.exists(a, route.exists(b, a == b && a == "XXX"))`)
	loop.Rule.Name, loop.Rule.ID = "airport twice", "loop"
	oneWay := compile(t, `one_way`)
	oneWay.Rule.ID = "oneway"
	f := rules.Facts{OneWay: true, DaysToDeparture: -1, DocumentAgeDays: -1}
	for i := range 3000 {
		f.Route = append(f.Route, fmt.Sprintf("A%04d", i))
	}
	start := time.Now()
	refs, err := rules.Refer([]*rules.Compiled{loop, oneWay}, f, "x")
	took := time.Since(start)
	var ee *rules.EvalError
	if !errors.As(err, &ee) || ee.Rule.ID != "loop" || !strings.Contains(err.Error(), `rule "airport twice"`) ||
		!strings.Contains(err.Error(), "cost limit exceeded") {
		t.Errorf("error %v", err)
	}
	if len(refs) != 1 || refs[0].RuleID != "oneway" {
		t.Errorf("referrals %+v", refs)
	}
	if took > rules.MaxEvalTime {
		t.Errorf("the runaway rule ran %v", took)
	}
	// Within the sizes it was estimated for, the rule runs to the end.
	f.Route = f.Route[:rules.MaxRoute]
	if _, err := loop.Eval(f); err != nil {
		t.Errorf("a route of %d: %v", rules.MaxRoute, err)
	}
}

// costliest is the costliest rule of a family just under MaxCost: every
// pair of airports of the route, each tested against k airports; and the
// last of those airports, which makes the rule test them all.
func costliest(tb testing.TB) (best *rules.Compiled, last string) {
	for k := 1; ; k++ {
		var alts []string
		for i := range k {
			alts = append(alts, fmt.Sprintf(`a == "X%02d"`, i))
		}
		expr := `route.all(a, route.all(b, a != b || ` + strings.Join(alts, " || ") + `))`
		c, err := rules.Compile(ctis.Rule{ID: "costly", Name: "costly", Expression: expr, Score: 0.5})
		if err != nil {
			if best == nil {
				tb.Fatal(err)
			}
			return best, last
		}
		best, last = c, fmt.Sprintf("X%02d", k-1)
	}
}

// BenchmarkCostliestRule times, per traveller, the costliest rule that is
// accepted: on the facts of a real PNR, where it stops early, and on a
// route as long as MaxRoute through one airport, the last it tests,
// which makes it do all it can.
//
//	go test -run '^$' -bench CostliestRule -count 10 ./rules/
func BenchmarkCostliestRule(b *testing.B) {
	c, last := costliest(b)
	in, err := os.Open("../pnrgov/testdata/02_gtas_pnrMessage_spec_example_DL324.edi")
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	ms, err := pnrgov.Parse(in)
	if err != nil {
		b.Fatal(err)
	}
	pnr := &ms[0].PNRs[0]
	real := rules.FactsOf(pnr, &pnr.Passengers[0])
	worst := real
	worst.Route = nil
	for range rules.MaxRoute {
		worst.Route = append(worst.Route, last)
	}
	for _, tt := range []struct {
		name string
		f    rules.Facts
	}{{"pnr", real}, {"worst", worst}} {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				start := time.Now()
				if ok, err := c.Eval(tt.f); err != nil || ok != (tt.name == "worst") {
					b.Fatal(ok, err, time.Since(start))
				}
			}
			b.ReportMetric(float64(c.Cost), "cost")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/pnr")
		})
	}
}
