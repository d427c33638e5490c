package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/jsonl"
)

// decode reads a JSON request body into v. It is the one way a handler
// reads JSON: the body must say it is JSON, must fit in MaxBody, and must
// hold exactly one value with no field v lacks, no key given twice and no
// string that is not UTF-8 (which decoding would change silently); errors
// name the field, or the byte offset of malformed JSON.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, v any) error {
	if err := requireType(r, "application/json"); err != nil {
		return err
	}
	body, err := io.ReadAll(limitBody(w, r, h.MaxBody))
	if err != nil {
		return bodyError(err)
	}
	return jsonl.DecodeStrict(body, v)
}

// requireType refuses a body that does not declare media type want (in
// UTF-8, if it names a charset): guessing at a body's format is how
// cross-site form posts and mis-encoded names get in.
func requireType(r *http.Request, want string) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want || params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8") {
		return &ctis.Error{Code: ctis.EUNSUPPORTED, Field: "Content-Type", Message: "the body must be " + want + " in UTF-8"}
	}
	return nil
}

// limitBody returns the request body cut off after max bytes. A declared
// length over max fails at once, before anything is read.
func limitBody(w http.ResponseWriter, r *http.Request, max int64) io.Reader {
	if r.ContentLength > max {
		return errReader{&http.MaxBytesError{Limit: max}}
	}
	return http.MaxBytesReader(w, r.Body, max)
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// bodyError describes a failure to read a request body.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return ctis.Errorf(ctis.ETOOLARGE, "the body is larger than %d bytes", tooLarge.Limit)
	}
	return ctis.Invalid("", "the request body could not be read")
}

// params reads query parameters, keeping the first error so that a
// handler can read them all and check once.
type params struct {
	url.Values
	err error
}

// limit returns the page size asked for, or 0 (the service's default).
func (p *params) limit() int {
	s := p.Get("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > ctis.MaxLimit {
		p.fail(ctis.Invalid("limit", "limit must be a whole number from 1 to %d", ctis.MaxLimit))
	}
	return n
}

// time returns the RFC 3339 instant named name, or the zero time.
func (p *params) time(name string) time.Time {
	s := p.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.fail(ctis.Invalid(name, "%s must be an RFC 3339 time such as 2026-01-31T00:00:00Z", name))
	}
	return t
}

// seq returns the positive integer named name, or 0.
func (p *params) seq(name string) int64 {
	s := p.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		p.fail(ctis.Invalid(name, "%s must be a positive whole number", name))
	}
	return n
}

// flag reads a true-or-false parameter; absent is false.
func (p *params) flag(name string) bool {
	s := p.Get(name)
	if s == "" {
		return false
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		p.fail(ctis.Invalid(name, "true or false, not %q", s))
	}
	return b
}

func (p *params) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}
