package api

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
)

// TestOpenAPIRoutes holds the document to the route table: the same
// operations, each path parameter documented, every reference resolved,
// and the responses that the shared machinery can give to any route.
func TestOpenAPIRoutes(t *testing.T) {
	d := loadOpenAPI(t)
	if v, _ := d.root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi version %q", v)
	}
	var table, documented []string
	public := map[string]bool{}
	for _, rt := range (&handler{}).routes() {
		table = append(table, rt.method+" "+rt.pattern)
		public[rt.method+" "+rt.pattern] = rt.public
	}
	operationIDs := map[string]bool{}
	templateVar := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range object(d.root["paths"]) {
		for method, o := range object(item) {
			op := object(o)
			key := strings.ToUpper(method) + " " + path
			documented = append(documented, key)
			id, _ := op["operationId"].(string)
			if id == "" || operationIDs[id] {
				t.Errorf("%s: operationId %q missing or repeated", key, id)
			}
			operationIDs[id] = true

			var inPath []string
			for _, m := range templateVar.FindAllStringSubmatch(path, -1) {
				inPath = append(inPath, m[1])
			}
			var params []string
			for _, p := range asSlice(op["parameters"]) {
				if p := d.resolve(object(p)); p["in"] == "path" {
					params = append(params, p["name"].(string))
				}
			}
			if !slices.Equal(inPath, params) {
				t.Errorf("%s: path parameters documented %q, in the path %q", key, params, inPath)
			}

			responses := object(op["responses"])
			security, overridden := op["security"]
			switch {
			case public[key] && (!overridden || len(asSlice(security)) != 0):
				t.Errorf("%s: a public route must document security []", key)
			case !public[key] && overridden:
				t.Errorf("%s: an authenticated route must keep the document's bearer security", key)
			case !public[key] && (responses["401"] == nil || responses["400"] == nil):
				t.Errorf("%s: an authenticated route can answer 400 (two purposes) and 401", key)
			}
			if op["requestBody"] != nil && (responses["413"] == nil || responses["415"] == nil) {
				t.Errorf("%s: a route with a body can answer 413 and 415", key)
			}
		}
	}
	slices.Sort(table)
	slices.Sort(documented)
	if !slices.Equal(table, documented) {
		t.Errorf("the document and the route table differ:\nroutes     %q\ndocumented %q", table, documented)
	}
	var refs []string
	collectRefs(d.root, &refs)
	for _, ref := range refs {
		if d.pointer(ref) == nil {
			t.Errorf("unresolved $ref %s", ref)
		}
	}
}

func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
			}
			collectRefs(x, refs)
		}
	case []any:
		for _, x := range v {
			collectRefs(x, refs)
		}
	}
}

// TestOpenAPIResponses calls every route as a client would, and the
// fixture checks each reply against the document (status, media type,
// body schema, headers) and each accepted request body against the
// documented request schema. The scenario reaches every route with a
// success, with the optional parts of the schemas filled in: notices,
// withdrawals, restrictions, next cursors.
func TestOpenAPIResponses(t *testing.T) {
	f := newFixture(t)

	r := f.do(call{method: "GET", path: "/api/v1/openapi.json"}).want(t, http.StatusOK)
	if !bytes.Equal(r.body, openAPIDocument) {
		t.Error("the served document is not the embedded one")
	}
	var s session
	f.post("", "/api/v1/auth/login", loginRequest{Username: "fr.analyst", Password: password}).want(t, http.StatusOK).decode(t, &s)

	f.post("fr.admin", "/api/v1/agencies", newAgency{Code: "es-cni", Name: "Centro Nacional de Inteligencia", Country: "es", Kind: "intelligence"}).want(t, http.StatusCreated)
	f.do(call{method: "GET", path: "/api/v1/agencies", as: "fr.analyst"}).want(t, http.StatusOK)
	var cu createdUser
	f.post("fr.admin", "/api/v1/users", ctis.NewUser{Username: "es.analyst", Agency: "ES-CNI", Roles: []ctis.Role{ctis.RoleAnalyst}}).want(t, http.StatusCreated).decode(t, &cu)
	f.do(call{method: "GET", path: "/api/v1/users", as: "fr.admin"}).want(t, http.StatusOK)
	var ct createdToken
	f.post("fr.admin", "/api/v1/users/"+cu.User.ID+"/tokens", map[string]string{"name": "nightly sync"}).want(t, http.StatusCreated).decode(t, &ct)
	f.do(call{method: "GET", path: "/api/v1/schemas", token: ct.Secret}).want(t, http.StatusOK)
	f.do(call{method: "DELETE", path: "/api/v1/tokens/" + ct.ID, as: "fr.admin"}).want(t, http.StatusNoContent)
	f.do(call{method: "GET", path: "/api/v1/schemas", token: ct.Secret}).want(t, http.StatusUnauthorized)
	f.do(call{method: "PUT", path: "/api/v1/groups/western", as: "fr.admin", contentType: "application/json", body: `{"agencies":["FR-DGSI","DE-BKA"]}`}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/groups", as: "de.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/schemas", as: "fr.border"}).want(t, http.StatusOK)

	e := f.create("fr.analyst", ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: "Abu  Muhammad al-Test", Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true, HitNotice: true}, Grading: "A1"},
		{Property: "birthDate", Value: "1971-07~", Handling: ctis.Handling{Distribution: ctis.DistGroup, Group: "western", Restriction: ctis.H3, RestrictionText: "not for visa decisions"}, ReviewBy: time.Now().AddDate(2, 0, 0).Format("2006-01-02")},
		{Property: "nationality", Value: "iq", Handling: ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"de-bka"}, Restriction: ctis.H2}},
	}})
	f.create("fr.analyst", person("Second Subject"))
	f.post("de.analyst", "/api/v1/entities/"+e.ID+"/statements", map[string]any{"statements": []ctis.NewStatement{
		{Property: "passportNumber", Value: "A 123-45", Handling: ctis.Handling{HitNotice: true}, Grading: "B2"},
	}}).want(t, http.StatusCreated)

	var got ctis.Entity
	f.do(call{method: "GET", path: "/api/v1/entities/" + e.ID, as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &got)
	if len(got.Notices) != 1 || got.Notices[0].Agency != "DE-BKA" || len(got.Statements) != 3 {
		t.Errorf("FR-DGSI reads %+v", got)
	}
	f.do(call{method: "GET", path: "/api/v1/entities/" + e.ID, as: "fr.border"}).want(t, http.StatusOK)
	f.post("fr.analyst", "/api/v1/statements/"+e.Statements[2].ID+"/withdraw", map[string]string{"reason": "confused with a namesake"}).want(t, http.StatusOK)
	f.do(call{method: "PUT", path: "/api/v1/statements/" + e.Statements[1].ID + "/review", as: "fr.analyst", contentType: "application/json", body: `{"review_by":"` + time.Now().AddDate(1, 0, 0).Format("2006-01-02") + `"}`}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/entities/" + e.ID, as: "de.analyst"}).want(t, http.StatusOK)

	var page ctis.EntityPage
	f.do(call{method: "GET", path: "/api/v1/entities?past_review=true", as: "fr.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/entities?schema=Person&limit=1", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &page)
	if page.Next == "" {
		t.Error("a first page of one shows no next cursor")
	}
	var found ctis.SearchResult
	f.do(call{method: "GET", path: "/api/v1/search?property=passportNumber&value=a12345", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &found)
	if len(found.Entities) != 0 || len(found.Notices) != 1 {
		t.Errorf("FR-DGSI searching DE-BKA's hidden passport: %+v", found)
	}
	// A name in the URL is deprecated, and the answer says so.
	if r := f.do(call{method: "GET", path: "/api/v1/search?name=muhammad+abu&schema=Person&limit=5", as: "de.analyst"}).want(t, http.StatusOK); !strings.HasPrefix(r.header.Get("Deprecation"), "@") {
		t.Errorf("a search by name in the URL: Deprecation %q", r.header.Get("Deprecation"))
	}
	f.do(call{method: "GET", path: "/api/v1/export", as: "de.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "POST", path: "/api/v1/import", as: "de.analyst", contentType: "application/x-ndjson",
		body: `{"id":"` + ctis.NewID() + `","schema":"Organization","statements":[{"property":"name","value":"Front X","handling":{"distribution":"all"}}]}` + "\n"}).want(t, http.StatusOK)

	var screened ctis.ScreenResult
	f.post("de.analyst", "/api/v1/screen", map[string]string{"name": "Mohammed Abou al Test", "birth_date": "1971", "purpose": testPurpose}).want(t, http.StatusOK).decode(t, &screened)
	if len(screened.Hits) != 1 || screened.Hits[0].EntityID != e.ID {
		t.Fatalf("screening: %+v", screened)
	}
	f.post("de.analyst", "/api/v1/screen", map[string]any{"name": "Mohammed Abou al Test", "birth_date": "1971-7-16", "gender": "m", "min_score": 0.6}).want(t, http.StatusOK).decode(t, &screened)
	if len(screened.Hits) != 1 || len(screened.Warnings) != 2 {
		t.Fatalf("screening with a malformed birth date and gender: %+v", screened)
	}
	f.post("de.analyst", "/api/v1/screen", map[string]any{"name": "Mohammed Abou al Test", "min_score": 0.2}).want(t, http.StatusBadRequest)
	f.post("de.analyst", "/api/v1/screen/batch", map[string]any{"subjects": []ctis.Subject{{Name: "X"}}, "min_score": 0}).want(t, http.StatusBadRequest)
	var batch struct{ Results []ctis.ScreenResult }
	f.post("fr.border", "/api/v1/screen/batch", map[string]any{"subjects": []ctis.Subject{{Name: "Second Subject", BirthDate: "1974-01-32"},
		{Name: "Nobody Known", Nationality: "Iraq"}, {DocumentNumber: "12"}, {DocumentNumber: "A 123-456"}}}).want(t, http.StatusOK).decode(t, &batch)
	if r := batch.Results; len(r) != 4 || len(r[0].Hits) != 1 || len(r[0].Warnings) != 1 || r[1].Error != nil || r[2].Error == nil || r[2].Error.Field != "subjects[2].name" || r[3].Error != nil {
		t.Fatalf("batch screening: %+v", batch)
	}
	var queue ctis.HitPage
	f.do(call{method: "GET", path: "/api/v1/hits?status=open&min_score=0.5", as: "de.analyst"}).want(t, http.StatusOK).decode(t, &queue)
	if len(queue.Hits) != 2 {
		t.Fatalf("DE-BKA's queue: %+v", queue)
	}
	f.do(call{method: "GET", path: "/api/v1/hits/" + queue.Hits[0].ID, as: "de.analyst"}).want(t, http.StatusOK)
	f.post("de.analyst", "/api/v1/hits/"+queue.Hits[0].ID+"/decision", map[string]string{"status": "escalated", "reason": "ask FR-DGSI"}).want(t, http.StatusOK)

	var manifests struct{ Manifests []ctis.ManifestScreening }
	f.do(call{method: "POST", path: "/api/v1/manifests", as: "fr.analyst", contentType: "application/edifact", body: manifestOf("SUBJECT", "SECOND")}).
		want(t, http.StatusOK).decode(t, &manifests)
	if len(manifests.Manifests) != 1 || manifests.Manifests[0].Hits != 1 {
		t.Fatalf("manifest screening: %+v", manifests)
	}
	hit := manifests.Manifests[0].Travellers[0].Result.Hits[0]
	f.post("fr.analyst", "/api/v1/hits/"+hit.ID+"/decision", map[string]string{"status": "confirmed", "reason": "same passport"}).want(t, http.StatusOK)
	var movement ctis.Entity
	f.post("fr.analyst", "/api/v1/hits/"+hit.ID+"/movement", map[string]any{"handling": ctis.Handling{Distribution: ctis.DistAll}, "grading": "B2"}).
		want(t, http.StatusCreated).decode(t, &movement)
	if movement.Schema != "Movement" || len(movement.Statements) != 7 {
		t.Errorf("movement %+v", movement)
	}

	f.create("fr.analyst", ctis.NewEntity{Schema: "Document", Statements: []ctis.NewStatement{
		{Property: "number", Value: "X0123456", Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}},
		{Property: "status", Value: "stolen", Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}}}})
	var check ctis.DocumentCheck
	f.post("fr.border", "/api/v1/documents/check", map[string]string{"number": "XO12 3456", "issuing_country": "FRA"}).want(t, http.StatusOK).decode(t, &check)
	if !check.Hit || check.Status != "stolen" {
		t.Errorf("document check %+v", check)
	}
	var rule ctis.Rule
	f.post("fr.analyst", "/api/v1/rules", map[string]any{"name": "booked late, one way", "expression": "one_way && days_to_departure <= 3", "score": 0.4}).
		want(t, http.StatusCreated).decode(t, &rule)
	f.post("fr.analyst", "/api/v1/rules/"+rule.ID, map[string]any{"name": "one way", "expression": "one_way", "score": 0.3}).want(t, http.StatusCreated)
	f.post("fr.analyst", "/api/v1/rules", map[string]any{"name": "x", "expression": `nationality == "SY"`, "score": 0.3}).want(t, http.StatusBadRequest)
	f.do(call{method: "GET", path: "/api/v1/rules", as: "fr.border"}).want(t, http.StatusOK)
	var versions struct{ Rules []ctis.Rule }
	f.do(call{method: "GET", path: "/api/v1/rules/" + rule.ID + "/versions", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &versions)
	if len(versions.Rules) != 2 || versions.Rules[0].Version != 2 {
		t.Errorf("rule versions %+v", versions)
	}
	pnrs, err := os.ReadFile("../pnrgov/testdata/01_gtas_pnrMessagePg76_spec_example.edi")
	if err != nil {
		t.Fatal(err)
	}
	var screenedPNRs struct{ Messages []ctis.ManifestScreening }
	f.do(call{method: "POST", path: "/api/v1/pnrs", as: "fr.border", contentType: "application/edifact", body: string(pnrs)}).want(t, http.StatusOK).decode(t, &screenedPNRs)
	if refs := screenedPNRs.Messages[0].Travellers[0].Referrals; len(refs) != 1 || refs[0].RuleVersion != 2 {
		t.Errorf("referrals of a one-way booking: %+v", refs)
	}
	var referrals ctis.ReferralPage
	f.do(call{method: "GET", path: "/api/v1/rule-referrals?status=open&limit=1", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &referrals)
	if len(referrals.Referrals) != 1 || referrals.Next == "" || referrals.Referrals[0].Rule.RuleVersion != 2 || referrals.Referrals[0].Rule.Facts["one_way"] != true {
		t.Fatalf("referral queue: %+v", referrals)
	}
	referral := referrals.Referrals[0].ID
	f.do(call{method: "GET", path: "/api/v1/rule-referrals/" + referral, as: "fr.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/rule-referrals/" + referral, as: "de.analyst"}).want(t, http.StatusNotFound)
	f.do(call{method: "GET", path: "/api/v1/rule-referrals", as: "de.analyst"}).want(t, http.StatusOK).decode(t, &referrals)
	if len(referrals.Referrals) != 0 {
		t.Errorf("another agency's referral queue: %+v", referrals)
	}
	f.post("fr.analyst", "/api/v1/rule-referrals/"+referral+"/decision", map[string]string{"status": "escalated", "reason": "ask the duty officer"}).want(t, http.StatusOK)
	f.post("fr.analyst", "/api/v1/rule-referrals/"+referral+"/decision", map[string]string{"status": "confirmed", "reason": "travel pattern fits case 12"}).want(t, http.StatusOK)
	f.post("fr.analyst", "/api/v1/rule-referrals/"+referral+"/decision", map[string]string{"status": "false_positive", "reason": "again"}).want(t, http.StatusConflict)
	var travel struct{ Records []ctis.TravelRecord }
	f.do(call{method: "GET", path: "/api/v1/travel?flight=ZZ123&day=2026-11-21", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &travel)
	if len(travel.Records) != 2 || travel.Records[0].Personal == nil {
		t.Fatalf("travel search: %+v", travel)
	}
	rec := travel.Records[0].ID
	f.do(call{method: "GET", path: "/api/v1/travel/" + rec, as: "fr.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/travel/export", as: "fr.analyst"}).want(t, http.StatusOK)
	f.ahead.Store(int64(200 * 24 * time.Hour))
	if rep, err := f.db.ApplyRetention(system); err != nil || rep.ReferralsMasked == 0 {
		t.Fatalf("retention: %+v %v", rep, err)
	}
	// A referral masked with its record.
	var masked ctis.TravellerReferral
	f.do(call{method: "GET", path: "/api/v1/rule-referrals/" + referral, as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &masked)
	if r := masked; r.MaskedAt == nil || r.Traveller.Name != "" || r.Rule.Facts != nil {
		t.Errorf("masked referral: %+v", r)
	}
	var unmask ctis.UnmaskRequest
	f.post("fr.analyst", "/api/v1/travel/"+rec+"/unmask", map[string]string{"reason": "case 17: suspected facilitator"}).want(t, http.StatusCreated).decode(t, &unmask)
	f.post("fr.approver", "/api/v1/unmask-requests/"+unmask.ID+"/decision", map[string]any{"approve": true, "reason": "necessary and proportionate"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/unmask-requests?status=approved", as: "fr.approver"}).want(t, http.StatusOK)
	f.ahead.Store(0) // the session below is a real-time one

	hashCalls(t, f)
	requestCalls(t, f, e.ID)
	referralCalls(t, f)
	eventCalls(t, f)

	// DE-BKA escalated a hit on FR-DGSI's statements above.
	var notes struct {
		Unread        int
		Notifications []ctis.Notification
	}
	f.do(call{method: "GET", path: "/api/v1/notifications?unread=true", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &notes)
	if notes.Unread == 0 || len(notes.Notifications) != notes.Unread {
		t.Fatalf("FR-DGSI's notifications: %+v", notes)
	}
	f.do(call{method: "POST", path: fmt.Sprintf("/api/v1/notifications/%d/read", notes.Notifications[0].ID), as: "fr.analyst"}).want(t, http.StatusNoContent)
	f.do(call{method: "POST", path: fmt.Sprintf("/api/v1/notifications/%d/read", notes.Notifications[0].ID), as: "de.analyst"}).want(t, http.StatusNotFound)

	var events ctis.AuditPage
	f.do(call{method: "GET", path: "/api/v1/audit?limit=2", as: "fr.auditor"}).want(t, http.StatusOK).decode(t, &events)
	if len(events.Events) != 2 || events.Next == "" {
		t.Errorf("audit page %+v", events)
	}
	f.do(call{method: "GET", path: "/api/v1/audit?cursor=" + events.Next + "&from=2000-01-01T00:00:00Z", as: "fr.auditor"}).want(t, http.StatusOK)
	var rep ctis.AuditReport
	f.do(call{method: "GET", path: "/api/v1/audit/verify", as: "fr.auditor"}).want(t, http.StatusOK).decode(t, &rep)
	if !rep.OK {
		t.Errorf("verify: %+v", rep)
	}
	f.do(call{method: "POST", path: "/api/v1/auth/logout", token: s.Token}).want(t, http.StatusNoContent)

	for _, rt := range (&handler{}).routes() {
		if !f.covered[rt.method+" "+rt.pattern] {
			t.Errorf("no successful call of %s %s was checked", rt.method, rt.pattern)
		}
	}
}
