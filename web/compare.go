package web

import (
	"slices"

	"ctis"
)

// compareRow is one line of a side-by-side review: a detail of the
// screened subject beside what the listed entry says of it, with the
// component of the score that compared them and the matcher's reason.
type compareRow struct {
	// Component is what was compared: name, birth_date, nationality,
	// document, gender.
	Component string
	IsName    bool
	Subject   string
	// Matched is the name that matched, for the name row, when the
	// reader may see the score's parts.
	Matched string
	// Listed are the entry's statements of this detail that the reader
	// may see.
	Listed []ctis.Statement
	// Scored tells a component the reader may see from one it may not.
	Scored bool
	Score  float64
	Detail string
}

// hitCompare is a hit of the review queue laid out side by side.
type hitCompare struct {
	Hit  ctis.Hit
	Rows []compareRow
	// Decidable is set when the reader may decide the hit now.
	Decidable bool
}

// listedProperties are the properties of an entry that answer each
// component of a score, by schema.
var listedProperties = map[string]map[string][]string{
	"Person": {"name": {"name", "alias", "weakAlias", "previousName"}, "birth_date": {"birthDate"}, "nationality": {"nationality"},
		"document": {"passportNumber", "idNumber"}, "gender": {"gender"}},
	"Organization": {"name": {"name", "alias", "weakAlias", "previousName"}, "birth_date": {"foundingDate"},
		"nationality": {"country", "jurisdiction"}, "document": {"registrationNumber"}},
}

// compareComponents are the rows of a side-by-side review, in order.
var compareComponents = []string{"name", "birth_date", "nationality", "document", "gender"}

// compare lays a hit out beside its entry as the reader may see it: e
// is the entry as the entity service shows it to the reader, nil when
// the reader may see none of it. A hit's notice form has no rows: it
// says only whom to contact.
func compare(h ctis.Hit, e *ctis.Entity) []compareRow {
	if len(h.Notice) > 0 {
		return nil
	}
	subject := map[string]string{"name": h.Subject.Name, "birth_date": h.Subject.BirthDate, "nationality": h.Subject.Nationality,
		"document": h.Subject.DocumentNumber, "gender": h.Subject.Gender}
	props := listedProperties[h.Schema]
	if props == nil {
		props = listedProperties["Person"]
	}
	var rows []compareRow
	for _, c := range compareComponents {
		row := compareRow{Component: c, IsName: c == "name", Subject: subject[c]}
		if c == "name" {
			row.Matched = h.Matched
		}
		for _, x := range h.Explanation {
			if x.Component == c {
				row.Scored, row.Score, row.Detail = true, x.Score, x.Detail
			}
		}
		if e != nil {
			for _, s := range e.Statements {
				if s.Withdrawn == nil && slices.Contains(props[c], s.Property) {
					row.Listed = append(row.Listed, s)
				}
			}
		}
		if row.Subject == "" && row.Matched == "" && len(row.Listed) == 0 && !row.Scored {
			continue
		}
		rows = append(rows, row)
	}
	return rows
}

// sideBySide lays out each hit beside its entry, read through the entity
// service as the reader may see it: an entry the reader may not see
// leaves its column to what the hit itself shows.
func (h *handler) sideBySide(p *page, hits []ctis.Hit) ([]hitCompare, error) {
	entries := map[string]*ctis.Entity{}
	out := make([]hitCompare, len(hits))
	for i, hit := range hits {
		var e *ctis.Entity
		if hit.EntityID != "" && len(hit.Notice) == 0 {
			var ok bool
			if e, ok = entries[hit.EntityID]; !ok {
				var err error
				if e, err = h.Entities.Entity(p.ctx, hit.EntityID); err != nil && ctis.ErrorCode(err) != ctis.ENOTFOUND {
					return nil, err
				}
				entries[hit.EntityID] = e
			}
		}
		decidable := p.id.Has(ctis.RoleAnalyst) && len(hit.Notice) == 0 &&
			(hit.Status == ctis.HitOpen && hit.Agency == p.id.Agency || hit.Status == ctis.HitEscalated)
		out[i] = hitCompare{Hit: hit, Rows: compare(hit, e), Decidable: decidable}
	}
	return out, nil
}
