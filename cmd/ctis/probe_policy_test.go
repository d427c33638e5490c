package main

import (
	"net/http"
	"net/url"
	"testing"

	"ctis"
)

// TestOneStatusPolicy sends the same failures through the API and the
// pages: each error code answers with the one status of the shared
// policy, whichever face of the node it reaches.
func TestOneStatusPolicy(t *testing.T) {
	p := newProbeNode(t)
	res := p.screenOne(t, "analyst.de", ctis.Subject{Name: "Abou Moussa al-Faransi"})
	if len(res.Hits) == 0 {
		t.Fatal("the demo person gave no hit")
	}
	hit := res.Hits[0].ID
	page := p.Browser(t, "analyst.de")
	absent := ctis.NewID()
	for _, c := range []struct {
		what       string
		status     int
		api, pages func() int
	}{
		{"not found", http.StatusNotFound,
			func() int {
				return p.API(t, "analyst.de", "GET", "/api/v1/entities/"+absent, nil, purposeHeader).Status
			},
			func() int { return page.Get(t, "/entities/"+absent+"?purpose=probe").Status }},
		{"invalid", http.StatusBadRequest,
			func() int {
				return p.API(t, "analyst.de", "GET", "/api/v1/hits?min_score=2", nil, purposeHeader).Status
			},
			func() int { return page.Get(t, "/review?min_score=2&purpose=probe").Status }},
		{"forbidden", http.StatusForbidden,
			func() int { return p.API(t, "analyst.de", "GET", "/api/v1/audit", nil).Status },
			func() int { return page.Get(t, "/audit").Status }},
		{"conflict", http.StatusConflict,
			func() int {
				p.API(t, "analyst.de", "POST", "/api/v1/hits/"+hit+"/decision", map[string]string{"status": "confirmed", "reason": "same man"})
				return p.API(t, "analyst.de", "POST", "/api/v1/hits/"+hit+"/decision", map[string]string{"status": "confirmed", "reason": "again"}).Status
			},
			func() int {
				return page.PostForm(t, "/review?status=confirmed&purpose=probe", "/review/"+hit, url.Values{"status": {"confirmed"}, "reason": {"again"}}).Status
			}},
	} {
		if got := c.api(); got != c.status {
			t.Errorf("%s through the API: %d, want %d", c.what, got, c.status)
		}
		if got := c.pages(); got != c.status {
			t.Errorf("%s through the pages: %d, want %d", c.what, got, c.status)
		}
	}
}
