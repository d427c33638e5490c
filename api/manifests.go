package api

import (
	"errors"
	"net/http"

	"ctis"
	"ctis/edifact"
	"ctis/manifest"
	"ctis/paxlst"
)

// screenManifests screens every traveller of the PAXLST messages in an
// EDIFACT interchange, a manifest's parts joined.
func (h *handler) screenManifests(w http.ResponseWriter, r *http.Request) error {
	if err := requireType(r, "application/edifact"); err != nil {
		return err
	}
	if _, _, err := ctis.RequirePurpose(r.Context(), ctis.RoleAnalyst, ctis.RoleFrontline); err != nil {
		return err
	}
	ms, err := paxlst.Parse(limitBody(w, r, h.ImportMaxBody))
	var perr *edifact.Error
	switch {
	case errors.As(err, &perr):
		return ctis.Invalid("body", "%s", perr.Error())
	case err != nil:
		return bodyError(err)
	case len(ms) == 0:
		return ctis.Invalid("body", "the interchange holds no PAXLST message")
	}
	for _, m := range ms {
		if _, err := h.Travel.ReceiveTravel(r.Context(), manifest.TravelRecords(m)); err != nil {
			return err
		}
	}
	out := make([]*ctis.ManifestScreening, len(ms))
	for i, m := range ms {
		if out[i], err = manifest.Screen(r.Context(), h.Screener, m); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, struct {
		Manifests []*ctis.ManifestScreening `json:"manifests"`
	}{out})
}

// movementRequest is the handling and grading under which a confirmed
// hit's journey is shared.
type movementRequest struct {
	Handling ctis.Handling `json:"handling"`
	Grading  ctis.Grading  `json:"grading,omitempty"`
}

func (h *handler) recordMovement(w http.ResponseWriter, r *http.Request) error {
	var req movementRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	e, err := h.Review.RecordMovement(r.Context(), r.PathValue("id"), req.Handling, req.Grading)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}
