// Package rules evaluates targeting rules: expressions in CEL, the Common
// Expression Language, over the facts of a traveller's booking and
// journey (route, days between booking and departure, form of payment,
// one-way travel, travelling alone, a recently issued document). A rule
// that holds gives a referral for a person to look at — never a
// decision. Rules may not look at sensitive characteristics: a rule whose
// expression refers to them is refused when it is compiled.
package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/cel-go/cel"

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

// Compiled is a rule ready to evaluate.
type Compiled struct {
	Rule ctis.Rule
	prg  cel.Program
}

// Compile checks a rule: its expression must be a valid boolean CEL
// expression over the facts, and may not refer to a sensitive
// characteristic.
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
	prg, err := env.Program(ast)
	if err != nil {
		return nil, ctis.Invalid("expression", "%s", err.Error())
	}
	return &Compiled{Rule: r, prg: prg}, nil
}

// Eval reports whether the rule holds for the facts.
func (c *Compiled) Eval(f Facts) (bool, error) {
	out, _, err := c.prg.Eval(map[string]any{
		"route": f.Route, "origin": f.Origin, "destination": f.Destination, "carrier": f.Carrier,
		"days_to_departure": f.DaysToDeparture, "payments": f.Payments, "one_way": f.OneWay, "alone": f.Alone,
		"bags": f.Bags, "document_age_days": f.DocumentAgeDays,
	})
	if err != nil {
		return false, fmt.Errorf("rule %s v%d: %w", c.Rule.ID, c.Rule.Version, err)
	}
	b, ok := out.Value().(bool)
	return ok && b, nil
}

// Refer evaluates every rule for a traveller and returns a referral per
// rule that holds, best score first; each names the rule's version.
func Refer(rules []*Compiled, f Facts, subject string) ([]ctis.Referral, error) {
	var out []ctis.Referral
	for _, c := range rules {
		ok, err := c.Eval(f)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, ctis.Referral{RuleID: c.Rule.ID, RuleVersion: c.Rule.Version, RuleName: c.Rule.Name, Score: c.Rule.Score,
				Subject: subject, Explanation: c.Rule.Name + ": " + c.Rule.Expression})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
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
// the route of its legs and the age of the travel document.
func FactsOfTraveller(m *paxlst.Manifest, t *paxlst.Traveller) Facts {
	f := Facts{DaysToDeparture: -1, DocumentAgeDays: -1, Payments: []string{}}
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
