package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"ctis"
	"ctis/jsonl"
)

func (h *handler) schemas(w http.ResponseWriter, r *http.Request) error {
	list := make([]*ctis.Schema, 0, len(ctis.Schemas))
	for _, n := range ctis.SchemaNames() {
		list = append(list, ctis.Schemas[n])
	}
	return writeJSON(w, http.StatusOK, struct {
		Schemas []*ctis.Schema `json:"schemas"`
	}{list})
}

// newEntity reads the body of an entity's creation. It validates the
// entity as the store will: bad input is refused before any service is
// called, and the decoder can be fuzzed on its own.
func (h *handler) newEntity(w http.ResponseWriter, r *http.Request) (ctis.NewEntity, error) {
	var e ctis.NewEntity
	if err := h.decode(w, r, &e); err != nil {
		return e, err
	}
	if e.ID != "" {
		// The store would drop it; saying so beats a client believing its
		// ID was kept.
		return e, ctis.Invalid("id", "the node chooses the IDs of created entities; an importer that keeps its own uses /api/v1/import")
	}
	_, err := e.Validate(h.today())
	return e, err
}

func (h *handler) createEntity(w http.ResponseWriter, r *http.Request) error {
	e, err := h.newEntity(w, r)
	if err != nil {
		return err
	}
	answerFromResult(r.Context(), createdAnswer)
	created, err := h.Entities.CreateEntity(r.Context(), e)
	if err != nil {
		return err
	}
	return respond(w, r.Context(), createdAnswer, created)
}

// createdAnswer is the answer to an entity created.
func createdAnswer(e *ctis.Entity) (ctis.KeptAnswer, error) {
	a, err := jsonAnswer(http.StatusCreated, e)
	if err == nil {
		a.Header["Location"] = "/api/v1/entities/" + e.ID
	}
	return a, err
}

func (h *handler) listEntities(w http.ResponseWriter, r *http.Request) error {
	q := params{Values: r.URL.Query()}
	f := ctis.EntityFilter{Schema: q.Get("schema"), Cursor: q.Get("cursor"), Limit: q.limit()}
	switch q.Get("past_review") {
	case "", "false":
	case "true":
		f.PastReview = true
	default:
		q.fail(ctis.Invalid("past_review", "past_review is true or false"))
	}
	if q.err != nil {
		return q.err
	}
	page, err := h.Entities.Entities(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

func (h *handler) entity(w http.ResponseWriter, r *http.Request) error {
	e, err := h.Entities.Entity(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (h *handler) addStatements(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Statements []ctis.NewStatement `json:"statements"`
	}
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	added, err := h.Entities.AddStatements(r.Context(), r.PathValue("id"), req.Statements)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, struct {
		Statements []ctis.Statement `json:"statements"`
	}{added})
}

func (h *handler) withdraw(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	s, err := h.Entities.WithdrawStatement(r.Context(), r.PathValue("id"), req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

func (h *handler) review(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		ReviewBy string `json:"review_by"`
	}
	if err := h.decode(w, r, &req); err != nil {
		return err
	}
	s, err := h.Entities.SetReview(r.Context(), r.PathValue("id"), req.ReviewBy)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

// searchDeprecated is when a search with the name in the URL was
// deprecated (RFC 9745): a URL lands in proxy and server logs, so a name
// in it leaves the node's control. The pages post their searches.
const searchDeprecated = "@1782864000" // 2026-07-01

func (h *handler) search(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Deprecation", searchDeprecated)
	w.Header().Set("Link", `</api/v1/openapi.json>; rel="deprecation"; type="application/json"`)
	q := params{Values: r.URL.Query()}
	sq := ctis.SearchQuery{Name: q.Get("name"), Property: q.Get("property"), Value: q.Get("value"),
		Schema: q.Get("schema"), Cursor: q.Get("cursor"), Limit: q.limit()}
	if q.err != nil {
		return q.err
	}
	res, err := h.Entities.Search(r.Context(), sq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// export streams every entity the caller may see, one per line. The
// service refuses (role, purpose) before it hands over the first entity,
// and up to then the answer can still be a problem; after it, the status
// is sent, and a failure cuts the connection so that the client sees a
// broken stream rather than an export that looks complete.
func (h *handler) export(w http.ResponseWriter, r *http.Request) error {
	return streamJSONL(h, w, r, h.Entities.Export)
}

// streamJSONL answers with the values each produces as JSON lines. An
// error before the first line is answered as a problem; one after it cuts
// the response off, so that a client cannot take a partial export for a
// whole one.
func streamJSONL[T any](h *handler, w http.ResponseWriter, r *http.Request, each func(context.Context, func(T) error) error) error {
	w.Header().Set("Content-Type", "application/x-ndjson")
	out := jsonl.NewWriter(w)
	n := 0
	err := each(r.Context(), func(v T) error {
		n++
		return out.Write(v)
	})
	if err != nil && n == 0 {
		return err // nothing has left the writer's buffer
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		if r.Context().Err() == nil { // a client that left needs no log line
			h.Logger.ErrorContext(r.Context(), "export cut off", "route", r.Pattern, "lines", n, "error", err.Error())
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}

// importBatch stores the NDJSON body as one batch: every line or none.
func (h *handler) importBatch(w http.ResponseWriter, r *http.Request) error {
	if err := requireType(r, "application/x-ndjson"); err != nil {
		return err
	}
	in := jsonl.NewReader(limitBody(w, r, h.ImportMaxBody))
	var batch []ctis.NewEntity
	var lines []int
	for {
		e, line, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if ctis.ErrorCode(err) == ctis.EINTERNAL { // no line's fault: the body could not be read
			return bodyError(err)
		}
		if err != nil {
			return lineError(err)
		}
		batch, lines = append(batch, e), append(lines, line)
	}
	if len(batch) == 0 {
		return ctis.Invalid("", "the body holds no entities; send one JSON entity per line")
	}
	rep, err := h.Entities.Import(r.Context(), batch)
	if err != nil {
		return lineError(jsonl.BatchError(err, lines))
	}
	return writeJSON(w, http.StatusOK, rep)
}

// lineError places an import error on its line, as the field "line N" or
// "line N: statements[0].value", so that a client can point at it in the
// file it sent. Errors of no line are returned as they are.
func lineError(err error) error {
	var le *jsonl.LineError
	var ce *ctis.Error
	if !errors.As(err, &le) || !errors.As(le.Err, &ce) {
		return err
	}
	field := "line " + strconv.Itoa(le.Line)
	if ce.Field != "" {
		field += ": " + ce.Field
	}
	return &ctis.Error{Code: ce.Code, Message: ce.Message, Field: field}
}
