package api

import (
	"net/http"

	"ctis"
)

// newAgency is what a client sends to add an agency; the node stamps the
// creation time.
type newAgency struct {
	Code    string          `json:"code"`
	Name    string          `json:"name"`
	Country string          `json:"country"`
	Kind    ctis.AgencyKind `json:"kind"`
}

// createdUser answers the creation of a user with its first API token,
// shown this once.
type createdUser struct {
	User  *ctis.User `json:"user"`
	Token string     `json:"token"`
}

// createdToken is a new token's record with its secret, shown this once.
type createdToken struct {
	*ctis.Token
	Secret string `json:"token"`
}

func (h *handler) agencies(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Directory.Agencies(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Agencies []ctis.Agency `json:"agencies"`
	}{list})
}

func (h *handler) createAgency(w http.ResponseWriter, r *http.Request) error {
	var req newAgency
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	a, err := h.Directory.CreateAgency(r.Context(), ctis.Agency{Code: req.Code, Name: req.Name, Country: req.Country, Kind: req.Kind})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

func (h *handler) users(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Directory.Users(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Users []ctis.User `json:"users"`
	}{list})
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var req ctis.NewUser
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	u, token, err := h.Directory.CreateUser(r.Context(), req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdUser{u, token})
}

func (h *handler) createToken(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	t, secret, err := h.Directory.CreateToken(r.Context(), r.PathValue("id"), req.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdToken{t, secret})
}

func (h *handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.Directory.RevokeToken(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) groups(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Directory.Groups(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Groups []ctis.SharingGroup `json:"groups"`
	}{list})
}

// putGroup creates or replaces the sharing group named in the path with
// the agencies in the body.
func (h *handler) putGroup(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Agencies []string `json:"agencies"`
	}
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	g, err := h.Directory.PutGroup(r.Context(), ctis.SharingGroup{Name: r.PathValue("name"), Agencies: req.Agencies})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, g)
}
