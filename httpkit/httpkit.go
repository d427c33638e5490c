// Package httpkit is the HTTP policy that the API and the pages share, so
// that the two faces of a node cannot disagree: how an error becomes a
// status, how long a login lasts and how it is throttled, what a log line
// of a failed request may hold, how a request carries its token and the
// purpose of its reads, and how the review queue's score filter is read.
package httpkit

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/throttle"
)

// SessionTTL is how long a password login lasts: one working shift.
const SessionTTL = 12 * time.Hour

// statuses maps the domain's error codes to HTTP statuses. Every invalid
// request is 400, whether its JSON is malformed or breaks a rule: clients
// branch on the error's code and field, which tell the two apart, so a
// second status would add nothing but a choice to get wrong.
var statuses = map[string]int{
	ctis.EINVALID:      http.StatusBadRequest,
	ctis.EUNAUTHORIZED: http.StatusUnauthorized,
	ctis.EFORBIDDEN:    http.StatusForbidden,
	ctis.ENOTFOUND:     http.StatusNotFound,
	ctis.ECONFLICT:     http.StatusConflict,
	ctis.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	ctis.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	ctis.ERATELIMITED:  http.StatusTooManyRequests,
	ctis.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status of err, and whether err is the node's own
// fault, whose text must reach the log and never the user. A body cut off
// at its size limit is 413 whoever noticed it.
func Status(err error) (status int, internal bool) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge, false
	}
	code := ctis.ErrorCode(err)
	status, known := statuses[code]
	if !known || code == ctis.EINTERNAL {
		return http.StatusInternalServerError, true
	}
	return status, false
}

// Failed logs a request that failed by the node's own fault and returns
// the reference to give the user. The line names the route pattern, never
// the path or the query, so that no ID, name or query value of the
// request is written down.
func Failed(log *slog.Logger, r *http.Request, err error) string {
	ref := ctis.NewID()
	log.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "reference", ref, "error", err.Error())
	return ref
}

// Login is the one login of every door: throttled per user and client
// address, a refusal while throttled audited, the outcome counted. When
// throttled it returns an ERATELIMITED error and the Retry-After value,
// in whole seconds rounded up.
func Login(ctx context.Context, l *throttle.Limiter, auth ctis.AuthService, r *http.Request, kind ctis.CredentialKind,
	username, password string) (id ctis.Identity, token, retryAfter string, err error) {
	a, wait, err := l.Admit(username, r)
	if err != nil {
		return id, "", "", err
	}
	if wait > 0 {
		if err := auth.LoginThrottled(ctx, username); err != nil {
			return id, "", "", err
		}
		return id, "", strconv.Itoa(int((wait + time.Second - 1) / time.Second)),
			ctis.Errorf(ctis.ERATELIMITED, "too many failed logins for this user or from this address; try again later")
	}
	id, token, err = auth.Login(ctx, kind, username, password, SessionTTL)
	if serr := l.Settle(ctx, a, err); serr != nil && err == nil {
		// A login whose failures could not be cleared fails as a fault of
		// ours; its session is never handed out.
		return ctis.Identity{}, "", "", serr
	}
	return id, token, "", err
}

// MinScore reads the review queue's min_score filter: "" for none, else a
// number from 0 to 1.
func MinScore(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 0 && v <= 1) { // NaN too
		return 0, ctis.Invalid("min_score", "min_score must be a number from 0 to 1")
	}
	return v, nil
}

// Bearer returns the token of an "Authorization: Bearer" header. The
// scheme is case-insensitive, as RFC 9110 has it.
func Bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// Purpose returns the purpose of a request's reads, from the Ctis-Purpose
// header or the purpose query parameter (which, unlike a header, can carry
// any script). The services demand it where personal data is read; here it
// is only carried, and refused when the two places disagree, because the
// audit trail must record the one purpose the reader gave.
func Purpose(r *http.Request) (string, error) {
	header, query := r.Header.Get("Ctis-Purpose"), r.URL.Query().Get("purpose")
	if header != "" && query != "" && header != query {
		return "", ctis.Invalid("purpose", "the purpose is given twice, differently, in the Ctis-Purpose header and the purpose parameter")
	}
	if header != "" {
		return header, nil
	}
	return query, nil
}

// Authenticate resolves a request's bearer token (an API token or the token
// of an API login) to an identity, and returns the request's context
// carrying it and the purpose of the request's reads: one rule for the API
// and TAXII.
func Authenticate(r *http.Request, auth ctis.AuthService) (context.Context, error) {
	secret, ok := Bearer(r)
	if !ok {
		return nil, ctis.Errorf(ctis.EUNAUTHORIZED, "send an API token or the token of an API login as Authorization: Bearer <token>")
	}
	id, err := auth.Authenticate(r.Context(), ctis.CredentialAPI, secret)
	if err != nil {
		return nil, err
	}
	p, err := Purpose(r)
	if err != nil {
		return nil, err
	}
	return ctis.WithPurpose(ctis.NewContext(r.Context(), id), p), nil
}
