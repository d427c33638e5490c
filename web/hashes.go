package web

import (
	"bytes"
	"html/template"
	"io"
	"net/http"
	"strconv"

	"ctis"
	"ctis/hashbank"
	"ctis/pdq"
)

// hashes shows the banks the user may see, flagged entries to look at
// again, the monthly figures, and a form to match an image.
func (h *handler) hashes(p *page, r *http.Request) error {
	data, err := h.hashData(p)
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "hashes", data)
	return nil
}

func (h *handler) hashData(p *page) (*hashesView, error) {
	data := &hashesView{}
	months, err := h.Hashes.Transparency(p.ctx, "", "")
	if err != nil {
		return nil, err
	}
	data.Months, data.Chart = months, transparencyChart(p.loc, months)
	if data.Referrals, err = h.ContentReferrals.ContentReferralFigures(p.ctx, "", ""); err != nil {
		return nil, err
	}
	if !p.id.Has(ctis.RoleAnalyst) && !p.id.Has(ctis.RoleFrontline) {
		return data, nil
	}
	banks, err := h.Hashes.HashBanks(p.ctx)
	if err != nil {
		return nil, err
	}
	data.Banks = banks
	var flagged []ctis.HashEntry
	for _, b := range banks {
		if b.Agency != p.id.Agency {
			continue
		}
		f, err := h.Hashes.HashEntries(p.ctx, ctis.HashEntryFilter{Bank: b.ID, Flagged: true, Limit: 50})
		if err != nil {
			return nil, err
		}
		flagged = append(flagged, f...)
	}
	data.Flagged = flagged
	if p.id.Has(ctis.RoleAnalyst) {
		appeals, err := h.Hashes.Appeals(p.ctx)
		if err != nil {
			return nil, err
		}
		data.Appeals = appeals
	}
	return data, nil
}

// matchUpload hashes an uploaded image — kept in memory only — or video
// — kept in a temporary file removed once hashed — and shows what it
// matched, with a form for feedback on each match.
func (h *handler) matchUpload(p *page, r *http.Request) error {
	if v, _, err := r.FormFile("video"); err == nil {
		defer v.Close()
		frames, err := hashbank.HashUpload(p.ctx, v, hashbank.UploadLimits)
		if err != nil {
			return err
		}
		res, err := h.Hashes.MatchVideo(p.ctx, frames)
		if err != nil {
			return err
		}
		page, err := h.hashData(p)
		if err != nil {
			return err
		}
		page.Frames, page.Result = frames, res
		h.render(p, http.StatusOK, "hashes", page)
		return nil
	}
	f, _, err := r.FormFile("image")
	if err != nil {
		return invalidForm("image", "form.image")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	file, err := pdq.HashFile(bytes.NewReader(data), r.PostFormValue("variants") == "on")
	if err != nil {
		return invalidForm("image", "form.image.unreadable")
	}
	radius := ctis.DefaultRadius
	if s := r.PostFormValue("radius"); s != "" {
		if radius, err = strconv.Atoi(s); err != nil {
			return invalidForm("radius", "form.radius")
		}
	}
	queries := hashbank.ImageQueries(file)
	res, err := h.Hashes.MatchHashes(p.ctx, queries, radius)
	if err != nil {
		return err
	}
	page, err := h.hashData(p)
	if err != nil {
		return err
	}
	page.Image, page.Result, page.Queries = file, res, queries
	h.render(p, http.StatusOK, "hashes", page)
	return nil
}

// hashFeedback records a verdict on a match.
func (h *handler) hashFeedback(p *page, r *http.Request) error {
	_, err := h.Hashes.GiveFeedback(p.ctx, ctis.HashFeedback{Match: r.PathValue("id"),
		Verdict: ctis.Verdict(r.PostFormValue("verdict")), Reason: r.PostFormValue("reason")})
	if err != nil {
		return err
	}
	p.flash = p.loc.T("feedback.recorded")
	return h.hashes(p, r)
}

// lodgeAppeal records a user's appeal against a removal that followed one
// of the agency's matches.
func (h *handler) lodgeAppeal(p *page, r *http.Request) error {
	if _, err := h.Hashes.LodgeAppeal(p.ctx, ctis.Appeal{Match: r.PostFormValue("match"), Reference: r.PostFormValue("reference")}); err != nil {
		return err
	}
	p.flash = p.loc.T("appeal.recorded")
	return h.hashes(p, r)
}

// decideAppeal records an appeal's outcome.
func (h *handler) decideAppeal(p *page, r *http.Request) error {
	if _, err := h.Hashes.DecideAppeal(p.ctx, r.PathValue("id"), ctis.AppealOutcome(r.PostFormValue("outcome")), r.PostFormValue("reason")); err != nil {
		return err
	}
	p.flash = p.loc.T("appeal.decided")
	return h.hashes(p, r)
}

// transparencyChart draws the matches of each month and how they were
// judged, with the appeals lodged.
func transparencyChart(l locale, months []ctis.TransparencyMonth) template.HTML {
	var labels []string
	ss := []series{{Label: l.T("matches")}, {Label: l.T("true.positive")}, {Label: l.T("false.positive")}, {Label: l.T("appeals")}}
	for _, m := range months {
		labels = append(labels, m.Month)
		for i, v := range []int{m.Matches, m.TruePositives, m.FalsePositives, m.AppealsLodged} {
			ss[i].Values = append(ss[i].Values, float64(v))
		}
	}
	return barChart("transparency-chart", l.T("chart.transparency"), labels, ss, l.Num)
}
