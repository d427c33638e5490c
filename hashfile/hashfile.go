// Package hashfile reads and writes hash-bank entries as CSV and as JSON
// lines, the forms members exchange hash lists in.
//
// A CSV file has a header row naming its columns, in any order: type and
// value are required; quality, entity, behaviours (separated by "|" or
// ";"), content_type and — in exports — id, contributor, added_at and
// disabled may follow. A JSON lines file holds one entry object per line,
// with the fields of ctis.HashEntry. Every entry is validated as read, and
// an error names its line and field; a reader stops at the first. The
// export-only columns describe a bank's own record and are not imported;
// importers leave out disabled entries.
package hashfile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/csvcell"
	"ctis/jsonl"
)

// MaxLine is the longest line read.
const MaxLine = 64 << 10

// Format is a file format.
type Format string

// Formats.
const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
)

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case CSV, JSONL:
		return f, nil
	}
	return "", ctis.Invalid("format", "unknown format %q (known: csv, jsonl)", s)
}

// LineError is an error on one line of input, as the entity reader's.
type LineError = jsonl.LineError

func lineError(line int, err error) error { return &LineError{Line: line, Err: err} }

// Reader reads entries.
type Reader interface {
	// Read returns the next entry, validated, or io.EOF.
	Read() (ctis.HashEntry, error)
}

// NewReader returns a reader of r in format f.
func NewReader(r io.Reader, f Format) (Reader, error) {
	switch f {
	case CSV:
		return newCSV(r)
	case JSONL:
		return &jsonReader{sc: scanner(r)}, nil
	}
	return nil, ctis.Invalid("format", "unknown format %q (known: csv, jsonl)", f)
}

// ReadAll reads every entry, up to max of them.
func ReadAll(r Reader, max int) ([]ctis.HashEntry, error) {
	var out []ctis.HashEntry
	for {
		e, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(out) == max {
			return nil, ctis.Errorf(ctis.ETOOLARGE, "more than %d entries", max)
		}
		out = append(out, e)
	}
}

func scanner(r io.Reader) *bufio.Scanner {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	return sc
}

type jsonReader struct {
	sc   *bufio.Scanner
	line int
}

func (j *jsonReader) Read() (ctis.HashEntry, error) {
	for j.sc.Scan() {
		j.line++
		b := bytes.TrimSpace(j.sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var e ctis.HashEntry
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return e, lineError(j.line, jsonError(err))
		}
		if dec.More() {
			return e, lineError(j.line, ctis.Invalid("", "more than one JSON value on the line"))
		}
		if err := e.Validate(); err != nil {
			return e, lineError(j.line, err)
		}
		return e, nil
	}
	if err := j.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return ctis.HashEntry{}, lineError(j.line+1, ctis.Errorf(ctis.ETOOLARGE, "the line is longer than %d bytes", MaxLine))
		}
		return ctis.HashEntry{}, err
	}
	return ctis.HashEntry{}, io.EOF
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return ctis.Invalid(te.Field, "want %s, not a JSON %s", te.Type, te.Value)
	}
	return ctis.Invalid("", "not a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// columns are the CSV columns known, in the order written.
var columns = []string{"type", "value", "quality", "entity", "behaviours", "content_type", "id", "contributor", "added_at", "disabled"}

type csvReader struct {
	r   *csv.Reader
	col map[string]int
}

func newCSV(r io.Reader) (*csvReader, error) {
	c := csv.NewReader(bufio.NewReaderSize(io.LimitReader(r, 1<<40), 64<<10))
	c.FieldsPerRecord = 0
	c.ReuseRecord = true
	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return nil, lineError(1, ctis.Invalid("", "the file is empty; it needs a header row such as type,value,entity,behaviours"))
	}
	if err != nil {
		return nil, lineError(1, ctis.Invalid("", "%s", csvMessage(err)))
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(columns, h) {
			return nil, lineError(1, ctis.Invalid("header", "unknown column %q (known: %s)", h, strings.Join(columns, ", ")))
		}
		if _, dup := col[h]; dup {
			return nil, lineError(1, ctis.Invalid("header", "column %q twice", h))
		}
		col[h] = i
	}
	for _, need := range []string{"type", "value"} {
		if _, ok := col[need]; !ok {
			return nil, lineError(1, ctis.Invalid("header", "the header has no %q column", need))
		}
	}
	return &csvReader{r: c, col: col}, nil
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("column %d: %v", pe.Column, pe.Err)
	}
	return err.Error()
}

func (c *csvReader) Read() (ctis.HashEntry, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return ctis.HashEntry{}, io.EOF
	}
	if err != nil {
		line := 0
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line = max(pe.StartLine, 1)
		}
		return ctis.HashEntry{}, lineError(line, ctis.Invalid("", "%s", csvMessage(err)))
	}
	line, _ := c.r.FieldPos(0)
	get := func(name string) string {
		if i, ok := c.col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	e := ctis.HashEntry{Type: ctis.HashType(get("type")), Value: get("value"), ID: get("id"), Contributor: get("contributor")}
	e.Labels.Entity, e.Labels.ContentType = csvcell.Unguard(get("entity")), get("content_type")
	if q := get("quality"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			return e, lineError(line, ctis.Invalid("quality", "%q is not a whole number", q))
		}
		e.Quality = &n
	}
	for _, b := range strings.FieldsFunc(get("behaviours"), func(r rune) bool { return r == '|' || r == ';' }) {
		e.Labels.Behaviours = append(e.Labels.Behaviours, ctis.Behaviour(b))
	}
	if at := get("added_at"); at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return e, lineError(line, ctis.Invalid("added_at", "%q is not an RFC 3339 time", at))
		}
		e.AddedAt = t
	}
	if d := get("disabled"); d != "" {
		b, err := strconv.ParseBool(d)
		if err != nil {
			return e, lineError(line, ctis.Invalid("disabled", "%q is neither true nor false", d))
		}
		e.Disabled = b
	}
	if err := e.Validate(); err != nil {
		return e, lineError(line, err)
	}
	return e, nil
}

// Writer writes entries.
type Writer struct {
	f   Format
	w   *bufio.Writer
	csv *csv.Writer
}

// NewWriter returns a writer of format f to w; CSV starts with its header.
func NewWriter(w io.Writer, f Format) *Writer {
	out := &Writer{f: f, w: bufio.NewWriter(w)}
	if f == CSV {
		out.csv = csv.NewWriter(out.w)
		out.csv.Write(columns)
	}
	return out
}

// Write writes one entry.
func (w *Writer) Write(e ctis.HashEntry) error {
	if w.f == JSONL {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		w.w.Write(b)
		return w.w.WriteByte('\n')
	}
	quality := ""
	if e.Quality != nil {
		quality = strconv.Itoa(*e.Quality)
	}
	bs := make([]string, len(e.Labels.Behaviours))
	for i, b := range e.Labels.Behaviours {
		bs[i] = string(b)
	}
	return w.csv.Write([]string{string(e.Type), e.Value, quality, csvcell.Guard(e.Labels.Entity), strings.Join(bs, "|"), e.Labels.ContentType,
		e.ID, e.Contributor, e.AddedAt.UTC().Format(time.RFC3339Nano), strconv.FormatBool(e.Disabled)})
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	if w.csv != nil {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return err
		}
	}
	return w.w.Flush()
}

// Import reads every entry of r, all of them validated before any is
// stored, and adds the enabled ones to bank in batches; progress, if not
// nil, is told how many are stored. Bad input stores nothing; a failure
// while storing leaves the batches before it, and importing the file
// again is safe, since an entry already there is relabelled, not added.
func Import(ctx context.Context, s ctis.HashStore, bank string, r Reader, max int, progress func(stored int)) (int, error) {
	all, err := ReadAll(r, max)
	if err != nil {
		return 0, err
	}
	return Add(ctx, s, bank, all, progress)
}

// Add adds the enabled entries of all, read and checked already, to bank
// in batches of ctis.MaxHashBatch, as Import does.
func Add(ctx context.Context, s ctis.HashStore, bank string, all []ctis.HashEntry, progress func(stored int)) (int, error) {
	entries := make([]ctis.HashEntry, 0, len(all))
	for _, e := range all {
		if !e.Disabled {
			entries = append(entries, e)
		}
	}
	stored := 0
	for len(entries) > 0 {
		n := min(len(entries), ctis.MaxHashBatch)
		if _, err := s.AddHashes(ctx, bank, entries[:n]); err != nil {
			return stored, err
		}
		stored += n
		entries = entries[n:]
		if progress != nil {
			progress(stored)
		}
	}
	return stored, nil
}

// Export writes every entry of a bank that f selects, disabled ones
// included when f says so, a page at a time.
func Export(ctx context.Context, s ctis.HashStore, f ctis.HashEntryFilter, w *Writer) (int, error) {
	n := 0
	f.Limit = 1000
	for {
		page, err := s.HashEntries(ctx, f)
		if err != nil {
			return n, err
		}
		for _, e := range page {
			if err := w.Write(e); err != nil {
				return n, err
			}
			n++
		}
		if len(page) < f.Limit {
			return n, w.Flush()
		}
		f.After = page[len(page)-1].ID
	}
}

// Entries returns every entry of a bank that f selects, read a page at a
// time, for a writer that needs them all at once (a STIX bundle).
func Entries(ctx context.Context, s ctis.HashStore, f ctis.HashEntryFilter) ([]ctis.HashEntry, error) {
	var out []ctis.HashEntry
	f.Limit = 1000
	for {
		page, err := s.HashEntries(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out, nil
		}
		f.After = page[len(page)-1].ID
	}
}
