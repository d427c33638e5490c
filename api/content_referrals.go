package api

import (
	"net/http"

	"ctis"
)

func (h *handler) contentReferrals(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	rq := ctis.ContentReferralQuery{State: ctis.ContentReferralState(q.Get("state")), Basis: ctis.ContentReferralBasis(q.Get("basis")),
		Role: ctis.Party(q.Get("role")), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	list, err := h.ContentReferrals.ContentReferrals(r.Context(), rq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Referrals []ctis.ContentReferral `json:"referrals"`
	}{list})
}

func (h *handler) refer(w http.ResponseWriter, r *http.Request) error {
	var in ctis.NewContentReferral
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	out, err := h.ContentReferrals.Refer(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (h *handler) contentReferral(w http.ResponseWriter, r *http.Request) error {
	out, err := h.ContentReferrals.ContentReferral(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *handler) actOnReferral(w http.ResponseWriter, r *http.Request) error {
	var in ctis.ContentReferralStep
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	out, err := h.ContentReferrals.ActOnReferral(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *handler) shareReferral(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Agency string `json:"agency"`
	}
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	out, err := h.ContentReferrals.ShareReferral(r.Context(), r.PathValue("id"), in.Agency)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// referralToBank adds what a removed or geo-blocked referral identifies
// (its URL or hash and its evidence hashes, with its labels) to a bank
// in one step.
func (h *handler) referralToBank(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Bank string `json:"bank"`
	}
	if err := h.decode(w, r, &in); err != nil {
		return err
	}
	n, err := ctis.BankReferral(r.Context(), h.ContentReferrals, h.Hashes, r.PathValue("id"), in.Bank)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"stored": n})
}

func (h *handler) referralFigures(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	figures, err := h.ContentReferrals.ContentReferralFigures(r.Context(), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"figures": figures})
}
