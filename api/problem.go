package api

import (
	"encoding/json"
	"net/http"

	"ctis"
	"ctis/httpkit"
)

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

// fail answers with the problem err stands for, its status by the
// policy the pages share. Internal errors reach the client only as a
// reference into the log.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, internal := httpkit.Status(err)
	p := problem{Code: ctis.ErrorCode(err), Detail: ctis.ErrorMessage(err), Field: ctis.ErrorField(err)}
	if internal {
		p = problem{Code: ctis.EINTERNAL, Detail: "internal error; reference " + httpkit.Failed(h.Logger, r, err)}
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
	a, err := jsonAnswer(status, v)
	if err != nil {
		return err
	}
	writeAnswer(w, a)
	return nil
}

// jsonAnswer is the answer writeJSON gives.
func jsonAnswer(status int, v any) (ctis.KeptAnswer, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return ctis.KeptAnswer{}, err
	}
	return ctis.KeptAnswer{Status: status, Header: map[string]string{"Content-Type": "application/json"}, Body: append(b, '\n')}, nil
}

// writeAnswer writes a. A client gone before it is read is no error of
// the request's.
func writeAnswer(w http.ResponseWriter, a ctis.KeptAnswer) {
	for k, v := range a.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(a.Status)
	w.Write(a.Body)
}
