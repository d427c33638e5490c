package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"ctis"
)

// maxKeptAnswer bounds the answer kept for a request sent with a key; a
// larger one is sent but not kept, and the request sent again gets a
// conflict.
const maxKeptAnswer = 1 << 20

// withRequestKey runs a write request that carries an Idempotency-Key
// (see ctis.RequestKey). The key travels to the store, which claims it in
// the request's first write transaction; the answer is kept in that
// transaction where the handler has it rendered there
// (answerFromResult), or else after it is sent. A request sent again is refused at its first write, or fails
// before it: then the answer kept for the key is given again.
func (h *handler) withRequestKey(w http.ResponseWriter, r *http.Request, run func(http.ResponseWriter, *http.Request) error) error {
	key := r.Header.Get("Idempotency-Key")
	if _, signedIn := ctis.IdentityFrom(r.Context()); key == "" || r.Method != http.MethodPost || h.Requests == nil || !signedIn {
		return run(w, r)
	}
	if !ctis.ValidRequestKey(key) {
		return ctis.Invalid("Idempotency-Key", "give 1 to 255 printable ASCII characters, such as a UUID")
	}
	rk := &ctis.RequestKey{Key: key}
	ctx := ctis.WithRequestKey(r.Context(), rk)
	rec := &keepingWriter{ResponseWriter: w}
	if err := run(rec, r.WithContext(ctx)); err != nil {
		if rk.Claimed || rec.status != 0 {
			return err
		}
		// Carried out before? Then its answer, not this one's error.
		switch replayed, rerr := h.replay(w, r, key); {
		case rerr != nil:
			return rerr
		case !replayed:
			return err
		}
		return nil
	}
	if rk.Claimed && rk.Kept == nil && rec.status/100 == 2 && rec.body.Len() <= maxKeptAnswer {
		a := ctis.KeptAnswer{Status: rec.status, Header: map[string]string{}, Body: bytes.Clone(rec.body.Bytes())}
		for _, k := range ctis.KeptHeaders {
			if v := rec.Header().Get(k); v != "" {
				a.Header[k] = v
			}
		}
		go func() {
			if err := h.Requests.Keep(context.WithoutCancel(ctx), key, a); err != nil {
				h.Logger.Error("keeping the answer of a request sent with an Idempotency-Key", "err", err)
			}
		}()
	}
	return nil
}

// replay gives the answer kept for the caller's request sent with key,
// and says whether there was one to give: a request carried out whose
// answer was not kept is a conflict.
func (h *handler) replay(w http.ResponseWriter, r *http.Request, key string) (bool, error) {
	kept, done, err := h.Requests.Answer(r.Context(), key)
	switch {
	case err != nil || !done:
		return false, err
	case kept == nil:
		return false, ctis.Errorf(ctis.ECONFLICT, "the request sent with this Idempotency-Key was carried out, and its answer was not kept: "+
			"look up what it did (the review queue, the entity) before sending it again under a new key")
	}
	w.Header().Set("Idempotent-Replayed", "true")
	writeAnswer(w, *kept)
	return true, nil
}

// answerFromResult has the answer of a request sent with a key rendered
// from the result of the write that claims its key, and kept in that
// write's commit. The handler must then answer with respond, rendering
// its result with the same render.
func answerFromResult[T any](ctx context.Context, render func(T) (ctis.KeptAnswer, error)) {
	rk := ctis.RequestKeyFrom(ctx)
	if rk == nil {
		return
	}
	rk.Answer = func(v any) (ctis.KeptAnswer, error) {
		result, ok := v.(T)
		if !ok {
			return ctis.KeptAnswer{}, fmt.Errorf("the answer's result: %T, not %T", v, result)
		}
		return render(result)
	}
}

// respond answers with render(result), or, when the answer was kept with
// the write that claimed the request's key, with what was kept.
func respond[T any](w http.ResponseWriter, ctx context.Context, render func(T) (ctis.KeptAnswer, error), result T) error {
	if rk := ctis.RequestKeyFrom(ctx); rk != nil && rk.Kept != nil {
		writeAnswer(w, *rk.Kept)
		return nil
	}
	a, err := render(result)
	if err != nil {
		return err
	}
	writeAnswer(w, a)
	return nil
}

// keepingWriter passes an answer on and keeps a copy of it.
type keepingWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (k *keepingWriter) WriteHeader(status int) {
	if k.status == 0 {
		k.status = status
	}
	k.ResponseWriter.WriteHeader(status)
}

func (k *keepingWriter) Write(b []byte) (int, error) {
	if k.status == 0 {
		k.status = http.StatusOK
	}
	if k.body.Len() <= maxKeptAnswer {
		k.body.Write(b)
	}
	return k.ResponseWriter.Write(b)
}
