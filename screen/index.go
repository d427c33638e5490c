package screen

import (
	"ctis"
	"ctis/matcher"
)

// index adapts the matcher to handling classes: each class is one matcher
// record whose ID is the record ID.
type index struct {
	m *matcher.Index
}

func newIndex() *index { return &index{m: matcher.NewIndex()} }

// record turns classes of one entity into one matcher record.
func record(rid string, cs []class) matcher.Record {
	r := matcher.Record{ID: rid, Schema: cs[0].schema}
	for _, c := range cs {
		for _, st := range c.statements {
			switch st.Property {
			case "name", "alias", "weakAlias", "previousName":
				r.Names = append(r.Names, st.Value)
			case "birthDate":
				r.BirthDates = append(r.BirthDates, st.Value)
			case "nationality":
				r.Nationalities = append(r.Nationalities, st.Value)
			case "gender":
				r.Gender = st.Value
			case "passportNumber", "idNumber":
				r.Documents = append(r.Documents, st.Value)
			}
		}
	}
	return r
}

func (x *index) add(rid string, c class) {
	// A record without a name or document number cannot be retrieved; it
	// still counts when its entity is scored, through the other classes.
	x.m.Add(record(rid, []class{c}))
}

func (x *index) remove(rid string) { x.m.Remove(rid) }

func query(s ctis.Subject) matcher.Query {
	return matcher.Query{Name: s.Name, Schema: s.Schema, BirthDate: s.BirthDate, Nationality: s.Nationality, Gender: s.Gender, Document: s.DocumentNumber, MinScore: candidateScore}
}

// candidateScore is the least score a class needs alone to be a
// candidate: with the entity's other visible classes it may yet be a hit.
const candidateScore = 0.5

// candidates returns up to limit matches of records that keep accepts,
// best first. keep is applied inside retrieval, so rejected records take
// no place in the matcher's candidate budget.
func (x *index) candidates(s ctis.Subject, limit int, keep func(string) bool) []matcher.Match {
	q := query(s)
	q.MinScore, q.Keep = candidateScore, keep
	return x.m.Query(q, limit)
}

// score compares a subject with what the classes of one entity say.
func (x *index) score(s ctis.Subject, cs []class) (float64, []ctis.ScoreComponent, string) {
	return explain(matcher.Compare(query(s), record("", cs)))
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
	for _, comp := range matcher.Compare(query(s), record("", []class{c})).Components {
		if comp.Weight > 0 && comp.Score >= strongPart && comp.Component != "nationality" && comp.Component != "gender" {
			return true
		}
	}
	return false
}
