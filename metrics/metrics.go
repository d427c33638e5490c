// Package metrics is what a node tells its operators about itself, in the
// Prometheus text format: how fast its routes answer, how many subjects it
// screens and how many of them hit, how large its match indexes are and
// how long they took to build, how deep the review queue is and how fast
// the audit trail grows, and the Go runtime's and the process's figures.
//
// Only counts and durations leave the node this way. A label holds a
// route pattern as registered (never the path asked), a status class, an
// outcome or an index's name: a fixed, small set of values that no
// request chooses, so that no ID, name or query value can reach a scrape.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"ctis"
)

// Names of the node's own series, as the README lists them.
const (
	RequestDuration   = "ctis_http_request_duration_seconds"
	Screenings        = "ctis_screenings_total"
	ScreeningHits     = "ctis_screening_hits_total"
	ScreeningNotices  = "ctis_screening_notices_total"
	IndexRecords      = "ctis_screening_index_records"
	HashIndexEntries  = "ctis_hash_index_entries"
	IndexBuildSeconds = "ctis_index_build_seconds"
	IndexBuiltAt      = "ctis_index_last_build_timestamp_seconds"
	OpenHits          = "ctis_review_queue_open_hits"
	AuditEvents       = "ctis_audit_events_total"
	StoreCountErrors  = "ctis_metrics_store_count_errors_total"
)

// The indexes whose builds are timed.
const (
	IndexScreening = "screening"
	IndexHash      = "hash"
)

// DefaultStoreTimeout bounds each count the store is asked for on a
// scrape: a store that is slow to count must not hold up the scrape, nor
// pile scrapes up on its connections.
const DefaultStoreTimeout = time.Second

// Sources are where a node's figures are read on each scrape. A nil
// function leaves its series out.
type Sources struct {
	// ScreeningRecords is the screening index's size in records (one per
	// entity and handling class).
	ScreeningRecords func() int
	// HashEntries is the hash index's size: PDQ hashes, and the digests
	// and URLs matched exactly.
	HashEntries func() (pdqs, others int)
	// OpenHits counts the hits waiting for review, over every agency.
	OpenHits func(ctx context.Context) (int64, error)
	// AuditEvents counts the events appended to the audit trail.
	AuditEvents func(ctx context.Context) (int64, error)
	// StoreTimeout bounds each of the store's counts; zero means
	// DefaultStoreTimeout.
	StoreTimeout time.Duration
}

// Metrics is a node's registry of series. Make one with New, per node.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.HistogramVec
	screenings *prometheus.CounterVec
	hits       prometheus.Counter
	notices    prometheus.Counter
	buildTime  *prometheus.GaugeVec
	builtAt    *prometheus.GaugeVec
}

// New registers a node's series, the Go runtime's and the process's.
func New(src Sources) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: RequestDuration,
			Help: "Time to answer HTTP requests to the API and the pages, by route pattern and status class.",
			// From a cached page to a batch of 1,000 subjects or a large export.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "code"}),
		screenings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: Screenings,
			Help: "Subjects screened, by outcome: hit (a hit or a hit notice) or no_hit. A subject that could not be screened is not counted.",
		}, []string{"outcome"}),
		hits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: ScreeningHits,
			Help: "Hits shown to screeners, each entering the review queue unless cleared before.",
		}),
		notices: prometheus.NewCounter(prometheus.CounterOpts{
			Name: ScreeningNotices,
			Help: "Hit notices (\"hit — contact agency X\") shown to screeners.",
		}),
		buildTime: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: IndexBuildSeconds,
			Help: "How long the last build or full refresh of a match index took, by index (screening, hash).",
		}, []string{"index"}),
		builtAt: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: IndexBuiltAt,
			Help: "When the last build or full refresh of a match index ended, in Unix seconds, by index.",
		}, []string{"index"}),
	}
	for _, outcome := range []string{"hit", "no_hit"} {
		m.screenings.WithLabelValues(outcome)
	}
	m.reg.MustRegister(m.requests, m.screenings, m.hits, m.notices, m.buildTime, m.builtAt,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src.ScreeningRecords != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: IndexRecords,
			Help: "Records in the screening index: one per entity and handling class.",
		}, func() float64 { return float64(src.ScreeningRecords()) }))
	}
	if src.HashEntries != nil {
		m.reg.MustRegister(hashCollector{src.HashEntries})
	}
	if src.OpenHits != nil || src.AuditEvents != nil {
		if src.StoreTimeout <= 0 {
			src.StoreTimeout = DefaultStoreTimeout
		}
		sc := &storeCollector{src: src, errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: StoreCountErrors,
			Help: "Scrapes on which the store did not give a count in time or failed; its series is left out of that scrape.",
		})}
		m.reg.MustRegister(sc)
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// A failing collector leaves its series out; the rest still serve.
		ErrorHandling: promhttp.ContinueOnError,
		// A pair of Prometheus servers scrape at once; more would only
		// queue on the store's counts.
		MaxRequestsInFlight: 2,
		Timeout:             10 * time.Second,
	})
}

// IndexBuilt records the build or full refresh of a match index.
func (m *Metrics) IndexBuilt(index string, took time.Duration) {
	m.buildTime.WithLabelValues(index).Set(took.Seconds())
	m.builtAt.WithLabelValues(index).Set(float64(time.Now().UnixNano()) / 1e9)
}

// Screener counts what s screens: every face of a node (the API, the
// pages, manifests and PNRs) screens through the one Screener of its
// services, so wrapping it once counts them all.
func (m *Metrics) Screener(s ctis.Screener) ctis.Screener { return screener{s, m} }

type screener struct {
	ctis.Screener
	m *Metrics
}

func (s screener) Screen(ctx context.Context, subject ctis.Subject) (*ctis.ScreenResult, error) {
	res, err := s.Screener.Screen(ctx, subject)
	if err == nil {
		s.m.count(*res)
	}
	return res, err
}

func (s screener) ScreenBatch(ctx context.Context, subjects []ctis.Subject) ([]ctis.ScreenResult, error) {
	res, err := s.Screener.ScreenBatch(ctx, subjects)
	if err == nil {
		for _, r := range res {
			s.m.count(r)
		}
	}
	return res, err
}

func (m *Metrics) count(r ctis.ScreenResult) {
	if r.Error != nil {
		return
	}
	outcome := "no_hit"
	if len(r.Hits)+len(r.Notices) > 0 {
		outcome = "hit"
	}
	m.screenings.WithLabelValues(outcome).Inc()
	m.hits.Add(float64(len(r.Hits)))
	m.notices.Add(float64(len(r.Notices)))
}

// Middleware times every request next answers, by the pattern of the
// route that took it and the class of its status. Wrap a node's handler
// once, outside the muxes of the API and the pages: a mux records the
// pattern it chose on the request it was given, and the API's and the
// pages' muxes are given the request this middleware passes on.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		m.requests.WithLabelValues(route(r), statusClass(sw.status)).Observe(time.Since(start).Seconds())
	})
}

// route is the label of a request's route: the pattern registered, which
// the node wrote, or "unmatched" when no route took the request.
func route(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

func statusClass(status int) string {
	if status == 0 { // nothing written: net/http answers 200
		status = http.StatusOK
	}
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// statusWriter remembers the status of a response. Unwrap lets
// http.ResponseController reach the connection's own writer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// hashCollector reports the hash index's size on each scrape.
type hashCollector struct {
	entries func() (pdqs, others int)
}

var hashEntriesDesc = prometheus.NewDesc(HashIndexEntries,
	"Entries in the hash index, by kind: pdq (perceptual hashes) or exact (MD5 and SHA-256 digests and URLs), enabled or not.",
	[]string{"kind"}, nil)

func (c hashCollector) Describe(ch chan<- *prometheus.Desc) { ch <- hashEntriesDesc }

func (c hashCollector) Collect(ch chan<- prometheus.Metric) {
	pdqs, others := c.entries()
	ch <- prometheus.MustNewConstMetric(hashEntriesDesc, prometheus.GaugeValue, float64(pdqs), "pdq")
	ch <- prometheus.MustNewConstMetric(hashEntriesDesc, prometheus.GaugeValue, float64(others), "exact")
}

// storeCollector asks the store for its counts on each scrape, each
// within the timeout; a count that fails is left out and counted in
// errors, which it collects after the counts so that a scrape tells of
// its own failures.
type storeCollector struct {
	src    Sources
	errors prometheus.Counter
}

var (
	openHitsDesc = prometheus.NewDesc(OpenHits,
		"Hits waiting for review, over every agency's queue.", nil, nil)
	auditEventsDesc = prometheus.NewDesc(AuditEvents,
		"Events appended to the audit trail since the database was made (the sequence number of its head).", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	c.errors.Describe(ch)
	if c.src.OpenHits != nil {
		ch <- openHitsDesc
	}
	if c.src.AuditEvents != nil {
		ch <- auditEventsDesc
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	count := func(desc *prometheus.Desc, kind prometheus.ValueType, fn func(context.Context) (int64, error)) {
		if fn == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.src.StoreTimeout)
		defer cancel()
		n, err := fn(ctx)
		if err != nil {
			c.errors.Inc()
			return
		}
		ch <- prometheus.MustNewConstMetric(desc, kind, float64(n))
	}
	count(openHitsDesc, prometheus.GaugeValue, c.src.OpenHits)
	count(auditEventsDesc, prometheus.CounterValue, c.src.AuditEvents)
	c.errors.Collect(ch)
}
