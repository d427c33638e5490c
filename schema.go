package ctis

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// PropertyType decides how a statement's value is validated and normalised.
type PropertyType string

// Property types.
const (
	TypeName       PropertyType = "name"       // a name as written, in its original script
	TypeDate       PropertyType = "date"       // YYYY, YYYY-MM or YYYY-MM-DD
	TypeCountry    PropertyType = "country"    // ISO 3166-1 alpha-2
	TypeIdentifier PropertyType = "identifier" // a document or registration number
	TypeText       PropertyType = "text"       // free text, or one of Values when they are given
	TypeEntity     PropertyType = "entity"     // the ID of another entity
)

// Property describes one property of a schema.
type Property struct {
	Name string       `json:"name"`
	Type PropertyType `json:"type"`
	// Values, when set, are the only values a text property accepts.
	Values []string `json:"values,omitempty"`
	// Range is the schema an entity reference must point to.
	Range string `json:"range,omitempty"`
}

// Schema is a kind of entity and the properties it may carry.
type Schema struct {
	Name       string     `json:"name"`
	Properties []Property `json:"properties"`
}

// Property returns the named property of s.
func (s *Schema) Property(name string) (Property, bool) {
	for _, p := range s.Properties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// Schemas is every schema ctis knows, by name.
var Schemas = map[string]*Schema{}

func init() {
	text := func(n string, values ...string) Property { return Property{Name: n, Type: TypeText, Values: values} }
	typed := func(n string, t PropertyType) Property { return Property{Name: n, Type: t} }
	ref := func(n, rng string) Property { return Property{Name: n, Type: TypeEntity, Range: rng} }
	// Properties of listed subjects: the list's own reference (such as the
	// UN's "QDi.299"), the sanctions programme and the listing date.
	listReference, program, listedOn := typed("listReference", TypeIdentifier), text("program"), typed("listedOn", TypeDate)
	for _, s := range []*Schema{
		{Name: "Person", Properties: []Property{
			typed("name", TypeName), typed("alias", TypeName), typed("weakAlias", TypeName), typed("previousName", TypeName),
			text("title"), typed("birthDate", TypeDate), text("birthPlace"),
			typed("deathDate", TypeDate), typed("nationality", TypeCountry), text("gender", "male", "female", "other", "unknown"),
			typed("passportNumber", TypeIdentifier), typed("idNumber", TypeIdentifier), text("address"), text("position"),
			ref("memberOf", "Organization"), listReference, program, listedOn, text("notes"),
		}},
		{Name: "Organization", Properties: []Property{
			typed("name", TypeName), typed("alias", TypeName), typed("weakAlias", TypeName), typed("previousName", TypeName),
			typed("country", TypeCountry), typed("jurisdiction", TypeCountry),
			typed("registrationNumber", TypeIdentifier), typed("foundingDate", TypeDate), ref("parent", "Organization"),
			text("address"), listReference, program, listedOn, text("notes"),
		}},
		{Name: "Document", Properties: []Property{
			typed("number", TypeIdentifier),
			text("documentType", "passport", "id_card", "visa", "residence_permit", "travel_document", "other"),
			typed("issuingCountry", TypeCountry), ref("holder", "Person"), typed("holderName", TypeName),
			typed("issueDate", TypeDate), typed("expiryDate", TypeDate),
			text("status", "valid", "stolen", "lost", "revoked", "stolen_blank", "invalidated"), text("notes"),
		}},
		{Name: "Movement", Properties: []Property{
			ref("person", "Person"), ref("document", "Document"), text("from"), text("to"), text("via"),
			typed("fromCountry", TypeCountry), typed("toCountry", TypeCountry), typed("viaCountry", TypeCountry),
			typed("departureDate", TypeDate), typed("arrivalDate", TypeDate), typed("carrier", TypeIdentifier),
			typed("flight", TypeIdentifier), text("notes"),
		}},
		{Name: "ModusOperandi", Properties: []Property{
			text("title"), text("description"),
			text("category", "attack", "financing", "travel", "recruitment", "propaganda", "logistics", "cyber", "other"),
			text("weapon"), text("target"), typed("region", TypeCountry), typed("firstSeen", TypeDate),
			ref("organization", "Organization"), text("notes"),
		}},
	} {
		Schemas[s.Name] = s
	}
}

// SchemaNames lists the schema names in order.
func SchemaNames() []string {
	var out []string
	for n := range Schemas {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Value limits.
const (
	MaxNameLen = 300
	MaxTextLen = 10000
	MaxIDLen   = 100
)

// NormalizeValue validates v as a value of p and returns it in canonical
// form. Errors name the field "value".
func NormalizeValue(p Property, v string) (string, error) {
	if !utf8.ValidString(v) {
		return "", Invalid("value", "value is not valid UTF-8")
	}
	v = strings.TrimSpace(norm.NFC.String(v))
	if v == "" {
		return "", Invalid("value", "value is empty")
	}
	switch p.Type {
	case TypeName:
		v = strings.Join(strings.Fields(v), " ")
		if utf8.RuneCountInString(v) > MaxNameLen {
			return "", Invalid("value", "name is longer than %d characters", MaxNameLen)
		}
		if hasControl(v, false) {
			return "", Invalid("value", "name contains control characters")
		}
		return v, nil
	case TypeDate:
		if err := ValidDate(v); err != nil {
			return "", err
		}
		return v, nil
	case TypeCountry:
		c := strings.ToUpper(v)
		if !ValidCountry(c) {
			return "", Invalid("value", "%q is not an ISO 3166-1 alpha-2 country code", v)
		}
		return c, nil
	case TypeIdentifier:
		if len(v) > MaxIDLen || hasControl(v, false) {
			return "", Invalid("value", "identifier must be at most %d bytes without control characters", MaxIDLen)
		}
		return v, nil
	case TypeEntity:
		if !ValidID(v) {
			return "", Invalid("value", "%q is not an entity ID", v)
		}
		return v, nil
	default:
		if len(p.Values) > 0 {
			if !slices.Contains(p.Values, v) {
				return "", Invalid("value", "%q is not one of %s", v, strings.Join(p.Values, ", "))
			}
			return v, nil
		}
		if utf8.RuneCountInString(v) > MaxTextLen || hasControl(v, true) {
			return "", Invalid("value", "text must be at most %d characters without control characters", MaxTextLen)
		}
		return v, nil
	}
}

func hasControl(s string, allowNewline bool) bool {
	for _, r := range s {
		if allowNewline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// ValidDate checks a date value. It is a full or partial date — "1971",
// "1971-07" or "1971-07-28" — between the years 1800 and 2200, as in the
// Extended Date/Time Format (ISO 8601-2, EDTF level 1) optionally marked
// approximate ("1971~"), uncertain ("1971?") or both ("1971%"), or an
// interval of two such dates, earlier first ("1973/1974").
func ValidDate(v string) error {
	from, to, interval := strings.Cut(v, "/")
	if !interval {
		return validDate(v)
	}
	if err := validDate(from); err != nil {
		return err
	}
	if err := validDate(to); err != nil {
		return err
	}
	if strings.TrimRight(from, "~?%") > strings.TrimRight(to, "~?%") {
		return Invalid("value", "interval %q ends before it starts", v)
	}
	return nil
}

func validDate(v string) error {
	d := strings.TrimRight(v, "~?%")
	if len(v)-len(d) > 1 {
		return Invalid("value", "date %q has more than one qualifier", v)
	}
	var layout string
	switch len(d) {
	case 4:
		layout = "2006"
	case 7:
		layout = "2006-01"
	case 10:
		layout = "2006-01-02"
	default:
		return Invalid("value", "date %q must be YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~ or ?, or an interval A/B", v)
	}
	t, err := time.Parse(layout, d)
	if err != nil {
		return Invalid("value", "date %q is not a real date", v)
	}
	if t.Year() < 1800 || t.Year() > 2200 {
		return Invalid("value", "date %q is out of range", v)
	}
	return nil
}

// ValidDay reports whether s is a plain full date, YYYY-MM-DD.
func ValidDay(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil && len(s) == 10
}

// FoldIdentifier returns the search key of an identifier: upper-case
// letters and digits only, so "A 123-45" and "a12345" meet.
func FoldIdentifier(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Key returns the search key stored beside a value of type t.
func Key(t PropertyType, v string) string {
	switch t {
	case TypeName, TypeText:
		return Fold(v)
	case TypeIdentifier:
		return FoldIdentifier(v)
	}
	return v
}
