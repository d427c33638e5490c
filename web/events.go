package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"ctis"
)

type eventsView struct {
	Layout
	Events []ctis.Event
	Today  string
}

type eventView struct {
	Layout
	Event *ctis.Event
	// Alerts are the event's alerts the user may see, the newest first.
	Alerts []ctis.Alert
	// Last is the seq of the newest alert shown, from which the live
	// feed goes on.
	Last       int64
	CanPost    bool
	Feed       bool
	Severities []ctis.Severity
	// Words are what the live feed's script writes of an alert, in the
	// page's language: severities and the words of a handling, as JSON.
	Words string
	Today string
}

type digestView struct {
	Layout
	Digest *ctis.Digest
}

// events lists the events of the user's agency, with a form to create one.
func (h *handler) events(p *page, r *http.Request) error {
	list, err := h.Events.ListEvents(p.ctx)
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "events", &eventsView{Events: list, Today: h.Now().UTC().Format(time.DateOnly)})
	return nil
}

// splitList reads a form field of comma- or line-separated items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (h *handler) createEvent(p *page, r *http.Request) error {
	e, err := h.Events.CreateEvent(p.ctx, ctis.NewEvent{Name: r.PostFormValue("name"), Starts: r.PostFormValue("starts"), Ends: r.PostFormValue("ends"),
		Venues: splitList(r.PostFormValue("venues")), Agencies: splitList(r.PostFormValue("agencies"))})
	if err != nil {
		return err
	}
	http.Redirect(p.w, r, "/events/"+e.ID, http.StatusSeeOther)
	return nil
}

// event shows an event's channel: its alerts, newest first, kept up to
// date by the live feed, with a form to post one and a button to
// acknowledge each.
func (h *handler) event(p *page, r *http.Request) error {
	id := r.PathValue("id")
	e, err := h.Events.Event(p.ctx, id)
	if err != nil {
		return err
	}
	v := &eventView{Event: e, CanPost: p.id.Has(ctis.RoleAnalyst) && e.ArchivedAt == nil, Feed: h.Feed != nil && e.ArchivedAt == nil,
		Severities: ctis.Severities, Today: h.Now().UTC().Format(time.DateOnly), Words: feedWords(p.loc)}
	for after := int64(0); ; {
		batch, err := h.Events.Alerts(p.ctx, id, after, ctis.MaxLimit, true)
		if err != nil {
			return err
		}
		v.Alerts = append(v.Alerts, batch...)
		if len(batch) < ctis.MaxLimit {
			break
		}
		after = batch[len(batch)-1].Seq
	}
	if n := len(v.Alerts); n > 0 {
		v.Last = v.Alerts[n-1].Seq
	} else {
		// Alerts hidden from the user may have taken seqs; the feed
		// skips them anyway.
		v.Last = 0
	}
	for i, j := 0, len(v.Alerts)-1; i < j; i, j = i+1, j-1 {
		v.Alerts[i], v.Alerts[j] = v.Alerts[j], v.Alerts[i]
	}
	h.render(p, http.StatusOK, "event", v)
	return nil
}

// alertTimes are the forms' ways of writing a validity: a datetime-local
// field, in UTC, and RFC 3339.
var alertTimes = []string{"2006-01-02T15:04", time.RFC3339}

func formTime(field, s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	for _, layout := range alertTimes {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalidForm(field, "form.datetime")
}

func (h *handler) postAlert(p *page, r *http.Request) error {
	id := r.PathValue("id")
	from, err := formTime("valid_from", r.PostFormValue("valid_from"))
	if err != nil {
		return err
	}
	until, err := formTime("valid_until", r.PostFormValue("valid_until"))
	if err != nil {
		return err
	}
	a := ctis.NewAlert{Severity: ctis.Severity(r.PostFormValue("severity")), Title: r.PostFormValue("title"), Details: r.PostFormValue("details"),
		Location: r.PostFormValue("location"), ValidFrom: from, ValidUntil: until, Entities: splitList(r.PostFormValue("entities")),
		Handling: handlingOf(r)}
	if _, err := h.Events.PostAlert(p.ctx, id, a); err != nil {
		return err
	}
	http.Redirect(p.w, r, "/events/"+id, http.StatusSeeOther)
	return nil
}

func (h *handler) acknowledge(p *page, r *http.Request) error {
	a, err := h.Events.Acknowledge(p.ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(p.w, r, "/events/"+a.EventID+"#alert-"+a.ID, http.StatusSeeOther)
	return nil
}

func (h *handler) archiveEvent(p *page, r *http.Request) error {
	e, err := h.Events.ArchiveEvent(p.ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(p.w, r, "/events/"+e.ID, http.StatusSeeOther)
	return nil
}

// feed streams the event's alerts to the page's script.
func (h *handler) feed(p *page, r *http.Request) error {
	if h.Feed == nil {
		return ctis.ErrNotFound("live feed")
	}
	return h.Feed.Serve(p.w, r.WithContext(p.ctx), h.Events, r.PathValue("id"))
}

// digest shows an event's alerts of one day, today unless asked.
func (h *handler) digest(p *page, r *http.Request) error {
	day := r.FormValue("day")
	if day == "" {
		day = h.Now().UTC().Format(time.DateOnly)
	}
	d, err := h.Events.Digest(p.ctx, r.PathValue("id"), day)
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "digest", &digestView{Digest: d})
	return nil
}

// feedWords are the words the live feed's script needs, in l's language;
// "%s" stands for the agencies or the group of a handling.
func feedWords(l locale) string {
	w := map[string]string{}
	for _, sev := range ctis.Severities {
		w["severity."+string(sev)] = l.T("severity." + string(sev))
	}
	for _, k := range []string{"badge.all", "badge.originator", "badge.frontline", "badge.hit.notice"} {
		w[k] = l.T(k)
	}
	w["badge.agencies"], w["badge.group"] = l.T("badge.agencies", "%s"), l.T("badge.group", "%s")
	b, _ := json.Marshal(w)
	return string(b)
}
