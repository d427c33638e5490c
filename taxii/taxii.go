// Package taxii is the TAXII 2.1 server of a ctis node, under /taxii2/.
//
// It serves the STIX 2.1 mapping of package stix over the TAXII 2.1
// protocol (OASIS taxii-v2.1-os): discovery, one API root, the
// collections a requester may read — one per sharing scope — and their
// objects, manifests and versions, paged by date_added. Like the REST
// API it decides nothing about who may see what: the objects of a
// collection come from the export service, which applies handling where
// data is read and audits every read with its purpose, and a collection
// only narrows that export to one scope. Requests authenticate with the
// API's bearer tokens and carry their purpose as the API's do.
package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"ctis"
	"ctis/httpkit"
)

// Media types.
const (
	// MediaType is TAXII 2.1's, of every response of this server.
	MediaType = "application/taxii+json;version=2.1"
	// stixMediaType is that of the objects the collections hold.
	stixMediaType = "application/stix+json;version=2.1"
)

// Paths of the discovery endpoint and of the node's one API root.
const (
	DiscoveryPath = "/taxii2/"
	// APIRootPath is the API root: a node is one API root, named for
	// what it serves, the ctis API of the node.
	APIRootPath = "/taxii2/api/"
)

// Server is the TAXII server's configuration: the services it fronts.
// Handler turns it into an http.Handler to mount at DiscoveryPath.
type Server struct {
	ctis.Services
	// Logger receives internal errors, never query values or object
	// IDs; nil means slog.Default().
	Logger *slog.Logger
	// Title is the server's title in discovery; empty means "ctis".
	Title string
	// MaxContentLength bounds a posted envelope; zero means
	// DefaultMaxContentLength.
	MaxContentLength int64
	// Authenticate resolves a request to the context of its identity and
	// purpose; nil means the API's bearer tokens (Services.Auth) and the
	// API's purpose (Ctis-Purpose header or purpose parameter). Tests
	// that act as a given identity set it.
	Authenticate func(r *http.Request) (context.Context, error)
}

// handler is a Server with its defaults filled in.
type handler struct {
	Server
	mux *http.ServeMux
	// placed are where the markings this server listed are listed.
	placed placements
}

// Handler returns the TAXII server.
func (s *Server) Handler() http.Handler {
	h := &handler{Server: *s, mux: http.NewServeMux()}
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	if h.MaxContentLength <= 0 {
		h.MaxContentLength = DefaultMaxContentLength
	}
	if h.Title == "" {
		h.Title = "ctis"
	}
	if h.Authenticate == nil {
		auth := h.Auth
		h.Authenticate = func(r *http.Request) (context.Context, error) { return httpkit.Authenticate(asBearer(r), auth) }
	}
	const c = APIRootPath + "collections/{collection}/"
	for pattern, fn := range map[string]func(http.ResponseWriter, *http.Request) error{
		"GET " + DiscoveryPath + "{$}":               h.discovery,
		"GET " + APIRootPath + "{$}":                 h.apiRoot,
		"GET " + APIRootPath + "collections/{$}":     h.collections,
		"GET " + c + "{$}":                           h.collection,
		"GET " + c + "objects/{$}":                   h.objects,
		"GET " + c + "objects/{object}/{$}":          h.object,
		"GET " + c + "objects/{object}/versions/{$}": h.versions,
		"GET " + c + "manifest/{$}":                  h.manifest,
		DiscoveryPath:                                h.notFound,
		"POST " + c + "objects/{$}":                  h.add,
		"DELETE " + c + "objects/{object}/{$}":       h.deleteObject,
		"GET " + APIRootPath + "status/{status}/{$}": h.status,
	} {
		h.mux.Handle(pattern, h.endpoint(fn))
	}
	return h.mux
}

// asBearer is r with an "Authorization: Token <token>" header read as
// "Bearer <token>": the OASIS taxii2-client sends an API key so (its
// TokenAuth), and the token is the same API token either way.
func asBearer(r *http.Request) *http.Request {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Token") {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token))
	return r2
}

// endpoint wraps a route: it negotiates the media type, authenticates,
// and turns a returned error into a TAXII error message.
func (h *handler) endpoint(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := negotiate(r.Header.Get("Accept")); !ok {
			h.fail(w, r, errNotAcceptable)
			return
		}
		ctx, err := h.Authenticate(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if err := fn(w, r.WithContext(ctx)); err != nil {
			h.fail(w, r, err)
		}
	})
}

// Errors of the protocol that no ctis error code names.
var (
	// errNotAcceptable answers a client that accepts neither TAXII 2.1
	// nor JSON.
	errNotAcceptable = errors.New("not acceptable")
	// errMethod answers a method an endpoint does not take.
	errMethod = errors.New("method not allowed")
)

// negotiate reads an Accept header: the media type to answer with, and
// whether there is one. TAXII 2.1 JSON goes to a client that accepts
// application/taxii+json (of version 2.1, or of no version, which means
// the latest) or a wildcard, and the same JSON as application/json to one
// that accepts only that. No header accepts anything, as RFC 9110 has it.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return MediaType, true
	}
	plain := false
	for _, r := range strings.Split(accept, ",") {
		t, p, err := mime.ParseMediaType(strings.TrimSpace(r))
		if err != nil {
			continue
		}
		if q, ok := p["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || !(v > 0) {
				continue
			}
		}
		switch t {
		case "*/*", "application/*":
			return MediaType, true
		case "application/taxii+json":
			if v, ok := p["version"]; !ok || v == "2.1" {
				return MediaType, true
			}
		case "application/json":
			plain = true
		}
	}
	if plain {
		return "application/json", true
	}
	return "", false
}

// errorMessage is the TAXII 2.1 error message.
type errorMessage struct {
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	ErrorID     string            `json:"error_id,omitempty"`
	ErrorCode   string            `json:"error_code,omitempty"`
	HTTPStatus  string            `json:"http_status"`
	Details     map[string]string `json:"details,omitempty"`
}

// fail answers err as a TAXII error message: the status the API would
// give (httpkit.Status), the ctis error code and the offending parameter.
// A fault of the node is logged and answered with a reference only.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	msg := errorMessage{ErrorCode: ctis.ErrorCode(err), Description: ctis.ErrorMessage(err)}
	status, internal := httpkit.Status(err)
	switch {
	case errors.Is(err, errNotAcceptable):
		status, internal = http.StatusNotAcceptable, false
		msg.ErrorCode = "not_acceptable"
		msg.Description = "this server answers " + MediaType + " (or application/json) only"
	case errors.Is(err, errMethod):
		status, internal = http.StatusMethodNotAllowed, false
		msg.ErrorCode = "method_not_allowed"
		msg.Description = r.Method + " is not a method of this endpoint"
	case status == http.StatusRequestEntityTooLarge && !internal && msg.ErrorCode == ctis.EINTERNAL:
		msg.ErrorCode = ctis.ETOOLARGE
		msg.Description = "the envelope is larger than max_content_length (" + strconv.FormatInt(h.MaxContentLength, 10) + " bytes)"
	case internal:
		msg.ErrorID = httpkit.Failed(h.Logger, r, err)
		msg.Description = "internal error; quote the error_id to the node's operator"
	}
	if f := ctis.ErrorField(err); f != "" {
		msg.Details = map[string]string{"field": f}
	}
	var u *unprocessable
	if errors.As(err, &u) && !internal {
		status = http.StatusUnprocessableEntity
		if where, details := objectError(err); where != "" {
			msg.Description = where
			for k, v := range details {
				if msg.Details == nil {
					msg.Details = map[string]string{}
				}
				msg.Details[k] = v
			}
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctis"`)
	}
	msg.Title = http.StatusText(status)
	msg.HTTPStatus = strconv.Itoa(status)
	write(w, r, status, msg)
}

// write answers v as TAXII JSON, or as plain JSON to a client that
// accepts only that.
func write(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"title":"Internal Server Error","http_status":"500"}`)
	}
	ct, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		ct = MediaType
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// notFound answers what no route serves.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return errMethod
	}
	return ctis.ErrNotFound("TAXII endpoint")
}

// deleteObject answers DELETE …/objects/{object}/: ctis never deletes a
// statement through a collection; its originator withdraws it, and the
// withdrawal travels as a new version.
func (h *handler) deleteObject(w http.ResponseWriter, r *http.Request) error {
	if _, err := findCollection(r.Context(), h.Directory, r.PathValue("collection")); err != nil {
		return err
	}
	return ctis.Errorf(ctis.EFORBIDDEN, "objects are not deleted through TAXII: the originator withdraws a statement (POST /api/v1/statements/{id}/withdraw)")
}
