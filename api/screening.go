package api

import (
	"context"
	"ctis/httpkit"
	"net/http"

	"ctis"
	"ctis/manifest"
)

// screenRequest is one subject to screen, with the purpose of the
// screening, which may come in the body as well as in the header.
type screenRequest struct {
	ctis.Subject
	Purpose string `json:"purpose,omitempty"`
	// MRZ is a travel document's machine-readable zone, pasted; it fills
	// what the other fields leave out.
	MRZ string `json:"mrz,omitempty"`
	// MinScore asks for the hits from this score instead of the
	// screener's threshold (ctis.WithMinScore).
	MinScore *float64 `json:"min_score,omitempty"`
}

// batchRequest is a list of subjects screened for one purpose.
type batchRequest struct {
	Subjects []ctis.Subject `json:"subjects"`
	Purpose  string         `json:"purpose,omitempty"`
	MinScore *float64       `json:"min_score,omitempty"`
}

// withMinScore puts a minimum score given in a body into ctx.
func withMinScore(ctx context.Context, min *float64) (context.Context, error) {
	if min == nil {
		return ctx, nil
	}
	if err := ctis.ValidMinScore(*min); err != nil {
		return nil, err
	}
	return ctis.WithMinScore(ctx, *min), nil
}

// withPurpose puts a purpose given in a body into ctx, refusing one that
// disagrees with the header or parameter.
func withPurpose(ctx context.Context, body string) (context.Context, error) {
	if body == "" {
		return ctx, nil
	}
	if given := ctis.PurposeFrom(ctx); given != "" && given != body {
		return nil, ctis.Invalid("purpose", "the purpose is given twice, differently, in the body and the request")
	}
	return ctis.WithPurpose(ctx, body), nil
}

func (h *handler) screen(w http.ResponseWriter, r *http.Request) error {
	var req screenRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	ctx, err := withPurpose(r.Context(), req.Purpose)
	if err != nil {
		return err
	}
	if ctx, err = withMinScore(ctx, req.MinScore); err != nil {
		return err
	}
	if req.MRZ != "" {
		if err := manifest.FillFromMRZ(&req.Subject, req.MRZ, h.now()); err != nil {
			return err
		}
	}
	answerFromResult(ctx, func(rs []ctis.ScreenResult) (ctis.KeptAnswer, error) { return jsonAnswer(http.StatusOK, &rs[0]) })
	res, err := h.Screener.Screen(ctx, req.Subject)
	if err != nil {
		return err
	}
	return respond(w, ctx, func(r *ctis.ScreenResult) (ctis.KeptAnswer, error) { return jsonAnswer(http.StatusOK, r) }, res)
}

// batchAnswer is the answer to a batch screened.
func batchAnswer(res []ctis.ScreenResult) (ctis.KeptAnswer, error) {
	return jsonAnswer(http.StatusOK, struct {
		Results []ctis.ScreenResult `json:"results"`
	}{res})
}

func (h *handler) screenBatch(w http.ResponseWriter, r *http.Request) error {
	var req batchRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	ctx, err := withPurpose(r.Context(), req.Purpose)
	if err != nil {
		return err
	}
	if ctx, err = withMinScore(ctx, req.MinScore); err != nil {
		return err
	}
	answerFromResult(ctx, batchAnswer)
	res, err := h.Screener.ScreenBatch(ctx, req.Subjects)
	if err != nil {
		return err
	}
	return respond(w, ctx, batchAnswer, res)
}

func (h *handler) hits(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	f := ctis.HitFilter{Status: ctis.HitStatus(q.Get("status")), Agency: q.Get("agency"), From: q.time("from"), To: q.time("to"),
		Cursor: q.Get("cursor"), Limit: q.limit()}
	var err error
	if f.MinScore, err = httpkit.MinScore(q.Get("min_score")); err != nil {
		q.fail(err)
	}
	if q.err != nil {
		return q.err
	}
	page, err := h.Review.Hits(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

func (h *handler) hit(w http.ResponseWriter, r *http.Request) error {
	hit, err := h.Review.Hit(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, hit)
}

// decisionRequest is a reviewer's verdict on a hit.
type decisionRequest struct {
	Status ctis.HitStatus `json:"status"`
	Reason string         `json:"reason"`
}

func (h *handler) decide(w http.ResponseWriter, r *http.Request) error {
	var req decisionRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	hit, err := h.Review.Decide(r.Context(), r.PathValue("id"), req.Status, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, hit)
}
