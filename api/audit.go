package api

import (
	"net/http"

	"ctis"
)

func (h *handler) auditEvents(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	f := ctis.AuditFilter{
		Seq:       q.seq("seq"),
		Reference: q.Get("reference"),
		Username:  q.Get("username"),
		Agency:    q.Get("agency"),
		Action:    q.Get("action"),
		Object:    q.Get("object"),
		From:      q.time("from"),
		To:        q.time("to"),
		Cursor:    q.Get("cursor"),
		Limit:     q.limit(),
	}
	if q.err != nil {
		return q.err
	}
	page, err := h.Audit.Events(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

// auditVerify checks the whole chain. A broken chain is a finding, not a
// failed request: it is answered 200 with ok false and the first broken
// event.
func (h *handler) auditVerify(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.Audit.Verify(r.Context(), nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}
