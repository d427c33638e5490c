// Package api is the REST/JSON interface of a ctis node, under /api/v1.
//
// It turns HTTP requests into calls on the root package's services and
// their errors into application/problem+json. It decides nothing about
// who may see what: the services apply handling where data is read, so a
// handler here cannot leak what a store would hide. The routes are
// described by openapi.json, served at /api/v1/openapi.json and held true
// to the code by the package's tests.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"ctis"
	"ctis/feed"
	"ctis/hashbank"
	"ctis/httpkit"
	"ctis/manifest"
	"ctis/throttle"
	"ctis/vpdq"
)

// Body limits applied when a Server leaves them zero.
const (
	DefaultMaxBody       = 1 << 20
	DefaultImportMaxBody = 64 << 20
)

// Server is the API's configuration: the services it fronts and its
// limits. Handler turns it into an http.Handler.
type Server struct {
	ctis.Services
	// Logger receives internal errors, never request bodies, names or
	// query values; nil means slog.Default().
	Logger *slog.Logger
	// MaxBody bounds a JSON request body; zero means DefaultMaxBody.
	MaxBody int64
	// ImportMaxBody bounds the NDJSON body of an import, which carries a
	// whole batch; zero means DefaultImportMaxBody.
	ImportMaxBody int64
	// VideoLimits bound a video uploaded to be matched; a zero field
	// takes its value from hashbank.UploadLimits.
	VideoLimits vpdq.Limits
	// Limiter throttles logins; share one with the web pages so that a
	// guesser cannot take turns at both, keeping failures in the store so
	// that every process counts them. Nil means one of its own, in memory.
	Limiter *throttle.Limiter
	// Feed serves the live feeds of event channels; share the pages'.
	// Nil means no live feed (404).
	Feed *feed.Hub

	// now is the clock of sessions, review dates and login throttling;
	// nil means time.Now. Tests set it to move time without waiting.
	now func() time.Time
}

// handler is a Server with its defaults filled in and its routes mounted.
type handler struct {
	Server
	mux     *http.ServeMux
	limiter *throttle.Limiter
	// receiver is the travel-data use case, built once.
	receiver manifest.Receiver
}

// route is one endpoint of the API. Every endpoint is listed in routes, so
// the OpenAPI test can hold the document to exactly this set.
type route struct {
	method, pattern string
	// public routes run without an identity: logging in, and reading the
	// API's own description.
	public bool
	handle func(w http.ResponseWriter, r *http.Request) error
}

// routes is the route table.
func (h *handler) routes() []route {
	return []route{
		{"POST", "/api/v1/auth/login", true, h.login},
		{"POST", "/api/v1/auth/logout", false, h.logout},
		{"GET", "/api/v1/agencies", false, h.agencies},
		{"POST", "/api/v1/agencies", false, h.createAgency},
		{"GET", "/api/v1/users", false, h.users},
		{"POST", "/api/v1/users", false, h.createUser},
		{"POST", "/api/v1/users/{id}/tokens", false, h.createToken},
		{"DELETE", "/api/v1/tokens/{id}", false, h.revokeToken},
		{"GET", "/api/v1/groups", false, h.groups},
		{"PUT", "/api/v1/groups/{name}", false, h.putGroup},
		{"GET", "/api/v1/schemas", false, h.schemas},
		{"POST", "/api/v1/entities", false, h.createEntity},
		{"GET", "/api/v1/entities", false, h.listEntities},
		{"GET", "/api/v1/entities/{id}", false, h.entity},
		{"POST", "/api/v1/entities/{id}/statements", false, h.addStatements},
		{"POST", "/api/v1/statements/{id}/withdraw", false, h.withdraw},
		{"PUT", "/api/v1/statements/{id}/review", false, h.review},
		{"GET", "/api/v1/search", false, h.search},
		{"GET", "/api/v1/export", false, h.export},
		{"POST", "/api/v1/import", false, h.importBatch},
		{"POST", "/api/v1/screen", false, h.screen},
		{"POST", "/api/v1/screen/batch", false, h.screenBatch},
		{"GET", "/api/v1/hits", false, h.hits},
		{"GET", "/api/v1/hits/{id}", false, h.hit},
		{"POST", "/api/v1/hits/{id}/decision", false, h.decide},
		{"POST", "/api/v1/hits/{id}/movement", false, h.recordMovement},
		{"POST", "/api/v1/manifests", false, h.screenManifests},
		{"POST", "/api/v1/pnrs", false, h.screenPNRs},
		{"POST", "/api/v1/documents/check", false, h.checkDocument},
		{"GET", "/api/v1/rules", false, h.listRules},
		{"POST", "/api/v1/rules", false, h.saveRule},
		{"POST", "/api/v1/rules/{id}", false, h.saveRule},
		{"GET", "/api/v1/rules/{id}/versions", false, h.ruleVersions},
		{"GET", "/api/v1/rule-referrals", false, h.ruleReferrals},
		{"GET", "/api/v1/rule-referrals/{id}", false, h.ruleReferral},
		{"POST", "/api/v1/rule-referrals/{id}/decision", false, h.decideReferral},
		{"GET", "/api/v1/travel", false, h.searchTravel},
		{"GET", "/api/v1/travel/export", false, h.exportTravel},
		{"GET", "/api/v1/travel/{id}", false, h.travelRecord},
		{"POST", "/api/v1/travel/{id}/unmask", false, h.requestUnmask},
		{"GET", "/api/v1/unmask-requests", false, h.unmaskRequests},
		{"POST", "/api/v1/unmask-requests/{id}/decision", false, h.decideUnmask},
		{"GET", "/api/v1/hashbanks", false, h.hashBanks},
		{"POST", "/api/v1/hashbanks", false, h.createHashBank},
		{"GET", "/api/v1/hashbanks/{id}/entries", false, h.hashEntries},
		{"POST", "/api/v1/hashbanks/{id}/entries", false, h.addHashes},
		{"GET", "/api/v1/hashbanks/{id}/export", false, h.exportHashes},
		{"POST", "/api/v1/hashes/{id}/disable", false, h.setHashDisabled(true)},
		{"POST", "/api/v1/hashes/{id}/enable", false, h.setHashDisabled(false)},
		{"POST", "/api/v1/hashes/match", false, h.matchHashes},
		{"POST", "/api/v1/hashes/matches/{id}/feedback", false, h.hashFeedback},
		{"GET", "/api/v1/hashes/transparency", false, h.transparency},
		{"GET", "/api/v1/appeals", false, h.appeals},
		{"POST", "/api/v1/appeals", false, h.lodgeAppeal},
		{"POST", "/api/v1/appeals/{id}/decision", false, h.decideAppeal},
		{"GET", "/api/v1/authorities", false, h.authorities},
		{"POST", "/api/v1/authorities", false, h.createAuthority},
		{"GET", "/api/v1/authorities/{id}", false, h.authority},
		{"PUT", "/api/v1/authorities/{id}", false, h.updateAuthority},
		{"DELETE", "/api/v1/authorities/{id}", false, h.removeAuthority},
		{"GET", "/api/v1/cooperation-requests", false, h.cooperationRequests},
		{"POST", "/api/v1/cooperation-requests", false, h.createCooperationRequest},
		{"GET", "/api/v1/cooperation-requests/figures", false, h.requestFigures},
		{"GET", "/api/v1/cooperation-requests/{id}", false, h.cooperationRequest},
		{"PUT", "/api/v1/cooperation-requests/{id}", false, h.editCooperationRequest},
		{"POST", "/api/v1/cooperation-requests/{id}/steps", false, h.takeStep},
		{"POST", "/api/v1/cooperation-requests/{id}/agencies", false, h.shareCooperationRequest},
		{"GET", "/api/v1/content-referrals", false, h.contentReferrals},
		{"POST", "/api/v1/content-referrals", false, h.refer},
		{"GET", "/api/v1/content-referrals/figures", false, h.referralFigures},
		{"GET", "/api/v1/content-referrals/{id}", false, h.contentReferral},
		{"POST", "/api/v1/content-referrals/{id}/steps", false, h.actOnReferral},
		{"POST", "/api/v1/content-referrals/{id}/agencies", false, h.shareReferral},
		{"POST", "/api/v1/content-referrals/{id}/bank", false, h.referralToBank},
		{"GET", "/api/v1/events", false, h.listEvents},
		{"POST", "/api/v1/events", false, h.createEvent},
		{"GET", "/api/v1/events/{id}", false, h.event},
		{"POST", "/api/v1/events/{id}/archive", false, h.archiveEvent},
		{"GET", "/api/v1/events/{id}/alerts", false, h.listAlerts},
		{"POST", "/api/v1/events/{id}/alerts", false, h.postAlert},
		{"GET", "/api/v1/events/{id}/feed", false, h.feed},
		{"GET", "/api/v1/events/{id}/digest", false, h.digest},
		{"GET", "/api/v1/alerts/{id}", false, h.alert},
		{"POST", "/api/v1/alerts/{id}/ack", false, h.acknowledge},
		{"GET", "/api/v1/notifications", false, h.notifications},
		{"POST", "/api/v1/notifications/{id}/read", false, h.markRead},
		{"GET", "/api/v1/audit", false, h.auditEvents},
		{"GET", "/api/v1/audit/verify", false, h.auditVerify},
		{"GET", "/api/v1/openapi.json", true, h.openAPI},
	}
}

// Handler returns the API as an http.Handler. Each call makes a handler
// with a login throttle of its own, so call it once per listener.
func (s *Server) Handler() http.Handler {
	h := &handler{Server: *s, mux: http.NewServeMux()}
	h.VideoLimits = hashbank.UploadLimitsOr(h.VideoLimits)
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	if h.MaxBody <= 0 {
		h.MaxBody = DefaultMaxBody
	}
	if h.ImportMaxBody <= 0 {
		h.ImportMaxBody = DefaultImportMaxBody
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.limiter = h.Limiter
	if h.limiter == nil {
		h.limiter = throttle.New(h.now, nil)
	}
	h.receiver = manifest.ReceiverOf(h.Services)
	for _, rt := range h.routes() {
		h.mux.Handle(rt.method+" "+rt.pattern, h.endpoint(rt))
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Everything here is personal data or could lead to it: no cache may
	// keep it, and no browser may guess its type.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if fallback, pattern := h.mux.Handler(r); pattern == "" {
		h.unrouted(w, r, fallback)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// codeMethodNotAllowed is the problem code of a known path asked with a
// method it does not take. It is the HTTP layer's own: no service returns
// it, so it has no place among the domain's codes.
const codeMethodNotAllowed = "method_not_allowed"

// unrouted answers a request no route takes. The mux knows whether the
// path exists under other methods (405, with Allow) or not at all (404);
// its fallback handler is run against a recorder to learn which, and the
// verdict is given as a problem like every other error.
func (h *handler) unrouted(w http.ResponseWriter, r *http.Request, fallback http.Handler) {
	rec := &verdict{header: http.Header{}}
	fallback.ServeHTTP(rec, r)
	if rec.code != http.StatusMethodNotAllowed {
		h.fail(w, r, ctis.ErrNotFound("route"))
		return
	}
	w.Header().Set("Allow", rec.header.Get("Allow"))
	writeProblem(w, http.StatusMethodNotAllowed, problem{
		Code:   codeMethodNotAllowed,
		Detail: r.Method + " is not allowed here; allowed: " + rec.header.Get("Allow"),
	})
}

// verdict records the status and headers a fallback handler chose.
type verdict struct {
	header http.Header
	code   int
}

func (v *verdict) Header() http.Header         { return v.header }
func (v *verdict) Write(b []byte) (int, error) { return len(b), nil }
func (v *verdict) WriteHeader(code int)        { v.code = code }

// endpoint wraps a route: it authenticates non-public routes and turns a
// returned error into a problem response.
func (h *handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rt.public {
			ctx, err := httpkit.Authenticate(r, h.Auth)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			r = r.WithContext(ctx)
		}
		if err := h.withRequestKey(w, r, rt.handle); err != nil {
			h.fail(w, r, err)
		}
	})
}

// today is the date that bounds review dates.
func (h *handler) today() string { return h.now().UTC().Format("2006-01-02") }
