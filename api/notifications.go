package api

import (
	"net/http"
	"strconv"

	"ctis"
)

func (h *handler) notifications(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	nq := ctis.NotificationQuery{Unread: q.flag("unread"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	list, unread, err := h.Notifications.Notifications(r.Context(), nq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Unread        int                 `json:"unread"`
		Notifications []ctis.Notification `json:"notifications"`
	}{unread, list})
}

func (h *handler) markRead(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return ctis.ErrNotFound("notification")
	}
	if err := h.Notifications.MarkRead(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
