// Package rules evaluates targeting rules: expressions in CEL, the Common
// Expression Language, over the facts of a traveller's booking and
// journey (route, days between booking and departure, form of payment,
// one-way travel, travelling alone, a recently issued document). A rule
// that holds gives a referral for a person to look at — never a
// decision. Rules may not look at sensitive characteristics: a rule whose
// expression refers to them is refused when it is compiled.
package rules

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"

	"ctis"
	"ctis/paxlst"
	"ctis/pnrgov"
)

// Facts are what a rule may ask of a traveller. Sensitive facts are
// declared too, so that a rule naming them is refused with a reason
// rather than as an unknown name.
type Facts struct {
	Route           []string // airports in order, from the first departure to the last arrival
	Origin          string
	Destination     string
	Carrier         string
	DaysToDeparture int      // from booking to the first departure; -1 when unknown
	Payments        []string // forms of payment: CC card, CA cash, MS miscellaneous…
	OneWay          bool
	Alone           bool // the only passenger of the booking
	Bags            int
	// DocumentAgeDays is how long before departure the travel document
	// was issued; -1 when unknown.
	DocumentAgeDays int
}

// variables are the facts by their names in expressions.
var variables = []struct {
	name string
	typ  *cel.Type
}{
	{"route", cel.ListType(cel.StringType)},
	{"origin", cel.StringType},
	{"destination", cel.StringType},
	{"carrier", cel.StringType},
	{"days_to_departure", cel.IntType},
	{"payments", cel.ListType(cel.StringType)},
	{"one_way", cel.BoolType},
	{"alone", cel.BoolType},
	{"bags", cel.IntType},
	{"document_age_days", cel.IntType},
}

// Sensitive are the characteristics no rule may use: those of GDPR
// Art. 9 and EU PNR Directive Art. 6(4) — race or ethnic origin, political
// opinions, religion or beliefs, trade-union membership, health, sex life
// or orientation — and what stands for them in booking data: meal
// requests and special service requests reveal religion and health;
// nationality, sex and age are ruled out too, as the default policy
// forbids profiling by them.
var Sensitive = []string{"nationality", "gender", "sex", "age", "birth_date", "religion", "ethnicity", "race", "political_opinion",
	"trade_union", "health", "sex_life", "sexual_orientation", "meal", "special_service", "name"}

var env = func() *cel.Env {
	var opts []cel.EnvOption
	for _, v := range variables {
		opts = append(opts, cel.Variable(v.name, v.typ))
	}
	for _, s := range Sensitive {
		opts = append(opts, cel.Variable(s, cel.DynType))
	}
	e, err := cel.NewEnv(opts...)
	if err != nil {
		panic(err)
	}
	return e
}()

// Limits on what one rule may cost. A rule is a loop nest the analyst
// writes: six nested `[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].all(…)` are under 200
// characters and a million steps a traveller. So a rule's cost is
// estimated when it is compiled, with the facts at the sizes a booking
// gives them (MaxRoute, MaxPayments, MaxCode), and a rule that may cost
// over MaxCost is refused. Larger facts (a hostile message with a
// thousand legs) are evaluated with CEL's cost tracking, which stops a
// rule at MaxCost; every evaluation stops after MaxEvalTime.
//
// Cost is CEL's unit: about one operation, a comparison or a step of a
// comprehension. The rules analysts write cost under 300; the costliest
// rule accepted is timed by BenchmarkCostliestRule. MaxEvalTime is a
// backstop for what the cost misses, generous because a busy node stalls
// a goroutine for a few hundred milliseconds at times.
const (
	MaxCost     = 10_000
	MaxEvalTime = time.Second
)

// The largest facts a booking is assumed to give, for estimating a
// rule's cost: airports in a route, forms of payment, and the characters
// of a code (an airport, a carrier, a form of payment).
const (
	MaxRoute    = 16
	MaxPayments = 8
	MaxCode     = 8
)

// sizes gives the cost estimator the sizes of the facts.
type sizes struct{}

func (sizes) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	p := n.Path()
	if len(p) == 0 {
		return nil
	}
	var max int
	switch {
	case len(p) == 1 && p[0] == "route":
		max = MaxRoute
	case len(p) == 1 && p[0] == "payments":
		max = MaxPayments
	case len(p) == 1 && (p[0] == "origin" || p[0] == "destination" || p[0] == "carrier"),
		len(p) == 2 && (p[0] == "route" || p[0] == "payments") && p[1] == "@items":
		max = MaxCode
	default:
		return nil
	}
	return &checker.SizeEstimate{Min: 0, Max: uint64(max)}
}

func (sizes) EstimateCallCost(function, overloadID string, target *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	return nil
}

// Compiled is a rule ready to evaluate.
type Compiled struct {
	Rule ctis.Rule
	// Cost is the rule's estimated cost at most, for facts of those sizes.
	Cost uint64
	// prg evaluates facts within those sizes, whose cost the estimate
	// bounds; tracked evaluates larger ones, counting the cost as it goes. Only
	// those pay for the counting, which makes a long rule several times
	// slower.
	prg, tracked cel.Program
}

// Compile checks a rule: its expression must be a valid boolean CEL
// expression over the facts, may not refer to a sensitive
// characteristic, and may cost at most MaxCost.
func Compile(r ctis.Rule) (*Compiled, error) {
	if strings.TrimSpace(r.Expression) == "" || len(r.Expression) > 4096 {
		return nil, ctis.Invalid("expression", "a rule needs an expression of at most 4096 bytes")
	}
	ast, iss := env.Compile(r.Expression)
	if iss.Err() != nil {
		return nil, ctis.Invalid("expression", "%s", strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
	if ast.OutputType() != cel.BoolType {
		return nil, ctis.Invalid("expression", "a rule must be true or false; this one is %s", ast.OutputType())
	}
	checked, err := cel.AstToCheckedExpr(ast)
	if err != nil {
		return nil, err
	}
	var used []string
	for _, ref := range checked.GetReferenceMap() {
		if n := ref.GetName(); slices.Contains(Sensitive, n) && !slices.Contains(used, n) {
			used = append(used, n)
		}
	}
	if len(used) > 0 {
		sort.Strings(used)
		return nil, ctis.Invalid("expression", "a rule may not use sensitive characteristics; this one uses %s", strings.Join(used, ", "))
	}
	if r.Score <= 0 || r.Score > 1 {
		return nil, ctis.Invalid("score", "a rule's score is above 0 and at most 1")
	}
	cost, err := env.EstimateCost(ast, sizes{})
	if err != nil {
		return nil, ctis.Invalid("expression", "the cost of rule %q cannot be estimated: %v", r.Name, err)
	}
	if cost.Max > MaxCost {
		return nil, ctis.Invalid("expression", "rule %q costs up to %s to evaluate for a traveller; at most %d is allowed (fewer nested comprehensions keep it under)",
			r.Name, costString(cost.Max), MaxCost)
	}
	c := &Compiled{Rule: r, Cost: cost.Max}
	if c.prg, err = env.Program(ast, cel.InterruptCheckFrequency(100)); err != nil {
		return nil, ctis.Invalid("expression", "%s", err.Error())
	}
	if c.tracked, err = env.Program(ast, cel.CostLimit(MaxCost), cel.InterruptCheckFrequency(100)); err != nil {
		return nil, ctis.Invalid("expression", "%s", err.Error())
	}
	return c, nil
}

// costString writes a cost, which for a runaway rule is beyond counting.
func costString(c uint64) string {
	if c >= 1<<63 {
		return "more than 9.2e18"
	}
	return fmt.Sprint(c)
}

// Eval reports whether the rule holds for the facts. An evaluation that
// goes over MaxCost or MaxEvalTime is stopped with an EvalError.
func (c *Compiled) Eval(f Facts) (bool, error) { return c.eval(f.vars(), f.withinSizes()) }

// withinSizes reports whether the facts are no larger than the cost
// estimate took them to be.
func (f Facts) withinSizes() bool {
	if len(f.Route) > MaxRoute || len(f.Payments) > MaxPayments {
		return false
	}
	for _, ss := range [][]string{f.Route, f.Payments, {f.Origin, f.Destination, f.Carrier}} {
		for _, s := range ss {
			if len(s) > MaxCode {
				return false
			}
		}
	}
	return true
}

// vars are the facts by their names in expressions.
func (f Facts) vars() map[string]any {
	return map[string]any{
		"route": f.Route, "origin": f.Origin, "destination": f.Destination, "carrier": f.Carrier,
		"days_to_departure": f.DaysToDeparture, "payments": f.Payments, "one_way": f.OneWay, "alone": f.Alone,
		"bags": f.Bags, "document_age_days": f.DocumentAgeDays,
	}
}

func (c *Compiled) eval(vars map[string]any, withinSizes bool) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), MaxEvalTime)
	defer cancel()
	prg := c.prg
	if !withinSizes {
		prg = c.tracked
	}
	out, _, err := prg.ContextEval(ctx, vars)
	if err != nil {
		return false, &EvalError{Rule: c.Rule, Err: err}
	}
	b, ok := out.Value().(bool)
	return ok && b, nil
}

// EvalError is a rule that could not be evaluated for a traveller: it
// went over its cost or time, or met a fact it could not take.
type EvalError struct {
	Rule ctis.Rule
	Err  error
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("rule %q (%s v%d) was not evaluated: %v", e.Rule.Name, e.Rule.ID, e.Rule.Version, e.Err)
}

func (e *EvalError) Unwrap() error { return e.Err }

// Refer evaluates every rule for a traveller and returns a referral per
// rule that holds, best score first; each names the rule's version. A
// rule that cannot be evaluated does not stop the others: the referrals
// of the others are returned with an error naming each rule that failed
// (EvalErrors, joined), for the screening's warnings.
func Refer(rules []*Compiled, f Facts, subject string) ([]ctis.Referral, error) {
	var out []ctis.Referral
	var errs []error
	vars, within := f.vars(), f.withinSizes()
	for _, c := range rules {
		ok, err := c.eval(vars, within)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			out = append(out, ctis.Referral{RuleID: c.Rule.ID, RuleVersion: c.Rule.Version, RuleName: c.Rule.Name, Score: c.Rule.Score,
				Subject: subject, Explanation: c.Rule.Name + ": " + c.Rule.Expression, Expression: c.Rule.Expression, Facts: readFacts(c.Rule.Expression, vars)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, errors.Join(errs...)
}

// readFacts are the facts an expression names, by name: what a reviewer
// needs beside the expression to see why it held.
func readFacts(expr string, vars map[string]any) map[string]any {
	out := map[string]any{}
	for _, v := range variables {
		if regexp.MustCompile(`\b` + v.name + `\b`).MatchString(expr) {
			out[v.name] = vars[v.name]
		}
	}
	return out
}

// fly adds a leg to the route; the first sets the origin and carrier.
func (f *Facts) fly(from, to, carrier string) {
	if len(f.Route) == 0 {
		f.Route, f.Origin, f.Carrier = []string{from}, from, carrier
	}
	f.Route = append(f.Route, to)
	f.Destination = to
}

// FactsOf derives the facts of passenger x of booking b from a PNRGOV
// message.
func FactsOf(b *pnrgov.PNR, x *pnrgov.Passenger) Facts {
	f := Facts{DaysToDeparture: -1, DocumentAgeDays: -1, Alone: len(b.Passengers) == 1, Bags: b.Bags}
	for _, l := range b.Itinerary {
		f.fly(l.From, l.To, l.Carrier)
	}
	f.OneWay = len(b.Itinerary) > 0 && !slices.Contains(f.Route[1:], f.Origin)
	var departure time.Time
	if len(b.Itinerary) > 0 {
		departure, _ = time.Parse("2006-01-02", b.Itinerary[0].Departure[:min(10, len(b.Itinerary[0].Departure))])
	}
	if booked, err := time.Parse("2006-01-02", b.BookedOn); err == nil && !departure.IsZero() {
		f.DaysToDeparture = int(departure.Sub(booked).Hours() / 24)
	}
	for _, p := range append(append([]pnrgov.Payment{}, b.Payments...), x.Payments...) {
		if !slices.Contains(f.Payments, p.Type) {
			f.Payments = append(f.Payments, p.Type)
		}
	}
	return f // an SSR DOCS gives no issue date: DocumentAgeDays stays unknown
}

// FactsOfTraveller derives the facts an API manifest gives of a traveller:
// the route of its legs, the bags checked in and the age of the travel
// document.
func FactsOfTraveller(m *paxlst.Manifest, t *paxlst.Traveller) Facts {
	f := Facts{DaysToDeparture: -1, DocumentAgeDays: -1, Payments: []string{}, Bags: t.Bags}
	for _, l := range m.Legs {
		f.fly(l.From, l.To, l.Carrier)
	}
	f.OneWay = len(m.Legs) > 0 && !slices.Contains(f.Route[1:], f.Origin)
	if len(m.Legs) == 0 || len(t.Documents) == 0 {
		return f
	}
	departure, err1 := time.Parse("2006-01-02", m.Legs[0].Departure[:min(10, len(m.Legs[0].Departure))])
	issued, err2 := time.Parse("2006-01-02", t.Documents[0].Issued)
	if err1 == nil && err2 == nil {
		f.DocumentAgeDays = int(departure.Sub(issued).Hours() / 24)
	}
	return f
}
