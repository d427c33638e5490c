package api

import (
	"net/http"

	"ctis"
)

func (h *handler) listEvents(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Events.ListEvents(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": list})
}

func (h *handler) createEvent(w http.ResponseWriter, r *http.Request) error {
	var e ctis.NewEvent
	if err := h.decode(w, r, &e); err != nil {
		return err
	}
	out, err := h.Events.CreateEvent(r.Context(), e)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (h *handler) event(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Events.Event(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (h *handler) archiveEvent(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Events.ArchiveEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (h *handler) listAlerts(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	after, limit := q.seq("after"), q.limit()
	if q.err != nil {
		return q.err
	}
	list, err := h.Events.Alerts(r.Context(), r.PathValue("id"), after, limit, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"alerts": list})
}

func (h *handler) postAlert(w http.ResponseWriter, r *http.Request) error {
	var a ctis.NewAlert
	if err := h.decode(w, r, &a); err != nil {
		return err
	}
	out, err := h.Events.PostAlert(r.Context(), r.PathValue("id"), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

// feed streams the event's alerts as server-sent events.
func (h *handler) feed(w http.ResponseWriter, r *http.Request) error {
	if h.Feed == nil {
		return ctis.ErrNotFound("live feed")
	}
	return h.Feed.Serve(w, r, h.Events, r.PathValue("id"))
}

func (h *handler) digest(w http.ResponseWriter, r *http.Request) error {
	day := r.URL.Query().Get("day")
	if day == "" {
		day = h.today()
	}
	d, err := h.Events.Digest(r.Context(), r.PathValue("id"), day)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

func (h *handler) alert(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Events.Alert(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}

func (h *handler) acknowledge(w http.ResponseWriter, r *http.Request) error {
	a, err := h.Events.Acknowledge(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a)
}
