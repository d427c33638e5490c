// Package unlist reads the UN Security Council Consolidated Sanctions List
// in its XML form (schema sc-sanctions.xsd): individuals and entities with
// every alias and its quality, original-script names, each form of date of
// birth, places of birth, nationalities, documents, addresses, reference
// numbers, regimes and listing dates. It does no I/O beyond its reader.
package unlist

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Kind says whether an entry is a person or an organisation.
type Kind string

// Entry kinds.
const (
	Individual Kind = "individual"
	Entity     Kind = "entity"
)

// List is one issue of the consolidated list.
type List struct {
	Generated time.Time
	Entries   []Entry
}

// Entry is one listed individual or entity.
type Entry struct {
	Kind Kind
	// DataID identifies the entry across issues of the list.
	DataID  string
	Version int
	// Reference is the UN reference number, such as "QDi.299".
	Reference string
	// Regime is the sanctions regime (UN_LIST_TYPE), such as "Al-Qaida".
	Regime   string
	ListedOn string
	Updated  []string
	// NameParts are FIRST_NAME to FOURTH_NAME as listed; Name joins them.
	NameParts          []string
	Name               string
	NameOriginalScript string
	Titles             []string
	Designations       []string
	Gender             string
	Comments           string
	Nationalities      []string
	Aliases            []Alias
	BirthDates         []BirthDate
	BirthPlaces        []Place
	Addresses          []Place
	Documents          []Document
}

// AliasQuality is how sure the Committee is of an alias.
type AliasQuality string

// Alias qualities as the list spells them.
const (
	Good AliasQuality = "good"
	Low  AliasQuality = "low"
	AKA  AliasQuality = "a.k.a."
	FKA  AliasQuality = "f.k.a."
)

// Alias is another name of an entry.
type Alias struct {
	Name    string
	Quality AliasQuality
	// Birth details that the list gives for some aliases only.
	DateOfBirth, CityOfBirth, CountryOfBirth string
	Note                                     string
}

// DateKind is how exact a date of birth is.
type DateKind string

// Date-of-birth kinds.
const (
	Exact         DateKind = "exact"
	Approximately DateKind = "approximately"
	Between       DateKind = "between"
)

// BirthDate is one listed date of birth: a full date or a year, exact or
// approximate, or a range of years.
type BirthDate struct {
	Kind DateKind
	// Date is YYYY-MM-DD or YYYY; empty for a range.
	Date     string
	From, To string
	Note     string
}

// Place is an address or a place of birth.
type Place struct {
	Street, City, StateProvince, ZipCode, Country, Note string
}

// Document is a passport, identity card or other document.
type Document struct {
	Type, Type2, Number                                 string
	IssuingCountry, CountryOfIssue, CityOfIssue, Issued string
	Note                                                string
}

// The XML as published. Unknown elements are ignored, so later editions of
// the schema still read.
type values struct {
	Values []string `xml:"VALUE"`
}

type xmlEntry struct {
	DataID       string     `xml:"DATAID"`
	Version      string     `xml:"VERSIONNUM"`
	First        string     `xml:"FIRST_NAME"`
	Second       string     `xml:"SECOND_NAME"`
	Third        string     `xml:"THIRD_NAME"`
	Fourth       string     `xml:"FOURTH_NAME"`
	Original     string     `xml:"NAME_ORIGINAL_SCRIPT"`
	Regime       string     `xml:"UN_LIST_TYPE"`
	Reference    string     `xml:"REFERENCE_NUMBER"`
	ListedOn     string     `xml:"LISTED_ON"`
	Gender       string     `xml:"GENDER"`
	Comments     string     `xml:"COMMENTS1"`
	Titles       values     `xml:"TITLE"`
	Designations values     `xml:"DESIGNATION"`
	Nationality  values     `xml:"NATIONALITY"`
	Updated      values     `xml:"LAST_DAY_UPDATED"`
	Aliases      []xmlAlias `xml:"INDIVIDUAL_ALIAS"`
	EntAliases   []xmlAlias `xml:"ENTITY_ALIAS"`
	Addresses    []xmlPlace `xml:"INDIVIDUAL_ADDRESS"`
	EntAddresses []xmlPlace `xml:"ENTITY_ADDRESS"`
	BirthDates   []xmlDOB   `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	BirthPlaces  []xmlPlace `xml:"INDIVIDUAL_PLACE_OF_BIRTH"`
	Documents    []xmlDoc   `xml:"INDIVIDUAL_DOCUMENT"`
}

type xmlAlias struct {
	Quality        string `xml:"QUALITY"`
	Name           string `xml:"ALIAS_NAME"`
	DateOfBirth    string `xml:"DATE_OF_BIRTH"`
	CityOfBirth    string `xml:"CITY_OF_BIRTH"`
	CountryOfBirth string `xml:"COUNTRY_OF_BIRTH"`
	Note           string `xml:"NOTE"`
}

type xmlPlace struct {
	Street        string `xml:"STREET"`
	City          string `xml:"CITY"`
	StateProvince string `xml:"STATE_PROVINCE"`
	ZipCode       string `xml:"ZIP_CODE"`
	Country       string `xml:"COUNTRY"`
	Note          string `xml:"NOTE"`
}

type xmlDOB struct {
	Type string `xml:"TYPE_OF_DATE"`
	Date string `xml:"DATE"`
	Year string `xml:"YEAR"`
	From string `xml:"FROM_YEAR"`
	To   string `xml:"TO_YEAR"`
	Note string `xml:"NOTE"`
}

type xmlDoc struct {
	Type           string `xml:"TYPE_OF_DOCUMENT"`
	Type2          string `xml:"TYPE_OF_DOCUMENT2"`
	Number         string `xml:"NUMBER"`
	IssuingCountry string `xml:"ISSUING_COUNTRY"`
	CountryOfIssue string `xml:"COUNTRY_OF_ISSUE"`
	CityOfIssue    string `xml:"CITY_OF_ISSUE"`
	Issued         string `xml:"DATE_OF_ISSUE"`
	Note           string `xml:"NOTE"`
}

// Error is a problem in the list, placed by line and element.
type Error struct {
	Line    int
	Element string
	// DataID is the entry's DATAID when it is known.
	DataID string
	Msg    string
}

func (e *Error) Error() string {
	where := fmt.Sprintf("line %d: <%s>", e.Line, e.Element)
	if e.DataID != "" {
		where += " (DATAID " + e.DataID + ")"
	}
	return where + ": " + e.Msg
}

// Parse reads a consolidated list. Malformed XML, a document that is not a
// consolidated list, an entry without DATAID, reference or name, and a
// duplicate DATAID are errors naming the line and element; values the
// reader does not know (a new alias quality, say) are kept as written.
func Parse(r io.Reader) (*List, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = true
	l := &List{}
	seen := map[string]bool{}
	depth, root := 0, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			return nil, &Error{Line: line, Element: "?", Msg: "malformed XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := dec.InputPos()
			depth++
			switch {
			case depth == 1 && t.Name.Local != "CONSOLIDATED_LIST":
				return nil, &Error{Line: line, Element: t.Name.Local, Msg: "not a UN consolidated list"}
			case depth == 1:
				root = true
				for _, a := range t.Attr {
					if a.Name.Local == "dateGenerated" {
						g, err := time.Parse(time.RFC3339Nano, a.Value)
						if err != nil {
							return nil, &Error{Line: line, Element: t.Name.Local, Msg: fmt.Sprintf("dateGenerated %q is not a timestamp", a.Value)}
						}
						l.Generated = g
					}
				}
			case depth == 3 && (t.Name.Local == "INDIVIDUAL" || t.Name.Local == "ENTITY"):
				var x xmlEntry
				if err := dec.DecodeElement(&x, &t); err != nil {
					at, _ := dec.InputPos()
					return nil, &Error{Line: at, Element: t.Name.Local, Msg: "malformed XML: " + err.Error()}
				}
				depth--
				kind := Individual
				if t.Name.Local == "ENTITY" {
					kind = Entity
				}
				e, msg := x.entry(kind)
				switch {
				case msg != "":
					return nil, &Error{Line: line, Element: t.Name.Local, DataID: e.DataID, Msg: msg}
				case seen[e.DataID]:
					return nil, &Error{Line: line, Element: t.Name.Local, DataID: e.DataID, Msg: "DATAID appears twice"}
				}
				seen[e.DataID] = true
				l.Entries = append(l.Entries, e)
			}
		case xml.EndElement:
			depth--
		}
	}
	if !root {
		return nil, &Error{Line: 1, Element: "CONSOLIDATED_LIST", Msg: "not a UN consolidated list: the element is missing"}
	}
	return l, nil
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// xsdDate drops the time zone that xsd:date values may carry
// ("2015-04-07-04:00"): a listing or birth date is a calendar day.
func xsdDate(s string) string {
	s = clean(s)
	if len(s) > 10 && s[4] == '-' && s[7] == '-' && strings.ContainsAny(s[10:11], "Z+-") {
		return s[:10]
	}
	return s
}

func cleanAll(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = clean(v); v != "" && v != "na" {
			out = append(out, v)
		}
	}
	return out
}

// entry converts an entry, or says what is wrong with it.
func (x *xmlEntry) entry(kind Kind) (Entry, string) {
	e := Entry{
		Kind: kind, DataID: clean(x.DataID), Reference: clean(x.Reference), Regime: clean(x.Regime),
		ListedOn: xsdDate(x.ListedOn), Updated: cleanAll(x.Updated.Values), NameOriginalScript: clean(x.Original),
		Titles: cleanAll(x.Titles.Values), Designations: cleanAll(x.Designations.Values), Gender: clean(x.Gender),
		Comments: strings.TrimSpace(x.Comments), Nationalities: cleanAll(x.Nationality.Values),
		NameParts: cleanAll([]string{x.First, x.Second, x.Third, x.Fourth}),
	}
	e.Name = strings.Join(e.NameParts, " ")
	switch {
	case e.DataID == "":
		return e, "DATAID is missing"
	case e.Reference == "":
		return e, "REFERENCE_NUMBER is missing"
	case e.Name == "":
		return e, "the entry has no name (FIRST_NAME)"
	}
	if v := clean(x.Version); v != "" {
		if _, err := fmt.Sscanf(v, "%d", &e.Version); err != nil {
			return e, fmt.Sprintf("VERSIONNUM %q is not a number", v)
		}
	}
	for _, a := range append(x.Aliases, x.EntAliases...) {
		for _, name := range splitPacked(clean(a.Name)) {
			e.Aliases = append(e.Aliases, Alias{Name: name, Quality: AliasQuality(strings.ToLower(clean(a.Quality))),
				DateOfBirth: clean(a.DateOfBirth), CityOfBirth: clean(a.CityOfBirth), CountryOfBirth: clean(a.CountryOfBirth), Note: clean(a.Note)})
		}
	}
	for _, d := range x.BirthDates {
		b := BirthDate{Kind: DateKind(strings.ToLower(clean(d.Type))), Note: clean(d.Note)}
		switch {
		case clean(d.Date) != "":
			b.Date = xsdDate(d.Date)
		case clean(d.Year) != "":
			b.Date = clean(d.Year)
		case clean(d.From) != "" || clean(d.To) != "":
			b.From, b.To = clean(d.From), clean(d.To)
			b.Kind = Between
		default:
			continue // an empty element, as the list has for unknown dates
		}
		if b.Kind == "" {
			b.Kind = Exact
		}
		e.BirthDates = append(e.BirthDates, b)
	}
	for _, p := range x.BirthPlaces {
		if pl := p.place(); pl != (Place{}) {
			e.BirthPlaces = append(e.BirthPlaces, pl)
		}
	}
	for _, p := range append(x.Addresses, x.EntAddresses...) {
		if pl := p.place(); pl != (Place{}) {
			e.Addresses = append(e.Addresses, pl)
		}
	}
	for _, d := range x.Documents {
		doc := Document{Type: clean(d.Type), Type2: clean(d.Type2), Number: clean(d.Number), IssuingCountry: clean(d.IssuingCountry),
			CountryOfIssue: clean(d.CountryOfIssue), CityOfIssue: clean(d.CityOfIssue), Issued: clean(d.Issued), Note: clean(d.Note)}
		if doc != (Document{}) {
			e.Documents = append(e.Documents, doc)
		}
	}
	return e, ""
}

func (p xmlPlace) place() Place {
	pl := Place{Street: clean(p.Street), City: clean(p.City), StateProvince: clean(p.StateProvince), ZipCode: clean(p.ZipCode), Country: clean(p.Country), Note: clean(p.Note)}
	if pl.Country == "na" {
		pl.Country = ""
	}
	return pl
}

// splitPacked splits an alias field that packs several names into them.
// The list does this in three ways: names separated by semicolons
// ("Javad Rahigi; Jawad Rahigi"); a name followed by its other spellings
// in parentheses ("حسن غول (Hassan Ghul; Hassan Gul)"), the original
// script among them marked "(original script)"; and, rarely, an
// enumeration ("…Sabet b) M. Javad Kareemi Sabet"). A field without a
// semicolon is one name, parentheses and all ("Encep Nurjaman (birth
// name)"). Names are returned once each, in the list's order.
func splitPacked(field string) []string {
	if !strings.Contains(field, ";") {
		if field == "" {
			return nil
		}
		return []string{field}
	}
	var parts []string
	if head, inner, ok := trailingGroup(field); ok {
		parts = append([]string{head}, splitTop(inner)...)
	} else {
		parts = splitTop(field)
	}
	var out []string
	add := func(n string) {
		n = clean(strings.TrimSuffix(clean(n), "(original script)"))
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, p := range parts {
		for _, n := range enumerated.Split(p, -1) {
			add(n)
		}
	}
	return out
}

// enumerated separates the items of an enumeration: " b) ", " c) ".
var enumerated = regexp.MustCompile(`\s[b-h]\)\s`)

// trailingGroup splits "Head (A; B)" into "Head" and "A; B", when the
// parenthesised group ends the field and holds a semicolon of its own.
func trailingGroup(s string) (head, inner string, ok bool) {
	if !strings.HasSuffix(s, ")") {
		return "", "", false
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				inner = s[i+1 : len(s)-1]
				if len(splitTop(inner)) < 2 {
					return "", "", false
				}
				return strings.TrimSpace(s[:i]), inner, true
			}
		}
	}
	return "", "", false
}

// splitTop splits s at the semicolons outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, from := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth = max(depth-1, 0)
		case ';':
			if depth == 0 {
				out = append(out, s[from:i])
				from = i + 1
			}
		}
	}
	return append(out, s[from:])
}
