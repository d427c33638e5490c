// Package web serves ctis to people in a browser: analysts, frontline
// officers, reviewers, auditors and administrators. Pages are rendered on
// the server from the same services the API uses, with the signed-in
// user's identity, so handling is enforced by the store and no page can
// show what the API would not. Pages work without script; one small
// embedded script adds an upload progress bar. No script is inline, and
// nothing is fetched from elsewhere.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"ctis"
	"ctis/feed"
	"ctis/httpkit"
	"ctis/throttle"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Session lifetimes: a session ends after idleTimeout without a request,
// and in any case after httpkit.SessionTTL.
const (
	idleTimeout = 30 * time.Minute
	cookieName  = "ctis_session"
	// loginCookie binds the login form's token to the browser that was
	// shown the form.
	loginCookie = "ctis_login"
)

// Login is a demo login shown on the login page of a demo node.
type Login struct {
	Username, Agency string
	Roles            []ctis.Role
}

// Server holds the services the pages use.
type Server struct {
	ctis.Services
	// Limiter throttles logins; share the API's. Nil means one of its
	// own, in memory.
	Limiter *throttle.Limiter
	Logger  *slog.Logger
	// Demo, when set, lists the demo logins on the login page, with
	// DemoPassword.
	Demo         []Login
	DemoPassword string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// FormKey signs the form tokens. Every process of a node needs the
	// same (store.DB.FormKey), as a form one shows may be posted to
	// another; nil means a random one of this process's own.
	FormKey []byte
	// Feed serves the live feeds of event pages; share the API's. Nil
	// means pages without a live feed.
	Feed *feed.Hub
}

// handler is a Server with its routes and state.
type handler struct {
	Server
	mux   *http.ServeMux
	pages map[string]*template.Template
	// csrfKey signs each session's form token.
	csrfKey []byte
}

// Handler returns the pages as an http.Handler, to mount at "/".
func (s *Server) Handler() http.Handler {
	h := &handler{Server: *s, mux: http.NewServeMux(), csrfKey: s.FormKey}
	if h.csrfKey == nil {
		h.csrfKey = make([]byte, 32)
		rand.Read(h.csrfKey)
	}
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Limiter == nil {
		h.Limiter = throttle.New(h.Now, nil)
	}
	h.pages = parsePages()
	static, _ := fs.Sub(staticFS, "static")
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	h.mux.HandleFunc("GET /login", h.loginPage)
	h.mux.HandleFunc("POST /login", h.login)
	h.mux.HandleFunc("POST /lang", h.setLang)
	for _, rt := range []struct {
		pattern string
		fn      func(*page, *http.Request) error
	}{
		{"POST /logout", h.logout},
		{"GET /{$}", h.dashboard},
		{"POST /language", h.setUserLanguage},
		{"GET /search", h.searchForm},
		{"POST /search", h.search},
		{"GET /entities/new", h.newEntity},
		{"POST /entities", h.createEntity},
		{"GET /entities/{id}", h.entity},
		{"GET /entities/{id}/graph", h.entityGraphJSON},
		{"POST /entities/{id}/statements", h.addStatement},
		{"POST /statements/{id}/withdraw", h.withdraw},
		{"GET /screen", h.screenForm},
		{"POST /screen", h.screen},
		{"POST /screen/file", h.screenFile},
		{"GET /review", h.reviewQueue},
		{"POST /review/{id}", h.decide},
		{"GET /referrals", h.referrals},
		{"POST /referrals/{id}", h.decideReferral},
		{"GET /audit", h.audit},
		{"GET /travel", h.travelForm},
		{"POST /travel", h.travel},
		{"GET /travel/{id}", h.travelRecord},
		{"GET /hashes", h.hashes},
		{"POST /hashes/match", h.matchUpload},
		{"POST /hashes/matches/{id}/feedback", h.hashFeedback},
		{"POST /hashes/appeals", h.lodgeAppeal},
		{"POST /hashes/appeals/{id}", h.decideAppeal},
		{"GET /authorities", h.authorities},
		{"POST /authorities", h.createAuthority},
		{"POST /authorities/{id}", h.authorityAction},
		{"GET /requests", h.requests},
		{"POST /requests", h.createRequest},
		{"GET /requests/{id}", h.request},
		{"POST /requests/{id}/steps", h.requestStep},
		{"POST /requests/{id}/agencies", h.shareRequest},
		{"POST /requests/{id}/edit", h.editRequest},
		{"GET /content-referrals", h.contentReferrals},
		{"POST /content-referrals", h.refer},
		{"GET /content-referrals/{id}", h.contentReferral},
		{"POST /content-referrals/{id}/steps", h.referralStep},
		{"POST /content-referrals/{id}/agencies", h.shareReferral},
		{"POST /content-referrals/{id}/bank", h.referralToBank},
		{"GET /events", h.events},
		{"POST /events", h.createEvent},
		{"GET /events/{id}", h.event},
		{"POST /events/{id}/alerts", h.postAlert},
		{"POST /events/{id}/archive", h.archiveEvent},
		{"GET /events/{id}/feed", h.feed},
		{"GET /events/{id}/digest", h.digest},
		{"POST /alerts/{id}/ack", h.acknowledge},
		{"GET /notifications", h.notifications},
		{"POST /notifications/{id}/read", h.openNotification},
		{"GET /admin", h.admin},
		{"POST /admin/{what}", h.adminAction},
	} {
		h.mux.Handle(rt.pattern, h.authed(rt.fn))
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		// Pages show personal data, or lead to it: no cache keeps them.
		hd.Set("Cache-Control", "no-store")
	}
	h.mux.ServeHTTP(w, r)
}

// csrf is the form token of a session: a keyed hash of its token, so it
// needs no storage and dies with the session.
func (h *handler) csrf(token string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// page is what a signed-in request renders with.
type page struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	id      ctis.Identity
	loc     locale
	csrf    string
	purpose string
	flash   string
}

// authed runs fn for a signed-in user whose session is alive; a POST must
// carry the session's form token.
func (h *handler) authed(fn func(*page, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		id, err := h.Auth.Resume(r.Context(), c.Value, idleTimeout)
		if err != nil {
			h.forget(w)
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		p := &page{w: w, r: r, id: id, loc: newLocale(lang(r, id)), csrf: h.csrf(c.Value)}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
			if crossOrigin(r) || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(p.csrf)) {
				h.render(p, http.StatusForbidden, "error", &errorView{Message: p.loc.T("csrf")})
				return
			}
		}
		p.purpose = strings.TrimSpace(r.FormValue("purpose"))
		if p.purpose == "" {
			if pc, err := r.Cookie("ctis_purpose"); err == nil {
				p.purpose = pc.Value
			}
		} else {
			http.SetCookie(w, &http.Cookie{Name: "ctis_purpose", Value: p.purpose, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
		}
		p.ctx = ctis.WithPurpose(ctis.NewContext(r.Context(), id), p.purpose)
		if err := fn(p, r); err != nil {
			h.fail(p, err)
		}
	})
}

// crossOrigin reports whether a browser says a post comes from a page of
// another origin. Browsers send Origin with every form post, but "null"
// where the page's referrer policy is no-referrer, as this node's pages
// ask; a post without a named origin (such a page, an older browser, a
// program) is judged by its form token alone.
func crossOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host)
}

// forget ends a session in the browser.
func (h *handler) forget(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

// formError is a form the pages found wrong before any service saw it,
// told in the page's language.
type formError struct {
	field, key string
	args       []any
}

func (e *formError) Error() string { return e.field + ": " + e.key }

func invalidForm(field, key string, args ...any) error { return &formError{field, key, args} }

// fail shows an error page: the application's message for what the user
// can mend, a reference-free apology for our own faults. A service's
// message, written in English, is shown beside the page's own words and
// marked as English.
func (h *handler) fail(p *page, err error) {
	if ctis.ErrorField(err) == "purpose" && p.r.Method == http.MethodGet {
		// A read that needs a purpose asks for one, and comes back here.
		var keep [][2]string
		for k, vs := range p.r.URL.Query() {
			if k != "purpose" {
				for _, v := range vs {
					keep = append(keep, [2]string{k, v})
				}
			}
		}
		h.render(p, http.StatusOK, "error", &errorView{AskPurpose: p.r.URL.Path, Keep: keep, Message: p.loc.T("purpose.needed")})
		return
	}
	var fe *formError
	if errors.As(err, &fe) {
		h.render(p, http.StatusBadRequest, "error", &errorView{Message: p.loc.T("error.invalid"), Detail: p.loc.T(fe.key, fe.args...)})
		return
	}
	status, internal := httpkit.Status(err)
	v := &errorView{}
	switch {
	case internal:
		v.Message = p.loc.T("error.internal", httpkit.Failed(h.Logger, p.r, err))
	case status == http.StatusNotFound:
		v.Message = p.loc.T("not.found")
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		v.Message = p.loc.T("forbidden")
	case status == http.StatusRequestEntityTooLarge && ctis.ErrorCode(err) != ctis.ETOOLARGE:
		v.Message = p.loc.T("error.too.large")
	default:
		v.Message, v.English = p.loc.T("error.invalid"), ctis.ErrorMessage(err)
		if f := ctis.ErrorField(err); f != "" {
			v.English = f + ": " + v.English
		}
	}
	h.render(p, status, "error", v)
}
