package screen

import (
	"slices"

	"ctis"
	"ctis/matcher"
)

// index adapts the matcher to handling classes: each class is one matcher
// record whose ID is the record ID.
type index struct {
	m *matcher.Index
}

func newIndex() *index { return &index{m: matcher.NewIndex()} }

// addToRecord puts a statement's value in the matcher record field it
// belongs to.
func addToRecord(r *matcher.Record, property, value string) {
	switch property {
	case "name", "alias", "weakAlias", "previousName":
		r.Names = append(r.Names, value)
	case "birthDate":
		r.BirthDates = append(r.BirthDates, value)
	case "nationality":
		r.Nationalities = append(r.Nationalities, value)
	case "gender":
		r.Gender = value
	case "passportNumber", "idNumber":
		r.Documents = append(r.Documents, value)
	}
}

// merged is one matcher record of what several classes of an entity say.
func merged(cs []class) matcher.Record {
	r := matcher.Record{Schema: cs[0].schema}
	for _, c := range cs {
		r.Names = append(r.Names, c.rec.Names...)
		r.BirthDates = append(r.BirthDates, c.rec.BirthDates...)
		r.Nationalities = append(r.Nationalities, c.rec.Nationalities...)
		r.Documents = append(r.Documents, c.rec.Documents...)
		if c.rec.Gender != "" {
			r.Gender = c.rec.Gender
		}
	}
	return r
}

// add indexes a class's record. A record without a name or document
// number cannot be retrieved; it still counts when its entity is scored,
// through the other classes.
func (x *index) add(c class) { x.m.Add(c.rec) }

func (x *index) remove(rid string) { x.m.Remove(rid) }

func query(s ctis.Subject) matcher.Query {
	return matcher.Query{Name: s.Name, Schema: s.Schema, BirthDate: s.BirthDate, Nationality: s.Nationality, Gender: s.Gender, Document: s.DocumentNumber, MinScore: candidateScore}
}

// candidateScore is the least score a class needs alone to be a
// candidate when its entity has others: with the entity's other visible
// classes it may yet be a hit.
const candidateScore = 0.5

// candidates returns up to limit matches of records that keep accepts,
// best first: of the entities with one class, those that score at least
// least; of the others, each class that scores candidateScore alone. keep
// is applied inside retrieval, so rejected records take no place in the
// matcher's candidate budget.
func (x *index) candidates(s ctis.Subject, least float64, limit int, keep func(kind uint32) bool) []matcher.Match {
	q := query(s)
	q.MinScore, q.PartMinScore, q.Keep = least, min(least, candidateScore), keep
	return x.m.Query(q, limit)
}

// score compares a subject with what the classes of one entity say.
func (x *index) score(s ctis.Subject, cs []class) (float64, []ctis.ScoreComponent, string) {
	return explain(matcher.Compare(query(s), merged(cs)))
}

// explain turns a matcher's match into a score, its explanation and the
// name that matched.
func explain(m matcher.Match) (float64, []ctis.ScoreComponent, string) {
	expl := make([]ctis.ScoreComponent, len(m.Components))
	for i, c := range m.Components {
		expl[i] = ctis.ScoreComponent{Component: c.Component, Weight: c.Weight, Score: c.Score, Detail: c.Detail}
	}
	return m.Score, expl, m.Name
}

// strongPart is the component score from which a part of a record matches
// on its own.
const strongPart = 0.9

// contributes reports whether a class, on its own, matches some part of the
// subject strongly: its name, or an identifier such as a document number.
func (x *index) contributes(s ctis.Subject, c class) bool {
	for _, comp := range matcher.Compare(query(s), c.rec).Components {
		if comp.Weight > 0 && comp.Score >= strongPart && comp.Component != "nationality" && comp.Component != "gender" {
			return true
		}
	}
	return false
}

// matchedParts names the parts of the subject that a class, on its own,
// matches at all: what a reader who sees only this class may be shown of
// the subject.
func (x *index) matchedParts(s ctis.Subject, c class) []string {
	parts := []string{}
	for _, comp := range matcher.Compare(query(s), c.rec).Components {
		if comp.Weight > 0 && comp.Score >= candidateScore && !slices.Contains(parts, comp.Component) {
			parts = append(parts, comp.Component)
		}
	}
	return parts
}
