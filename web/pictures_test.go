package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ctis"
)

// network records a person with organisations, movements and a document
// under handlings that split the frontline's tearline from the analysts'
// view, and a document no other agency, nor FR's own frontline, may see
// but which carries a hit notice. It returns the person's ID.
func network(t *testing.T, entities ctis.EntityService) string {
	t.Helper()
	ctx := ctis.NewContext(context.Background(), ctis.Identity{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}})
	tearline := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	analysts := ctis.Handling{Distribution: ctis.DistAll}
	hidden := ctis.Handling{Distribution: ctis.DistOriginator, HitNotice: true}
	create := func(schema string, h ctis.Handling, kv ...string) string {
		t.Helper()
		var st []ctis.NewStatement
		for i := 0; i < len(kv); i += 2 {
			st = append(st, ctis.NewStatement{Property: kv[i], Value: kv[i+1], Handling: h})
		}
		e, err := entities.CreateEntity(ctx, ctis.NewEntity{Schema: schema, Statements: st})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	person := create("Person", tearline, "name", "Karim Tearline", "nationality", "TR")
	front := create("Organization", tearline, "name", "Frontline Relief Fund")
	inner := create("Organization", analysts, "name", "Analysts Only Circle")
	if _, err := entities.AddStatements(ctx, person, []ctis.NewStatement{{Property: "memberOf", Value: front, Handling: tearline},
		{Property: "memberOf", Value: inner, Handling: analysts}}); err != nil {
		t.Fatal(err)
	}
	create("Movement", tearline, "person", person, "from", "IST", "to", "CDG", "fromCountry", "TR", "toCountry", "FR", "departureDate", "2025-03-01")
	create("Movement", analysts, "person", person, "from", "AMM", "to", "FRA", "fromCountry", "JO", "toCountry", "DE", "departureDate", "2025-06-14")
	create("Document", hidden, "number", "HID0042", "holder", person)
	return person
}

// TestNetworkHandling holds the entity page's pictures to the access
// rule: the network, the timeline and the map, as drawn and as JSON, show
// a frontline officer only the tearline — the statements released to
// the frontline — and an analyst of another agency what the handling
// lets it see; a hidden neighbour carrying a hit notice shows only the
// agency to contact.
func TestNetworkHandling(t *testing.T) {
	srv, _, svc, _ := serveNode(t)
	base := srv.URL
	person := network(t, svc)
	for _, c := range []struct {
		user          string
		analyst, mine bool
	}{{"fr.analyst", true, true}, {"de.analyst", true, false}, {"de.border", false, false}} {
		client := signIn(t, base, c.user)
		status, body := get(t, client, base+"/entities/"+person+"/graph?purpose=case+7")
		if status != http.StatusOK {
			t.Fatalf("%s: graph %d %s", c.user, status, body)
		}
		var g struct {
			Nodes []struct{ Label, Schema, Contact string }
			Edges []struct{ From, To, Property string }
		}
		if err := json.Unmarshal([]byte(body), &g); err != nil {
			t.Fatal(err)
		}
		labels := map[string]bool{}
		var contacts []string
		for _, n := range g.Nodes {
			labels[n.Label] = true
			if n.Contact != "" {
				contacts = append(contacts, n.Contact)
			}
		}
		if !labels["Frontline Relief Fund"] || labels["Analysts Only Circle"] != c.analyst || labels["HID0042"] != c.mine {
			t.Errorf("%s: graph nodes %+v", c.user, g.Nodes)
		}
		if wantContact := !c.mine; (len(contacts) == 1 && contacts[0] == "FR-DGSI") != wantContact || len(contacts) > 1 {
			t.Errorf("%s: contact nodes %q", c.user, contacts)
		}
		if strings.Contains(body, "HID0042") != c.mine {
			t.Errorf("%s: the hidden document's number in the graph's data", c.user)
		}

		_, page := get(t, client, base+"/entities/"+person+"?purpose=case+7")
		network, pictures := section(page, `id="network"`), section(page, `id="movements"`)
		if !strings.Contains(network, "Frontline Relief Fund") || strings.Contains(network, "Analysts Only Circle") != c.analyst ||
			strings.Contains(network, "contact agency FR-DGSI") == c.mine || strings.Contains(network, "HID0042") != c.mine {
			t.Errorf("%s: network drawn:\n%s", c.user, network)
		}
		for _, want := range []string{"IST → CDG", "2025-03-01", "<title>TR → FR</title>", `class="picture worldmap"`, `class="picture timeline"`} {
			if !strings.Contains(pictures, want) {
				t.Errorf("%s: movements lack %q", c.user, want)
			}
		}
		for _, analystOnly := range []string{"AMM → FRA", "2025-06-14", "<title>JO → DE</title>"} {
			if strings.Contains(pictures, analystOnly) != c.analyst {
				t.Errorf("%s: %q shown %v", c.user, analystOnly, !c.analyst)
			}
		}
	}
}
