// Package mrz reads the machine-readable zone of travel documents as ICAO
// Doc 9303 defines it: TD1 identity cards (3 lines of 30), TD2 (2 of 36),
// TD3 passports (2 of 44), and MRV-A and MRV-B visas (2 of 44 and 2 of 36).
// It checks every check digit and the composite, reads document numbers
// longer than nine characters from the optional field, and splits names.
// It does no I/O.
package mrz

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Format is the layout of a machine-readable zone.
type Format string

// Formats.
const (
	TD1  Format = "TD1"
	TD2  Format = "TD2"
	TD3  Format = "TD3"
	MRVA Format = "MRV-A"
	MRVB Format = "MRV-B"
)

// Document is what a machine-readable zone says.
type Document struct {
	Format Format `json:"format"`
	// Code is the document code: P for passports, I, A or C for identity
	// documents, V for visas, with an optional second letter.
	Code         string `json:"code"`
	IssuingState string `json:"issuing_state"`
	Surname      string `json:"surname"`
	GivenNames   string `json:"given_names"`
	// Truncated is set when the name fills its field, so the name may have
	// been cut short: match it as a possible prefix.
	Truncated      bool   `json:"truncated"`
	DocumentNumber string `json:"document_number"`
	Nationality    string `json:"nationality"`
	// BirthDate and ExpiryDate are as written, YYMMDD, with '<' for unknown
	// digits.
	BirthDate  string `json:"birth_date"`
	Sex        string `json:"sex"`
	ExpiryDate string `json:"expiry_date"`
	// Optional holds the optional data fields as written (TD1 has two),
	// without the continuation of a long document number.
	Optional []string `json:"optional"`
}

// Name returns the name in reading order: given names, then surname.
func (d *Document) Name() string {
	return strings.TrimSpace(d.GivenNames + " " + d.Surname)
}

// Birth resolves the birth date against now: two-digit years are taken in
// the past. It returns "YYYY-MM-DD", "YYYY-MM" or "YYYY" as far as the MRZ
// knows the date, or "" if it does not.
func (d *Document) Birth(now time.Time) string {
	return resolve(d.BirthDate, now, false)
}

// Expiry resolves the expiry date: two-digit years are taken within the
// 50 years before and after now.
func (d *Document) Expiry(now time.Time) string {
	return resolve(d.ExpiryDate, now, true)
}

func resolve(yymmdd string, now time.Time, future bool) string {
	if len(yymmdd) != 6 || !digits(yymmdd[:2]) {
		return ""
	}
	yy := int(yymmdd[0]-'0')*10 + int(yymmdd[1]-'0')
	century := now.Year() / 100 * 100
	year := century + yy
	if future {
		if year > now.Year()+50 {
			year -= 100
		}
	} else if year > now.Year() {
		year -= 100
	}
	out := fmt.Sprintf("%04d", year)
	if !digits(yymmdd[2:4]) {
		return out
	}
	out += "-" + yymmdd[2:4]
	if !digits(yymmdd[4:6]) {
		return out
	}
	return out + "-" + yymmdd[4:6]
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Error is a problem in a machine-readable zone, naming the field (such as
// "document_number" or "composite") and, for malformed text, where it is.
type Error struct {
	Field string
	// Line and Column place malformed characters, from 1; zero otherwise.
	Line, Column int
	Msg          string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return e.Field + ": " + e.Msg
}

// CheckDigit computes the Doc 9303 check digit of s: weights 7, 3, 1
// repeating; digits count their value, letters A-Z 10 to 35, '<' zero.
func CheckDigit(s string) byte {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10)
}

// Parse reads a machine-readable zone: its lines separated by newlines, or
// run together on one line. Surrounding space and blank lines are ignored.
// When fields are readable but check digits fail, Parse returns the
// document it read together with an error joining one *Error per failed
// check, so an operator can see what was misread.
func Parse(text string) (*Document, error) {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 1 {
		switch n := len(lines[0]); n {
		case 90:
			lines = []string{lines[0][:30], lines[0][30:60], lines[0][60:]}
		case 72, 88:
			lines = []string{lines[0][:n/2], lines[0][n/2:]}
		}
	}
	for i, l := range lines {
		for j := 0; j < len(l); j++ {
			if c := l[j]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<') {
				return nil, &Error{Line: i + 1, Column: j + 1, Msg: fmt.Sprintf("%q is not an MRZ character (A-Z, 0-9, <)", rune(l[j]))}
			}
		}
	}
	shape := func(n, width int) bool {
		if len(lines) != n {
			return false
		}
		for _, l := range lines {
			if len(l) != width {
				return false
			}
		}
		return true
	}
	visa := len(lines) > 0 && strings.HasPrefix(lines[0], "V")
	switch {
	case shape(3, 30):
		return parseTD1(lines)
	case shape(2, 36):
		return parseTD2(lines, visa)
	case shape(2, 44):
		return parseTD3(lines, visa)
	}
	widths := make([]string, len(lines))
	for i, l := range lines {
		widths[i] = fmt.Sprint(len(l))
	}
	return nil, &Error{Field: "format", Msg: fmt.Sprintf("%d lines of %s characters is no MRZ layout (TD1: 3×30, TD2 and MRV-B: 2×36, TD3 and MRV-A: 2×44)",
		len(lines), strings.Join(widths, ", "))}
}

// checker collects check-digit failures.
type checker struct{ errs []error }

func (c *checker) check(field, data string, digit byte) {
	if digit == '<' && strings.Trim(data, "<") == "" {
		return // an empty optional field may leave its check digit blank
	}
	if want := CheckDigit(data); digit != want {
		c.errs = append(c.errs, &Error{Field: field, Msg: fmt.Sprintf("check digit is %c, but %q gives %c", digit, data, want)})
	}
}

func (c *checker) result(d *Document) (*Document, error) {
	return d, errors.Join(c.errs...)
}

func trim(s string) string { return strings.TrimRight(s, "<") }

// names splits SURNAME<<GIVEN<NAMES.
func (d *Document) names(field string) {
	surname, given, _ := strings.Cut(field, "<<")
	d.Surname = strings.ReplaceAll(trim(surname), "<", " ")
	d.GivenNames = strings.TrimSpace(strings.ReplaceAll(trim(given), "<", " "))
	d.Truncated = field[len(field)-1] != '<'
}

// number reads the document number and checks it. When long numbers are
// allowed and the check position holds '<', the number continues in the
// optional data; number returns what is left of that data.
func (c *checker) number(d *Document, number string, check byte, optional string, long bool) (string, error) {
	if check != '<' || !long {
		d.DocumentNumber = trim(number)
		c.check("document_number", number, check)
		return optional, nil
	}
	full, digit, rest, ok := longNumber(number, optional)
	if !ok {
		return "", &Error{Field: "document_number", Msg: "the check digit is '<' but the optional data does not continue the number"}
	}
	d.DocumentNumber = trim(full)
	c.check("document_number", full, digit)
	return rest, nil
}

// longNumber reads a document number that continues in the optional data:
// the number field's check position holds '<', and the optional field
// begins with the rest of the number and its check digit.
func longNumber(number string, optional string) (full string, check byte, rest string, ok bool) {
	cont, after, _ := strings.Cut(optional, "<")
	if len(cont) < 2 {
		return "", 0, "", false
	}
	return number + cont[:len(cont)-1], cont[len(cont)-1], after, true
}

func parseTD1(l []string) (*Document, error) {
	d := &Document{Format: TD1, Code: trim(l[0][0:2]), IssuingState: trim(l[0][2:5]), Nationality: trim(l[1][15:18]),
		BirthDate: l[1][0:6], Sex: trim(l[1][7:8]), ExpiryDate: l[1][8:14]}
	var c checker
	optional, err := c.number(d, l[0][5:14], l[0][14], l[0][15:30], true)
	if err != nil {
		return nil, err
	}
	d.Optional = []string{trim(optional), trim(l[1][18:29])}
	c.check("birth_date", l[1][0:6], l[1][6])
	c.check("expiry_date", l[1][8:14], l[1][14])
	c.check("composite", l[0][5:30]+l[1][0:7]+l[1][8:15]+l[1][18:29], l[1][29])
	d.names(l[2])
	return c.result(d)
}

func parseTD2(l []string, visa bool) (*Document, error) {
	d := &Document{Format: TD2, Code: trim(l[0][0:2]), IssuingState: trim(l[0][2:5]), Nationality: trim(l[1][10:13]),
		BirthDate: l[1][13:19], Sex: trim(l[1][20:21]), ExpiryDate: l[1][21:27]}
	d.names(l[0][5:36])
	var c checker
	optionalEnd := 35
	if visa {
		d.Format, optionalEnd = MRVB, 36
	}
	optional, err := c.number(d, l[1][0:9], l[1][9], l[1][28:optionalEnd], !visa)
	if err != nil {
		return nil, err
	}
	d.Optional = []string{trim(optional)}
	c.check("birth_date", l[1][13:19], l[1][19])
	c.check("expiry_date", l[1][21:27], l[1][27])
	if !visa {
		c.check("composite", l[1][0:10]+l[1][13:20]+l[1][21:35], l[1][35])
	}
	return c.result(d)
}

func parseTD3(l []string, visa bool) (*Document, error) {
	d := &Document{Format: TD3, Code: trim(l[0][0:2]), IssuingState: trim(l[0][2:5]), Nationality: trim(l[1][10:13]),
		BirthDate: l[1][13:19], Sex: trim(l[1][20:21]), ExpiryDate: l[1][21:27], DocumentNumber: trim(l[1][0:9])}
	d.names(l[0][5:44])
	var c checker
	c.check("document_number", l[1][0:9], l[1][9])
	c.check("birth_date", l[1][13:19], l[1][19])
	c.check("expiry_date", l[1][21:27], l[1][27])
	if visa {
		d.Format = MRVA
		d.Optional = []string{trim(l[1][28:44])}
		return c.result(d)
	}
	d.Optional = []string{trim(l[1][28:42])}
	c.check("personal_number", l[1][28:42], l[1][42])
	c.check("composite", l[1][0:10]+l[1][13:20]+l[1][21:43], l[1][43])
	return c.result(d)
}
