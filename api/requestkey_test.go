package api

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

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
	var again reply
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		// The answer is kept just after it is sent; until then the key is
		// claimed and the request is refused as carried out.
		if again = send("k-1"); again.status != http.StatusConflict || time.Now().After(deadline) {
			break
		}
	}
	again.want(t, http.StatusCreated)
	if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("sent again: %s (replayed %q), first: %s", again.body, again.header.Get("Idempotent-Replayed"), first.body)
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
	k.t.Error("an answer kept after it was sent; a screening's is kept in the commit of its hits")
	return nil
}

// A screening's answer is kept in the commit that queues its hits: no
// death of the process after that commit can leave the screening carried
// out and its answer lost. Sent again, at once, it is given the same
// answer, one or many subjects.
func TestIdempotencyKeyScreeningAnswerInCommit(t *testing.T) {
	f := newFixture(t, func(s *Server) { s.Requests = noKeep{s.Requests, t} })
	f.post("fr.analyst", "/api/v1/entities", map[string]any{"schema": "Person", "statements": []map[string]any{
		{"property": "name", "value": "Karim Haddad", "handling": map[string]any{"distribution": "all", "frontline": true}, "grading": "B2"}}}).
		want(t, http.StatusCreated)
	for _, c := range []struct{ path, body string }{
		{"/api/v1/screen", `{"name":"Karim Haddad","birth_date":"1980-02-30"}`},
		{"/api/v1/screen/batch", `{"subjects":[{"name":"Karim Haddad"},{"birth_date":"1971"},{"name":"Anna Eriksson"}]}`},
	} {
		send := func() reply {
			return f.do(call{method: "POST", path: c.path, as: "fr.border", contentType: "application/json", body: c.body,
				header: map[string]string{"Idempotency-Key": "k-" + c.path}}).want(t, http.StatusOK)
		}
		first := send()
		if !bytes.Contains(first.body, []byte(`"entity_id"`)) {
			t.Fatalf("%s: no hit: %s", c.path, first.body)
		}
		again := send()
		if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%s sent again: %s (replayed %q), first: %s", c.path, again.body, again.header.Get("Idempotent-Replayed"), first.body)
		}
	}
}
