package unlist

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"ctis"
)

// Namespace is the namespace of the keys derived from DATAIDs. A key is
// the list's own ID for an entry: the store keeps the entry under an ID
// scoped to agency UN (ctis.ScopedID), so an analyst who creates an entity
// under a key, or under the ID it will be stored as, gets an entity of
// their own agency and never blocks the list.
const Namespace = "un-consolidated-list"

// Handling is how listed entries are shared: with every member and
// released for frontline use, as the list is public.
var Handling = ctis.Handling{Distribution: ctis.DistAll, Frontline: true}

// Grades: the Security Council is a source of unquestioned reliability;
// the listing facts are confirmed (1), identifying details as the
// Committee holds them (2), and low-quality aliases weaker still (3).
const (
	gradeListing  ctis.Grading = "A1"
	gradeIdentity ctis.Grading = "A2"
	gradeWeak     ctis.Grading = "A3"
)

// Entities turns the list into entities to sync: one Person or
// Organization per entry, with a key derived from its DATAID as its ID. Values the
// store would refuse (a nationality that is no country, an impossible date)
// are left out and reported in warnings, each naming the entry.
func (l *List) Entities() ([]ctis.NewEntity, []string) {
	var out []ctis.NewEntity
	var warnings []string
	for _, e := range l.Entries {
		ne, w := e.entity()
		out = append(out, ne)
		warnings = append(warnings, w...)
	}
	return out, warnings
}

func (e *Entry) entity() (ctis.NewEntity, []string) {
	schema := "Person"
	if e.Kind == Entity {
		schema = "Organization"
	}
	ne := ctis.NewEntity{ID: ctis.DerivedID(Namespace, e.DataID), Schema: schema}
	var warnings []string
	s := ctis.Schemas[schema]
	add := func(property, value string, grade ctis.Grading) {
		value = strings.TrimSpace(value)
		if value == "" {
			return
		}
		p, _ := s.Property(property)
		if p.Type == ctis.TypeText && utf8.RuneCountInString(value) > ctis.MaxTextLen {
			value = string([]rune(value)[:ctis.MaxTextLen])
		}
		v, err := ctis.NormalizeValue(p, value)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s (DATAID %s): %s %q left out: %s", e.Reference, e.DataID, property, value, ctis.ErrorMessage(err)))
			return
		}
		for _, have := range ne.Statements {
			if have.Property == property && have.Value == v {
				return
			}
		}
		ne.Statements = append(ne.Statements, ctis.NewStatement{Property: property, Value: v, Handling: Handling, Grading: grade})
	}
	add("name", e.Name, gradeIdentity)
	add("name", e.NameOriginalScript, gradeIdentity)
	for _, a := range e.Aliases {
		switch a.Quality {
		case Low:
			add("weakAlias", a.Name, gradeWeak)
		case FKA:
			add("previousName", a.Name, gradeIdentity)
		default:
			add("alias", a.Name, gradeIdentity)
		}
	}
	add("listReference", e.Reference, gradeListing)
	add("program", e.Regime, gradeListing)
	add("listedOn", e.ListedOn, gradeListing)
	for _, p := range e.Addresses {
		add("address", p.String(), gradeIdentity)
	}
	add("notes", e.Comments, gradeIdentity)
	if e.Kind == Entity {
		return ne, warnings
	}
	for _, t := range e.Titles {
		add("title", t, gradeIdentity)
	}
	for _, d := range e.Designations {
		add("position", d, gradeIdentity)
	}
	switch strings.ToLower(e.Gender) {
	case "male", "female":
		add("gender", strings.ToLower(e.Gender), gradeIdentity)
	}
	for _, b := range e.BirthDates {
		add("birthDate", b.EDTF(), gradeIdentity)
	}
	for _, p := range e.BirthPlaces {
		add("birthPlace", p.String(), gradeIdentity)
	}
	for _, n := range e.Nationalities {
		code, ok := ctis.CountryCode(n)
		if !ok {
			warnings = append(warnings, fmt.Sprintf("%s (DATAID %s): nationality %q is not a country; left out", e.Reference, e.DataID, n))
			continue
		}
		add("nationality", code, gradeIdentity)
	}
	for _, d := range e.Documents {
		if d.Number == "" {
			continue
		}
		property := "idNumber"
		if strings.Contains(strings.ToLower(d.Type+" "+d.Type2), "passport") {
			property = "passportNumber"
		}
		add(property, d.Number, gradeIdentity)
	}
	return ne, warnings
}

// EDTF writes the date in the Extended Date/Time Format that ctis stores:
// "1971-07-28", "1970~" for an approximate year, "1973/1974" for a range.
func (b BirthDate) EDTF() string {
	switch {
	case b.Kind == Between:
		return b.From + "/" + b.To
	case b.Kind == Approximately:
		return b.Date + "~"
	}
	return b.Date
}

// String joins the parts of a place that are given, from street to country.
func (p Place) String() string {
	var parts []string
	for _, s := range []string{p.Street, p.City, p.StateProvince, p.ZipCode, p.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	s := strings.Join(parts, ", ")
	if p.Note != "" {
		if s != "" {
			s += " "
		}
		s += "(" + p.Note + ")"
	}
	return s
}

// Agency is the member under which listed entries are stored.
var Agency = ctis.Agency{Code: "UN", Name: "United Nations Security Council (consolidated sanctions list)", Country: "UN", Kind: "international_organisation"}

// Store is what Import needs of a store.
type Store interface {
	CreateAgency(ctx context.Context, a ctis.Agency) (*ctis.Agency, error)
	Sync(ctx context.Context, batch []ctis.NewEntity, complete bool, reason string) (*ctis.SyncReport, error)
}

// Import makes the store's UN entries equal to list: it adds the UN agency
// if the store lacks it (ctx must then carry an admin identity), and syncs
// the entries as that agency, withdrawing those no longer listed. It
// returns the sync report and the warnings of Entities.
func Import(ctx context.Context, s Store, list *List) (*ctis.SyncReport, []string, error) {
	if _, err := s.CreateAgency(ctx, Agency); err != nil && ctis.ErrorCode(err) != ctis.ECONFLICT {
		return nil, nil, err
	}
	entities, warnings := list.Entities()
	id, _ := ctis.IdentityFrom(ctx)
	as := ctis.NewContext(ctx, ctis.Identity{UserID: id.UserID, Username: id.Username, Agency: Agency.Code, Roles: []ctis.Role{ctis.RoleAnalyst}})
	reason := "de-listed: not in the consolidated list generated " + list.Generated.Format("2006-01-02")
	rep, err := s.Sync(as, entities, true, reason)
	return rep, warnings, err
}
