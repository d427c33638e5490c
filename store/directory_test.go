package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/store"
)

func TestTokensAndLogins(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	db := openDB(t, store.Options{Now: func() time.Time { return now }})
	mustAgency(t, db, "DE-BKA", "DE")
	ctx := context.Background()

	u, token, err := db.CreateUser(system, ctis.NewUser{Username: "Border.DE", Agency: "de-bka", Roles: []ctis.Role{ctis.RoleFrontline}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "border.de" || u.Agency != "DE-BKA" {
		t.Fatalf("not normalised: %+v", u)
	}
	id, err := db.Authenticate(ctx, ctis.CredentialAPI, token)
	if err != nil || id.UserID != u.ID || !id.FrontlineOnly() {
		t.Fatalf("authenticate: %+v %v", id, err)
	}
	for _, bad := range []string{"", "ctis_", token + "x", strings.ToUpper(token), "Bearer " + token} {
		if _, err := db.Authenticate(ctx, ctis.CredentialAPI, bad); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
			t.Errorf("token %q: %v", bad, err)
		}
	}

	// Wrong password and unknown user read alike, and both are audited.
	_, _, errWrong := db.Login(ctx, ctis.CredentialAPI, "border.de", "wrong password!", time.Hour)
	_, _, errUnknown := db.Login(ctx, ctis.CredentialAPI, "nobody", "wrong password!", time.Hour)
	if errWrong == nil || errWrong.Error() != errUnknown.Error() {
		t.Fatalf("wrong password %v, unknown user %v", errWrong, errUnknown)
	}
	page, err := db.Events(system, ctis.AuditFilter{Action: ctis.ActLoginFailed})
	if err != nil || len(page.Events) != 2 || page.Events[1].Scope != "DE-BKA" || page.Events[0].Scope != "" {
		t.Fatalf("failed logins audited as %+v, %v", page, err)
	}

	_, session, err := db.Login(ctx, ctis.CredentialWeb, "BORDER.DE", "correct horse battery", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, ctis.CredentialWeb, session); err != nil {
		t.Fatal(err)
	}
	now = now.Add(61 * time.Minute)
	if _, err := db.Authenticate(ctx, ctis.CredentialWeb, session); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
		t.Fatalf("expired session: %v", err)
	}

	tok, second, err := db.CreateToken(system, u.ID, "screening kiosk")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(system, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(ctx, ctis.CredentialAPI, second); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
		t.Fatalf("revoked token: %v", err)
	}
	if err := db.RevokeToken(system, tok.ID); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Fatalf("revoking twice: %v", err)
	}
	if _, err := db.Authenticate(ctx, ctis.CredentialAPI, token); err != nil {
		t.Fatalf("the first token must survive revoking another: %v", err)
	}

	// Only admins administer.
	frontline := ctis.NewContext(ctx, id)
	if _, err := db.CreateAgency(frontline, ctis.Agency{Code: "XX-TEST", Name: "x", Country: "FR"}); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Fatalf("frontline creates an agency: %v", err)
	}
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "border.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}}); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Fatalf("duplicate username: %v", err)
	}
	if _, _, err := db.CreateUser(system, ctis.NewUser{Username: "x.y", Agency: "NO-SUCH", Roles: []ctis.Role{ctis.RoleAnalyst}}); ctis.ErrorField(err) != "agency" {
		t.Fatalf("unknown agency: %v", err)
	}
}

// TestCredentialKindsApart: a page session is refused as an API
// credential, and an API token or API login as a page session, even to log
// out with.
func TestCredentialKindsApart(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "DE-BKA", "DE")
	ctx := context.Background()
	_, token, err := db.CreateUser(system, ctis.NewUser{Username: "analyst.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	_, web, err := db.Login(ctx, ctis.CredentialWeb, "analyst.de", "correct horse battery", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, api, err := db.Login(ctx, ctis.CredentialAPI, "analyst.de", "correct horse battery", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		kind   ctis.CredentialKind
		secret string
	}{{"web session", ctis.CredentialAPI, web}, {"API token", ctis.CredentialWeb, token}, {"API login", ctis.CredentialWeb, api}} {
		if _, err := db.Authenticate(ctx, c.kind, c.secret); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
			t.Errorf("a %s authenticates as %s: %v", c.name, c.kind, err)
		}
		if err := db.Logout(ctx, c.kind, c.secret); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
			t.Errorf("a %s logs out as %s: %v", c.name, c.kind, err)
		}
	}
	if _, err := db.Authenticate(ctx, "cookie", web); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
		t.Errorf("an unknown kind: %v", err)
	}
	for secret, kind := range map[string]ctis.CredentialKind{web: ctis.CredentialWeb, api: ctis.CredentialAPI, token: ctis.CredentialAPI} {
		if _, err := db.Authenticate(ctx, kind, secret); err != nil {
			t.Errorf("a %s credential at its own door: %v", kind, err)
		}
	}
}

func TestReviewPolicies(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	for _, policy := range []ctis.ReviewPolicy{ctis.ReviewFlag, ctis.ReviewHide, ctis.ReviewPurge} {
		t.Run(string(policy), func(t *testing.T) {
			now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			db := openDB(t, store.Options{ReviewPolicy: policy, Now: clock})
			mustAgency(t, db, "FR-DGSI", "FR")
			mustAgency(t, db, "DE-BKA", "DE")
			fr, de := as("FR-DGSI", ctis.RoleAnalyst), as("DE-BKA", ctis.RoleAnalyst)
			e, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
				{Property: "name", Value: "Old Record", Handling: ctis.Handling{Distribution: ctis.DistAll}, ReviewBy: "2026-06-30"},
				{Property: "nationality", Value: "fr", Handling: ctis.Handling{Distribution: ctis.DistAll}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			if e.Statements[1].ReviewBy != "2028-12-31" {
				t.Fatalf("default review date %s", e.Statements[1].ReviewBy)
			}
			now = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
			got, err := db.Entity(de, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			seen := len(got.Statements)
			switch policy {
			case ctis.ReviewFlag:
				if seen != 2 || !got.Statements[0].PastReview || got.Statements[1].PastReview {
					t.Fatalf("flag: %+v", got.Statements)
				}
			default:
				if seen != 1 || got.Statements[0].Property != "nationality" {
					t.Fatalf("%s: another agency still sees %+v", policy, got.Statements)
				}
				own, _ := db.Entity(fr, e.ID)
				if len(own.Statements) != 2 || !own.Statements[0].PastReview {
					t.Fatalf("%s: the originator must still see its statement to review it: %+v", policy, own.Statements)
				}
			}
			n, err := db.PurgeExpired(system)
			if policy != ctis.ReviewPurge {
				if ctis.ErrorCode(err) != ctis.EINVALID {
					t.Fatalf("purge under %s: %v", policy, err)
				}
				return
			}
			if err != nil || n != 1 {
				t.Fatalf("purge: %d %v", n, err)
			}
			own, _ := db.Entity(fr, e.ID)
			if len(own.Statements) != 1 {
				t.Fatalf("after purge: %+v", own.Statements)
			}
			if res, _ := db.Search(fr, ctis.SearchQuery{Name: "old record"}); len(res.Entities) != 0 {
				t.Fatal("a purged name still matches")
			}
			// The originator's auditors see the purge of its statement;
			// another agency's see nothing of it.
			for agency, want := range map[string]bool{"FR-DGSI": true, "DE-BKA": false} {
				page, err := db.Events(as(agency, ctis.RoleAuditor), ctis.AuditFilter{Action: ctis.ActPurge, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				if got := len(page.Events) == 1 && strings.Contains(page.Events[0].Detail, e.Statements[0].ID); got != want || len(page.Events) > 1 {
					t.Errorf("%s's auditor sees the purge: %+v", agency, page.Events)
				}
			}
		})
	}
}

func TestWithdrawAndReview(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	e, err := db.CreateEntity(fr, person("Withdrawn Name", ctis.Handling{Distribution: ctis.DistAll}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.WithdrawStatement(fr, e.Statements[0].ID, " "); ctis.ErrorField(err) != "reason" {
		t.Fatalf("withdraw without reason: %v", err)
	}
	s, err := db.WithdrawStatement(fr, e.Statements[0].ID, "source retracted")
	if err != nil || s.Withdrawn == nil {
		t.Fatal(err)
	}
	if _, err := db.WithdrawStatement(fr, e.Statements[0].ID, "again"); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Fatalf("withdraw twice: %v", err)
	}
	got, err := db.Entity(fr, e.ID)
	if err != nil || got.Statements[0].Withdrawn == nil || got.Statements[0].Withdrawn.Reason != "source retracted" {
		t.Fatalf("withdrawn statement must stay visible and marked: %+v %v", got, err)
	}
	if res, _ := db.Search(fr, ctis.SearchQuery{Name: "withdrawn name"}); len(res.Entities) != 0 {
		t.Fatal("a withdrawn name still matches")
	}
	if _, err := db.SetReview(fr, e.Statements[0].ID, "2020-01-01"); ctis.ErrorField(err) != "review_by" {
		t.Fatalf("review date in the past: %v", err)
	}
	next := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
	if s, err := db.SetReview(fr, e.Statements[0].ID, next); err != nil || s.ReviewBy != next {
		t.Fatalf("set review: %+v %v", s, err)
	}
}

func TestEntityReferencesAndSearchByProperty(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "DE-BKA", "DE")
	fr, de := as("FR-DGSI", ctis.RoleAnalyst), as("DE-BKA", ctis.RoleAnalyst)
	hidden, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Organization", Statements: []ctis.NewStatement{{Property: "name", Value: "Hidden Org"}}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{{Property: "name", Value: "Member"}}})
	if err != nil {
		t.Fatal(err)
	}
	ref := func(v string) []ctis.NewStatement {
		return []ctis.NewStatement{{Property: "memberOf", Value: v, Handling: ctis.Handling{Distribution: ctis.DistAll}}}
	}
	if _, err := db.AddStatements(fr, p.ID, ref(hidden.ID)); err != nil {
		t.Fatal(err)
	}
	// DE cannot refer to an organisation it cannot see, nor to a person as an organisation.
	doc, err := db.CreateEntity(de, ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{{Property: "name", Value: "Other"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{hidden.ID, ctis.NewID(), doc.ID} {
		if _, err := db.AddStatements(de, doc.ID, ref(v)); ctis.ErrorField(err) != "statements[0].value" || err.Error() != ctis.Invalid("statements[0].value", "no Organization entity %s", v).Error() {
			t.Errorf("reference to %s: %v", v, err)
		}
	}
	if _, err := db.CreateEntity(fr, ctis.NewEntity{Schema: "Document", Statements: []ctis.NewStatement{
		{Property: "number", Value: "a 12-34", Handling: ctis.Handling{Distribution: ctis.DistAll}},
	}}); err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(de, ctis.SearchQuery{Property: "number", Value: "A1234"})
	if err != nil || len(res.Entities) != 1 {
		t.Fatalf("search by document number: %+v %v", res, err)
	}
	if _, err := db.Search(de, ctis.SearchQuery{Property: "nationality", Value: "ZZ"}); ctis.ErrorField(err) != "value" {
		t.Fatalf("search by an impossible country: %v", err)
	}
}

// TestPastReviewListing lists the entities holding the caller's agency's
// statements past review, and not another agency's.
func TestPastReviewListing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db := openDB(t, store.Options{Now: func() time.Time { return now }})
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "DE-BKA", "DE")
	all := ctis.Handling{Distribution: ctis.DistAll}
	due := person("Due Person", all)
	due.Statements[0].ReviewBy = "2026-06-01"
	later := person("Later Person", all)
	later.Statements[0].ReviewBy = "2027-06-01"
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	d, err := db.CreateEntity(fr, due)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateEntity(fr, later); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 7, 0)
	got, err := db.Entities(fr, ctis.EntityFilter{PastReview: true})
	if err != nil || len(got.Entities) != 1 || got.Entities[0].ID != d.ID {
		t.Fatalf("FR-DGSI's due: %v %+v", err, got)
	}
	if got, _ := db.Entities(as("DE-BKA", ctis.RoleAnalyst), ctis.EntityFilter{PastReview: true}); len(got.Entities) != 0 {
		t.Errorf("DE-BKA is asked to review FR-DGSI's statements: %+v", got)
	}
}

// TestUserLanguage: a user's language is kept with the user, read back
// with every identity and listing, and only one of the six is taken.
func TestUserLanguage(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "JO-GID", "JO")
	ctx := context.Background()
	u, token, err := db.CreateUser(system, ctis.NewUser{Username: "jo.border", Agency: "JO-GID", Roles: []ctis.Role{ctis.RoleFrontline}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.Authenticate(ctx, ctis.CredentialAPI, token)
	if err != nil || id.Language != "" {
		t.Fatalf("before choosing: %+v %v", id, err)
	}
	as := ctis.NewContext(ctx, id)
	for _, bad := range []string{"", "de", "AR", "ar-JO"} {
		if err := db.SetLanguage(as, bad); ctis.ErrorCode(err) != ctis.EINVALID {
			t.Errorf("language %q: %v", bad, err)
		}
	}
	if err := db.SetLanguage(ctx, "ar"); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
		t.Errorf("without an identity: %v", err)
	}
	if err := db.SetLanguage(as, "ar"); err != nil {
		t.Fatal(err)
	}
	if id, err := db.Authenticate(ctx, ctis.CredentialAPI, token); err != nil || id.Language != "ar" {
		t.Errorf("after choosing Arabic: %+v %v", id, err)
	}
	users, err := db.Users(system)
	if err != nil || len(users) != 1 || users[0].ID != u.ID || users[0].Language != "ar" {
		t.Errorf("users: %+v %v", users, err)
	}
	if ev, err := db.Events(system, ctis.AuditFilter{Action: ctis.ActUserLanguage}); err != nil || len(ev.Events) != 1 {
		t.Errorf("audited: %+v %v", ev, err)
	}
}
