// Package demo fills a new node with sample agencies, users of every role,
// a sharing group and entities under every kind of handling, so a newcomer
// can try ctis at once. All persons and documents are fictitious.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"time"

	"ctis"
	"ctis/unlist"
)

// Password is the password of every demo user. Demo databases are
// temporary and served on loopback.
const Password = "ctis-demo-2026"

// Login is one demo user with its API token.
type Login struct {
	Username string
	Agency   string
	Roles    []ctis.Role
	Token    string
}

// Store is what seeding needs.
type Store interface {
	ctis.DirectoryService
	ctis.EntityService
	ctis.AuthorityService
	ctis.CooperationService
}

// SeedUNList loads the embedded UN consolidated list as agency UN.
func SeedUNList(ctx context.Context, s Store) error {
	list, err := unlist.Parse(bytes.NewReader(UNList))
	if err != nil {
		return err
	}
	_, _, err = unlist.Import(ctx, s, list)
	return err
}

// Agencies are the demo member agencies: national services of several
// countries and an international organisation.
var Agencies = []ctis.Agency{
	{Code: "FR-DGSI", Name: "Direction générale de la sécurité intérieure", Country: "FR", Kind: "security"},
	{Code: "DE-BKA", Name: "Bundeskriminalamt", Country: "DE", Kind: "law_enforcement"},
	{Code: "JO-GID", Name: "General Intelligence Directorate", Country: "JO", Kind: "intelligence"},
	{Code: "KZ-KNB", Name: "Комитет национальной безопасности", Country: "KZ", Kind: "security"},
	{Code: "INTERPOL", Name: "INTERPOL General Secretariat", Country: "INTERPOL", Kind: "international_organisation"},
}

var users = []ctis.NewUser{
	{Username: "admin", Agency: "INTERPOL", Roles: []ctis.Role{ctis.RoleAdmin}},
	{Username: "analyst.fr", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "analyst.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "analyst.jo", Agency: "JO-GID", Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "analyst.kz", Agency: "KZ-KNB", Roles: []ctis.Role{ctis.RoleAnalyst}},
	{Username: "border.fr", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleFrontline}},
	{Username: "border.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleFrontline}},
	{Username: "border.jo", Agency: "JO-GID", Roles: []ctis.Role{ctis.RoleFrontline}},
	{Username: "auditor.fr", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAuditor}},
	{Username: "auditor.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAuditor}},
	// INTERPOL's auditor oversees the node's administrator, who is INTERPOL's.
	{Username: "auditor.int", Agency: "INTERPOL", Roles: []ctis.Role{ctis.RoleAuditor}},
	{Username: "approver.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleApprover}},
	{Username: "dpo.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleDPO}},
}

func all(frontline bool) ctis.Handling {
	return ctis.Handling{Distribution: ctis.DistAll, Frontline: frontline}
}

// Seed creates the demo agencies, users, group and entities, and loads the
// UN list. ctx must carry an identity with the admin role (such as
// ctis.SystemIdentity).
func Seed(ctx context.Context, s Store) ([]Login, error) {
	if err := SeedUNList(ctx, s); err != nil {
		return nil, err
	}
	for _, a := range Agencies {
		if _, err := s.CreateAgency(ctx, a); err != nil {
			return nil, err
		}
	}
	if _, err := s.PutGroup(ctx, ctis.SharingGroup{Name: "euro-ct", Agencies: []string{"FR-DGSI", "DE-BKA", "INTERPOL"}}); err != nil {
		return nil, err
	}
	var logins []Login
	for _, u := range users {
		u.Password = Password
		made, token, err := s.CreateUser(ctx, u)
		if err != nil {
			return nil, err
		}
		logins = append(logins, Login{Username: made.Username, Agency: made.Agency, Roles: made.Roles, Token: token})
	}
	as := func(agency string) context.Context {
		return ctis.WithPurpose(ctis.NewContext(ctx, ctis.Identity{Username: "demo", Agency: agency, Roles: []ctis.Role{ctis.RoleAnalyst}}), "demo data")
	}

	// A person known to France, partly shared with the European group, with
	// a tearline name for border services and a restricted passport number
	// that frontline officers learn of only as "hit — contact FR-DGSI".
	fr := as("FR-DGSI")
	p, err := s.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Abou Moussa al-Faransi", Handling: all(true), Grading: "B2"},
		{Property: "name", Value: "أبو موسى الفرنسي", Handling: all(true), Grading: "B2"},
		{Property: "birthDate", Value: "1991-04", Handling: all(true), Grading: "B2"},
		{Property: "nationality", Value: "FR", Handling: all(true), Grading: "A1"},
		{Property: "passportNumber", Value: "18FR44120", Grading: "A1",
			Handling: ctis.Handling{Distribution: ctis.DistOriginator, HitNotice: true, Restriction: ctis.H2}},
		{Property: "notes", Value: "Believed to have travelled to the conflict zone via IST in 2014.", Grading: "B3",
			Handling: ctis.Handling{Distribution: ctis.DistGroup, Group: "euro-ct", Restriction: ctis.H1}},
	}})
	if err != nil {
		return nil, err
	}
	// Germany adds what it knows to the same person, for Jordan only.
	if _, err := s.AddStatements(as("DE-BKA"), p.ID, []ctis.NewStatement{
		{Property: "alias", Value: "Abu Musa", Grading: "C3",
			Handling: ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"JO-GID"}, Restriction: ctis.H3, RestrictionText: "Not for use in immigration decisions."}},
	}); err != nil {
		return nil, err
	}
	org, err := s.CreateEntity(as("JO-GID"), ctis.NewEntity{Schema: "Organization", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Katibat al-Nur (fictitious)", Handling: all(true), Grading: "B2"},
		{Property: "name", Value: "كتيبة النور", Handling: all(true), Grading: "B2"},
		{Property: "country", Value: "SY", Handling: all(false), Grading: "B2"},
	}})
	if err != nil {
		return nil, err
	}
	kz := as("KZ-KNB")
	if _, err := s.CreateEntity(kz, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Абдуллаев Тимур Русланович", Handling: all(true), Grading: "A2"},
		{Property: "name", Value: "Abdullaev Timur", Handling: all(true), Grading: "A2"},
		{Property: "birthDate", Value: "1988", Handling: all(true), Grading: "B2"},
		{Property: "nationality", Value: "KZ", Handling: all(true), Grading: "A1"},
		{Property: "memberOf", Value: org.ID, Handling: all(false), Grading: "B3"},
		{Property: "address", Value: "Almaty (last known)", Grading: "B2",
			Handling: ctis.Handling{Distribution: ctis.DistOriginator, HitNotice: true}},
	}}); err != nil {
		return nil, err
	}
	if _, err := s.CreateEntity(kz, ctis.NewEntity{Schema: "Document", Statements: []ctis.NewStatement{
		{Property: "number", Value: "N 0451 2298", Handling: all(true), Grading: "A1"},
		{Property: "documentType", Value: "passport", Handling: all(true), Grading: "A1"},
		{Property: "issuingCountry", Value: "KZ", Handling: all(true), Grading: "A1"},
		{Property: "status", Value: "stolen", Handling: all(true), Grading: "A1"},
	}}); err != nil {
		return nil, err
	}
	if _, err := s.CreateEntity(fr, ctis.NewEntity{Schema: "Movement", Statements: []ctis.NewStatement{
		{Property: "person", Value: p.ID, Handling: all(false), Grading: "B2"},
		{Property: "from", Value: "CDG", Handling: all(false), Grading: "B2"},
		{Property: "via", Value: "IST", Handling: all(false), Grading: "B2"},
		{Property: "toCountry", Value: "TR", Handling: all(false), Grading: "B2"},
		{Property: "departureDate", Value: "2014-09-12", Handling: all(false), Grading: "B2"},
	}}); err != nil {
		return nil, err
	}
	if _, err := s.CreateEntity(as("DE-BKA"), ctis.NewEntity{Schema: "ModusOperandi", Statements: []ctis.NewStatement{
		{Property: "title", Value: "Rented vans used against crowds at markets", Handling: all(true), Grading: "A1"},
		{Property: "category", Value: "attack", Handling: all(true), Grading: "A1"},
		{Property: "description", Value: "Vehicles rented shortly before the attack with genuine documents; watch for short-notice rentals near events.", Handling: all(true), Grading: "A2"},
	}}); err != nil {
		return nil, err
	}
	// A subject only France may see, without a hit notice.
	if _, err := s.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Karim Benali (fictitious)", Handling: ctis.Handling{Distribution: ctis.DistOriginator}, Grading: "C3"},
	}}); err != nil {
		return nil, err
	}
	if err := seedCooperation(ctx, s, as, p.ID); err != nil {
		return nil, err
	}
	return logins, nil
}

// seedCooperation fills the directory of competent authorities — one
// Jordanian entry left unverified for years, so that it shows as stale —
// and has France ask Germany for mutual legal assistance about the demo
// person, acknowledged.
func seedCooperation(ctx context.Context, s Store, as func(string) context.Context, person string) error {
	today := time.Now().UTC()
	entry := func(country string, in ctis.Instrument, name, channel, hours string, verified time.Time, langs ...string) ctis.Authority {
		return ctis.Authority{Country: country, Instrument: in, Name: name, Jurisdiction: "national", Languages: langs,
			Channels: []string{channel}, Hours: hours, VerifiedOn: verified.Format(time.DateOnly)}
	}
	var mla *ctis.Authority
	for _, e := range []struct {
		agency string
		a      ctis.Authority
	}{
		{"DE-BKA", entry("DE", ctis.InstrumentMLA, "Bundesamt für Justiz (fictitious contact)", "e-CODEX", "Mon-Fri 08:00-17:00 CET", today, "de", "en")},
		{"DE-BKA", entry("DE", ctis.InstrumentNetwork247, "BKA 24/7 contact point (fictitious)", "INTERPOL I-24/7", "24/7", today, "de", "en")},
		{"FR-DGSI", entry("FR", ctis.InstrumentMLA, "Bureau de l'entraide pénale internationale (fictitious contact)", "e-CODEX", "Mon-Fri 09:00-18:00 CET", today, "fr", "en")},
		{"JO-GID", entry("JO", ctis.InstrumentExtradition, "Ministry of Justice, international cooperation (fictitious)", "diplomatic channel", "Sun-Thu 08:00-15:00", today.AddDate(-2, 0, 0), "ar", "en")},
	} {
		a, err := s.CreateAuthority(as(e.agency), e.a)
		if err != nil {
			return err
		}
		if mla == nil {
			mla = a
		}
	}
	deadline := today.Add(30 * 24 * time.Hour)
	r, err := s.CreateRequest(as("FR-DGSI"), ctis.NewRequest{Kind: ctis.KindMLA, Authority: mla.ID, LegalBasis: "European Convention on Mutual Assistance in Criminal Matters",
		Offence: "participation in a terrorist organisation", Description: "Records of money transfers received in Germany in 2014 (fictitious).",
		Entities: []string{person}, Deadline: &deadline})
	if err != nil {
		return err
	}
	if _, err := s.TakeStep(as("FR-DGSI"), r.ID, ctis.Step{Action: ctis.ActionSend}); err != nil {
		return err
	}
	_, err = s.TakeStep(as("DE-BKA"), r.ID, ctis.Step{Action: ctis.ActionAcknowledge, Note: "Received; passed to the prosecutor."})
	return err
}

// UNList is a real copy of the UN Security Council Consolidated Sanctions
// List (generated 2026-02-27), so that a demo node can screen listed names.
//
//go:embed testdata/un-consolidated.xml
var UNList []byte

// SeedHashes adds demo hash banks: one France shares with every member and
// the frontline, holding the PDQ hash of pdq/testdata/images/aaa-orig.jpg
// (upload it on /hashes to see a match) and a URL; and one Germany keeps
// to itself but for hit notices. The labels are made up.
func SeedHashes(ctx context.Context, hs ctis.HashService) error {
	as := func(agency string) context.Context {
		return ctis.NewContext(ctx, ctis.Identity{Username: "demo", Agency: agency, Roles: []ctis.Role{ctis.RoleAnalyst}})
	}
	fr := as("FR-DGSI")
	b, err := hs.CreateHashBank(fr, ctis.HashBank{Name: "Propaganda images (demo)", Description: "Fictitious labels on a test photograph.",
		Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}})
	if err != nil {
		return err
	}
	labels := ctis.HashLabels{Entity: "Katibat al-Nur (fictitious)", Behaviours: []ctis.Behaviour{"branded_propaganda", "recruitment"}, ContentType: "image"}
	if _, err := hs.AddHashes(fr, b.ID, []ctis.HashEntry{
		{Type: ctis.HashPDQ, Value: "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22", Labels: labels},
		{Type: ctis.HashURL, Value: "https://video.example/watch?v=demo-0001", Labels: ctis.HashLabels{Entity: labels.Entity, Behaviours: []ctis.Behaviour{"recruitment"}, ContentType: "video"}},
	}); err != nil {
		return err
	}
	de := as("DE-BKA")
	b, err = hs.CreateHashBank(de, ctis.HashBank{Name: "Attack footage under investigation (demo)", Handling: ctis.Handling{HitNotice: true}})
	if err != nil {
		return err
	}
	_, err = hs.AddHashes(de, b.ID, []ctis.HashEntry{{Type: ctis.HashMD5, Value: "9e107d9d372bb6826bd81d3542a419d6",
		Labels: ctis.HashLabels{Behaviours: []ctis.Behaviour{"attack_footage"}, ContentType: "video"}}})
	return err
}
