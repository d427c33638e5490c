package web

import (
	"net/http"
	"strconv"
	"strings"

	"ctis"
)

type notificationsView struct {
	Layout
	Notifications []ctis.Notification
}

// notifications lists what needs the user's attention, the latest first.
func (h *handler) notifications(p *page, r *http.Request) error {
	list, _, err := h.Notifications.Notifications(p.ctx, ctis.NotificationQuery{Limit: 200})
	if err != nil {
		return err
	}
	h.render(p, http.StatusOK, "notifications", &notificationsView{Notifications: list})
	return nil
}

// openNotification marks a notification read and goes to its subject.
func (h *handler) openNotification(p *page, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return ctis.ErrNotFound("notification")
	}
	if err := h.Notifications.MarkRead(p.ctx, id); err != nil {
		return err
	}
	next := r.PostFormValue("next")
	// Only a path on this node: never an address elsewhere.
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		next = "/notifications"
	}
	http.Redirect(p.w, r, next, http.StatusSeeOther)
	return nil
}
