// Package jsonl reads and writes entities as JSON lines: one entity per
// line. Import lines are ctis.NewEntity objects (schema, statements, and an
// ID the importer keeps stable); export lines are ctis.Entity objects with
// every statement's provenance and handling.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"ctis"
)

// MaxLine is the longest line a Reader accepts by default.
const MaxLine = 1 << 20

// LineError is an error on one line of input.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string {
	if f := ctis.ErrorField(e.Err); f != "" {
		return fmt.Sprintf("line %d: %s: %s", e.Line, f, ctis.ErrorMessage(e.Err))
	}
	return fmt.Sprintf("line %d: %s", e.Line, ctis.ErrorMessage(e.Err))
}

func (e *LineError) Unwrap() error { return e.Err }

// Reader reads ctis.NewEntity lines.
type Reader struct {
	r    *bufio.Reader
	line int
	// Offset is how many bytes have been consumed, for progress reports.
	Offset int64
	// MaxLine bounds a line's length; zero means MaxLine.
	MaxLine int
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReaderSize(r, 64<<10)} }

// Next returns the next entity and the line it was on, skipping blank
// lines. It returns io.EOF at the end; any other error is a *LineError.
// Next decodes only: validating against schemas is the store's job.
func (r *Reader) Next() (ctis.NewEntity, int, error) {
	max := r.MaxLine
	if max == 0 {
		max = MaxLine
	}
	for {
		line, err := r.readLine(max)
		if err != nil {
			return ctis.NewEntity{}, r.line, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, err := Decode(line)
		if err != nil {
			return ctis.NewEntity{}, r.line, &LineError{r.line, err}
		}
		return e, r.line, nil
	}
}

func (r *Reader) readLine(max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.r.ReadSlice('\n')
		r.Offset += int64(len(chunk))
		if len(buf)+len(chunk) > max {
			r.line++
			// Skip the rest of the line so the caller could go on.
			for errors.Is(err, bufio.ErrBufferFull) {
				chunk, err = r.r.ReadSlice('\n')
				r.Offset += int64(len(chunk))
			}
			return nil, &LineError{r.line, ctis.Errorf(ctis.ETOOLARGE, "line is longer than %d bytes", max)}
		}
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			r.line++
			return buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(buf) > 0:
			r.line++
			return buf, nil
		default:
			return nil, err
		}
	}
}

// Decode decodes one entity strictly: unknown fields, wrong types and
// trailing data are errors naming the field or offset.
func Decode(b []byte) (ctis.NewEntity, error) {
	var e ctis.NewEntity
	err := DecodeStrict(b, &e)
	return e, err
}

// DecodeStrict decodes one JSON value into v, refusing unknown fields,
// trailing data, invalid UTF-8 and keys given twice, and turns decoding
// errors into ctis errors that name the field or the byte offset.
func DecodeStrict(b []byte, v any) error {
	if err := Check(b); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return JSONError(err)
	}
	if dec.More() {
		return ctis.Invalid("", "unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		return ctis.Invalid("", "unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
}

// JSONError turns an encoding/json error into a ctis error naming the field
// or the offset.
func JSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return ctis.Invalid("", "malformed JSON at offset %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(root)"
		}
		return ctis.Invalid(field, "expected %s, got JSON %s", typ.Type.String(), typ.Value)
	case errors.Is(err, io.EOF):
		return ctis.Invalid("", "empty input: expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ctis.Invalid("", "malformed JSON: the input ends in the middle of a value")
	}
	var ce *ctis.Error
	if errors.As(err, &ce) {
		return err
	}
	// json: unknown field "x"
	msg := err.Error()
	const unknown = "json: unknown field "
	if len(msg) > len(unknown) && msg[:len(unknown)] == unknown {
		name := msg[len(unknown):]
		if len(name) >= 2 {
			name = name[1 : len(name)-1]
		}
		return ctis.Invalid(name, "unknown field %q", name)
	}
	return ctis.Invalid("", "malformed JSON: %s", msg)
}

// Writer writes JSON lines: entities, travel records, results.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter returns a Writer on w. Call Flush when done.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{w: bw, enc: enc}
}

// Write writes one value as a line.
func (w *Writer) Write(v any) error { return w.enc.Encode(v) }

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

// BatchError places an error from storing a batch on its line: the store
// prefixes errors with the entity's index in the batch ("[i]"), and lines
// holds the line of each entity. Other errors are returned unchanged.
func BatchError(err error, lines []int) error {
	f := ctis.ErrorField(err)
	if !strings.HasPrefix(f, "[") {
		return err
	}
	end := strings.IndexByte(f, ']')
	i, perr := strconv.Atoi(f[1:max(end, 1)])
	if end < 0 || perr != nil || i < 0 || i >= len(lines) {
		return err
	}
	rest := strings.TrimPrefix(f[end+1:], ".")
	return &LineError{Line: lines[i], Err: &ctis.Error{Code: ctis.ErrorCode(err), Field: rest, Message: ctis.ErrorMessage(err)}}
}
