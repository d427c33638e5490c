package api

import (
	"net/http"

	"ctis"
)

// ruleReferrals lists the caller's agency's queue of travellers referred
// by its targeting rules.
func (h *handler) ruleReferrals(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	f := ctis.ReferralFilter{Status: ctis.HitStatus(q.Get("status")), Rule: q.Get("rule"), Cursor: q.Get("cursor"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	page, err := h.Targeting.Referrals(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

func (h *handler) ruleReferral(w http.ResponseWriter, r *http.Request) error {
	ref, err := h.Targeting.Referral(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ref)
}

func (h *handler) decideReferral(w http.ResponseWriter, r *http.Request) error {
	var req decisionRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	ref, err := h.Targeting.DecideReferral(r.Context(), r.PathValue("id"), req.Status, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ref)
}
