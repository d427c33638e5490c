package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"ctis"
	"ctis/hashbank"
	"ctis/hashfile"
	"ctis/pdq"
	"ctis/vpdq"
)

func (h *handler) hashBanks(w http.ResponseWriter, r *http.Request) error {
	banks, err := h.Hashes.HashBanks(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"banks": banks})
}

func (h *handler) createHashBank(w http.ResponseWriter, r *http.Request) error {
	var b ctis.HashBank
	if err := h.decode(w, r, &b); err != nil {
		return err
	}
	out, err := h.Hashes.CreateHashBank(r.Context(), b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

// entryFilter reads the query of an entry listing or export.
func entryFilter(r *http.Request) (ctis.HashEntryFilter, error) {
	q := params{Values: r.URL.Query()}
	f := ctis.HashEntryFilter{Bank: r.PathValue("id"), Type: ctis.HashType(q.Get("type")), After: q.Get("after"), Limit: q.limit(),
		Disabled: q.flag("disabled"), Flagged: q.flag("flagged")}
	return f, q.err
}

func (h *handler) hashEntries(w http.ResponseWriter, r *http.Request) error {
	f, err := entryFilter(r)
	if err != nil {
		return err
	}
	list, err := h.Hashes.HashEntries(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": list})
}

// entryFormats maps the media types an entry list is sent in to formats.
var entryFormats = map[string]hashfile.Format{"text/csv": hashfile.CSV, "application/x-ndjson": hashfile.JSONL}

// videoEntry is a video entry as the API takes it: the frames as JSON
// (Frames), or the reference's vPDQ text file in VPDQ.
type videoEntry struct {
	ctis.HashEntry
	VPDQ string `json:"vpdq,omitempty"`
}

// addHashes adds the entries of a JSON body ({"entries": […]}), a CSV
// file or JSON lines to a bank: all validated before any is stored. A
// video entry (type vpdq) in a JSON body gives its frames as JSON or as
// the reference's text file in "vpdq".
func (h *handler) addHashes(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	format, ok := entryFormats[mt]
	if !ok {
		var req struct {
			Entries []videoEntry `json:"entries"`
		}
		if err := h.decode(w, r, &req); err != nil {
			return err
		}
		entries := make([]ctis.HashEntry, len(req.Entries))
		for i, e := range req.Entries {
			if e.VPDQ != "" {
				if len(e.Frames) > 0 {
					return ctis.Invalid("entries["+strconv.Itoa(i)+"].vpdq", "give a video's frames as JSON or as vPDQ text, not both")
				}
				fs, err := vpdq.Read(strings.NewReader(e.VPDQ), ctis.MaxVideoFrames)
				if err != nil {
					return ctis.Invalid("entries["+strconv.Itoa(i)+"].vpdq", "%s", err.Error())
				}
				e.Frames = hashbank.Frames(fs)
			}
			entries[i] = e.HashEntry
		}
		out, err := h.Hashes.AddHashes(r.Context(), r.PathValue("id"), entries)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"stored": len(out)})
	}
	if err := requireType(r, mt); err != nil {
		return err
	}
	in, err := hashfile.NewReader(limitBody(w, r, h.ImportMaxBody), format)
	if err != nil {
		return entryFileError(err)
	}
	n, err := hashfile.Import(r.Context(), h.Hashes, r.PathValue("id"), in, 1_000_000, nil)
	if err != nil {
		return entryFileError(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"stored": n})
}

// entryFileError names the line of a bad entry file in the field.
func entryFileError(err error) error {
	var le *hashfile.LineError
	if errors.As(err, &le) {
		var tooLarge *http.MaxBytesError
		if errors.As(le.Err, &tooLarge) {
			return bodyError(le.Err)
		}
		return ctis.Prefix("line "+strconv.Itoa(le.Line), le.Err)
	}
	return bodyError(err)
}

func (h *handler) exportHashes(w http.ResponseWriter, r *http.Request) error {
	f, err := entryFilter(r)
	if err != nil {
		return err
	}
	format, err := hashfile.ParseFormat(r.URL.Query().Get("format"))
	if r.URL.Query().Get("format") == "" {
		format, err = hashfile.CSV, nil
	}
	if err != nil {
		return err
	}
	// The first page decides the status: a hidden bank fails before a
	// byte is written.
	if _, err := h.Hashes.HashEntries(r.Context(), ctis.HashEntryFilter{Bank: f.Bank, Limit: 1}); err != nil {
		return err
	}
	ct := map[hashfile.Format]string{hashfile.CSV: "text/csv; charset=utf-8", hashfile.JSONL: "application/x-ndjson"}[format]
	w.Header().Set("Content-Type", ct)
	if _, err := hashfile.Export(r.Context(), h.Hashes, f, hashfile.NewWriter(w, format)); err != nil {
		if r.Context().Err() == nil {
			h.Logger.ErrorContext(r.Context(), "export cut off", "route", r.Pattern, "error", err.Error())
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}

func (h *handler) setHashDisabled(disabled bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req reasonRequest
		if err := h.decode(w, r, &req); err != nil {
			return err
		}
		e, err := h.Hashes.SetHashDisabled(r.Context(), r.PathValue("id"), disabled, req.Reason)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, e)
	}
}

// matchRequest is a JSON match request.
type matchRequest struct {
	Hashes []ctis.HashQuery `json:"hashes"`
	Radius *int             `json:"radius,omitempty"`
	// Frames are a video's vPDQ frames, to match against video entries.
	Frames []ctis.VideoFrame `json:"frames,omitempty"`
}

// matchResponse answers a match; Image and Queries describe an uploaded
// image and the queries made of it, Frames an uploaded video's hashes.
type matchResponse struct {
	*ctis.HashMatchResult
	Image   *pdq.File         `json:"image,omitempty"`
	Queries []ctis.HashQuery  `json:"queries,omitempty"`
	Frames  []ctis.VideoFrame `json:"frames,omitempty"`
}

// matchHashes matches the hashes of a JSON body (or a video's frames in
// "frames"), or an image or video uploaded as multipart/form-data (field
// "image", with "variants" to match its rotations and reflections too
// and "radius"; or field "video"), hashed here and not kept.
func (h *handler) matchHashes(w http.ResponseWriter, r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		var req matchRequest
		if err := h.decode(w, r, &req); err != nil {
			return err
		}
		if len(req.Frames) > 0 {
			if len(req.Hashes) > 0 {
				return ctis.Invalid("frames", "match hashes or a video's frames, not both at once")
			}
			res, err := h.Hashes.MatchVideo(r.Context(), req.Frames)
			if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, matchResponse{HashMatchResult: res})
		}
		radius := ctis.DefaultRadius
		if req.Radius != nil {
			radius = *req.Radius
		}
		res, err := h.Hashes.MatchHashes(r.Context(), req.Hashes, radius)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, matchResponse{HashMatchResult: res})
	}
	if _, err := ctis.Require(r.Context(), ctis.RoleAnalyst, ctis.RoleFrontline); err != nil {
		return err // before reading an image
	}
	maxForm := max(pdq.MaxFileBytes, h.VideoLimits.MaxBytes) + 64<<10
	if r.ContentLength > maxForm {
		return bodyError(&http.MaxBytesError{Limit: maxForm})
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	mr, err := r.MultipartReader()
	if err != nil {
		return &ctis.Error{Code: ctis.EUNSUPPORTED, Field: "Content-Type", Message: "a multipart body needs its boundary"}
	}
	var image []byte
	var video []ctis.VideoFrame
	radius, variants := ctis.DefaultRadius, false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bodyError(err)
		}
		switch part.FormName() {
		case "image":
			if image, err = io.ReadAll(io.LimitReader(part, pdq.MaxFileBytes+1)); err != nil {
				return bodyError(err)
			}
			if len(image) > pdq.MaxFileBytes {
				return ctis.Errorf(ctis.ETOOLARGE, "the image is larger than %d MiB", pdq.MaxFileBytes>>20)
			}
		case "video":
			// Streamed to a temporary file, hashed, and removed.
			if video, err = hashbank.HashUpload(r.Context(), part, h.VideoLimits); err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					return bodyError(err)
				}
				return err
			}
		case "variants", "radius":
			v, err := io.ReadAll(io.LimitReader(part, 16))
			if err != nil {
				return bodyError(err)
			}
			if part.FormName() == "variants" {
				if variants, err = strconv.ParseBool(string(v)); err != nil {
					return ctis.Invalid("variants", "true or false, not %q", v)
				}
			} else if radius, err = strconv.Atoi(string(v)); err != nil {
				return ctis.Invalid("radius", "a whole number of bits, not %q", v)
			}
		default:
			return ctis.Invalid(part.FormName(), "unknown form field (known: image, video, variants, radius)")
		}
	}
	if video != nil {
		if image != nil {
			return ctis.Invalid("video", "upload an image or a video, not both at once")
		}
		res, err := h.Hashes.MatchVideo(r.Context(), video)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, matchResponse{HashMatchResult: res, Frames: video})
	}
	if image == nil {
		return ctis.Invalid("image", "no image or video in the form")
	}
	f, err := pdq.HashFile(bytes.NewReader(image), variants)
	if err != nil {
		return ctis.Invalid("image", "%s", err.Error())
	}
	queries := hashbank.ImageQueries(f)
	res, err := h.Hashes.MatchHashes(r.Context(), queries, radius)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, matchResponse{HashMatchResult: res, Image: f, Queries: queries})
}

func (h *handler) hashFeedback(w http.ResponseWriter, r *http.Request) error {
	var f ctis.HashFeedback
	if err := h.decode(w, r, &f); err != nil {
		return err
	}
	f.Match = r.PathValue("id")
	out, err := h.Hashes.GiveFeedback(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *handler) appeals(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Hashes.Appeals(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"appeals": list})
}

func (h *handler) lodgeAppeal(w http.ResponseWriter, r *http.Request) error {
	var a ctis.Appeal
	if err := h.decode(w, r, &a); err != nil {
		return err
	}
	out, err := h.Hashes.LodgeAppeal(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (h *handler) decideAppeal(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Outcome ctis.AppealOutcome `json:"outcome"`
		Reason  string             `json:"reason"`
	}
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	out, err := h.Hashes.DecideAppeal(r.Context(), r.PathValue("id"), req.Outcome, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (h *handler) transparency(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	months, err := h.Hashes.Transparency(r.Context(), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	referrals, err := h.ContentReferrals.ContentReferralFigures(r.Context(), q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"months": months, "referrals": referrals})
}
