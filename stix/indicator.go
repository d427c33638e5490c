package stix

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"ctis"
	"ctis/jsonl"
)

// ExtHashEntry is the extension that carries a hash-bank entry's own
// record on its indicator: what the pattern and the markings do not say.
const ExtHashEntry = "extension-definition--d02ccd1e-b59c-5b3c-ba0b-e5108217779d"

// An Indicator is a hash-bank entry read from a bundle, with the
// handling of the bank it was exported from.
type Indicator struct {
	Entry    ctis.HashEntry
	Handling ctis.Handling
}

// hashEntryExt is the ctis hash entry extension of an indicator. The
// entry's type and value are its pattern; its bank's handling, its
// markings. Who added it and what members said of its matches stay at
// the node.
type hashEntryExt struct {
	ExtensionType string           `json:"extension_type"`
	ID            string           `json:"id"`
	Bank          string           `json:"bank"`
	Quality       *int             `json:"quality,omitempty"`
	Entity        string           `json:"entity,omitempty"`
	Behaviours    []ctis.Behaviour `json:"behaviours,omitempty"`
	ContentType   string           `json:"content_type,omitempty"`
	Contributor   string           `json:"contributor"`
	AddedAt       string           `json:"added_at"`
	UpdatedAt     string           `json:"updated_at"`
	Disabled      bool             `json:"disabled,omitempty"`
}

func hashEntryDefinition() object {
	return object{Type: "extension-definition", SpecVersion: "2.1", ID: ExtHashEntry, CreatedByRef: Creator, Created: definedAt, Modified: definedAt,
		Name: "ctis hash entry", Version: "1.0.0", ExtensionTypes: []string{"property-extension"},
		Schema: "An entry of a ctis hash bank, on the indicator whose pattern holds its hash (file:hashes.MD5, file:hashes.'SHA-256', " +
			"file:hashes.x_pdq for a PDQ hash, 64 hex digits) or URL (url:value): id and bank (ctis IDs), quality (0-100, of a PDQ " +
			"hash), entity (the terrorist entity behind the content), behaviours, content_type, contributor (agency code), added_at " +
			"and updated_at (RFC 3339), disabled. The bank's handling is the ctis handling marking that applies to the indicator."}
}

// entryIndicatorID is the identifier of the indicator of an entry.
func entryIndicatorID(entryID string) string { return "indicator--" + uuid5("hash entry:"+entryID) }

// urlScheme is written before a URL entry's value, which is kept without
// one (ctis.NormalizeURL), so that the pattern holds a URL as STIX
// requires of url:value.
const urlScheme = "https://"

// IndicatorObjects returns the STIX objects of a bank's entries, encoded,
// in bundle order: ctis's identity and extension definitions, the TLP and
// ctis handling markings of the bank's handling, then an indicator for
// each entry, in entry ID order. Each indicator's pattern matches the
// entry's hash or URL; it is valid from when the entry was added, and a
// disabled entry's until it was last changed. Video entries (vPDQ) are
// left out: STIX patterns have no form for a list of frame hashes.
func IndicatorObjects(bank ctis.HashBank, entries []ctis.HashEntry) ([]json.RawMessage, error) {
	x := handlingExt{ExtensionType: "property-extension", Distribution: string(bank.Handling.Distribution), Agencies: bank.Handling.Agencies,
		Group: bank.Handling.Group, Frontline: bank.Handling.Frontline, HitNotice: bank.Handling.HitNotice,
		Restriction: string(bank.Handling.Restriction), RestrictionText: bank.Handling.RestrictionText}
	tlp := TLPFor(bank.Handling)
	marks := []string{tlp.ID, x.markingID()}
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b ctis.HashEntry) int { return strings.Compare(a.ID, b.ID) })

	var out []json.RawMessage
	add := func(v any) error {
		b, err := marshal(v)
		if err == nil {
			out = append(out, b)
		}
		return err
	}
	for _, o := range append(ctisDefinitions(), hashEntryDefinition()) {
		if err := add(o); err != nil {
			return nil, err
		}
	}
	if err := add(tlpObject(tlp)); err != nil {
		return nil, err
	}
	hb, err := marshal(x)
	if err != nil {
		return nil, err
	}
	m := object{Type: "marking-definition", SpecVersion: "2.1", ID: marks[1], CreatedByRef: Creator, Created: definedAt, Name: x.name(),
		Extensions: map[string]json.RawMessage{ExtHandling: hb}}
	if err := add(m); err != nil {
		return nil, err
	}
	for i := range entries {
		if entries[i].Type == ctis.HashVPDQ {
			continue
		}
		o, err := indicator(bank, &entries[i], marks)
		if err != nil {
			return nil, err
		}
		if err := add(o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WriteIndicators writes a bank's entries to w as one STIX 2.1 bundle,
// one object a line, as IndicatorObjects gives them.
func WriteIndicators(w io.Writer, bank ctis.HashBank, entries []ctis.HashEntry) error {
	objs, err := IndicatorObjects(bank, entries)
	if err != nil {
		return err
	}
	return writeBundle(w, objs)
}

func indicator(bank ctis.HashBank, e *ctis.HashEntry, marks []string) (object, error) {
	if e.Bank != bank.ID {
		return object{}, ctis.Invalid("bank", "entry %s is of bank %s, not %s", e.ID, e.Bank, bank.ID)
	}
	literal := e.Value
	if e.Type == ctis.HashURL {
		// A value that would not come back as itself is refused here
		// rather than changed on the way.
		literal = urlScheme + e.Value
		if v, err := ctis.NormalizeURL(literal); err != nil || v != e.Value {
			return object{}, ctis.Invalid("value", "entry %s: URL %q is not in canonical form", e.ID, e.Value)
		}
	}
	pattern := FormatPattern(e.Type, literal)
	if pattern == "" {
		return object{}, ctis.Invalid("type", "entry %s: hash type %q has no STIX pattern", e.ID, e.Type)
	}
	updated := e.UpdatedAt
	if updated.Before(e.AddedAt) {
		updated = e.AddedAt
	}
	ext := hashEntryExt{ExtensionType: "property-extension", ID: e.ID, Bank: e.Bank, Quality: e.Quality, Entity: e.Labels.Entity,
		Behaviours: e.Labels.Behaviours, ContentType: e.Labels.ContentType, Contributor: e.Contributor,
		AddedAt: exactTime(e.AddedAt), UpdatedAt: exactTime(e.UpdatedAt), Disabled: e.Disabled}
	b, err := marshal(ext)
	if err != nil {
		return object{}, err
	}
	o := object{Type: "indicator", SpecVersion: "2.1", ID: entryIndicatorID(e.ID), Created: stamp(e.AddedAt), Modified: stamp(updated),
		Name: string(e.Type) + " " + e.Value, IndicatorTypes: []string{"malicious-activity"},
		Pattern: pattern, PatternType: "stix", PatternVersion: "2.1", ValidFrom: stamp(e.AddedAt),
		ObjectMarkingRefs: marks, Extensions: map[string]json.RawMessage{ExtHashEntry: b}}
	if e.Labels.Entity != "" {
		o.IndicatorTypes = append(o.IndicatorTypes, "attribution")
	}
	for _, bh := range e.Labels.Behaviours {
		o.Labels = append(o.Labels, string(bh))
	}
	if e.Disabled {
		// Valid until it was disabled, its last change; STIX wants
		// valid_until after valid_from.
		until := stamp(updated)
		if until == o.ValidFrom {
			until = stamp(e.AddedAt.Truncate(time.Millisecond).Add(time.Millisecond))
		}
		o.ValidUntil = until
	}
	return o, nil
}

// ReadIndicators reads one STIX 2.1 bundle of hash-bank entries of at
// most max bytes (MaxBundle when max is 0), as WriteIndicators writes
// them, and returns each entry with the handling of the bank it came
// from. It reads as Read does — strictly, all or nothing, naming the
// object of an error — and refuses a bundle that holds entities.
func ReadIndicators(r io.Reader, max int64) ([]Indicator, error) {
	data, err := readBundle(r, max)
	if err != nil {
		return nil, err
	}
	objects, err := bundleObjects(data)
	if err != nil {
		return nil, err
	}
	rd, err := decode(objects, true)
	if err != nil {
		return nil, err
	}
	out := make([]Indicator, 0, len(rd.indicators))
	ids := map[string]bool{}
	for _, in := range rd.indicators {
		x, err := rd.handling("entry "+in.entry.ID, in.obj.ObjectMarkingRefs)
		if err == nil && (x.Grading != "" || x.ReviewBy != "") {
			err = ctis.Invalid("handling", "entry %s is marked with a grading or a review date, which a hash bank has not", in.entry.ID)
		}
		if err == nil && ids[in.entry.ID] {
			err = ctis.Invalid(entryField("id"), "entry %s is given twice", in.entry.ID)
		}
		if err != nil {
			return nil, &ObjectError{Index: in.index, ID: in.obj.ID, Err: err}
		}
		ids[in.entry.ID] = true
		out = append(out, Indicator{Entry: in.entry, Handling: x.handling()})
	}
	slices.SortFunc(out, func(a, b Indicator) int { return strings.Compare(a.Entry.ID, b.Entry.ID) })
	return out, nil
}

type readIndicator struct {
	index int
	obj   object
	entry ctis.HashEntry
}

func entryField(f string) string { return "extensions." + ExtHashEntry + "." + f }

// indicator reads an indicator: its pattern and its ctis hash entry
// extension, each strictly.
func (rd *reading) indicator(i int, o object) error {
	raw, ok := o.Extensions[ExtHashEntry]
	if !ok {
		return ctis.Invalid("extensions", "an indicator without the ctis hash entry extension (%s) is not a hash-bank entry ctis can store", ExtHashEntry)
	}
	var x hashEntryExt
	if err := jsonl.DecodeStrict(raw, &x); err != nil {
		return ctis.Prefix("extensions."+ExtHashEntry, err)
	}
	if x.ExtensionType != "property-extension" {
		return ctis.Invalid(entryField("extension_type"), "must be \"property-extension\", got %q", x.ExtensionType)
	}
	if o.PatternType != "stix" {
		return ctis.Invalid("pattern_type", "ctis reads STIX patterns, not %q", o.PatternType)
	}
	if o.PatternVersion != "" && o.PatternVersion != "2.1" {
		return ctis.Invalid("pattern_version", "ctis reads STIX 2.1 patterns, not %q", o.PatternVersion)
	}
	if len(o.GranularMarkings) > 0 {
		return ctis.Invalid("granular_markings", "an entry is marked as a whole, by object_marking_refs")
	}
	typ, literal, err := ParsePattern(o.Pattern)
	if err != nil {
		return err
	}
	if typ == ctis.HashURL {
		if !strings.HasPrefix(literal, urlScheme) {
			return ctis.Invalid("pattern", "a URL entry's pattern holds its canonical form after %s", urlScheme)
		}
		literal = strings.TrimPrefix(literal, urlScheme)
	}
	if !ctis.ValidID(x.ID) {
		return ctis.Invalid(entryField("id"), "%q is not a ctis ID", x.ID)
	}
	if want := entryIndicatorID(x.ID); o.ID != want {
		return ctis.Invalid("id", "the identifier of entry %s is %s", x.ID, want)
	}
	if !ctis.ValidID(x.Bank) {
		return ctis.Invalid(entryField("bank"), "%q is not a ctis ID", x.Bank)
	}
	if !ctis.ValidAgencyCode(x.Contributor) {
		return ctis.Invalid(entryField("contributor"), "%q is not an agency code", x.Contributor)
	}
	e := ctis.HashEntry{ID: x.ID, Bank: x.Bank, Type: typ, Value: literal, Quality: x.Quality, Contributor: x.Contributor, Disabled: x.Disabled,
		Labels: ctis.HashLabels{Entity: x.Entity, Behaviours: slices.Clone(x.Behaviours), ContentType: x.ContentType}}
	for _, t := range []struct {
		field string
		v     string
		to    *time.Time
	}{{"added_at", x.AddedAt, &e.AddedAt}, {"updated_at", x.UpdatedAt, &e.UpdatedAt}} {
		at, err := time.Parse(time.RFC3339Nano, t.v)
		if err != nil {
			return ctis.Invalid(entryField(t.field), "%q is not an RFC 3339 time", t.v)
		}
		*t.to = at
	}
	canonical := e
	canonical.Labels.Behaviours = slices.Clone(e.Labels.Behaviours)
	if err := canonical.Validate(); err != nil {
		if f := ctis.ErrorField(err); f == "value" || f == "type" {
			return ctis.Prefix("pattern", err)
		}
		return ctis.Prefix("extensions."+ExtHashEntry, err)
	}
	if canonical.Value != e.Value {
		return ctis.Invalid("pattern", "%q is not in canonical form (%q)", e.Value, canonical.Value)
	}
	if canonical.Labels.Entity != e.Labels.Entity || canonical.Labels.ContentType != e.Labels.ContentType ||
		!slices.Equal(canonical.Labels.Behaviours, e.Labels.Behaviours) {
		return ctis.Invalid(entryField("behaviours"), "labels must be in canonical form: behaviours known, lower case, sorted and given once")
	}
	rd.indicators = append(rd.indicators, readIndicator{index: i, obj: o, entry: e})
	return nil
}

// NewHashEntries turns entries read from a bundle into what agency adds
// to bank. The bank's handling must be the one the entries were exported
// under, for entries take their bank's handling and a wider one would
// release them further than their bank did; and every entry must be
// agency's own, as with statements, for an import makes the importer the
// contributor. Disabled entries are left out and counted.
func NewHashEntries(in []Indicator, bank ctis.HashBank, agency string) ([]ctis.HashEntry, int, error) {
	var out []ctis.HashEntry
	disabled := 0
	for i, x := range in {
		e := x.Entry
		if !sameHandling(x.Handling, bank.Handling) {
			return nil, 0, ctis.Errorf(ctis.EFORBIDDEN, "entry %s (%d in the bundle) was exported under the handling %s; bank %s %q is %s: "+
				"import into a bank of the same handling, so that no entry reaches anyone its bank did not release it to; nothing was imported",
				e.ID, i+1, handlingName(x.Handling), bank.ID, bank.Name, handlingName(bank.Handling))
		}
		if e.Contributor != agency {
			return nil, 0, ctis.Errorf(ctis.EFORBIDDEN, "entry %s (%d in the bundle) was contributed by %s; an import by %s may store only %s's own "+
				"entries, so nothing was imported", e.ID, i+1, e.Contributor, agency, agency)
		}
		if e.Disabled {
			disabled++
			continue
		}
		out = append(out, ctis.HashEntry{Type: e.Type, Value: e.Value, Quality: e.Quality, Labels: e.Labels})
	}
	return out, disabled, nil
}

func sameHandling(a, b ctis.Handling) bool {
	return a.Distribution == b.Distribution && slices.Equal(a.Agencies, b.Agencies) && a.Group == b.Group && a.Frontline == b.Frontline &&
		a.HitNotice == b.HitNotice && a.Restriction == b.Restriction && a.RestrictionText == b.RestrictionText
}

func handlingName(h ctis.Handling) string {
	x := handlingExt{Distribution: string(h.Distribution), Agencies: h.Agencies, Group: h.Group, Frontline: h.Frontline,
		HitNotice: h.HitNotice, Restriction: string(h.Restriction), RestrictionText: h.RestrictionText}
	return strings.TrimPrefix(x.name(), "ctis handling: ")
}
