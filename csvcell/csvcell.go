// Package csvcell keeps the cells of the CSV files ctis writes from being
// read as formulas by a spreadsheet (CSV or formula injection). Every CSV
// that carries text someone else typed — a hash bank's labels, a screened
// name — goes through Guard, so that there is one rule for all of them.
package csvcell

import "strings"

// leaders are the first characters that make a spreadsheet read a cell as
// a formula, and the apostrophe that Guard itself puts in front.
const leaders = "=+-@'"

// Guard returns s with an apostrophe in front when it starts with =, +, -,
// @ or an apostrophe, so that a spreadsheet shows it as text; Unguard
// takes the apostrophe away again.
func Guard(s string) string {
	if s != "" && strings.ContainsRune(leaders, rune(s[0])) {
		return "'" + s
	}
	return s
}

// Unguard undoes Guard.
func Unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(leaders, rune(s[1])) {
		return s[1:]
	}
	return s
}

// Row guards every cell of a row in place and returns it.
func Row(row []string) []string {
	for i := range row {
		row[i] = Guard(row[i])
	}
	return row
}
