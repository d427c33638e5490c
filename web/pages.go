package web

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/csvcell"
	"ctis/httpkit"
	"ctis/jsonl"
	"ctis/manifest"
)

// anonymous is a page for a visitor who has not signed in.
func (h *handler) anonymous(w http.ResponseWriter, r *http.Request) *page {
	return &page{w: w, r: r, loc: newLocale(lang(r, ctis.Identity{}))}
}

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	p := h.anonymous(w, r)
	p.csrf = h.loginToken(w, r)
	h.render(p, http.StatusOK, "login", h.loginView(""))
}

func (h *handler) loginView(failure string) *loginView {
	return &loginView{Failure: failure, Demo: h.Demo, DemoPassword: h.DemoPassword}
}

// loginToken returns the login form's token, bound to a random value in a
// cookie of its own that the login page sets when the browser has none.
// Without it another site could post its own credentials to this form and
// sign the victim's browser into the attacker's session (login CSRF): the
// attacker can read neither the cookie nor the page, so cannot send the
// token that matches.
func (h *handler) loginToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == 64 {
		return h.csrf("login:" + c.Value)
	}
	b := make([]byte, 32)
	rand.Read(b)
	v := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: v, Path: "/login", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: int(httpkit.SessionTTL / time.Second)})
	return h.csrf("login:" + v)
}

// login checks a password, throttled like the API's, and starts a
// session in an HttpOnly, SameSite cookie. Like every other form it must
// come from this node's own page: a cross-origin post, or one without the
// token of the login page this browser was shown, is refused before the
// password is looked at.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	p := h.anonymous(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(loginCookie)
	if crossOrigin(r) || err != nil || !hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(h.csrf("login:"+c.Value))) {
		p.csrf = h.loginToken(w, r)
		h.render(p, http.StatusForbidden, "login", h.loginView(p.loc.T("csrf")))
		return
	}
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	_, token, retryAfter, err := httpkit.Login(r.Context(), h.Limiter, h.Auth, r, ctis.CredentialWeb, username, password)
	if err != nil {
		status, internal := httpkit.Status(err)
		message := p.loc.T("login.failed")
		switch {
		case internal:
			httpkit.Failed(h.Logger, r, err)
		case retryAfter != "":
			w.Header().Set("Retry-After", retryAfter)
			message = p.loc.T("login.throttled")
		case status == http.StatusBadRequest:
			status = http.StatusUnauthorized // an empty name or password fails as a wrong one
		}
		p.csrf = h.loginToken(w, r)
		h.render(p, status, "login", h.loginView(message))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: int(httpkit.SessionTTL / time.Second)})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *handler) logout(p *page, r *http.Request) error {
	c, _ := r.Cookie(cookieName)
	if err := h.Auth.Logout(r.Context(), ctis.CredentialWeb, c.Value); err != nil {
		return err
	}
	h.forget(p.w)
	http.Redirect(p.w, r, "/login", http.StatusSeeOther)
	return nil
}

// setLang keeps the language chosen on the login page, in a cookie.
func (h *handler) setLang(w http.ResponseWriter, r *http.Request) {
	h.keepLang(w, r, r.PostFormValue("lang"))
}

// setUserLanguage keeps the language a signed-in user chose with the
// user, so that it follows them to any browser, and in this browser's
// cookie for the login page.
func (h *handler) setUserLanguage(p *page, r *http.Request) error {
	l := r.PostFormValue("lang")
	if err := h.Directory.SetLanguage(p.ctx, l); err != nil {
		return err
	}
	h.keepLang(p.w, r, l)
	return nil
}

// keepLang sets the language cookie and goes back to the page the
// language was chosen on.
func (h *handler) keepLang(w http.ResponseWriter, r *http.Request, l string) {
	if offered[l] {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (h *handler) dashboard(p *page, r *http.Request) error {
	data := &dashboardView{}
	if (p.id.Has(ctis.RoleAnalyst) || p.id.Has(ctis.RoleFrontline)) && p.purpose != "" {
		// Reading the queue is a read of personal data: only for a purpose.
		open, err := h.Review.Hits(p.ctx, ctis.HitFilter{Status: ctis.HitOpen, Limit: 20})
		if err != nil {
			return err
		}
		data.Hits = open.Hits
	}
	if p.id.Has(ctis.RoleAnalyst) && p.purpose != "" {
		due, err := h.Entities.Entities(p.ctx, ctis.EntityFilter{PastReview: true, Limit: 20})
		if err != nil {
			return err
		}
		data.Due = due.Entities
	}
	if p.id.Has(ctis.RoleAuditor) {
		ev, err := h.Audit.Events(p.ctx, ctis.AuditFilter{Limit: 15})
		if err != nil {
			return err
		}
		data.Events = ev.Events
	}
	h.render(p, http.StatusOK, "dashboard", data)
	return nil
}

func (h *handler) searchForm(p *page, r *http.Request) error {
	h.render(p, http.StatusOK, "search", &searchView{})
	return nil
}

// search runs the search form, posted so that the name sought stays out
// of URLs, and so out of proxy logs and the browser's history.
func (h *handler) search(p *page, r *http.Request) error {
	q := ctis.SearchQuery{Name: strings.TrimSpace(r.PostFormValue("name")), Limit: 50}
	if idv := strings.TrimSpace(r.PostFormValue("identifier")); idv != "" && q.Name == "" {
		q.Property, q.Value = "passportNumber", idv
	}
	data := &searchView{Name: q.Name, Identifier: r.PostFormValue("identifier")}
	if q.Name != "" || q.Value != "" {
		res, err := h.Entities.Search(p.ctx, q)
		if err != nil {
			return err
		}
		data.Result = res
	}
	h.render(p, http.StatusOK, "search", data)
	return nil
}

func (h *handler) entity(p *page, r *http.Request) error {
	e, err := h.Entities.Entity(p.ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	byProp := map[string][]ctis.Statement{}
	var order []string
	for _, s := range e.Statements {
		if byProp[s.Property] == nil {
			order = append(order, s.Property)
		}
		byProp[s.Property] = append(byProp[s.Property], s)
	}
	schema := ctis.Schemas[e.Schema]
	var groups []group
	for _, prop := range order {
		pr, _ := schema.Property(prop)
		groups = append(groups, group{prop, pr.Type == ctis.TypeName, byProp[prop]})
	}
	v := &entityView{Entity: e, Groups: groups, Properties: schema.Properties, Caption: e.Caption()}
	if v.Graph, err = h.graphOf(p, e); err != nil {
		return err
	}
	if len(v.Graph.Movements) > 0 {
		if v.Map, err = mapOf(v.Graph.Movements); err != nil {
			return err
		}
		v.Timeline = timelineOf(v.Graph.Movements)
	}
	h.render(p, http.StatusOK, "entity", v)
	return nil
}

func (h *handler) newEntity(p *page, r *http.Request) error {
	// The kinds most often recorded first; the first statement is the name
	// or, for a document or a movement, the property that identifies it.
	schemas := []string{"Person", "Organization"}
	for _, n := range ctis.SchemaNames() {
		if n != "Person" && n != "Organization" {
			schemas = append(schemas, n)
		}
	}
	props := map[string]bool{}
	var names []string
	for _, n := range schemas {
		for _, pr := range ctis.Schemas[n].Properties {
			if !props[pr.Name] {
				props[pr.Name] = true
				names = append(names, pr.Name)
			}
		}
	}
	h.render(p, http.StatusOK, "new", &newEntityView{Schemas: schemas, Properties: names})
	return nil
}

// statementOf reads a statement form: property, value, handling, grading.
func statementOf(r *http.Request) ctis.NewStatement {
	return ctis.NewStatement{Property: r.PostFormValue("property"), Value: r.PostFormValue("value"), Handling: handlingOf(r),
		Grading: ctis.Grading(r.PostFormValue("grading")), ReviewBy: r.PostFormValue("review_by")}
}

// handlingOf reads the handling fields of a form (fields.html).
func handlingOf(r *http.Request) ctis.Handling {
	h := ctis.Handling{
		Distribution:    ctis.Distribution(r.PostFormValue("distribution")),
		Group:           strings.TrimSpace(r.PostFormValue("group")),
		Frontline:       r.PostFormValue("frontline") == "on",
		HitNotice:       r.PostFormValue("hit_notice") == "on",
		Restriction:     ctis.Restriction(r.PostFormValue("restriction")),
		RestrictionText: strings.TrimSpace(r.PostFormValue("restriction_text")),
	}
	for _, a := range strings.Split(r.PostFormValue("agencies"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			h.Agencies = append(h.Agencies, a)
		}
	}
	return h
}

func (h *handler) createEntity(p *page, r *http.Request) error {
	e, err := h.Entities.CreateEntity(p.ctx, ctis.NewEntity{Schema: r.PostFormValue("schema"), Statements: []ctis.NewStatement{statementOf(r)}})
	if err != nil {
		return err
	}
	http.Redirect(p.w, r, "/entities/"+e.ID, http.StatusSeeOther)
	return nil
}

func (h *handler) addStatement(p *page, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := h.Entities.AddStatements(p.ctx, id, []ctis.NewStatement{statementOf(r)}); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/entities/"+id, http.StatusSeeOther)
	return nil
}

func (h *handler) withdraw(p *page, r *http.Request) error {
	s, err := h.Entities.WithdrawStatement(p.ctx, r.PathValue("id"), r.PostFormValue("reason"))
	if err != nil {
		return err
	}
	http.Redirect(p.w, r, "/entities/"+s.EntityID, http.StatusSeeOther)
	return nil
}

func (h *handler) screenForm(p *page, r *http.Request) error {
	h.render(p, http.StatusOK, "screen", &screenView{})
	return nil
}

func (h *handler) screen(p *page, r *http.Request) error {
	s := ctis.Subject{Name: r.PostFormValue("name"), BirthDate: strings.TrimSpace(r.PostFormValue("birth_date")),
		Nationality: strings.TrimSpace(r.PostFormValue("nationality")), DocumentNumber: strings.TrimSpace(r.PostFormValue("document"))}
	if text := strings.TrimSpace(r.PostFormValue("mrz")); text != "" {
		// A document's machine-readable zone fills what the form leaves out.
		if err := manifest.FillFromMRZ(&s, text, h.Now()); err != nil {
			return err
		}
	}
	res, err := h.Screener.Screen(p.ctx, s)
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "screen", &screenView{Results: []ctis.ScreenResult{*res}, Subject: &s})
	return nil
}

// screenFile screens an uploaded CSV (a header row naming name,
// birth_date, nationality, gender, document_number, schema) or JSON-lines
// file, and shows the results. A detail that does not pass is left out
// with a warning, and the subject screened on the rest; a subject that
// cannot be screened at all is shown with its error, the others screened.
func (h *handler) screenFile(p *page, r *http.Request) error {
	f, _, err := r.FormFile("file")
	if err != nil {
		return invalidForm("file", "form.file")
	}
	defer f.Close()
	subjects, err := jsonl.ReadSubjects(f)
	if err != nil {
		return err
	}
	res, err := h.Screener.ScreenBatch(p.ctx, subjects)
	if err != nil {
		return err
	}
	if r.PostFormValue("download") == "on" {
		return writeResultsCSV(p.w, res)
	}
	h.render(p, http.StatusOK, "screen", &screenView{Results: res})
	return nil
}

// writeResultsCSV answers a file's screening as a CSV download: a row per
// hit or notice, and one for a subject with neither, each with what was
// left out of the subject; a subject that could not be screened at all
// has a row that says why.
func writeResultsCSV(w http.ResponseWriter, res []ctis.ScreenResult) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="screening-results.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"subject", "name", "birth_date", "nationality", "document_number", "result", "score", "matched_name", "agencies", "reference", "hit_id", "warnings"})
	for i, r := range res {
		subject := []string{strconv.Itoa(i + 1), r.Subject.Name, r.Subject.BirthDate, r.Subject.Nationality, r.Subject.DocumentNumber}
		warnings := strings.Join(r.Warnings, "; ")
		// Names come from the uploaded file and from the store: every
		// cell is guarded against being read as a formula.
		line := func(rest ...string) {
			cw.Write(csvcell.Row(append(append(slices.Clone(subject), rest...), warnings)))
		}
		for _, h := range r.Hits {
			line("hit", strconv.FormatFloat(h.Score, 'f', 3, 64), h.Matched, strings.Join(h.Agencies, " "), h.Reference, h.ID)
		}
		for _, n := range r.Notices {
			line("hit notice: contact "+n.Contact(), "", "", n.Agency, n.Reference, "")
		}
		switch {
		case r.Error != nil:
			line("not screened: "+r.Error.Message, "", "", "", "", "")
		case len(r.Hits)+len(r.Notices) == 0:
			line("no hit", "", "", "", "", "")
		}
	}
	cw.Flush()
	return cw.Error()
}

func (h *handler) reviewQueue(p *page, r *http.Request) error {
	f := ctis.HitFilter{Status: ctis.HitStatus(r.FormValue("status")), Agency: strings.TrimSpace(r.FormValue("agency")), Limit: 100}
	if f.Status == "" {
		f.Status = ctis.HitOpen
	}
	var err error
	if f.MinScore, err = httpkit.MinScore(r.FormValue("min_score")); err != nil {
		return err
	}
	if t, err := time.Parse("2006-01-02", r.FormValue("from")); err == nil {
		f.From = t
	}
	res, err := h.Review.Hits(p.ctx, f)
	if err != nil {
		return err
	}
	hits, err := h.sideBySide(p, res.Hits)
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "review", &reviewView{Hits: hits, Filter: f, From: r.FormValue("from"),
		Statuses: []ctis.HitStatus{ctis.HitOpen, ctis.HitConfirmed, ctis.HitFalsePositive, ctis.HitEscalated}})
	return nil
}

func (h *handler) decide(p *page, r *http.Request) error {
	if _, err := h.Review.Decide(p.ctx, r.PathValue("id"), ctis.HitStatus(r.PostFormValue("status")), r.PostFormValue("reason")); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/review", http.StatusSeeOther)
	return nil
}

func (h *handler) audit(p *page, r *http.Request) error {
	f := ctis.AuditFilter{Username: strings.TrimSpace(r.FormValue("user")), Agency: strings.TrimSpace(r.FormValue("agency")),
		Action: strings.TrimSpace(r.FormValue("action")), Object: strings.TrimSpace(r.FormValue("object")),
		Reference: strings.TrimSpace(r.FormValue("reference")), Limit: 100}
	if t, err := time.Parse("2006-01-02", r.FormValue("from")); err == nil {
		f.From = t
	}
	if t, err := time.Parse("2006-01-02", r.FormValue("to")); err == nil {
		f.To = t.Add(24 * time.Hour)
	}
	ev, err := h.Audit.Events(p.ctx, f)
	if err != nil {
		return err
	}
	rep, err := h.Audit.Verify(p.ctx, nil)
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "audit", &auditView{Events: ev.Events, Report: rep, Filter: f, From: r.FormValue("from"), To: r.FormValue("to")})
	return nil
}

func (h *handler) admin(p *page, r *http.Request) error { return h.adminPage(p, "") }

func (h *handler) adminPage(p *page, secret string) error {
	if !p.id.Has(ctis.RoleAdmin) {
		return ctis.Errorf(ctis.EFORBIDDEN, "administration needs the admin role")
	}
	agencies, err := h.Directory.Agencies(p.ctx)
	if err != nil {
		return err
	}
	users, err := h.Directory.Users(p.ctx)
	if err != nil {
		return err
	}
	groups, err := h.Directory.Groups(p.ctx)
	if err != nil {
		return err
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Username < users[j].Username })
	h.render(p, http.StatusOK, "admin", &adminView{Agencies: agencies, Users: users, Groups: groups, AllRoles: ctis.Roles, Secret: secret})
	return nil
}

// adminAction runs one administration form and shows the page again, with
// a new user's or token's secret when there is one: it is shown once.
func (h *handler) adminAction(p *page, r *http.Request) error {
	var secret string
	var err error
	switch r.PathValue("what") {
	case "agency":
		_, err = h.Directory.CreateAgency(p.ctx, ctis.Agency{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"),
			Country: r.PostFormValue("country"), Kind: ctis.AgencyKind(r.PostFormValue("kind"))})
	case "user":
		var roles []ctis.Role
		for _, v := range r.PostForm["roles"] {
			roles = append(roles, ctis.Role(v))
		}
		_, secret, err = h.Directory.CreateUser(p.ctx, ctis.NewUser{Username: r.PostFormValue("username"), Agency: r.PostFormValue("agency"),
			Roles: roles, Password: r.PostFormValue("password")})
	case "token":
		_, secret, err = h.Directory.CreateToken(p.ctx, r.PostFormValue("user"), r.PostFormValue("name"))
	case "revoke":
		err = h.Directory.RevokeToken(p.ctx, r.PostFormValue("token"))
	case "group":
		var members []string
		for _, a := range strings.Split(r.PostFormValue("agencies"), ",") {
			if a = strings.TrimSpace(a); a != "" {
				members = append(members, a)
			}
		}
		_, err = h.Directory.PutGroup(p.ctx, ctis.SharingGroup{Name: r.PostFormValue("name"), Agencies: members})
	default:
		return ctis.ErrNotFound("form")
	}
	if err != nil {
		return err
	}
	return h.adminPage(p, secret)
}

func (h *handler) travelForm(p *page, r *http.Request) error {
	h.render(p, http.StatusOK, "travel", &travelView{})
	return nil
}

// travel searches the agency's travel data, the form posted to keep
// names out of URLs; a masked record shows no personal data, and a name
// never finds one.
func (h *handler) travel(p *page, r *http.Request) error {
	q := ctis.TravelQuery{Name: strings.TrimSpace(r.PostFormValue("name")), Flight: strings.TrimSpace(r.PostFormValue("flight")), Day: strings.TrimSpace(r.PostFormValue("day"))}
	data := &travelView{Query: q}
	if q.Name != "" || q.Flight != "" || q.Day != "" {
		recs, err := h.Travel.SearchTravel(p.ctx, q)
		if err != nil {
			return err
		}
		data.Records = recs
	}
	h.render(p, http.StatusOK, "travel", data)
	return nil
}

func (h *handler) travelRecord(p *page, r *http.Request) error {
	rec, err := h.Travel.TravelRecord(p.ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "travel", &travelView{Records: []ctis.TravelRecord{*rec}, One: true})
	return nil
}
