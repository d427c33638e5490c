package api

import (
	"encoding/json"
	"net/http"

	"ctis"
)

// statuses maps the domain's error codes to HTTP statuses. Every invalid
// request is 400, whether its JSON is malformed or breaks a rule: clients
// branch on the problem's code and field, which tell the two apart, so a
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

// problem is an RFC 9457 problem document with the domain's stable error
// code and the offending field.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
}

// fail answers with the problem err stands for. Internal errors reach the
// client only as a reference into the log, where the cause is recorded
// with the route pattern rather than the path, so that no ID, name or
// query value of the request is written down.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := ctis.ErrorCode(err)
	status, known := statuses[code]
	p := problem{Code: code, Detail: ctis.ErrorMessage(err), Field: ctis.ErrorField(err)}
	if !known || code == ctis.EINTERNAL {
		ref := ctis.NewID()
		h.Logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "reference", ref, "error", err.Error())
		status, p = http.StatusInternalServerError, problem{Code: ctis.EINTERNAL, Detail: "internal error; reference " + ref}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctis"`)
	}
	writeProblem(w, status, p)
}

// writeProblem writes p with status, filling in what follows from it.
func writeProblem(w http.ResponseWriter, status int, p problem) {
	p.Type = "urn:ctis:problem:" + p.Code
	p.Title = http.StatusText(status)
	p.Status = status
	b, _ := json.Marshal(p) // a struct of strings and an int always marshals
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// writeJSON answers with v as JSON. Only a value that cannot be encoded is
// an error; a failed write means the client is gone, and nobody is left
// to tell.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}
