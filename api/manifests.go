package api

import (
	"errors"
	"io"
	"net/http"

	"ctis"
	"ctis/edifact"
	"ctis/paxlst"
	"ctis/pnrgov"
)

// screenManifests keeps and screens every traveller of the PAXLST
// messages in an EDIFACT interchange, a manifest's parts joined.
func (h *handler) screenManifests(w http.ResponseWriter, r *http.Request) error {
	return h.receiveTravel(w, r, "manifests", func(body io.Reader) ([]*ctis.ManifestScreening, error) {
		ms, err := paxlst.Parse(body)
		if err != nil {
			return nil, edifactError(err)
		}
		return h.receiver.ReceiveManifests(r.Context(), ms)
	})
}

// screenPNRs keeps and screens every passenger of the PNRGOV messages in
// an EDIFACT interchange.
func (h *handler) screenPNRs(w http.ResponseWriter, r *http.Request) error {
	return h.receiveTravel(w, r, "messages", func(body io.Reader) ([]*ctis.ManifestScreening, error) {
		ms, err := pnrgov.Parse(body)
		if err != nil {
			return nil, edifactError(err)
		}
		return h.receiver.ReceivePNRs(r.Context(), ms)
	})
}

// receiveTravel checks an EDIFACT request, has receive read, keep and
// screen its body, and answers the screenings under key.
func (h *handler) receiveTravel(w http.ResponseWriter, r *http.Request, key string, receive func(io.Reader) ([]*ctis.ManifestScreening, error)) error {
	if err := requireType(r, "application/edifact"); err != nil {
		return err
	}
	if _, _, err := ctis.RequirePurpose(r.Context(), ctis.RoleAnalyst, ctis.RoleFrontline); err != nil {
		return err
	}
	out, err := receive(limitBody(w, r, h.ImportMaxBody))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{key: out})
}

// edifactError describes an interchange that could not be read.
func edifactError(err error) error {
	var perr *edifact.Error
	if errors.As(err, &perr) {
		return ctis.Invalid("body", "%s", perr.Error())
	}
	return bodyError(err)
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

func (h *handler) saveRule(w http.ResponseWriter, r *http.Request) error {
	var rule ctis.Rule
	if err := h.decode(w, r, &rule); err != nil {
		return err
	}
	rule.ID = r.PathValue("id") // empty for a new rule
	saved, err := h.Rules.SaveRule(r.Context(), rule)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, saved)
}

func (h *handler) listRules(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Rules.Rules(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": list})
}

func (h *handler) ruleVersions(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Rules.RuleVersions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": list})
}
