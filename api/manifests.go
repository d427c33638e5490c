package api

import (
	"errors"
	"io"
	"net/http"

	"ctis"
	"ctis/edifact"
	"ctis/manifest"
	"ctis/paxlst"
	"ctis/pnrgov"
	"ctis/rules"
)

// screenManifests screens every traveller of the PAXLST messages in an
// EDIFACT interchange, a manifest's parts joined.
func (h *handler) screenManifests(w http.ResponseWriter, r *http.Request) error {
	return h.screenTravel(w, r, "manifests", func(body io.Reader) (int, func(int) ([]ctis.NewTravelRecord, func() (*ctis.ManifestScreening, error)), error) {
		ms, err := paxlst.Parse(body)
		return len(ms), func(i int) ([]ctis.NewTravelRecord, func() (*ctis.ManifestScreening, error)) {
			return manifest.TravelRecords(ms[i]), func() (*ctis.ManifestScreening, error) {
				active, err := rules.Service{Store: h.Rules}.Active(r.Context())
				if err != nil {
					return nil, err
				}
				return manifest.Screen(r.Context(), h.Screener, h.Documents, active, ms[i])
			}
		}, err
	})
}

// screenPNRs keeps and screens every passenger of the PNRGOV messages in
// an EDIFACT interchange.
func (h *handler) screenPNRs(w http.ResponseWriter, r *http.Request) error {
	return h.screenTravel(w, r, "messages", func(body io.Reader) (int, func(int) ([]ctis.NewTravelRecord, func() (*ctis.ManifestScreening, error)), error) {
		ms, err := pnrgov.Parse(body)
		return len(ms), func(i int) ([]ctis.NewTravelRecord, func() (*ctis.ManifestScreening, error)) {
			return manifest.PNRRecords(ms[i]), func() (*ctis.ManifestScreening, error) {
				active, err := rules.Service{Store: h.Rules}.Active(r.Context())
				if err != nil {
					return nil, err
				}
				return manifest.ScreenPNRs(r.Context(), h.Screener, active, ms[i])
			}
		}, err
	})
}

// screenTravel reads an EDIFACT body with read, keeps each message's
// travel data under the retention policy, screens its travellers, and
// answers the screenings under key.
func (h *handler) screenTravel(w http.ResponseWriter, r *http.Request, key string,
	read func(io.Reader) (int, func(int) ([]ctis.NewTravelRecord, func() (*ctis.ManifestScreening, error)), error)) error {
	if err := requireType(r, "application/edifact"); err != nil {
		return err
	}
	if _, _, err := ctis.RequirePurpose(r.Context(), ctis.RoleAnalyst, ctis.RoleFrontline); err != nil {
		return err
	}
	n, message, err := read(limitBody(w, r, h.ImportMaxBody))
	var perr *edifact.Error
	switch {
	case errors.As(err, &perr):
		return ctis.Invalid("body", "%s", perr.Error())
	case err != nil:
		return bodyError(err)
	case n == 0:
		return ctis.Invalid("body", "the interchange holds no message")
	}
	out := make([]*ctis.ManifestScreening, n)
	for i := range n {
		records, screen := message(i)
		if _, err := h.Travel.ReceiveTravel(r.Context(), records); err != nil {
			return err
		}
		if out[i], err = screen(); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{key: out})
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
	saved, err := rules.Service{Store: h.Rules}.SaveRule(r.Context(), rule)
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
