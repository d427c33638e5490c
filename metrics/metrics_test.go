package metrics

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ctis"
)

// scrape returns the text of m's registry.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d", rec.Code)
	}
	return rec.Body.String()
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("no line %q in the scrape", l)
		}
	}
}

// TestMiddlewareLabelsByPattern: requests are timed under the pattern of
// the route that took them, found by a mux inside the middleware (as the
// API's and the pages' are), never under their path.
func TestMiddlewareLabelsByPattern(t *testing.T) {
	m := New(Sources{})
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/v1/entities/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "missing" {
			http.Error(w, "not found", http.StatusNotFound)
		}
	})
	outer := http.NewServeMux()
	outer.Handle("/api/", inner)
	outer.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	h := m.Middleware(outer)
	for _, path := range []string{"/api/v1/entities/01K00000000000000000000001", "/api/v1/entities/missing", "/healthz", "/nowhere/Abu+Bakr"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	text := scrape(t, m)
	wantLines(t, text,
		`ctis_http_request_duration_seconds_count{code="2xx",route="GET /api/v1/entities/{id}"} 1`,
		`ctis_http_request_duration_seconds_count{code="4xx",route="GET /api/v1/entities/{id}"} 1`,
		`ctis_http_request_duration_seconds_count{code="2xx",route="GET /healthz"} 1`,
		`ctis_http_request_duration_seconds_count{code="4xx",route="unmatched"} 1`,
	)
	for _, s := range []string{"01K00000000000000000000001", "missing", "nowhere", "Abu"} {
		if strings.Contains(text, s) {
			t.Errorf("the scrape holds %q of a request's path", s)
		}
	}
}

func TestStatusClass(t *testing.T) {
	for status, want := range map[int]string{0: "2xx", 200: "2xx", 204: "2xx", 303: "3xx", 404: "4xx", 429: "4xx", 503: "5xx", 42: "other", 600: "other"} {
		if got := statusClass(status); got != want {
			t.Errorf("statusClass(%d) = %q, want %q", status, got, want)
		}
	}
}

// fixedScreener is a Screener answering with fixed results.
type fixedScreener []ctis.ScreenResult

func (f fixedScreener) Screen(ctx context.Context, s ctis.Subject) (*ctis.ScreenResult, error) {
	return &f[0], nil
}

func (f fixedScreener) ScreenBatch(ctx context.Context, s []ctis.Subject) ([]ctis.ScreenResult, error) {
	return f, nil
}

// TestScreenerCounts: a subject with hits or hit notices is a screening
// with a hit, one with neither a screening without, and one that could
// not be screened is no screening.
func TestScreenerCounts(t *testing.T) {
	m := New(Sources{})
	sc := m.Screener(fixedScreener{
		{Hits: []ctis.Hit{{}, {}}},
		{Notices: []ctis.HitNotice{{}}},
		{},
		{Error: ctis.Invalid("subjects[3].name", "no name")},
	})
	if _, err := sc.ScreenBatch(context.Background(), make([]ctis.Subject, 4)); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.Screen(context.Background(), ctis.Subject{}); err != nil {
		t.Fatal(err)
	}
	wantLines(t, scrape(t, m),
		`ctis_screenings_total{outcome="hit"} 3`,
		`ctis_screenings_total{outcome="no_hit"} 1`,
		`ctis_screening_hits_total 4`,
		`ctis_screening_notices_total 1`,
	)
}

// TestStoreCountsInTime: the store's counts and the indexes' sizes are
// read on each scrape; a count the store does not give in time is left
// out, counted, and does not hold the scrape.
func TestStoreCountsInTime(t *testing.T) {
	hits := int64(7)
	m := New(Sources{
		ScreeningRecords: func() int { return 1009 },
		HashEntries:      func() (int, int) { return 5, 2 },
		OpenHits:         func(context.Context) (int64, error) { return hits, nil },
		AuditEvents: func(ctx context.Context) (int64, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		},
		StoreTimeout: 50 * time.Millisecond,
	})
	m.IndexBuilt(IndexScreening, 1500*time.Millisecond)
	start := time.Now()
	text := scrape(t, m)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("scrape took %v", took)
	}
	wantLines(t, text,
		`ctis_screening_index_records 1009`,
		`ctis_hash_index_entries{kind="pdq"} 5`,
		`ctis_hash_index_entries{kind="exact"} 2`,
		`ctis_review_queue_open_hits 7`,
		`ctis_index_build_seconds{index="screening"} 1.5`,
		`ctis_metrics_store_count_errors_total 1`,
	)
	if strings.Contains(text, "\nctis_audit_events_total ") {
		t.Error("a count that timed out is in the scrape")
	}
	hits = 8
	wantLines(t, scrape(t, m), `ctis_review_queue_open_hits 8`)
}
