package taxii

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"ctis"
	"ctis/jsonl"
	"ctis/stix"
)

// DefaultMaxContentLength is the largest envelope a client may post when
// the Server says nothing else: the largest bundle a STIX import takes.
const DefaultMaxContentLength = stix.MaxBundle

// unprocessable marks an error in the content of a posted envelope: the
// request was well formed, but ctis cannot take what it holds. TAXII
// answers it with 422.
type unprocessable struct{ err error }

func (u *unprocessable) Error() string { return u.err.Error() }
func (u *unprocessable) Unwrap() error { return u.err }

// envelopeIn is an envelope as a client posts it.
type envelopeIn struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects"`
}

// readEnvelope reads a posted envelope strictly (no unknown field, no key
// given twice, valid UTF-8) and returns the STIX bundle of its objects,
// which the STIX reader then reads as an imported file is read.
func readEnvelope(data []byte) (bundle []byte, objects []json.RawMessage, err error) {
	var env envelopeIn
	if err := jsonl.DecodeStrict(data, &env); err != nil {
		return nil, nil, err
	}
	if len(env.Objects) == 0 {
		return nil, nil, ctis.Invalid("objects", "the envelope holds no objects")
	}
	b, err := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + randomUUID(), "objects": env.Objects})
	if err != nil {
		return nil, nil, ctis.Invalid("objects", "an object is not JSON")
	}
	return b, env.Objects, nil
}

// randomUUID is a version 4 UUID.
func randomUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// status is the TAXII status resource of a posted envelope. ctis imports
// an envelope whole or not at all, before it answers, so a status is
// complete when it is made and every object in it succeeded. It is kept in
// the store (ctis.PostStatuses) for the agency that posted, so that any
// serve process answers for it, after a restart too.
type status struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []statusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	PendingCount     int            `json:"pending_count"`
}

type statusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Message string `json:"message,omitempty"`
}

// add answers POST …/objects/: the envelope's objects are imported as
// the requester's agency's statements, through the same reader and the
// same import as `ctis import --format stix`, all or nothing. Only the
// collection of the agency's own statements can be written to, and an
// envelope holding a statement of another originator is refused whole.
func (h *handler) add(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := findCollection(ctx, h.Directory, r.PathValue("collection"))
	if err != nil {
		return err
	}
	if !c.CanWrite {
		return ctis.Errorf(ctis.EFORBIDDEN, "this collection cannot be written to (can_write is false); post to the collection of your agency's own statements")
	}
	t, p, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || t != "application/taxii+json" || (p["version"] != "" && p["version"] != "2.1") {
		return ctis.Errorf(ctis.EUNSUPPORTED, "post an envelope as %s", MediaType)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxContentLength))
	if err != nil {
		return err
	}
	bundle, objects, err := readEnvelope(data)
	if err != nil {
		return err
	}
	id, _ := ctis.IdentityFrom(ctx)
	entities, err := stix.Decode(bundle)
	if err != nil {
		return &unprocessable{err}
	}
	batch, _, err := stix.NewEntities(entities, id.Agency)
	if err != nil {
		return &unprocessable{err}
	}
	// stored maps each entity's ID in the envelope (the agency's own key)
	// to the ID the node keeps it under.
	stored := map[string]string{}
	if len(batch) > 0 {
		report, err := h.Entities.Import(ctx, batch)
		if err != nil {
			if ctis.ErrorCode(err) == ctis.EINVALID {
				return &unprocessable{err}
			}
			return err
		}
		for i, id := range report.IDs {
			if i < len(batch) {
				stored[batch[i].ID] = id
			}
		}
	}
	st := &status{ID: randomUUID(), Status: "complete", RequestTimestamp: stixTime(time.Now()), TotalCount: len(objects)}
	for _, raw := range objects {
		var o struct {
			ID         string `json:"id"`
			Type       string `json:"type"`
			Created    string `json:"created"`
			Modified   string `json:"modified"`
			Extensions map[string]struct {
				EntityID string `json:"entity_id"`
			} `json:"extensions"`
		}
		json.Unmarshal(raw, &o) // read already by the STIX reader
		v := o.Modified
		if v == "" {
			v = o.Created
		}
		d := statusDetail{ID: o.ID, Version: v}
		// An imported ID is the agency's own key, not the node's (the
		// README's "Imported IDs are the importing agency's own keys"):
		// a new entity is kept under an ID derived from the agency and the
		// key, and is served under that ID's object. The status says so,
		// for a client that reads back what it added by its ID.
		if key := o.Extensions[stix.ExtStatements].EntityID; key != "" {
			if id, ok := stored[key]; ok && id != key {
				d.Message = "stored as " + o.Type + "--" + stix.EntityUUID(id) + ": an ID in an envelope is the agency's own key, and the node serves the entity under the ID it keeps for that key"
			}
		}
		st.Successes = append(st.Successes, d)
	}
	st.SuccessCount = len(st.Successes)
	// The envelope is imported: a status that cannot be kept is logged,
	// and the client still has it in this answer.
	if b, err := json.Marshal(st); err != nil {
		return err
	} else if err := h.Statuses.KeepStatus(ctx, st.ID, b); err != nil {
		h.Logger.Error("keeping the status of a TAXII post", "err", err)
	}
	write(w, r, http.StatusAccepted, st)
	return nil
}

// status answers GET /taxii2/api/status/{status}/. A status of another
// agency's post reads as an absent one.
func (h *handler) status(w http.ResponseWriter, r *http.Request) error {
	st, err := h.Statuses.Status(r.Context(), r.PathValue("status"))
	if err != nil {
		return err
	}
	write(w, r, http.StatusOK, json.RawMessage(st))
	return nil
}

// objectError says where in the envelope an error of the STIX reader is.
func objectError(err error) (string, map[string]string) {
	var oe *stix.ObjectError
	if !errors.As(err, &oe) {
		return "", nil
	}
	d := map[string]string{"object_index": strconv.Itoa(oe.Index)}
	if oe.ID != "" {
		d["object_id"] = oe.ID
	}
	return oe.Error(), d
}
