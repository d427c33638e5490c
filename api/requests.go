package api

import (
	"net/http"
	"strings"
	"time"

	"ctis"
)

// authorityInput is a directory entry as its agency gives it; the node
// sets its ID, its keeping agency, its times and whether it is stale.
type authorityInput struct {
	Country      string          `json:"country"`
	Instrument   ctis.Instrument `json:"instrument"`
	Name         string          `json:"name"`
	Jurisdiction string          `json:"jurisdiction"`
	Languages    []string        `json:"languages"`
	Channels     []string        `json:"channels"`
	Hours        string          `json:"hours"`
	VerifiedOn   string          `json:"verified_on"`
}

func (in authorityInput) authority(id string) ctis.Authority {
	return ctis.Authority{ID: id, Country: in.Country, Instrument: in.Instrument, Name: in.Name, Jurisdiction: in.Jurisdiction,
		Languages: in.Languages, Channels: in.Channels, Hours: in.Hours, VerifiedOn: in.VerifiedOn}
}

func (h *handler) authorities(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	aq := ctis.AuthorityQuery{Country: q.Get("country"), Instrument: ctis.Instrument(q.Get("instrument")), Agency: q.Get("agency"),
		Text: q.Get("q"), Stale: q.flag("stale")}
	if q.err != nil {
		return q.err
	}
	list, err := h.Authorities.Authorities(r.Context(), aq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Authorities []ctis.Authority `json:"authorities"`
	}{list})
}

func (h *handler) authority(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Authorities.Authority(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (h *handler) createAuthority(w http.ResponseWriter, r *http.Request) error {
	var in authorityInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	a, err := h.Authorities.CreateAuthority(r.Context(), in.authority(""))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

func (h *handler) updateAuthority(w http.ResponseWriter, r *http.Request) error {
	var in authorityInput
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	a, err := h.Authorities.UpdateAuthority(r.Context(), in.authority(r.PathValue("id")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (h *handler) removeAuthority(w http.ResponseWriter, r *http.Request) error {
	if err := h.Authorities.RemoveAuthority(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) cooperationRequests(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	rq := ctis.RequestQuery{Kind: ctis.RequestKind(q.Get("kind")), State: ctis.RequestState(q.Get("state")), Role: ctis.Party(q.Get("role")), Overdue: q.flag("overdue"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	list, err := h.Cooperation.Requests(r.Context(), rq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Requests []ctis.Request `json:"requests"`
	}{list})
}

// newRequestInput is a request as a client drafts it. The deadline is
// read here rather than by the JSON decoder, so that a malformed one is
// refused naming its field.
type newRequestInput struct {
	ctis.NewRequest
	Deadline string `json:"deadline,omitempty"`
}

// draft reads the body of a request made or edited.
func (h *handler) draft(w http.ResponseWriter, r *http.Request) (ctis.NewRequest, error) {
	var in newRequestInput
	if err := h.decode(w, r, &in); err != nil {
		return ctis.NewRequest{}, err
	}
	nr := in.NewRequest
	if in.Deadline != "" {
		d, err := time.Parse(time.RFC3339, in.Deadline)
		if err != nil {
			return nr, ctis.Invalid("deadline", "the deadline must be an RFC 3339 time such as 2026-01-31T17:00:00Z")
		}
		nr.Deadline = &d
	}
	return nr, nil
}

func (h *handler) createCooperationRequest(w http.ResponseWriter, r *http.Request) error {
	nr, err := h.draft(w, r)
	if err != nil {
		return err
	}
	req, err := h.Cooperation.CreateRequest(r.Context(), nr)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, req)
}

func (h *handler) editCooperationRequest(w http.ResponseWriter, r *http.Request) error {
	nr, err := h.draft(w, r)
	if err != nil {
		return err
	}
	req, err := h.Cooperation.EditRequest(r.Context(), r.PathValue("id"), nr)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (h *handler) cooperationRequest(w http.ResponseWriter, r *http.Request) error {
	req, err := h.Cooperation.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (h *handler) takeStep(w http.ResponseWriter, r *http.Request) error {
	var s ctis.Step
	if err := h.decode(w, r, &s); err != nil {
		return err
	}
	req, err := h.Cooperation.TakeStep(r.Context(), r.PathValue("id"), s)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

// shareRequest names the agency a request is shared with.
type shareRequest struct {
	Agency string `json:"agency"`
}

func (h *handler) shareCooperationRequest(w http.ResponseWriter, r *http.Request) error {
	var s shareRequest
	if err := h.decode(w, r, &s); err != nil {
		return err
	}
	req, err := h.Cooperation.ShareRequest(r.Context(), r.PathValue("id"), strings.ToUpper(strings.TrimSpace(s.Agency)))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, req)
}

func (h *handler) requestFigures(w http.ResponseWriter, r *http.Request) error {
	figures, err := h.Cooperation.RequestFigures(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Kinds []ctis.RequestFigures `json:"kinds"`
	}{figures})
}
