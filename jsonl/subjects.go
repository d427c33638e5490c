package jsonl

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"ctis"
)

// ReadSubjects reads a file of subjects to screen, as people upload one:
// JSON lines of ctis.Subject, read as strictly as every other JSON line
// (unknown fields, invalid UTF-8 and repeated keys are errors naming the
// line and field), or a CSV whose header row names the columns name,
// birth_date, nationality, gender, document_number and schema. It holds 1
// to ctis.MaxBatch subjects and at most 4 MiB; fields are checked when
// the subjects are screened, each failing one dropped with a warning.
func ReadSubjects(r io.Reader) ([]ctis.Subject, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(string(b))
	var out []ctis.Subject
	if strings.HasPrefix(text, "{") {
		for i, line := range strings.Split(text, "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			var s ctis.Subject
			if err := DecodeStrict([]byte(line), &s); err != nil {
				return nil, ctis.Invalid("file", "%s", (&LineError{Line: i + 1, Err: err}).Error())
			}
			out = append(out, s)
		}
	} else {
		rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, ctis.Invalid("file", "CSV line %d: %s", pe.Line, pe.Err.Error())
		}
		if len(rows) < 2 {
			return nil, ctis.Invalid("file", "the CSV needs a header row (name, birth_date, nationality, document_number) and at least one subject")
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[strings.ToLower(strings.TrimSpace(c))] = i
		}
		if _, ok := col["name"]; !ok {
			return nil, ctis.Invalid("file", "the CSV header has no name column")
		}
		get := func(row []string, c string) string {
			if i, ok := col[c]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		for _, row := range rows[1:] {
			out = append(out, ctis.Subject{Name: get(row, "name"), BirthDate: get(row, "birth_date"), Nationality: get(row, "nationality"),
				Gender: get(row, "gender"), DocumentNumber: get(row, "document_number"), Schema: get(row, "schema")})
		}
	}
	if len(out) == 0 || len(out) > ctis.MaxBatch {
		return nil, ctis.Invalid("file", "a file holds 1 to %d subjects", ctis.MaxBatch)
	}
	return out, nil
}
