package matcher

import (
	"fmt"
	"slices"
	"strings"
)

// Record is a person or organisation to screen against: an entry of a
// watchlist or a sanctions list, as the caller's store holds it.
type Record struct {
	// ID identifies the record in the index; adding a record with an ID
	// already there replaces it.
	ID string
	// Schema is Person (also when empty) or an organisation schema
	// (Organization, Company, LegalEntity, Vessel): organisation names are
	// read with their legal forms.
	Schema string
	// Names are the record's name and aliases, in any script.
	Names []string
	// BirthDates are YYYY, YYYY-MM or YYYY-MM-DD, each optionally
	// approximate (a trailing ~ or ?), or intervals A/B.
	BirthDates []string
	// Nationalities are ISO 3166-1 alpha-2 codes.
	Nationalities []string
	// Gender is male, female (or M, F), other or unknown.
	Gender string
	// Documents are passport and identity card numbers as written.
	Documents []string
	// Tag is the caller's own, returned with every match of the record.
	Tag string
	// Class is the caller's number for the records that share its access
	// rules; Query.Keep decides by it, cheaply, for every record touched.
	Class uint32
	// Part marks a record that holds only part of what is known of
	// someone: read with the other parts it may score more than alone, so
	// Query.PartMinScore, not MinScore, is the least it needs.
	Part bool
}

// Query is a subject to screen: a name in any script and what else is
// known.
type Query struct {
	// Name is the subject's name in any script; alternatives may be
	// separated by a slash.
	Name string
	// Schema is Person (also when empty) or an organisation schema; a
	// person is not matched against organisations or the other way round.
	Schema string
	// BirthDate takes the forms of Record.BirthDates.
	BirthDate string
	// BirthYearTolerance widens BirthDate by this many years either way.
	BirthYearTolerance int
	// Nationality is an ISO 3166-1 alpha-2 code.
	Nationality string
	// Gender is male, female (or M, F), other or unknown.
	Gender string
	// Document is a passport or identity card number as written.
	Document string
	// MinScore is the least score a match needs; zero means
	// DefaultThreshold. PartMinScore is the least a Part record needs;
	// zero means MinScore.
	MinScore, PartMinScore float64
	// Keep, when set, limits an Index query to the records whose Class it
	// accepts. A rejected record is never a candidate: it takes no place
	// in the candidate budget, so it cannot push an accepted record out.
	// This is how a caller applies access rules inside retrieval.
	Keep func(class uint32) bool
}

// DefaultThreshold is the score from which a match is a hit for review.
const DefaultThreshold = 0.75

// Component is one part of a match's score, explained.
type Component struct {
	// Component names what was compared: name, birth_date, nationality,
	// gender, document.
	Component string
	// Weight is the part's weight in the score; zero when it was not
	// counted.
	Weight float64
	// Score is the part's similarity in [0,1].
	Score float64
	// Detail says in words what matched, such as "usama~osama (same
	// consonant skeleton)".
	Detail string
}

// Match is a record that matches a query, with its score explained.
type Match struct {
	// ID and Tag are the matched record's.
	ID  string
	Tag string
	// Score is the weighted mean of the components' scores, in [0,1].
	Score float64
	// Name is the record's name or alias that matched best.
	Name string
	// Components explain the score, name first.
	Components []Component
}

// Component weights. The name carries the score; the other parts confirm
// or weaken it. A document number that matches counts most: alone it
// makes a hit (3/4 is the default threshold) even against a name written
// unrecognisably; one that differs does not count against a match, since
// people hold several.
const (
	weightName        = 1.0
	weightBirthDate   = 0.4
	weightNationality = 0.15
	weightGender      = 0.15
	weightDocument    = 3.0
)

// IsOrganization reports whether a schema names an organisation rather
// than a person.
func IsOrganization(schema string) bool {
	switch strings.ToLower(schema) {
	case "", "person", "individual":
		return false
	}
	return true
}

// prepared is a record analysed once for matching.
type prepared struct {
	rec   Record
	org   bool
	names []analyzed
	dates []dateSpan
	docs  []string
	nats  []string
	sex   byte
}

func prepare(r Record, src termSource) *prepared {
	p := &prepared{rec: r, org: IsOrganization(r.Schema), sex: genderCode(r.Gender)}
	for _, n := range r.Names {
		for _, alt := range splitAliases(n) {
			a := analyzeWith(alt, p.org, src)
			if a.wsum > 0 {
				p.names = append(p.names, a)
			}
		}
	}
	for _, d := range r.BirthDates {
		if ds, ok := parseDate(d); ok {
			p.dates = append(p.dates, ds)
		}
	}
	for _, d := range r.Documents {
		if k := DocumentKey(d); k != "" {
			p.docs = append(p.docs, k)
		}
	}
	for _, n := range r.Nationalities {
		if c := strings.ToUpper(strings.TrimSpace(n)); c != "" {
			p.nats = append(p.nats, c)
		}
	}
	return p
}

// preparedQuery is a query analysed once.
type preparedQuery struct {
	q     Query
	org   bool
	names []analyzed // the name, or the names a slash separates
	date  dateSpan
	hasDt bool
	doc   string
	nat   string
	natID uint16 // nat's id in the index, 0 if no record has it
	sex   byte
	// min is the least score of a match, partMin of a Part record.
	min, partMin float64
}

// least is the least score a match of r needs.
func (q *preparedQuery) least(r *prepared) float64 {
	if r.rec.Part {
		return q.partMin
	}
	return q.min
}

func prepareQuery(q Query, src termSource) *preparedQuery {
	p := &preparedQuery{q: q, org: IsOrganization(q.Schema), sex: genderCode(q.Gender), min: q.MinScore}
	if p.min <= 0 {
		p.min = DefaultThreshold
	}
	if p.partMin = q.PartMinScore; p.partMin <= 0 {
		p.partMin = p.min
	}
	for _, alt := range splitAliases(q.Name) {
		if a := analyzeWith(alt, p.org, src); a.wsum > 0 || len(p.names) == 0 {
			p.names = append(p.names, a)
		}
	}
	if q.BirthDate != "" {
		if ds, ok := parseDate(q.BirthDate); ok {
			p.date, p.hasDt = ds.widen(q.BirthYearTolerance), true
		}
	}
	p.doc = DocumentKey(q.Document)
	p.nat = strings.ToUpper(strings.TrimSpace(q.Nationality))
	return p
}

// splitAliases splits "Al-Qa'ida/Islamic Army" into its names; a slash
// between single letters (A/S) stays.
func splitAliases(n string) []string {
	if !strings.ContainsAny(n, "/;") {
		return []string{n}
	}
	parts := strings.FieldsFunc(n, func(r rune) bool { return r == '/' || r == ';' })
	for _, p := range parts {
		if len([]rune(strings.TrimSpace(p))) < 3 {
			return []string{n}
		}
	}
	return parts
}

func genderCode(g string) byte {
	switch strings.ToLower(strings.TrimSpace(g)) {
	case "m", "male", "man":
		return 'm'
	case "f", "female", "woman":
		return 'f'
	}
	return 0
}

// DocumentKey returns the comparison form of a document number: letters
// and digits only, upper case, with the letter O read as the digit 0 (the
// two are confused in print and in MRZs), so that "AB 12O-345" and
// "ab120345" meet.
func DocumentKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(Normalize(s)) {
		switch {
		case r == 'O':
			b.WriteByte('0')
		case r >= '0' && r <= '9' || r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Compare scores one record against a query. It analyses both afresh;
// an Index keeps records analysed and is the way to screen many.
func Compare(q Query, r Record) Match {
	pq := prepareQuery(q, freshTerm)
	pr := prepare(r, freshTerm)
	m, _ := score(pq, pr, nil, true)
	return m
}

// score compares a prepared query and record; only when explain does the
// match hold its components. ok is false when the
// record is of the other kind (person against organisation), or, unless
// explain, when it cannot reach the query's threshold even with the same
// name: the other components are cheap and scored first, and the names,
// which are not, only when they can still make the difference.
func score(q *preparedQuery, r *prepared, cache *simCache, explain bool) (Match, bool) {
	m := Match{ID: r.rec.ID, Tag: r.rec.Tag}
	if q.org != r.org && q.q.Schema != "" && r.rec.Schema != "" {
		return m, false
	}
	comps := cache.components() // the name first, filled in below
	if q.hasDt && len(r.dates) > 0 {
		bs, bd := -1.0, ""
		for _, d := range r.dates {
			if !explain {
				if s, _, _ := dateSim(q.date, d); s > bs {
					bs = s
				}
			} else if s, why := compareDates(q.date, d); s > bs {
				bs, bd = s, why
			}
		}
		comps = append(comps, Component{Component: "birth_date", Weight: weightBirthDate, Score: bs, Detail: bd})
	}
	if q.nat != "" && len(r.nats) > 0 {
		c := Component{Component: "nationality", Weight: weightNationality, Detail: "different nationality"}
		if contains(r.nats, q.nat) {
			c.Score, c.Detail = 1, "same nationality"
		}
		comps = append(comps, c)
	}
	if q.sex != 0 && r.sex != 0 {
		c := Component{Component: "gender", Weight: weightGender, Detail: "different gender"}
		if q.sex == r.sex {
			c.Score, c.Detail = 1, "same gender"
		}
		comps = append(comps, c)
	}
	if q.doc != "" && len(r.docs) > 0 {
		c := Component{Component: "document", Detail: "different document numbers (not counted: people hold several)"}
		for _, d := range r.docs {
			if d == q.doc {
				c.Weight, c.Score, c.Detail = weightDocument, 1, "same document number"
				break
			}
			if len(d) >= 6 && oneEdit(d, q.doc) {
				c.Weight, c.Score, c.Detail = weightDocument*0.6, 0.8, "document number one character apart"
			}
		}
		comps = append(comps, c)
	}
	if !explain {
		sw, ss := weightName, weightName // the best name there could be
		for _, c := range comps[1:] {
			sw += c.Weight
			ss += c.Weight * c.Score
		}
		if ss/sw < q.least(r) {
			return m, false
		}
	}
	best := NameScore{}
	bestName := ""
	bestQ, bestIdx := -1, -1
	for qi := range q.names {
		for i := range r.names {
			ns := compareAnalyzed(&q.names[qi], &r.names[i], cache, false)
			if ns.Score > best.Score || bestIdx < 0 {
				best, bestName, bestQ, bestIdx = ns, r.names[i].raw, qi, i
			}
		}
	}
	if explain && bestIdx >= 0 {
		best = compareAnalyzed(&q.names[bestQ], &r.names[bestIdx], cache, true)
	}
	m.Name = bestName
	detail := best.Detail
	if explain && bestIdx >= 0 {
		detail = fmt.Sprintf("%q ~ %q: %s", q.q.Name, bestName, best.Detail)
	}
	comps[0] = Component{Component: "name", Weight: weightName, Score: best.Score, Detail: detail}
	var sw, ss float64
	for _, c := range comps {
		sw += c.Weight
		ss += c.Weight * c.Score
	}
	if sw > 0 {
		m.Score = clamp01(ss / sw)
	}
	if explain {
		m.Components = slices.Clone(comps)
	}
	return m, true
}
