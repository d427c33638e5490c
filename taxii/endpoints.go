package taxii

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"ctis"
)

// discovery answers GET /taxii2/.
func (h *handler) discovery(w http.ResponseWriter, r *http.Request) error {
	root := baseURL(r) + APIRootPath
	write(w, r, http.StatusOK, map[string]any{
		"title":       h.Title,
		"description": "The TAXII 2.1 server of a ctis node: the statements a member agency may see, in STIX 2.1, with their handling.",
		"default":     root,
		"api_roots":   []string{root},
	})
	return nil
}

// baseURL is the scheme and host a client reached the node by.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// apiRoot answers GET /taxii2/api/.
func (h *handler) apiRoot(w http.ResponseWriter, r *http.Request) error {
	write(w, r, http.StatusOK, map[string]any{
		"title":              h.Title,
		"description":        "One collection per sharing scope the requester may read.",
		"versions":           []string{MediaType},
		"max_content_length": h.MaxContentLength,
	})
	return nil
}

// collections answers GET /taxii2/api/collections/.
func (h *handler) collections(w http.ResponseWriter, r *http.Request) error {
	cs, err := collections(r.Context(), h.Directory)
	if err != nil {
		return err
	}
	write(w, r, http.StatusOK, map[string]any{"collections": cs})
	return nil
}

// collection answers GET …/collections/{collection}/.
func (h *handler) collection(w http.ResponseWriter, r *http.Request) error {
	c, err := findCollection(r.Context(), h.Directory, r.PathValue("collection"))
	if err != nil {
		return err
	}
	write(w, r, http.StatusOK, c)
	return nil
}

// read is the common part of the reads of a collection's objects: the
// collection, the filter of the request, and one page of the objects it
// keeps, with the headers TAXII puts on such a page. only, if not empty,
// is the one object the endpoint is about; absent from the collection,
// it is not found.
func (h *handler) read(w http.ResponseWriter, r *http.Request, allowed params, only string) ([]record, bool, error) {
	// A query Go cannot read whole (a semicolon, a bad escape) is
	// refused rather than read in part, which would drop filters.
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, false, ctis.Invalid("query", "the query string is malformed: %v", err)
	}
	f, err := parseFilter(q, allowed)
	if err != nil {
		return nil, false, err
	}
	c, err := findCollection(r.Context(), h.Directory, r.PathValue("collection"))
	if err != nil {
		return nil, false, err
	}
	if only != "" {
		f.ids = []string{only}
	}
	var page []record
	var more bool
	if len(f.ids) == 0 {
		page, more, err = f.page(r.Context(), &reader{entities: h.Entities, c: c, placed: &h.placed})
	} else {
		var all []record
		if all, err = h.byID(r.Context(), c, f.ids); err != nil {
			return nil, false, err
		}
		if only != "" && len(all) == 0 {
			// Absent from the collection, the object is not found;
			// present, the other filters may leave nothing of it.
			return nil, false, ctis.ErrNotFound("object")
		}
		page, more = f.pageOf(all)
	}
	if err != nil {
		return nil, false, err
	}
	if len(page) > 0 {
		w.Header().Set("X-TAXII-Date-Added-First", stixTime(page[0].added))
		w.Header().Set("X-TAXII-Date-Added-Last", stixTime(page[len(page)-1].added))
	}
	return page, more, nil
}

// byID returns the objects of c of the given IDs, in order: markings
// where they were placed, entities' objects by their UUIDs, and anything
// else (a relationship, a definition, a marking not placed) from a read
// of the whole collection.
func (h *handler) byID(ctx context.Context, c *collection, ids []string) ([]record, error) {
	var out, uuids []string
	var recs []record
	for _, id := range ids {
		if strings.HasPrefix(id, "marking-definition--") {
			rec, ok, err := h.placed.get(ctx, h.Entities, c, id)
			if err != nil {
				return nil, err
			}
			if ok {
				recs = append(recs, rec)
				continue
			}
		}
		if u, ok := entityUUIDs([]string{id}); ok {
			uuids = append(uuids, u...)
		} else {
			out = append(out, id)
		}
	}
	read := func(rd *reader, wanted []string) error {
		for !rd.done {
			got, err := rd.next(ctx, ctis.MaxLimit)
			if err != nil {
				return err
			}
			for _, r := range got {
				if slices.Contains(wanted, r.ID) {
					recs = append(recs, r)
				}
			}
		}
		return nil
	}
	if len(uuids) > 0 {
		if err := read(&reader{entities: h.Entities, c: c, uuids: uuids, placed: &h.placed}, ids); err != nil {
			return nil, err
		}
	}
	if len(out) > 0 {
		if err := read(&reader{entities: h.Entities, c: c, placed: &h.placed}, out); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(recs, func(a, b record) int { return order(a.at, b.at) })
	return slices.CompactFunc(recs, func(a, b record) bool { return a.ID == b.ID }), nil
}

// envelope is the TAXII envelope of objects.
type envelope struct {
	More    bool              `json:"more"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

func nextOf(page []record, more bool) string {
	if !more {
		return ""
	}
	return page[len(page)-1].at.encode()
}

// objects answers GET …/objects/.
func (h *handler) objects(w http.ResponseWriter, r *http.Request) error {
	return h.envelope(w, r, objectsParams, "")
}

// object answers GET …/objects/{object}/.
func (h *handler) object(w http.ResponseWriter, r *http.Request) error {
	return h.envelope(w, r, objectParams, r.PathValue("object"))
}

func (h *handler) envelope(w http.ResponseWriter, r *http.Request, allowed params, only string) error {
	page, more, err := h.read(w, r, allowed, only)
	if err != nil {
		return err
	}
	env := envelope{More: more, Next: nextOf(page, more)}
	for _, o := range page {
		env.Objects = append(env.Objects, o.raw)
	}
	write(w, r, http.StatusOK, env)
	return nil
}

// versions answers GET …/objects/{object}/versions/.
func (h *handler) versions(w http.ResponseWriter, r *http.Request) error {
	page, more, err := h.read(w, r, versionsParams, r.PathValue("object"))
	if err != nil {
		return err
	}
	out := struct {
		More     bool     `json:"more"`
		Next     string   `json:"next,omitempty"`
		Versions []string `json:"versions,omitempty"`
	}{More: more, Next: nextOf(page, more)}
	for _, o := range page {
		out.Versions = append(out.Versions, stixTime(o.version))
	}
	write(w, r, http.StatusOK, out)
	return nil
}

// manifestRecord is one line of a manifest.
type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

// manifest answers GET …/manifest/.
func (h *handler) manifest(w http.ResponseWriter, r *http.Request) error {
	page, more, err := h.read(w, r, objectsParams, "")
	if err != nil {
		return err
	}
	out := struct {
		More    bool             `json:"more"`
		Next    string           `json:"next,omitempty"`
		Objects []manifestRecord `json:"objects,omitempty"`
	}{More: more, Next: nextOf(page, more)}
	for _, o := range page {
		out.Objects = append(out.Objects, manifestRecord{ID: o.ID, DateAdded: stixTime(o.added), Version: stixTime(o.version), MediaType: stixMediaType})
	}
	write(w, r, http.StatusOK, out)
	return nil
}
