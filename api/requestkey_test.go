package api

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"ctis"
)

// A write sent again with its Idempotency-Key is carried out once: the
// second answer is the first one's, and the store holds one entity.
func TestIdempotencyKeyCarriesOutOnce(t *testing.T) {
	f := newFixture(t)
	body := `{"schema":"Person","statements":[{"property":"name","value":"Karim Haddad","handling":{"distribution":"all","frontline":true},"grading":"B2"}]}`
	send := func(key string) reply {
		return f.do(call{method: "POST", path: "/api/v1/entities", as: "fr.analyst", contentType: "application/json", body: body,
			header: map[string]string{"Idempotency-Key": key}})
	}
	first := send("k-1").want(t, http.StatusCreated)
	again := send("k-1").want(t, http.StatusCreated)
	if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("Location") != first.header.Get("Location") {
		t.Fatalf("sent again: %s (replayed %q, at %q), first: %s at %q", again.body, again.header.Get("Idempotent-Replayed"),
			again.header.Get("Location"), first.body, first.header.Get("Location"))
	}
	var e ctis.Entity
	first.decode(t, &e)
	res, err := f.db.Search(ctis.WithPurpose(ctis.NewContext(context.Background(), ctis.Identity{UserID: f.users["fr.analyst"], Username: "fr.analyst", Agency: "FR-DGSI",
		Roles: []ctis.Role{ctis.RoleAnalyst}}), testPurpose), ctis.SearchQuery{Name: "Karim Haddad"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entities) != 1 {
		t.Fatalf("%d entities named Karim Haddad, want 1", len(res.Entities))
	}
	// Another key is another request; another user's same key is theirs.
	send("k-2").want(t, http.StatusCreated)
	f.do(call{method: "POST", path: "/api/v1/entities", as: "de.analyst", contentType: "application/json", body: body,
		header: map[string]string{"Idempotency-Key": "k-1"}}).want(t, http.StatusCreated)
	// A key that is no key is refused, and nothing is written.
	if p := send("bad key").want(t, http.StatusBadRequest).problem(t); p.Field != "Idempotency-Key" {
		t.Fatalf("field %q", p.Field)
	}
}

// A request whose key was claimed but whose answer was not kept (its
// process died between the commit and keeping it) is not carried out
// again: the sender is told to look up what it did.
func TestIdempotencyKeyClaimedWithoutAnswer(t *testing.T) {
	f := newFixture(t)
	id := ctis.Identity{UserID: f.users["fr.analyst"], Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}
	ctx := ctis.WithRequestKey(ctis.NewContext(context.Background(), id), &ctis.RequestKey{Key: "k-died"})
	if _, err := f.db.CreateEntity(ctx, person("Walid Darwish")); err != nil {
		t.Fatal(err)
	}
	r := f.do(call{method: "POST", path: "/api/v1/entities", as: "fr.analyst", contentType: "application/json",
		body:   `{"schema":"Person","statements":[{"property":"name","value":"Walid Darwish","handling":{"distribution":"all"},"grading":"B2"}]}`,
		header: map[string]string{"Idempotency-Key": "k-died"}}).want(t, http.StatusConflict)
	if p := r.problem(t); p.Code != ctis.ECONFLICT {
		t.Fatalf("code %q", p.Code)
	}
}

// noKeep is a store's RequestKeys that fails the test when an answer is
// kept after it was sent.
type noKeep struct {
	ctis.RequestKeys
	t *testing.T
}

func (k noKeep) Keep(context.Context, string, ctis.KeptAnswer) error {
	k.t.Error("an answer kept after it was sent; a screening's or an entity's is kept in the commit that writes it")
	return nil
}

// The answers of a screening and of an entity created are kept in the
// commit that queues the hits or stores the entity: no death of the
// process after that commit can leave the request carried out and its
// answer lost. Sent again, at once, each is given the same answer.
func TestIdempotencyKeyAnswerInCommit(t *testing.T) {
	f := newFixture(t, func(s *Server) { s.Requests = noKeep{s.Requests, t} })
	for _, c := range []struct {
		path, as, body string
		status         int
		holds          string // what the answer holds: the entity, a hit
	}{
		{"/api/v1/entities", "fr.analyst", `{"schema":"Person","statements":[{"property":"name","value":"Karim Haddad","handling":{"distribution":"all","frontline":true},"grading":"B2"}]}`, http.StatusCreated, `"statements"`},
		{"/api/v1/screen", "fr.border", `{"name":"Karim Haddad","birth_date":"1980-02-30"}`, http.StatusOK, `"entity_id"`},
		{"/api/v1/screen/batch", "fr.border", `{"subjects":[{"name":"Karim Haddad"},{"birth_date":"1971"},{"name":"Anna Eriksson"}]}`, http.StatusOK, `"entity_id"`},
	} {
		send := func() reply {
			return f.do(call{method: "POST", path: c.path, as: c.as, contentType: "application/json", body: c.body,
				header: map[string]string{"Idempotency-Key": "k-" + c.path}}).want(t, c.status)
		}
		first := send()
		if !bytes.Contains(first.body, []byte(c.holds)) {
			t.Fatalf("%s: %s", c.path, first.body)
		}
		again := send()
		if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%s sent again: %s (replayed %q), first: %s", c.path, again.body, again.header.Get("Idempotent-Replayed"), first.body)
		}
	}
}
