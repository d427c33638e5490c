// Package ctistest is the test kit every store runs: it seeds a node with
// the agencies, sharing group and identities the tests speak of, and holds
// the handling matrix as a suite written against the ctis service
// interfaces (RunHandlingMatrix), so that SQLite, PostgreSQL or a
// federated node face the same tests.
//
// It is imported by tests only; nothing outside a _test.go file should
// import it.
package ctistest

import (
	"context"
	"testing"

	"ctis"
)

// The agencies of a seeded node. FR-DGSI and DE-BKA share the group
// Western; JO-GID belongs to no group.
const (
	FR = "FR-DGSI"
	DE = "DE-BKA"
	JO = "JO-GID"
	// Western is the sharing group of FR-DGSI and DE-BKA.
	Western = "western"
)

// Agencies are the member agencies Seed creates, in a stable order.
var Agencies = []ctis.Agency{
	{Code: FR, Name: "Direction générale de la sécurité intérieure", Country: "FR", Kind: "security"},
	{Code: DE, Name: "Bundeskriminalamt", Country: "DE", Kind: "law_enforcement"},
	{Code: JO, Name: "General Intelligence Directorate", Country: "JO", Kind: "intelligence"},
}

// Codes are the codes of Agencies.
var Codes = []string{FR, DE, JO}

// Groups are the sharing groups of each seeded agency.
var Groups = map[string][]string{FR: {Western}, DE: {Western}}

// Readers are the roles that read statements: an analyst sees what the
// handling releases, a frontline officer only what is also released for
// frontline use.
var Readers = []ctis.Role{ctis.RoleAnalyst, ctis.RoleFrontline}

// Purpose is the purpose every context of As carries.
const Purpose = "case 2026/17"

// System acts as the local operator, who administers the node directly.
var System = ctis.NewContext(context.Background(), ctis.SystemIdentity("test"))

// As returns a context acting as a user of agency holding roles (the first
// names the user), reading for Purpose.
func As(agency string, roles ...ctis.Role) context.Context {
	return ctis.WithPurpose(ctis.NewContext(context.Background(), Identity(agency, roles...)), Purpose)
}

// Identity is the identity of As.
func Identity(agency string, roles ...ctis.Role) ctis.Identity {
	return ctis.Identity{UserID: agency + "-" + string(roles[0]), Username: agency + "." + string(roles[0]), Agency: agency, Roles: roles}
}

// ViewerOf is what the handling rules know of a user of a seeded agency
// holding role alone.
func ViewerOf(agency string, role ctis.Role) ctis.Viewer {
	return ctis.Viewer{Agency: agency, FrontlineOnly: role == ctis.RoleFrontline, Groups: Groups[agency]}
}

// Seed creates Agencies and the group Western through the node's
// directory, as the local operator.
func Seed(t testing.TB, s ctis.Services) {
	t.Helper()
	for _, a := range Agencies {
		if _, err := s.Directory.CreateAgency(System, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Directory.PutGroup(System, ctis.SharingGroup{Name: Western, Agencies: []string{FR, DE}}); err != nil {
		t.Fatal(err)
	}
}

// Statements returns statements under h, graded B2, from property and
// value pairs.
func Statements(h ctis.Handling, kv ...string) []ctis.NewStatement {
	var out []ctis.NewStatement
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ctis.NewStatement{Property: kv[i], Value: kv[i+1], Handling: h, Grading: "B2"})
	}
	return out
}

// Person is a Person known by name under h.
func Person(name string, h ctis.Handling) ctis.NewEntity {
	return ctis.NewEntity{Schema: "Person", Statements: Statements(h, "name", name)}
}
