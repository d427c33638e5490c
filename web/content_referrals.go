package web

import (
	"net/http"
	"slices"
	"strings"

	"ctis"
)

// contentReferralsView lists the referrals the user's agency sees, with the
// figures by platform and month, and the form that refers content.
type contentReferralsView struct {
	Layout
	Query     ctis.ContentReferralQuery
	Referrals []contentReferralRow
	Figures   []ctis.ContentReferralFigures
	States    []ctis.ContentReferralState
	Bases     []ctis.ContentReferralBasis
	// Platforms are the platform members content may be referred to.
	Platforms    []ctis.Agency
	Behaviours   []ctis.Behaviour
	Types        []ctis.HashType
	ContentTypes []string
}

// contentReferralRow is a listed referral with its handling, for the banner.
type contentReferralRow struct {
	ctis.ContentReferral
	Handling ctis.Handling
}

// contentReferralView is one referral with its timeline, the steps the user's
// agency may take on it, and the banks a removed item may go to.
type contentReferralView struct {
	Layout
	Referral *ctis.ContentReferral
	Handling ctis.Handling
	Party    ctis.Party
	Allowed  []ctis.ContentReferralAction
	Agencies []ctis.Agency
	// Banks are those the user may add the removed content to.
	Banks []ctis.HashBank
}

func (h *handler) contentReferrals(p *page, r *http.Request) error {
	q := ctis.ContentReferralQuery{State: ctis.ContentReferralState(r.FormValue("state")), Basis: ctis.ContentReferralBasis(r.FormValue("basis")),
		Role: ctis.Party(r.FormValue("role"))}
	list, err := h.ContentReferrals.ContentReferrals(p.ctx, q)
	if err != nil {
		return err
	}
	figures, err := h.ContentReferrals.ContentReferralFigures(p.ctx, "", "")
	if err != nil {
		return err
	}
	data := &contentReferralsView{Query: q, Figures: figures, States: ctis.ContentReferralStates, Bases: ctis.ContentReferralBases, Behaviours: ctis.Behaviours,
		Types: []ctis.HashType{ctis.HashURL, ctis.HashSHA256, ctis.HashMD5, ctis.HashPDQ}, ContentTypes: ctis.ContentTypes}
	for _, f := range list {
		data.Referrals = append(data.Referrals, contentReferralRow{ContentReferral: f, Handling: f.Handling()})
	}
	if p.id.Has(ctis.RoleAnalyst) {
		all, err := h.Directory.Agencies(p.ctx)
		if err != nil {
			return err
		}
		for _, a := range all {
			if a.Kind == "platform" && a.Code != p.id.Agency {
				data.Platforms = append(data.Platforms, a)
			}
		}
	}
	h.render(p, http.StatusOK, "content-referrals", data)
	return nil
}

// evidenceOf reads a text area of evidence hashes, one a line as "type
// hash".
func evidenceOf(s string) ([]ctis.Evidence, error) {
	var out []ctis.Evidence
	for i, l := range lines(s) {
		f := strings.Fields(l)
		if len(f) != 2 {
			return nil, invalidForm("evidence", "form.evidence", i+1)
		}
		out = append(out, ctis.Evidence{Type: ctis.HashType(f[0]), Value: f[1]})
	}
	return out, nil
}

func (h *handler) refer(p *page, r *http.Request) error {
	nr := ctis.NewContentReferral{Platform: r.PostFormValue("platform"), Basis: ctis.ContentReferralBasis(r.PostFormValue("basis")),
		Type: ctis.HashType(r.PostFormValue("type")), Content: r.PostFormValue("content"), Note: r.PostFormValue("note"),
		Labels: ctis.HashLabels{Entity: r.PostFormValue("entity"), ContentType: r.PostFormValue("content_type")}}
	for _, b := range r.PostForm["behaviours"] {
		nr.Labels.Behaviours = append(nr.Labels.Behaviours, ctis.Behaviour(b))
	}
	var err error
	if nr.Evidence, err = evidenceOf(r.PostFormValue("evidence")); err != nil {
		return err
	}
	out, err := h.ContentReferrals.Refer(p.ctx, nr)
	if err != nil {
		return err
	}
	http.Redirect(p.w, r, "/content-referrals/"+out.ID, http.StatusSeeOther)
	return nil
}

func (h *handler) contentReferral(p *page, r *http.Request) error {
	ref, err := h.ContentReferrals.ContentReferral(p.ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	data := &contentReferralView{Referral: ref, Handling: ref.Handling()}
	switch p.id.Agency {
	case ref.Referrer:
		data.Party = ctis.PartySender
	case ref.Platform:
		data.Party = ctis.PartyReceiver
	}
	if p.id.Has(ctis.RoleAnalyst) {
		if data.Party != "" {
			data.Allowed = ref.Allowed(data.Party)
			all, err := h.Directory.Agencies(p.ctx)
			if err != nil {
				return err
			}
			for _, a := range all {
				if a.Code != ref.Referrer && a.Code != ref.Platform && !slices.Contains(ref.Agencies, a.Code) {
					data.Agencies = append(data.Agencies, a)
				}
			}
		}
		if ref.State.Acted() {
			banks, err := h.Hashes.HashBanks(p.ctx)
			if err != nil {
				return err
			}
			for _, b := range banks {
				if b.Open || b.Agency == p.id.Agency {
					data.Banks = append(data.Banks, b)
				}
			}
		}
	}
	h.render(p, http.StatusOK, "content-referral", data)
	return nil
}

func (h *handler) referralStep(p *page, r *http.Request) error {
	s := ctis.ContentReferralStep{Action: ctis.ContentReferralAction(r.PostFormValue("action")), Reason: r.PostFormValue("reason")}
	if _, err := h.ContentReferrals.ActOnReferral(p.ctx, r.PathValue("id"), s); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/content-referrals/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

func (h *handler) shareReferral(p *page, r *http.Request) error {
	if _, err := h.ContentReferrals.ShareReferral(p.ctx, r.PathValue("id"), r.PostFormValue("agency")); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/content-referrals/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// referralToBank adds a removed item's URL or hash and its evidence to a
// bank in one step.
func (h *handler) referralToBank(p *page, r *http.Request) error {
	_, err := ctis.BankReferral(p.ctx, h.ContentReferrals, h.Hashes, r.PathValue("id"), r.PostFormValue("bank"))
	if err != nil {
		return err
	}
	p.flash = p.loc.T("content.referral.banked")
	return h.contentReferral(p, r)
}
