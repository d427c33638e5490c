package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"ctis"
	"ctis/metrics"
)

// scrape reads the node's /metrics and parses it.
func (p *probeNode) scrape(t *testing.T) (string, map[string]*dto.MetricFamily) {
	t.Helper()
	res := p.API(t, "", "GET", "/metrics", nil).Want(t, http.StatusOK)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(res.Body))
	if err != nil {
		t.Fatalf("scrape does not parse: %v\n%s", err, res.Body)
	}
	return res.Body, families
}

// value returns the value of the series of family name whose labels
// include want, and whether there is one.
func value(families map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := families[name]
	if f == nil {
		return 0, false
	}
series:
	for _, m := range f.Metric {
		got := map[string]string{}
		for _, l := range m.Label {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue series
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsCountWithoutNamingAnything scrapes a served node after API
// requests, pages and screenings: the node's series are there with the
// counts of what was done, and nothing of the requests — an entity's ID,
// a name screened, a purpose — is in any label.
func TestMetricsCountWithoutNamingAnything(t *testing.T) {
	p := newProbeNode(t)
	_, before := p.scrape(t)
	for _, name := range []string{metrics.IndexRecords, metrics.HashIndexEntries, metrics.OpenHits, metrics.AuditEvents,
		metrics.IndexBuildSeconds, metrics.IndexBuiltAt, "go_goroutines", "process_start_time_seconds"} {
		if before[name] == nil {
			t.Errorf("no series %s", name)
		}
	}
	if n, _ := value(before, metrics.IndexRecords, nil); n < 1 {
		t.Errorf("screening index records %v, want the demo's", n)
	}
	if n, _ := value(before, metrics.HashIndexEntries, map[string]string{"kind": "pdq"}); n < 1 {
		t.Errorf("hash index PDQ entries %v, want the demo's", n)
	}
	for _, index := range []string{metrics.IndexScreening, metrics.IndexHash} {
		if s, ok := value(before, metrics.IndexBuildSeconds, map[string]string{"index": index}); !ok || s <= 0 {
			t.Errorf("%s index build time %v (%v)", index, s, ok)
		}
	}
	queued, _ := value(before, metrics.OpenHits, nil)
	audited, _ := value(before, metrics.AuditEvents, nil)

	// What the requests carry, none of which may reach a label.
	const name, purpose = "Zbigniew Quellmetric", "case-4417-metrics"
	secrets := []string{name, "Zbigniew", "Quellmetric", purpose, "4417"}
	var made ctis.Entity
	p.API(t, "analyst.fr", "POST", "/api/v1/entities", ctis.NewEntity{Schema: "Person", Statements: []ctis.NewStatement{
		{Property: "name", Value: name, Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}},
	}}).Want(t, http.StatusCreated).JSON(t, &made)
	secrets = append(secrets, made.ID)
	p.API(t, "analyst.fr", "GET", "/api/v1/entities/"+made.ID+"?purpose="+purpose, nil).Want(t, http.StatusOK)
	p.API(t, "analyst.fr", "GET", "/api/v1/entities/01K0000000000000000000NONE?purpose="+purpose, nil).Want(t, http.StatusNotFound)
	p.API(t, "border.de", "GET", "/api/v1/search?name="+url.QueryEscape(name)+"&purpose="+purpose, nil).Want(t, http.StatusOK)
	p.API(t, "", "GET", "/api/v1/no-such-route/"+made.ID, nil).Want(t, http.StatusNotFound)
	var one ctis.ScreenResult
	p.API(t, "border.de", "POST", "/api/v1/screen", ctis.Subject{Name: name}, "Ctis-Purpose: "+purpose).Want(t, http.StatusOK).JSON(t, &one)
	if len(one.Hits) == 0 {
		t.Fatalf("screening %s found no hit", name)
	}
	p.API(t, "border.de", "POST", "/api/v1/screen/batch", map[string]any{"subjects": []ctis.Subject{
		{Name: name}, {Name: "Nobody Atallknown Xyzzy"}, {Name: ""},
	}}, "Ctis-Purpose: "+purpose).Want(t, http.StatusOK)
	b := p.Browser(t, "analyst.fr")
	b.Get(t, "/entities/"+made.ID+"?purpose="+purpose)
	b.PostForm(t, "/screen", "/screen", url.Values{"name": {name}, "purpose": {purpose}})

	body, after := p.scrape(t)
	for _, s := range secrets {
		if strings.Contains(body, s) {
			t.Errorf("the scrape holds %q from a request", s)
		}
	}
	// Every label value is one the node wrote, not one a request chose.
	for fname, f := range after {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if l.GetName() == "route" && l.GetValue() != "unmatched" && !strings.Contains(l.GetValue(), "/") {
					t.Errorf("%s: route label %q", fname, l.GetValue())
				}
			}
		}
	}
	for _, c := range []struct {
		labels map[string]string
		least  float64
	}{
		{map[string]string{"route": "POST /api/v1/entities", "code": "2xx"}, 1},
		{map[string]string{"route": "GET /api/v1/entities/{id}", "code": "2xx"}, 1},
		{map[string]string{"route": "GET /api/v1/entities/{id}", "code": "4xx"}, 1},
		{map[string]string{"route": "POST /api/v1/screen", "code": "2xx"}, 1},
		{map[string]string{"route": "GET /entities/{id}", "code": "2xx"}, 1},
		{map[string]string{"route": "POST /screen", "code": "2xx"}, 1},
		{map[string]string{"route": "POST /login", "code": "3xx"}, 1},
		{map[string]string{"route": "/api/", "code": "4xx"}, 1}, // no API route took it
		{map[string]string{"route": "GET /metrics", "code": "2xx"}, 1},
	} {
		if n, _ := value(after, metrics.RequestDuration, c.labels); n < c.least {
			t.Errorf("%s%v: %v requests, want at least %v", metrics.RequestDuration, c.labels, n, c.least)
		}
	}
	// One API screening, a batch of three of which one is not screened,
	// and one on the page: three subjects hit, one does not.
	if n, _ := value(after, metrics.Screenings, map[string]string{"outcome": "hit"}); n != 3 {
		t.Errorf("screenings with a hit: %v, want 3", n)
	}
	if n, _ := value(after, metrics.Screenings, map[string]string{"outcome": "no_hit"}); n != 1 {
		t.Errorf("screenings without a hit: %v, want 1", n)
	}
	if n, _ := value(after, metrics.ScreeningHits, nil); n < 3 {
		t.Errorf("hits: %v, want at least 3", n)
	}
	if n, _ := value(after, metrics.OpenHits, nil); n < queued+1 {
		t.Errorf("open hits %v, were %v before three screenings hit", n, queued)
	}
	if n, _ := value(after, metrics.AuditEvents, nil); n <= audited {
		t.Errorf("audit events %v, were %v before audited requests", n, audited)
	}
}

// TestHealthAndReadiness: a served node is alive and ready; once its store
// is closed it is still alive, and not ready, saying why.
func TestHealthAndReadiness(t *testing.T) {
	p := newProbeNode(t)
	if r := p.API(t, "", "GET", "/healthz", nil).Want(t, http.StatusOK); r.Body != "ok\n" {
		t.Errorf("healthz: %q", r.Body)
	}
	if r := p.API(t, "", "GET", "/readyz", nil).Want(t, http.StatusOK); r.Body != "ready\n" {
		t.Errorf("readyz: %q", r.Body)
	}
	p.db.Close()
	p.API(t, "", "GET", "/healthz", nil).Want(t, http.StatusOK)
	r := p.API(t, "", "GET", "/readyz", nil).Want(t, http.StatusServiceUnavailable)
	if r.Body != "not ready: store: not answering\n" {
		t.Errorf("readyz with the store closed: %q", r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("readyz content type %q", ct)
	}
}

// TestMetricsOnTheirOwnAddress: with --metrics-addr, /metrics leaves the
// main listener, where health and readiness stay.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	p := newProbeNode(t)
	main := httptest.NewServer(p.routes(false))
	defer main.Close()
	side := httptest.NewServer(p.metricsOnly())
	defer side.Close()
	get := func(base, path string) int {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := get(main.URL, "/metrics"); s == http.StatusOK {
		t.Errorf("main listener serves /metrics: %d", s)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if s := get(main.URL, path); s != http.StatusOK {
			t.Errorf("main listener %s: %d", path, s)
		}
	}
	if s := get(side.URL, "/metrics"); s != http.StatusOK {
		t.Errorf("metrics listener /metrics: %d", s)
	}
	if s := get(side.URL, "/api/v1/openapi.json"); s != http.StatusNotFound {
		t.Errorf("metrics listener serves the API: %d", s)
	}
}

// TestNotReadyWhileBuilding: between opening its store and building its
// indexes, as serve runs it, a node is alive, not ready for want of its
// screening index, and turns the API away; built, it is ready.
func TestNotReadyWhileBuilding(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := &options{db: filepath.Join(t.TempDir(), "ctis.db"), reviewPolicy: "flag"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := openNode(ctx, o, log)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	front := &switchable{}
	front.set(n.starting(true))
	srv := httptest.NewServer(front)
	defer srv.Close()
	get := func(path string) (int, string) {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, c := range []struct {
		path string
		code int
		body string
	}{
		{"/healthz", http.StatusOK, "ok\n"},
		{"/readyz", http.StatusServiceUnavailable, "not ready: screening index: building\n"},
		{"/api/v1/openapi.json", http.StatusServiceUnavailable, "starting: building the match indexes\n"},
		{"/login", http.StatusServiceUnavailable, "starting: building the match indexes\n"},
	} {
		if code, body := get(c.path); code != c.code || body != c.body {
			t.Errorf("%s while building: %d %q, want %d %q", c.path, code, body, c.code, c.body)
		}
	}
	if code, body := get("/metrics"); code != http.StatusOK || !strings.Contains(body, "\n"+metrics.IndexRecords+" 0\n") {
		t.Errorf("/metrics while building: %d\n%s", code, body)
	}
	if err := n.build(ctx, false, log); err != nil {
		t.Fatal(err)
	}
	front.set(n.routes(true))
	for path, want := range map[string]int{"/readyz": http.StatusOK, "/api/v1/openapi.json": http.StatusOK, "/login": http.StatusOK} {
		if code, body := get(path); code != want {
			t.Errorf("%s once built: %d %q", path, code, body)
		}
	}
}
