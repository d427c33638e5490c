package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func get(h http.Handler) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	return rec.Code, rec.Body.String()
}

func TestAlive(t *testing.T) {
	if code, body := get(Alive()); code != http.StatusOK || body != "ok\n" {
		t.Errorf("%d %q", code, body)
	}
}

func TestReadiness(t *testing.T) {
	ok := func(context.Context) error { return nil }
	stuck := make(chan struct{})
	defer close(stuck)
	secret := errors.New("open /var/lib/ctis/ctis.db: disk I/O error")
	for _, c := range []struct {
		name   string
		checks []Check
		code   int
		body   string
	}{
		{"no checks", nil, http.StatusOK, "ready\n"},
		{"all hold", []Check{{"store", ok}, {"screening index", ok}}, http.StatusOK, "ready\n"},
		{"the reason shown, not the error behind it",
			[]Check{{"store", func(context.Context) error { return &NotReady{Reason: "not answering", Err: secret} }}, {"screening index", ok}},
			http.StatusServiceUnavailable, "not ready: store: not answering\n"},
		{"the first failing check named",
			[]Check{{"store", ok}, {"screening index", func(context.Context) error { return &NotReady{Reason: "behind the database by 12 changes"} }},
				{"hash index", func(context.Context) error { return &NotReady{Reason: "building"} }}},
			http.StatusServiceUnavailable, "not ready: screening index: behind the database by 12 changes\n"},
		{"a check that does not answer in time",
			[]Check{{"store", func(context.Context) error { <-stuck; return nil }}},
			http.StatusServiceUnavailable, "not ready: store: no answer in time\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rd := &Readiness{Checks: c.checks, Timeout: 50 * time.Millisecond}
			start := time.Now()
			code, body := get(rd)
			if code != c.code || body != c.body {
				t.Errorf("%d %q, want %d %q", code, body, c.code, c.body)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}
