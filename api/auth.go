package api

import (
	"net/http"
	"time"

	"ctis"
	"ctis/httpkit"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// session answers a login: the session token, shown this once, and who
// it runs as.
type session struct {
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
	User      sessionUser `json:"user"`
}

type sessionUser struct {
	ID       string      `json:"id"`
	Username string      `json:"username"`
	Agency   string      `json:"agency"`
	Roles    []ctis.Role `json:"roles"`
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	if req.Username == "" {
		return ctis.Invalid("username", "a username is required")
	}
	if req.Password == "" {
		return ctis.Invalid("password", "a password is required")
	}
	id, token, retryAfter, err := httpkit.Login(r.Context(), h.limiter, h.Auth, r, ctis.CredentialAPI, req.Username, req.Password)
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	if err != nil {
		return err
	}
	// The store sets the real expiry by its own clock a moment after
	// ours; cutting the fraction of a second keeps the client's idea of
	// it on the early side.
	return writeJSON(w, http.StatusOK, session{
		Token:     token,
		ExpiresAt: h.now().Add(httpkit.SessionTTL).UTC().Truncate(time.Second),
		User:      sessionUser{ID: id.UserID, Username: id.Username, Agency: id.Agency, Roles: id.Roles},
	})
}

// logout ends the session whose token the request carries.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	secret, _ := httpkit.Bearer(r) // present: the route is authenticated
	if err := h.Auth.Logout(r.Context(), ctis.CredentialAPI, secret); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
