package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"ctis"
)

// TestProbeReviewDateWithinRetention: review_by 9999-12-31 was accepted.
// It is refused, naming the field and the latest date the node allows.
func TestProbeReviewDateWithinRetention(t *testing.T) {
	p := newProbeNode(t)
	var prob struct{ Code, Field, Detail string }
	p.API(t, "analyst.fr", "POST", "/api/v1/entities", `{"schema":"Person","statements":[{"property":"name","value":"Kept For Ever","review_by":"9999-12-31"}]}`).
		Want(t, http.StatusBadRequest).JSON(t, &prob)
	latest := time.Now().UTC().Add(3 * 365 * 24 * time.Hour).Format("2006-01-02")
	if prob.Code != ctis.EINVALID || prob.Field != "statements[0].review_by" || !strings.Contains(prob.Detail, "the latest allowed is "+latest) {
		t.Errorf("problem %+v", prob)
	}
}

// TestProbePutGroupKeepsCreatedAt: PUT /groups/{name} reset created_at.
func TestProbePutGroupKeepsCreatedAt(t *testing.T) {
	p := newProbeNode(t)
	var first, second ctis.SharingGroup
	p.API(t, "admin", "PUT", "/api/v1/groups/probe-group", `{"agencies":["FR-DGSI"]}`).Want(t, http.StatusOK).JSON(t, &first)
	time.Sleep(10 * time.Millisecond)
	p.API(t, "admin", "PUT", "/api/v1/groups/probe-group", `{"agencies":["FR-DGSI","JO-GID"]}`).Want(t, http.StatusOK).JSON(t, &second)
	if !second.CreatedAt.Equal(first.CreatedAt) || len(second.Agencies) != 2 {
		t.Errorf("created %v, after replacing %v (%v)", first.CreatedAt, second.CreatedAt, second.Agencies)
	}
	var list struct{ Groups []ctis.SharingGroup }
	p.API(t, "analyst.fr", "GET", "/api/v1/groups", nil).Want(t, http.StatusOK).JSON(t, &list)
	for _, g := range list.Groups {
		if g.Name == "probe-group" && !g.CreatedAt.Equal(first.CreatedAt) {
			t.Errorf("listed with created_at %v, want %v", g.CreatedAt, first.CreatedAt)
		}
	}
}
