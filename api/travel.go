package api

import (
	"net/http"

	"ctis"
)

func (h *handler) searchTravel(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	tq := ctis.TravelQuery{Name: q.Get("name"), Flight: q.Get("flight"), Day: q.Get("day"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	found, err := h.Travel.SearchTravel(r.Context(), tq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Records []ctis.TravelRecord `json:"records"`
	}{found})
}

func (h *handler) travelRecord(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.Travel.TravelRecord(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rec)
}

func (h *handler) exportTravel(w http.ResponseWriter, r *http.Request) error {
	return streamJSONL(h, w, r, h.Travel.ExportTravel)
}

// reasonRequest carries the reason of a request or decision.
type reasonRequest struct {
	Reason string `json:"reason"`
}

func (h *handler) requestUnmask(w http.ResponseWriter, r *http.Request) error {
	var req reasonRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	u, err := h.Travel.RequestUnmask(r.Context(), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

// unmaskDecision approves or refuses an unmasking, with a reason.
type unmaskDecision struct {
	Approve bool   `json:"approve"`
	Reason  string `json:"reason"`
}

func (h *handler) decideUnmask(w http.ResponseWriter, r *http.Request) error {
	var req unmaskDecision
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	u, err := h.Travel.DecideUnmask(r.Context(), r.PathValue("id"), req.Approve, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (h *handler) unmaskRequests(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Travel.UnmaskRequests(r.Context(), ctis.UnmaskStatus(r.URL.Query().Get("status")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Requests []ctis.UnmaskRequest `json:"requests"`
	}{list})
}

// documentCheckRequest is a document to check, with the purpose of the
// check, which may come in the body as well as in the header.
type documentCheckRequest struct {
	ctis.DocumentQuery
	Purpose string `json:"purpose,omitempty"`
}

func (h *handler) checkDocument(w http.ResponseWriter, r *http.Request) error {
	var req documentCheckRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	ctx, err := withPurpose(r.Context(), req.Purpose)
	if err != nil {
		return err
	}
	res, err := h.Documents.CheckDocument(ctx, req.DocumentQuery)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
