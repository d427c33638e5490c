package web

import (
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
)

// authoritiesView is the directory of competent authorities: a search,
// its results, the entries of the user's agency that are due for
// verification, and the form that adds one.
type authoritiesView struct {
	Layout
	Query       ctis.AuthorityQuery
	Authorities []ctis.Authority
	// Due are the user's agency's stale entries, flagged for it.
	Due         []ctis.Authority
	Instruments []ctis.Instrument
	// Form adds an entry of the user's agency, or edits the one whose ID
	// it holds, for those who keep them.
	Form *ctis.Authority
}

// requestsView lists the cooperation requests the user's agency sees,
// with the oversight figures and the form that drafts one.
type requestsView struct {
	Layout
	Query    ctis.RequestQuery
	Requests []requestRow
	Figures  []ctis.RequestFigures
	// Chart draws Figures.
	Chart  template.HTML
	Kinds  []ctis.RequestKind
	States []ctis.RequestState
	// Form is the form of a new draft, for an analyst.
	Form *draftForm
}

// draftForm is the form of a draft: the kinds and the directory's entries
// a request may be addressed to (not the caller's agency's own), and the
// ID and values of the draft edited, empty for a new one. Attachments
// given are added to the draft's.
type draftForm struct {
	ID          string
	Kinds       []ctis.RequestKind
	Authorities []ctis.Authority
	Kind        ctis.RequestKind
	Authority   string
	LegalBasis  string
	Offence     string
	Description string
	Entities    string // IDs, one a line
	Deadline    string // as a datetime-local field takes it, UTC
}

// newDraftForm is the form of a draft, r's values in it when r is not
// nil; the directory's entries are those the caller's agency may address.
func (h *handler) newDraftForm(p *page, r *ctis.Request) (*draftForm, error) {
	all, err := h.Authorities.Authorities(p.ctx, ctis.AuthorityQuery{})
	if err != nil {
		return nil, err
	}
	f := &draftForm{Kinds: ctis.RequestKinds}
	for _, a := range all {
		if a.Agency != p.id.Agency {
			f.Authorities = append(f.Authorities, a)
		}
	}
	if r != nil {
		f.ID, f.Kind, f.Authority, f.LegalBasis, f.Offence, f.Description = r.ID, r.Kind, r.Authority.ID, r.LegalBasis, r.Offence, r.Description
		ids := make([]string, len(r.Entities))
		for i, e := range r.Entities {
			ids[i] = e.ID
		}
		f.Entities = strings.Join(ids, "\n")
		if r.Deadline != nil {
			f.Deadline = r.Deadline.UTC().Format("2006-01-02T15:04")
		}
	}
	return f, nil
}

// requestRow is a listed request with its handling, for the banner.
type requestRow struct {
	ctis.Request
	Handling ctis.Handling
}

// requestView is one request with its timeline and the steps the user's
// agency may take on it.
type requestView struct {
	Layout
	Request  *ctis.Request
	Handling ctis.Handling
	Party    ctis.Party
	Allowed  []ctis.RequestAction
	Agencies []ctis.Agency
	// Form edits the draft, for its sender's analysts.
	Form *draftForm
}

// isKeeper reports whether the user keeps the agency's directory entries.
func isKeeper(id ctis.Identity) bool { return id.Has(ctis.RoleAnalyst) || id.Has(ctis.RoleAdmin) }

func (h *handler) authorities(p *page, r *http.Request) error {
	q := ctis.AuthorityQuery{Country: r.FormValue("country"), Instrument: ctis.Instrument(r.FormValue("instrument")),
		Agency: r.FormValue("agency"), Text: r.FormValue("q"), Stale: r.FormValue("stale") == "on"}
	list, err := h.Authorities.Authorities(p.ctx, q)
	if err != nil {
		return err
	}
	data := &authoritiesView{Query: q, Authorities: list, Instruments: ctis.Instruments}
	if isKeeper(p.id) {
		if data.Due, err = h.Authorities.Authorities(p.ctx, ctis.AuthorityQuery{Agency: p.id.Agency, Stale: true}); err != nil {
			return err
		}
		data.Form = &ctis.Authority{VerifiedOn: h.Now().UTC().Format(time.DateOnly)}
		if edit := r.FormValue("edit"); edit != "" {
			if data.Form, err = h.Authorities.Authority(p.ctx, edit); err != nil {
				return err
			}
			if data.Form.Agency != p.id.Agency {
				return ctis.Errorf(ctis.EFORBIDDEN, "only the agency keeping a directory entry changes it")
			}
		}
	}
	h.render(p, http.StatusOK, "authorities", data)
	return nil
}

// lines splits a form's text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// authorityOf reads the form of a directory entry.
func authorityOf(r *http.Request, id string) ctis.Authority {
	return ctis.Authority{ID: id, Country: r.PostFormValue("country"), Instrument: ctis.Instrument(r.PostFormValue("instrument")),
		Name: r.PostFormValue("name"), Jurisdiction: r.PostFormValue("jurisdiction"), Languages: strings.FieldsFunc(r.PostFormValue("languages"), func(c rune) bool { return c == ',' || c == ' ' }),
		Channels: lines(r.PostFormValue("channels")), Hours: r.PostFormValue("hours"), VerifiedOn: r.PostFormValue("verified_on")}
}

func (h *handler) createAuthority(p *page, r *http.Request) error {
	if _, err := h.Authorities.CreateAuthority(p.ctx, authorityOf(r, "")); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/authorities?agency="+p.id.Agency, http.StatusSeeOther)
	return nil
}

// authorityAction saves an entry's form, verifies it again as of today,
// or removes it.
func (h *handler) authorityAction(p *page, r *http.Request) error {
	id := r.PathValue("id")
	switch r.PostFormValue("do") {
	case "save":
		if _, err := h.Authorities.UpdateAuthority(p.ctx, authorityOf(r, id)); err != nil {
			return err
		}
	case "verify":
		a, err := h.Authorities.Authority(p.ctx, id)
		if err != nil {
			return err
		}
		a.VerifiedOn = h.Now().UTC().Format(time.DateOnly)
		if _, err := h.Authorities.UpdateAuthority(p.ctx, *a); err != nil {
			return err
		}
	case "remove":
		if err := h.Authorities.RemoveAuthority(p.ctx, id); err != nil {
			return err
		}
	default:
		return invalidForm("do", "form.do")
	}
	http.Redirect(p.w, r, "/authorities", http.StatusSeeOther)
	return nil
}

func (h *handler) requests(p *page, r *http.Request) error {
	q := ctis.RequestQuery{Kind: ctis.RequestKind(r.FormValue("kind")), State: ctis.RequestState(r.FormValue("state")), Role: ctis.Party(r.FormValue("role"))}
	list, err := h.Cooperation.Requests(p.ctx, q)
	if err != nil {
		return err
	}
	figures, err := h.Cooperation.RequestFigures(p.ctx)
	if err != nil {
		return err
	}
	data := &requestsView{Query: q, Figures: figures, Chart: requestChart(p.loc, figures), Kinds: ctis.RequestKinds, States: ctis.RequestStates}
	for _, req := range list {
		data.Requests = append(data.Requests, requestRow{Request: req, Handling: req.Handling()})
	}
	if p.id.Has(ctis.RoleAnalyst) {
		if data.Form, err = h.newDraftForm(p, nil); err != nil {
			return err
		}
	}
	h.render(p, http.StatusOK, "requests", data)
	return nil
}

// attachmentsOf reads a text area of attachments, one a line as
// "SHA-256 size name" (the name last, as it may hold spaces).
func attachmentsOf(s string) ([]ctis.Attachment, error) {
	var out []ctis.Attachment
	for i, l := range lines(s) {
		f := strings.SplitN(l, " ", 3)
		if len(f) != 3 {
			return nil, invalidForm("attachments["+strconv.Itoa(i)+"]", "form.attachment", i+1)
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return nil, invalidForm("attachments["+strconv.Itoa(i)+"].size", "form.attachment.size", i+1)
		}
		out = append(out, ctis.Attachment{SHA256: f[0], Size: size, Name: f[2]})
	}
	return out, nil
}

// draftOf reads a draft's form.
func draftOf(r *http.Request) (ctis.NewRequest, error) {
	nr := ctis.NewRequest{Kind: ctis.RequestKind(r.PostFormValue("kind")), Authority: r.PostFormValue("authority"),
		LegalBasis: r.PostFormValue("legal_basis"), Offence: r.PostFormValue("offence"), Description: r.PostFormValue("description"),
		Entities: strings.FieldsFunc(r.PostFormValue("entities"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' })}
	if s := r.PostFormValue("deadline"); s != "" {
		d, err := time.Parse("2006-01-02T15:04", s)
		if err != nil {
			return nr, invalidForm("deadline", "form.datetime")
		}
		nr.Deadline = &d
	}
	var err error
	nr.Attachments, err = attachmentsOf(r.PostFormValue("attachments"))
	return nr, err
}

func (h *handler) createRequest(p *page, r *http.Request) error {
	nr, err := draftOf(r)
	if err != nil {
		return err
	}
	req, err := h.Cooperation.CreateRequest(p.ctx, nr)
	if err != nil {
		return err
	}
	http.Redirect(p.w, r, "/requests/"+req.ID, http.StatusSeeOther)
	return nil
}

func (h *handler) editRequest(p *page, r *http.Request) error {
	nr, err := draftOf(r)
	if err != nil {
		return err
	}
	if _, err := h.Cooperation.EditRequest(p.ctx, r.PathValue("id"), nr); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/requests/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

func (h *handler) request(p *page, r *http.Request) error {
	req, err := h.Cooperation.Request(p.ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	data := &requestView{Request: req, Handling: req.Handling()}
	switch p.id.Agency {
	case req.Sender:
		data.Party = ctis.PartySender
	case req.Receiver:
		data.Party = ctis.PartyReceiver
	}
	if data.Party != "" && p.id.Has(ctis.RoleAnalyst) {
		data.Allowed = req.Allowed(data.Party)
		if req.State == ctis.StateDraft && data.Party == ctis.PartySender {
			if data.Form, err = h.newDraftForm(p, req); err != nil {
				return err
			}
		}
		all, err := h.Directory.Agencies(p.ctx)
		if err != nil {
			return err
		}
		// Offered for sharing: the agencies that do not read it yet.
		for _, a := range all {
			if a.Code != req.Sender && a.Code != req.Receiver && !slices.Contains(req.Agencies, a.Code) {
				data.Agencies = append(data.Agencies, a)
			}
		}
	}
	h.render(p, http.StatusOK, "request", data)
	return nil
}

func (h *handler) requestStep(p *page, r *http.Request) error {
	s := ctis.Step{Action: ctis.RequestAction(r.PostFormValue("action")), Reason: r.PostFormValue("reason"), Note: r.PostFormValue("note")}
	var err error
	if s.Attachments, err = attachmentsOf(r.PostFormValue("attachments")); err != nil {
		return err
	}
	if _, err := h.Cooperation.TakeStep(p.ctx, r.PathValue("id"), s); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/requests/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

func (h *handler) shareRequest(p *page, r *http.Request) error {
	if _, err := h.Cooperation.ShareRequest(p.ctx, r.PathValue("id"), r.PostFormValue("agency")); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/requests/"+r.PathValue("id"), http.StatusSeeOther)
	return nil
}

// requestChart draws the requests sent, open, answered and refused of
// each kind that has any.
func requestChart(l locale, figures []ctis.RequestFigures) template.HTML {
	var kinds []string
	ss := []series{{Label: l.T("figures.sent")}, {Label: l.T("figures.open")}, {Label: l.T("state.answered")}, {Label: l.T("state.refused")}}
	for _, f := range figures {
		if f.Sent == 0 {
			continue
		}
		kinds = append(kinds, l.T("kind."+string(f.Kind)))
		for i, v := range []int{f.Sent, f.Open, f.Answered, f.Refused} {
			ss[i].Values = append(ss[i].Values, float64(v))
		}
	}
	return barChart("requests-chart", l.T("chart.requests"), kinds, ss, l.Num)
}
