package web

import (
	"fmt"
	"net/http"
	"slices"

	"ctis"
)

// referralItem is a referral laid out side by side: the traveller beside
// the rule that held and the facts it read.
type referralItem struct {
	ctis.TravellerReferral
	Facts     []fact
	Decidable bool
}

// fact is one booking fact a rule read, as shown to a reviewer.
type fact struct{ Name, Value string }

type referralsView struct {
	Layout
	Referrals []referralItem
	Filter    ctis.ReferralFilter
	Statuses  []ctis.HitStatus
}

func (h *handler) referrals(p *page, r *http.Request) error {
	f := ctis.ReferralFilter{Status: ctis.HitStatus(r.FormValue("status")), Limit: 100}
	if f.Status == "" {
		f.Status = ctis.HitOpen
	}
	res, err := h.Targeting.Referrals(p.ctx, f)
	if err != nil {
		return err
	}
	items := make([]referralItem, len(res.Referrals))
	for i, ref := range res.Referrals {
		var facts []fact
		for name, v := range ref.Rule.Facts {
			facts = append(facts, fact{name, fmt.Sprint(v)})
		}
		slices.SortFunc(facts, func(a, b fact) int {
			if a.Name < b.Name {
				return -1
			}
			return 1
		})
		items[i] = referralItem{TravellerReferral: ref, Facts: facts,
			Decidable: ref.Status == ctis.HitOpen || ref.Status == ctis.HitEscalated}
	}
	h.render(p, http.StatusOK, "referrals", &referralsView{Referrals: items, Filter: f,
		Statuses: []ctis.HitStatus{ctis.HitOpen, ctis.HitConfirmed, ctis.HitFalsePositive, ctis.HitEscalated}})
	return nil
}

func (h *handler) decideReferral(p *page, r *http.Request) error {
	if _, err := h.Targeting.DecideReferral(p.ctx, r.PathValue("id"), ctis.HitStatus(r.PostFormValue("status")), r.PostFormValue("reason")); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/referrals", http.StatusSeeOther)
	return nil
}
