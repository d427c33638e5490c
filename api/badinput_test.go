package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
)

// TestBadInput sends requests that must be refused and checks that each
// gets a 4xx problem naming the code and field, and that nothing was
// written: the entity listing and the audit trail's events other than
// reads are as they were.
func TestBadInput(t *testing.T) {
	f := newFixture(t, func(s *Server) { s.ImportMaxBody = 4096 })
	e := f.create("fr.analyst", person("Abu Example"))
	stmt := e.Statements[0].ID
	auth, err := f.db.CreateAuthority(ctis.NewContext(system, ctis.Identity{Username: "test", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}}),
		ctis.Authority{Country: "DE", Instrument: ctis.InstrumentMLA, Name: "Bundesamt für Justiz", Jurisdiction: "Germany", Languages: []string{"de"},
			Channels: []string{"e-CODEX"}, Hours: "24/7", VerifiedOn: "2026-01-05"})
	if err != nil {
		t.Fatal(err)
	}
	var coop ctis.Request
	f.post("fr.analyst", "/api/v1/cooperation-requests", map[string]any{"kind": "mla", "authority": auth.ID, "legal_basis": "treaty", "offence": "terrorism",
		"description": "records", "deadline": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}).want(t, 201).decode(t, &coop)
	// request builds a POST /cooperation-requests body from fields after
	// the kind, the authority and the texts.
	request := func(kind, rest string) string {
		return `{"kind":"` + kind + `","authority":"` + auth.ID + `","legal_basis":"treaty","offence":"terrorism","description":"records"` + rest + `}`
	}
	soon := `,"deadline":"` + time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339) + `"`
	sum := strings.Repeat("ab", 32)

	// entity builds a POST /entities body from a statement's JSON.
	entity := func(statement string) string {
		return `{"schema":"Person","statements":[` + statement + `]}`
	}
	line := func(id, statement string) string {
		return `{"id":"` + id + `","schema":"Person","statements":[` + statement + `]}`
	}
	good := `{"property":"name","value":"Abu Example"}`
	post := func(path, as, body string) call {
		return call{method: "POST", path: path, as: as, contentType: "application/json", body: body}
	}
	ndjson := func(body string) call {
		return call{method: "POST", path: "/api/v1/import", as: "fr.analyst", contentType: "application/x-ndjson", body: body}
	}
	get := func(path string) call { return call{method: "GET", path: path, as: "fr.analyst"} }
	withType := func(c call, contentType string) call { c.contentType = contentType; return c }
	withToken := func(c call, token string) call { c.as, c.token = "", token; return c }
	unsized := func(c call) call { c.unsized = true; return c }

	for _, c := range []struct {
		name   string
		call   call
		status int
		code   string
		field  string
		detail string // a part of the detail, when the field cannot say it
	}{
		{"malformed JSON", post("/api/v1/entities", "fr.analyst", `{"schema":"Person" "statements":[]}`), 400, ctis.EINVALID, "", "offset 20"},
		{"truncated JSON", post("/api/v1/entities", "fr.analyst", `{"schema":"Person",`), 400, ctis.EINVALID, "", "ends in the middle"},
		{"empty body", post("/api/v1/entities", "fr.analyst", ``), 400, ctis.EINVALID, "", "empty"},
		{"trailing data", post("/api/v1/entities", "fr.analyst", entity(good)+` {}`), 400, ctis.EINVALID, "", "after the JSON value"},
		{"not an object", post("/api/v1/entities", "fr.analyst", `[1]`), 400, ctis.EINVALID, "(root)", ""},
		{"unknown schema", post("/api/v1/entities", "fr.analyst", `{"schema":"Alien","statements":[`+good+`]}`), 400, ctis.EINVALID, "schema", ""},
		{"unknown property", post("/api/v1/entities", "fr.analyst", entity(`{"property":"shoeSize","value":"44"}`)), 400, ctis.EINVALID, "statements[0].property", ""},
		{"unknown field", post("/api/v1/entities", "fr.analyst", `{"schema":"Person","colour":"red","statements":[`+good+`]}`), 400, ctis.EINVALID, "colour", ""},
		{"unknown nested field", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"X","confidence":1}`)), 400, ctis.EINVALID, "confidence", ""},
		{"schema not a string", post("/api/v1/entities", "fr.analyst", `{"schema":5,"statements":[`+good+`]}`), 400, ctis.EINVALID, "schema", ""},
		{"value not a string", post("/api/v1/entities", "fr.analyst", entity(`{"property":"birthDate","value":1971}`)), 400, ctis.EINVALID, "statements.value", ""},
		{"frontline not a boolean", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"X","handling":{"frontline":"yes"}}`)), 400, ctis.EINVALID, "statements.handling.frontline", ""},
		{"statements not a list", post("/api/v1/entities", "fr.analyst", `{"schema":"Person","statements":{}}`), 400, ctis.EINVALID, "statements", ""},
		{"impossible date", post("/api/v1/entities", "fr.analyst", entity(good+`,{"property":"birthDate","value":"1971-02-30"}`)), 400, ctis.EINVALID, "statements[1].value", ""},
		{"unknown country", post("/api/v1/entities", "fr.analyst", entity(`{"property":"nationality","value":"XX"}`)), 400, ctis.EINVALID, "statements[0].value", ""},
		{"value not in the list", post("/api/v1/entities", "fr.analyst", entity(`{"property":"gender","value":"yes"}`)), 400, ctis.EINVALID, "statements[0].value", ""},
		{"control characters in a name", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"A\u0007B"}`)), 400, ctis.EINVALID, "statements[0].value", ""},
		{"invalid UTF-8 in a name", post("/api/v1/entities", "fr.analyst", entity("{\"property\":\"name\",\"value\":\"Jos\xe9\"}")), 400, ctis.EINVALID, "statements[0].value", "invalid UTF-8"},
		{"a key given twice", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"Abu Example","value":"Someone Else"}`)), 400, ctis.EINVALID, "statements[0].value", `duplicate key "value"`},
		{"a key given twice in two cases", post("/api/v1/entities", "fr.analyst", `{"schema":"Person","Schema":"Organization","statements":[`+good+`]}`), 400, ctis.EINVALID, "Schema", `duplicate key "Schema" (also given as "schema")`},
		{"invalid UTF-8 in a reason", post("/api/v1/statements/"+stmt+"/withdraw", "fr.analyst", "{\"reason\":\"wrong \xff\"}"), 400, ctis.EINVALID, "reason", "invalid UTF-8"},
		{"unknown distribution", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"X","handling":{"distribution":"everyone"}}`)), 400, ctis.EINVALID, "statements[0].handling.distribution", ""},
		{"H3 without text", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"X","handling":{"restriction":"H3"}}`)), 400, ctis.EINVALID, "statements[0].handling.restriction_text", ""},
		{"unknown grading", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"X","grading":"Z9"}`)), 400, ctis.EINVALID, "statements[0].grading", ""},
		{"review date passed", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"X","review_by":"2001-01-01"}`)), 400, ctis.EINVALID, "statements[0].review_by", ""},
		{"unknown group", post("/api/v1/entities", "fr.analyst", entity(`{"property":"name","value":"X","handling":{"distribution":"group","group":"nobody"}}`)), 400, ctis.EINVALID, "statements[0].handling.group", ""},
		{"id chosen by the client", post("/api/v1/entities", "fr.analyst", `{"id":"`+ctis.NewID()+`","schema":"Person","statements":[`+good+`]}`), 400, ctis.EINVALID, "id", ""},
		{"no statements", post("/api/v1/entities", "fr.analyst", `{"schema":"Person","statements":[]}`), 400, ctis.EINVALID, "statements", ""},
		{"oversized body", post("/api/v1/entities", "fr.analyst", entity(`{"property":"notes","value":"`+strings.Repeat("x", DefaultMaxBody)+`"}`)), 413, ctis.ETOOLARGE, "", ""},
		{"oversized stream", unsized(post("/api/v1/entities", "fr.analyst", entity(`{"property":"notes","value":"`+strings.Repeat("x", DefaultMaxBody)+`"}`))), 413, ctis.ETOOLARGE, "", ""},
		{"text/plain", withType(post("/api/v1/entities", "fr.analyst", entity(good)), "text/plain"), 415, ctis.EUNSUPPORTED, "Content-Type", ""},
		{"no content type", withType(post("/api/v1/entities", "fr.analyst", entity(good)), ""), 415, ctis.EUNSUPPORTED, "Content-Type", ""},
		{"form post", withType(post("/api/v1/entities", "fr.analyst", "schema=Person"), "application/x-www-form-urlencoded"), 415, ctis.EUNSUPPORTED, "Content-Type", ""},
		{"latin-1", withType(post("/api/v1/entities", "fr.analyst", entity(good)), "application/json; charset=iso-8859-1"), 415, ctis.EUNSUPPORTED, "Content-Type", ""},
		{"no credentials", post("/api/v1/entities", "", entity(good)), 401, ctis.EUNAUTHORIZED, "", ""},
		{"unknown token", withToken(post("/api/v1/entities", "", entity(good)), "ctis_not-a-real-token"), 401, ctis.EUNAUTHORIZED, "", ""},
		{"basic auth", call{method: "POST", path: "/api/v1/entities", contentType: "application/json", body: entity(good), header: map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}}, 401, ctis.EUNAUTHORIZED, "", ""},
		{"frontline contributing", post("/api/v1/entities", "fr.border", entity(good)), 403, ctis.EFORBIDDEN, "", ""},

		{"statement with impossible date", post("/api/v1/entities/"+e.ID+"/statements", "fr.analyst", `{"statements":[{"property":"birthDate","value":"1971-02-30"}]}`), 400, ctis.EINVALID, "statements[0].value", ""},
		{"statement for an unknown agency", post("/api/v1/entities/"+e.ID+"/statements", "fr.analyst", `{"statements":[{"property":"alias","value":"X","handling":{"distribution":"agencies","agencies":["XX-NONE"]}}]}`), 400, ctis.EINVALID, "statements[0].handling.agencies[0]", ""},
		{"no statements to add", post("/api/v1/entities/"+e.ID+"/statements", "fr.analyst", `{"statements":[]}`), 400, ctis.EINVALID, "statements", ""},
		{"statements for an absent entity", post("/api/v1/entities/"+ctis.NewID()+"/statements", "fr.analyst", `{"statements":[`+good+`]}`), 404, ctis.ENOTFOUND, "", ""},
		{"withdrawal without reason", post("/api/v1/statements/"+stmt+"/withdraw", "fr.analyst", `{"reason":" "}`), 400, ctis.EINVALID, "reason", ""},
		{"withdrawal by another agency", post("/api/v1/statements/"+stmt+"/withdraw", "de.analyst", `{"reason":"mine now"}`), 403, ctis.EFORBIDDEN, "", ""},
		{"impossible review date", call{method: "PUT", path: "/api/v1/statements/" + stmt + "/review", as: "fr.analyst", contentType: "application/json", body: `{"review_by":"1971-02-30"}`}, 400, ctis.EINVALID, "review_by", ""},

		{"import: bad second line", ndjson(line(ctis.NewID(), good) + "\n" + line(ctis.NewID(), `{"property":"birthDate","value":"1971-02-30"}`) + "\n"), 400, ctis.EINVALID, "line 2: statements[0].value", ""},
		{"import: malformed third line", ndjson(line(ctis.NewID(), good) + "\n\n" + `{"id":`), 400, ctis.EINVALID, "line 3", ""},
		{"import: unknown field", ndjson(`{"id":"` + ctis.NewID() + `","schema":"Person","statements":[],"extra":true}`), 400, ctis.EINVALID, "line 1: extra", ""},
		{"import: no id", ndjson(`{"schema":"Person","statements":[` + good + `]}`), 400, ctis.EINVALID, "line 1: id", ""},
		{"import: nothing", ndjson("\n\n"), 400, ctis.EINVALID, "", "no entities"},
		{"import: oversized", ndjson(line(ctis.NewID(), good) + "\n" + line(ctis.NewID(), `{"property":"notes","value":"`+strings.Repeat("x", 4096)+`"}`)), 413, ctis.ETOOLARGE, "", ""},
		{"import: oversized stream", unsized(ndjson(line(ctis.NewID(), good) + "\n" + line(ctis.NewID(), `{"property":"notes","value":"`+strings.Repeat("x", 4096)+`"}`))), 413, ctis.ETOOLARGE, "", ""},
		{"import: JSON content type", withType(ndjson(line(ctis.NewID(), good)), "application/json"), 415, ctis.EUNSUPPORTED, "Content-Type", ""},

		{"agency in no country", post("/api/v1/agencies", "fr.admin", `{"code":"QQ-X","name":"X","country":"QQ"}`), 400, ctis.EINVALID, "country", ""},
		{"agency of unknown kind", post("/api/v1/agencies", "fr.admin", `{"code":"ES-CNI","name":"CNI","country":"ES","kind":"spies"}`), 400, ctis.EINVALID, "kind", ""},
		{"agency with a creation time", post("/api/v1/agencies", "fr.admin", `{"code":"ES-CNI","name":"CNI","country":"ES","created_at":"2020-01-01T00:00:00Z"}`), 400, ctis.EINVALID, "created_at", ""},
		{"agency taken", post("/api/v1/agencies", "fr.admin", `{"code":"FR-DGSI","name":"Again","country":"FR"}`), 409, ctis.ECONFLICT, "code", ""},
		{"agency by an analyst", post("/api/v1/agencies", "fr.analyst", `{"code":"ES-CNI","name":"CNI","country":"ES"}`), 403, ctis.EFORBIDDEN, "", ""},
		{"user of unknown role", post("/api/v1/users", "fr.admin", `{"username":"x.y","agency":"FR-DGSI","roles":["boss"]}`), 400, ctis.EINVALID, "roles[0]", ""},
		{"user of no agency", post("/api/v1/users", "fr.admin", `{"username":"x.y","agency":"XX-NONE","roles":["analyst"]}`), 400, ctis.EINVALID, "agency", ""},
		{"user with a short password", post("/api/v1/users", "fr.admin", `{"username":"x.y","agency":"FR-DGSI","roles":["analyst"],"password":"short"}`), 400, ctis.EINVALID, "password", ""},
		{"user taken", post("/api/v1/users", "fr.admin", `{"username":"fr.analyst","agency":"FR-DGSI","roles":["analyst"]}`), 409, ctis.ECONFLICT, "username", ""},
		{"token for nobody", post("/api/v1/users/"+ctis.NewID()+"/tokens", "fr.admin", `{"name":"ci"}`), 404, ctis.ENOTFOUND, "", ""},
		{"token without a name", post("/api/v1/users/"+f.users["fr.analyst"]+"/tokens", "fr.admin", `{"name":""}`), 400, ctis.EINVALID, "name", ""},
		{"revoking no token", call{method: "DELETE", path: "/api/v1/tokens/" + ctis.NewID(), as: "fr.admin"}, 404, ctis.ENOTFOUND, "", ""},
		{"group of an unknown agency", call{method: "PUT", path: "/api/v1/groups/western", as: "fr.admin", contentType: "application/json", body: `{"agencies":["FR-DGSI","XX-NONE"]}`}, 400, ctis.EINVALID, "agencies[1]", ""},
		{"group with a bad name", call{method: "PUT", path: "/api/v1/groups/a%20b", as: "fr.admin", contentType: "application/json", body: `{"agencies":["FR-DGSI"]}`}, 400, ctis.EINVALID, "name", ""},
		{"login without password", post("/api/v1/auth/login", "", `{"username":"fr.analyst"}`), 400, ctis.EINVALID, "password", ""},
		{"login with extra fields", post("/api/v1/auth/login", "", `{"username":"fr.analyst","password":"x","otp":"1"}`), 400, ctis.EINVALID, "otp", ""},

		{"request of unknown kind", post("/api/v1/cooperation-requests", "fr.analyst", request("letter_rogatory", soon)), 400, ctis.EINVALID, "kind", ""},
		{"request with a past deadline", post("/api/v1/cooperation-requests", "fr.analyst", request("mla", `,"deadline":"2020-01-01T00:00:00Z"`)), 400, ctis.EINVALID, "deadline", ""},
		{"request with a deadline years ahead", post("/api/v1/cooperation-requests", "fr.analyst", request("mla", `,"deadline":"2099-01-01T00:00:00Z"`)), 400, ctis.EINVALID, "deadline", ""},
		{"request with a deadline not a time", post("/api/v1/cooperation-requests", "fr.analyst", request("mla", `,"deadline":"next week"`)), 400, ctis.EINVALID, "deadline", ""},
		{"request without a deadline", post("/api/v1/cooperation-requests", "fr.analyst", request("mla", ``)), 400, ctis.EINVALID, "deadline", ""},
		{"request with an oversized attachment", post("/api/v1/cooperation-requests", "fr.analyst", request("mla", soon+`,"attachments":[{"name":"disk.img","sha256":"`+sum+`","size":3000000000}]`)), 400, ctis.EINVALID, "attachments[0].size", ""},
		{"request with the file's bytes", post("/api/v1/cooperation-requests", "fr.analyst", request("mla", soon+`,"attachments":[{"name":"a.pdf","sha256":"`+sum+`","size":3,"content":"JVBE"}]`)), 400, ctis.EINVALID, "content", ""},
		{"request linking an entity not seen", post("/api/v1/cooperation-requests", "fr.analyst", request("mla", soon+`,"entities":["`+ctis.NewID()+`"]`)), 400, ctis.EINVALID, "entities[0]", ""},
		{"request to the sender's own authority", post("/api/v1/cooperation-requests", "de.analyst", request("mla", soon)), 400, ctis.EINVALID, "authority", ""},
		{"request by a frontline officer", post("/api/v1/cooperation-requests", "fr.border", request("mla", soon)), 403, ctis.EFORBIDDEN, "", ""},
		{"request step unknown", post("/api/v1/cooperation-requests/"+coop.ID+"/steps", "fr.analyst", `{"action":"approve"}`), 400, ctis.EINVALID, "action", ""},
		{"request answered by its sender", post("/api/v1/cooperation-requests/"+coop.ID+"/steps", "fr.analyst", `{"action":"answer"}`), 409, ctis.ECONFLICT, "action", ""},
		{"request draft seen by the receiver", post("/api/v1/cooperation-requests/"+coop.ID+"/steps", "de.analyst", `{"action":"acknowledge"}`), 404, ctis.ENOTFOUND, "", ""},
		{"request extended though not preservation", post("/api/v1/cooperation-requests/"+coop.ID+"/steps", "fr.analyst", `{"action":"extend"}`), 400, ctis.EINVALID, "action", ""},
		{"request shared with no agency", post("/api/v1/cooperation-requests/"+coop.ID+"/agencies", "fr.analyst", `{"agency":"XX-NONE"}`), 400, ctis.EINVALID, "agency", ""},
		{"request listed by unknown state", get("/api/v1/cooperation-requests?state=lost"), 400, ctis.EINVALID, "state", ""},
		{"authority changed by another agency", call{method: "PUT", path: "/api/v1/authorities/" + auth.ID, as: "fr.analyst", contentType: "application/json",
			body: `{"country":"DE","instrument":"mla","name":"X","jurisdiction":"X","languages":["de"],"channels":["x"],"hours":"x","verified_on":"2026-01-05"}`}, 403, ctis.EFORBIDDEN, "", ""},
		{"authority verified ahead", post("/api/v1/authorities", "de.analyst", `{"country":"DE","instrument":"mla","name":"X","jurisdiction":"X","languages":["de"],"channels":["x"],"hours":"x","verified_on":"2099-01-05"}`), 400, ctis.EINVALID, "verified_on", ""},
		{"authority of unknown instrument", post("/api/v1/authorities", "de.analyst", `{"country":"DE","instrument":"rogatory","name":"X","jurisdiction":"X","languages":["de"],"channels":["x"],"hours":"x","verified_on":"2026-01-05"}`), 400, ctis.EINVALID, "instrument", ""},
		{"authority removed by another agency", call{method: "DELETE", path: "/api/v1/authorities/" + auth.ID, as: "fr.analyst"}, 403, ctis.EFORBIDDEN, "", ""},

		{"limit zero", get("/api/v1/entities?limit=0"), 400, ctis.EINVALID, "limit", ""},
		{"limit too high", get(fmt.Sprintf("/api/v1/entities?limit=%d", ctis.MaxLimit+1)), 400, ctis.EINVALID, "limit", ""},
		{"limit not a number", get("/api/v1/search?name=abu&limit=ten"), 400, ctis.EINVALID, "limit", ""},
		{"forged cursor", get("/api/v1/entities?cursor=bm90LWFuLWlk"), 400, ctis.EINVALID, "cursor", ""},
		{"listing an unknown schema", get("/api/v1/entities?schema=Alien"), 400, ctis.EINVALID, "schema", ""},
		{"search by name and property", get("/api/v1/search?name=abu&property=nationality&value=FR"), 400, ctis.EINVALID, "name", ""},
		{"search by an unknown property", get("/api/v1/search?property=shoeSize&value=44"), 400, ctis.EINVALID, "property", ""},
		{"search for an impossible date", get("/api/v1/search?property=birthDate&value=1971-02-30"), 400, ctis.EINVALID, "value", ""},
		{"search for nothing", get("/api/v1/search"), 400, ctis.EINVALID, "name", ""},
		{"audit from a day", call{method: "GET", path: "/api/v1/audit?from=yesterday", as: "fr.auditor"}, 400, ctis.EINVALID, "from", ""},
		{"audit event zero", call{method: "GET", path: "/api/v1/audit?seq=0", as: "fr.auditor"}, 400, ctis.EINVALID, "seq", ""},
		{"audit by an analyst", get("/api/v1/audit"), 403, ctis.EFORBIDDEN, "", ""},
		{"purpose too long", call{method: "GET", path: "/api/v1/entities/" + e.ID, as: "fr.analyst", header: map[string]string{"Ctis-Purpose": strings.Repeat("p", ctis.MaxPurpose+1)}}, 400, ctis.EINVALID, "purpose", ""},
		{"wrong method", call{method: "PUT", path: "/api/v1/entities", as: "fr.analyst", contentType: "application/json", body: entity(good)}, 405, codeMethodNotAllowed, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			before := f.state()
			r := f.do(c.call)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			p := r.problem(t)
			if p.Code != c.code || p.Field != c.field || !strings.Contains(p.Detail, c.detail) {
				t.Errorf("got code %q field %q detail %q; want code %q field %q detail with %q", p.Code, p.Field, p.Detail, c.code, c.field, c.detail)
			}
			if after := f.state(); !reflect.DeepEqual(before, after) {
				t.Errorf("something was written:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

// state is what a refused request must leave as it was.
type state struct {
	FR, DE []ctis.EntitySummary
	Writes []string
}

// readActions are the audit actions that record reads, which refused
// requests may leave (a refused search is still a search that was made).
var readActions = []string{ctis.ActEntityRead, ctis.ActEntityList, ctis.ActSearch, ctis.ActHitNotice, ctis.ActExport, ctis.ActAuditRead, ctis.ActRequestRead}

func (f *fixture) state() state {
	f.t.Helper()
	list := func(agency string) []ctis.EntitySummary {
		ctx := ctis.WithPurpose(ctis.NewContext(system, ctis.Identity{Username: "test", Agency: agency, Roles: []ctis.Role{ctis.RoleAnalyst}}), "test")
		page, err := f.db.Entities(ctx, ctis.EntityFilter{Limit: ctis.MaxLimit})
		if err != nil {
			f.t.Fatal(err)
		}
		return page.Entities
	}
	s := state{FR: list("FR-DGSI"), DE: list("DE-BKA")}
	page, err := f.db.Events(system, ctis.AuditFilter{Limit: ctis.MaxLimit})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range page.Events {
		if !slices.Contains(readActions, e.Action) {
			b, _ := json.Marshal(e)
			s.Writes = append(s.Writes, string(b))
		}
	}
	return s
}
