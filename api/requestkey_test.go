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
