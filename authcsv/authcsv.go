// Package authcsv reads entries of the directory of competent authorities
// (ctis.Authority) from CSV, as national directories are kept in
// spreadsheets: a header row names the columns, in any order —
// country, instrument, name, jurisdiction, languages, channels, hours,
// verified_on — and languages and channels hold several values separated
// by semicolons.
package authcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"ctis"
	"ctis/csvcell"
)

// Columns are the columns of a directory CSV, all required.
var Columns = []string{"country", "instrument", "name", "jurisdiction", "languages", "channels", "hours", "verified_on"}

// MaxRows is the most entries one file may hold.
const MaxRows = 10000

// Read reads the entries of r. Lines[i] is the line of the file entry i
// came from, for errors found later. A fault is named by its line and
// column; nothing is returned with it.
func Read(r io.Reader) (entries []ctis.Authority, lines []int, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("the file is empty: its first line names the columns " + strings.Join(Columns, ","))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("line 1: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(Columns, h) {
			return nil, nil, fmt.Errorf("line 1: unknown column %q; the columns are %s", h, strings.Join(Columns, ","))
		}
		if _, dup := col[h]; dup {
			return nil, nil, fmt.Errorf("line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, c := range Columns {
		if _, ok := col[c]; !ok {
			return nil, nil, fmt.Errorf("line 1: column %q is missing; the columns are %s", c, strings.Join(Columns, ","))
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// A csv.ParseError names its line.
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(entries) == MaxRows {
			return nil, nil, fmt.Errorf("line %d: more than %d entries; split the file", line, MaxRows)
		}
		get := func(c string) string { return strings.TrimSpace(csvcell.Unguard(rec[col[c]])) }
		entries = append(entries, ctis.Authority{Country: get("country"), Instrument: ctis.Instrument(get("instrument")), Name: get("name"),
			Jurisdiction: get("jurisdiction"), Languages: list(get("languages")), Channels: list(get("channels")), Hours: get("hours"),
			VerifiedOn: get("verified_on")})
		lines = append(lines, line)
	}
	if len(entries) == 0 {
		return nil, nil, errors.New("the file holds a header and no entries")
	}
	return entries, lines, nil
}

// list splits a cell of values separated by semicolons.
func list(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
