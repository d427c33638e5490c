package stix

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/jsonl"
)

// MaxBundle is the largest bundle Read accepts when not told otherwise.
const MaxBundle = 64 << 20

// ObjectError is an error in one object of a bundle.
type ObjectError struct {
	Index int    // the object's position in the bundle's objects, from 0
	ID    string // the object's identifier, when it has one
	Err   error
}

func (e *ObjectError) Error() string {
	where := "objects[" + strconv.Itoa(e.Index) + "]"
	if e.ID != "" {
		where += " (" + e.ID + ")"
	}
	if f := ctis.ErrorField(e.Err); f != "" {
		return fmt.Sprintf("%s: %s: %s", where, f, ctis.ErrorMessage(e.Err))
	}
	return fmt.Sprintf("%s: %s", where, ctis.ErrorMessage(e.Err))
}

func (e *ObjectError) Unwrap() error { return e.Err }

var identifier = regexp.MustCompile(`^([a-z][a-z0-9-]+[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

// bundle is the envelope, read strictly.
type bundle struct {
	Type        string            `json:"type"`
	ID          string            `json:"id"`
	SpecVersion string            `json:"spec_version,omitempty"`
	Objects     []json.RawMessage `json:"objects"`
}

// reading is a bundle being read.
type reading struct {
	// entries says the bundle holds hash-bank entries (indicators) rather
	// than entities: the one kind is refused where the other is read.
	entries    bool
	markings   map[string]*handlingExt // ctis handling markings, by ID
	foreign    map[string]bool         // other marking-definitions in the bundle
	entities   []*readEntity
	byObject   map[string]*readEntity
	rels       []readRel
	indicators []readIndicator
	seen       map[string]bool
}

type readEntity struct {
	index int
	obj   object
	ext   statementsExt
	out   ctis.Entity
}

type readRel struct {
	index int
	obj   object
	ext   statementsExt
}

// Read reads one STIX 2.1 bundle of ctis entities of at most max bytes
// (MaxBundle when max is 0) and returns the entities with their
// statements, each with the handling, grading and review date of the ctis
// handling marking that applies to it. It reads all or nothing: any
// error, a *ObjectError naming the object where there is one, and no
// entity is returned. Objects of types ctis does not map are refused, and
// so is a statement marked with a marking ctis cannot honour, so that no
// restriction is ever dropped on the way in.
func Read(r io.Reader, max int64) ([]ctis.Entity, error) {
	data, err := readBundle(r, max)
	if err != nil {
		return nil, err
	}
	return Decode(data)
}

// readBundle reads a bundle of at most max bytes (MaxBundle when max is
// 0), refusing a larger one whole.
func readBundle(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		max = MaxBundle
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, ctis.Errorf(ctis.ETOOLARGE, "the bundle is larger than %d bytes", max)
	}
	return data, nil
}

// Decode reads a bundle held in memory, as Read does.
func Decode(data []byte) ([]ctis.Entity, error) {
	objects, err := bundleObjects(data)
	if err != nil {
		return nil, err
	}
	rd, err := decode(objects, false)
	if err != nil {
		return nil, err
	}
	return rd.result(true)
}

// bundleObjects reads the envelope of a bundle.
func bundleObjects(data []byte) ([]json.RawMessage, error) {
	var b bundle
	if err := jsonl.DecodeStrict(data, &b); err != nil {
		return nil, err
	}
	if b.Type != "bundle" {
		return nil, ctis.Invalid("type", "expected a STIX bundle, got type %q", b.Type)
	}
	if m := identifier.FindStringSubmatch(b.ID); m == nil || m[1] != "bundle" {
		return nil, ctis.Invalid("id", "%q is not a bundle identifier", b.ID)
	}
	return b.Objects, nil
}

// DecodeObjects reads the objects of one page of a TAXII collection, as
// Decode reads a bundle's, but for what a page may lack: an entity object
// whose only statements travel as relationships on another page is left
// out. The markings and the relationships' sources a page names must be
// among objects (see Missing).
func DecodeObjects(objects []json.RawMessage) ([]ctis.Entity, error) {
	rd, err := decode(objects, false)
	if err != nil {
		return nil, err
	}
	return rd.result(false)
}

// Missing returns the identifiers that objects name and do not hold: the
// markings of its objects and the sources of its relationships, which a
// reader of a page fetches before DecodeObjects. TLP markings, which
// ctis knows, are not missing.
func Missing(objects []json.RawMessage) []string {
	held := map[string]bool{}
	var named []string
	for _, raw := range objects {
		var o struct {
			ID                string            `json:"id"`
			Type              string            `json:"type"`
			SourceRef         string            `json:"source_ref"`
			ObjectMarkingRefs []string          `json:"object_marking_refs"`
			GranularMarkings  []granularMarking `json:"granular_markings"`
		}
		if json.Unmarshal(raw, &o) != nil {
			continue
		}
		held[o.ID] = true
		named = append(named, o.ObjectMarkingRefs...)
		for _, g := range o.GranularMarkings {
			named = append(named, g.MarkingRef)
		}
		if o.Type == "relationship" {
			named = append(named, o.SourceRef)
		}
	}
	var out []string
	for _, id := range named {
		if _, tlp := tlpByID(id); !tlp && !held[id] && identifier.MatchString(id) {
			held[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// decode reads objects, of entities or, when entries says so, of
// hash-bank entries, and checks every reference between them.
func decode(objects []json.RawMessage, entries bool) (*reading, error) {
	rd := &reading{entries: entries, markings: map[string]*handlingExt{}, foreign: map[string]bool{}, byObject: map[string]*readEntity{}, seen: map[string]bool{}}
	for i, raw := range objects {
		id, err := rd.object(i, raw)
		if err != nil {
			return nil, &ObjectError{Index: i, ID: id, Err: err}
		}
	}
	return rd, nil
}

// result returns the entities read; whole says the objects are a bundle,
// in which every entity has a statement.
func (rd *reading) result(whole bool) ([]ctis.Entity, error) {
	for _, e := range rd.entities {
		if err := rd.statements(e); err != nil {
			return nil, &ObjectError{Index: e.index, ID: e.obj.ID, Err: err}
		}
	}
	for _, rel := range rd.rels {
		if err := rd.relationship(rel); err != nil {
			return nil, &ObjectError{Index: rel.index, ID: rel.obj.ID, Err: err}
		}
	}
	out := make([]ctis.Entity, 0, len(rd.entities))
	ids := map[string]bool{}
	for _, e := range rd.entities {
		if len(e.out.Statements) == 0 && !whole {
			continue
		}
		if len(e.out.Statements) == 0 {
			return nil, &ObjectError{Index: e.index, ID: e.obj.ID, Err: ctis.Invalid(extField("statements"), "entity %s has no statements", e.out.ID)}
		}
		for _, s := range e.out.Statements {
			if ids[s.ID] {
				return nil, &ObjectError{Index: e.index, ID: e.obj.ID, Err: ctis.Invalid("statements", "statement %s is given twice", s.ID)}
			}
			ids[s.ID] = true
		}
		slices.SortStableFunc(e.out.Statements, func(a, b ctis.Statement) int { return strings.Compare(a.ID, b.ID) })
		out = append(out, e.out)
	}
	return out, nil
}

// object reads one object and returns its identifier.
func (rd *reading) object(i int, raw json.RawMessage) (string, error) {
	var o object
	if err := json.Unmarshal(raw, &o); err != nil {
		var named struct{ ID any }
		json.Unmarshal(raw, &named)
		id, _ := named.ID.(string)
		if !identifier.MatchString(id) {
			id = ""
		}
		return id, jsonl.JSONError(err)
	}
	m := identifier.FindStringSubmatch(o.ID)
	if m == nil {
		return "", ctis.Invalid("id", "%q is not a STIX identifier (type--UUID)", o.ID)
	}
	if m[1] != o.Type {
		return o.ID, ctis.Invalid("type", "type %q does not match the identifier's %q", o.Type, m[1])
	}
	if o.SpecVersion != "2.1" {
		return o.ID, ctis.Invalid("spec_version", "spec_version must be \"2.1\", got %q", o.SpecVersion)
	}
	if rd.seen[o.ID] {
		return o.ID, ctis.Invalid("id", "object %s is given twice", o.ID)
	}
	rd.seen[o.ID] = true
	for _, f := range []struct{ name, v string }{{"created", o.Created}, {"modified", o.Modified}} {
		if f.v != "" {
			if _, err := time.Parse(time.RFC3339Nano, f.v); err != nil || !strings.HasSuffix(f.v, "Z") {
				return o.ID, ctis.Invalid(f.name, "%q is not a STIX timestamp (RFC 3339, UTC, Z)", f.v)
			}
		}
	}
	if err := required(o); err != nil {
		return o.ID, err
	}
	switch o.Type {
	case "marking-definition":
		return o.ID, rd.marking(o)
	case "extension-definition":
		return o.ID, nil
	case "location":
		// Where a Movement's sighting was seen: derived from the
		// statements its sighting carries, it says nothing of its own.
		if _, ok := o.Extensions[ExtStatements]; ok {
			return o.ID, ctis.Invalid("extensions", "a location carries no statements: those of a Movement travel on its sighting")
		}
		return o.ID, nil
	case "indicator":
		if !rd.entries {
			return o.ID, ctis.Invalid("type", "an indicator is a hash-bank entry: ctis reads a bundle of them into a bank (ctis hashbank import), not with entities")
		}
		return o.ID, rd.indicator(i, o)
	case "relationship":
		ext, err := statementsOf(o)
		if err != nil {
			return o.ID, err
		}
		if ext == nil {
			return o.ID, ctis.Invalid("extensions", "a relationship without the ctis statements extension (%s) says nothing ctis can store", ExtStatements)
		}
		rd.rels = append(rd.rels, readRel{i, o, *ext})
		return o.ID, nil
	}
	ext, err := statementsOf(o)
	if err != nil {
		return o.ID, err
	}
	if ext != nil && rd.entries {
		return o.ID, ctis.Invalid("type", "a bundle of hash-bank entries holds indicators, not entities such as this %s", o.Type)
	}
	if ext == nil {
		if o.Type == "identity" {
			return o.ID, nil // a party that made or describes content, not a subject
		}
		if mappedType(o.Type) {
			return o.ID, ctis.Invalid("extensions", "a %s without the ctis statements extension (%s) says nothing ctis can store", o.Type, ExtStatements)
		}
		return o.ID, ctis.Invalid("type", "unknown type %q: ctis reads %s", o.Type, strings.Join(readTypes(), ", "))
	}
	mp, ok := mappings[ext.Schema]
	if !ok {
		return o.ID, ctis.Invalid(extField("schema"), "unknown schema %q (known: %s)", ext.Schema, strings.Join(ctis.SchemaNames(), ", "))
	}
	if !slices.Contains(mp.types, o.Type) {
		return o.ID, ctis.Invalid("type", "a %s travels as %s, not %s", ext.Schema, strings.Join(mp.types, " or "), o.Type)
	}
	if !ctis.ValidID(ext.EntityID) {
		return o.ID, ctis.Invalid(extField("entity_id"), "%q is not a ctis entity ID", ext.EntityID)
	}
	if want := o.Type + "--" + EntityUUID(ext.EntityID); o.ID != want {
		return o.ID, ctis.Invalid("id", "the identifier of entity %s is %s", ext.EntityID, want)
	}
	e := &readEntity{index: i, obj: o, ext: *ext, out: ctis.Entity{ID: ext.EntityID, Schema: ext.Schema, Statements: []ctis.Statement{}}}
	rd.entities = append(rd.entities, e)
	rd.byObject[o.ID] = e
	return o.ID, nil
}

// required refuses an object that lacks a property STIX requires of its
// type (of the types ctis reads).
func required(o object) error {
	var need []string
	switch o.Type {
	case "marking-definition":
		need = []string{"created"}
	case "relationship":
		need = []string{"created", "modified", "relationship_type", "source_ref", "target_ref"}
	case "sighting":
		need = []string{"created", "modified", "sighting_of_ref"}
	case "location":
		need = []string{"created", "modified"}
	case "extension-definition":
		need = []string{"created", "modified", "name"}
	case "identity", "threat-actor", "intrusion-set", "attack-pattern":
		need = []string{"created", "modified", "name"}
	case "indicator":
		need = []string{"created", "modified", "pattern", "pattern_type", "valid_from"}
	default:
		if !mappedType(o.Type) {
			return nil // refused later as a type ctis does not read
		}
		need = []string{"created", "modified"}
	}
	have := map[string]string{"created": o.Created, "modified": o.Modified, "name": o.Name, "sighting_of_ref": o.SightingOfRef,
		"relationship_type": o.RelationshipType, "source_ref": o.SourceRef, "target_ref": o.TargetRef,
		"pattern": o.Pattern, "pattern_type": o.PatternType, "valid_from": o.ValidFrom}
	for _, p := range need {
		if have[p] == "" {
			return ctis.Invalid(p, "missing: a %s needs %s", o.Type, p)
		}
	}
	return nil
}

func mappedType(t string) bool {
	for _, m := range mappings {
		if slices.Contains(m.types, t) {
			return true
		}
	}
	return false
}

func readTypes() []string {
	out := []string{"marking-definition", "extension-definition", "relationship", "location", "indicator"}
	for _, m := range mappings {
		for _, t := range m.types {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

func extField(f string) string { return "extensions." + ExtStatements + "." + f }

// statementsOf decodes the ctis statements extension of o, strictly; nil
// if o has none.
func statementsOf(o object) (*statementsExt, error) {
	raw, ok := o.Extensions[ExtStatements]
	if !ok {
		return nil, nil
	}
	var ext statementsExt
	if err := jsonl.DecodeStrict(raw, &ext); err != nil {
		return nil, ctis.Prefix("extensions."+ExtStatements, err)
	}
	if ext.ExtensionType != "property-extension" {
		return nil, ctis.Invalid(extField("extension_type"), "must be \"property-extension\", got %q", ext.ExtensionType)
	}
	return &ext, nil
}

// marking reads a marking-definition: a TLP 2.0 marking, a ctis handling
// marking, or another, which no statement may carry.
func (rd *reading) marking(o object) error {
	if t, ok := tlpByID(o.ID); ok {
		if raw, ok := o.Extensions[ExtTLP2]; ok {
			var x struct {
				Level string `json:"tlp_2_0"`
			}
			if err := json.Unmarshal(raw, &x); err != nil || x.Level != t.Level {
				return ctis.Invalid("extensions."+ExtTLP2+".tlp_2_0", "the marking %s is %s", t.ID, t.Name)
			}
		}
		return nil
	}
	raw, ok := o.Extensions[ExtHandling]
	if !ok {
		rd.foreign[o.ID] = true
		return nil
	}
	field := "extensions." + ExtHandling
	var x handlingExt
	if err := jsonl.DecodeStrict(raw, &x); err != nil {
		return ctis.Prefix(field, err)
	}
	if x.ExtensionType != "property-extension" {
		return ctis.Invalid(field+".extension_type", "must be \"property-extension\", got %q", x.ExtensionType)
	}
	h := ctis.Handling{Distribution: ctis.Distribution(x.Distribution), Agencies: slices.Clone(x.Agencies), Group: x.Group,
		Frontline: x.Frontline, HitNotice: x.HitNotice, Restriction: ctis.Restriction(x.Restriction), RestrictionText: x.RestrictionText}
	if x.Distribution == "" || x.Restriction == "" {
		return ctis.Invalid(field, "a ctis handling marking states its distribution and its restriction")
	}
	if err := h.Normalize(); err != nil {
		return ctis.Prefix(field, err)
	}
	if !slices.Equal(h.Agencies, x.Agencies) {
		return ctis.Invalid(field+".agencies", "agencies must be agency codes, upper case, sorted and given once")
	}
	if x.Group != "" && !ctis.ValidGroupName(x.Group) {
		return ctis.Invalid(field+".group", "%q is not a sharing group name", x.Group)
	}
	if !ctis.Grading(x.Grading).Valid() {
		return ctis.Invalid(field+".grading", "grading %q must be a source reliability A, B, C or X followed by an assessment 1-4, like B2", x.Grading)
	}
	if x.ReviewBy != "" && !ctis.ValidDay(x.ReviewBy) {
		return ctis.Invalid(field+".review_by", "review date %q must be a real date YYYY-MM-DD", x.ReviewBy)
	}
	if want := x.markingID(); o.ID != want {
		return ctis.Invalid("id", "the identifier of this handling is %s", want)
	}
	rd.markings[o.ID] = &x
	return nil
}

// selectorPrefix starts a granular selector of a statement.
var selectorPrefix = "extensions." + ExtStatements + ".statements.["

// statements turns an entity object's records into statements, each with
// the handling of the markings that apply to it.
func (rd *reading) statements(e *readEntity) error {
	n := len(e.ext.Statements)
	marks := make([][]string, n)
	for i := range marks {
		marks[i] = slices.Clone(e.obj.ObjectMarkingRefs)
	}
	for g, gm := range e.obj.GranularMarkings {
		for _, sel := range gm.Selectors {
			rest, ok := strings.CutPrefix(sel, selectorPrefix)
			if !ok {
				continue // a property derived from a statement, which says nothing of its own
			}
			i, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
			if err != nil || !strings.HasSuffix(rest, "]") || i < 0 || i >= n {
				return ctis.Invalid(fmt.Sprintf("granular_markings[%d].selectors", g), "%q selects no statement of the %d given", sel, n)
			}
			marks[i] = append(marks[i], gm.MarkingRef)
		}
	}
	for i, r := range e.ext.Statements {
		field := fmt.Sprintf("%s[%d]", extField("statements"), i)
		s, err := rd.statement(e.ext.Schema, e.ext.EntityID, r, marks[i])
		if err != nil {
			return ctis.Prefix(field, err)
		}
		p, _ := ctis.Schemas[e.ext.Schema].Property(s.Property)
		if p.Type == ctis.TypeEntity && e.obj.Type != "sighting" {
			return ctis.Invalid(field+".property", "%s names another entity: it travels as a relationship", s.Property)
		}
		e.out.Statements = append(e.out.Statements, s)
	}
	if e.obj.Type == "sighting" {
		return rd.sighted(e)
	}
	return nil
}

// sighted checks that a sighting is of what its statements say: the
// entity sightedIndex picks, as the writer picked it.
func (rd *reading) sighted(e *readEntity) error {
	i := sightedIndex(e.ext.Statements)
	if i < 0 {
		return ctis.Invalid("sighting_of_ref", "a Movement travels as a sighting only when it names a person or a document; this one names neither")
	}
	r := e.ext.Statements[i]
	p, _ := ctis.Schemas[e.ext.Schema].Property(r.Property)
	ref := e.obj.SightingOfRef
	m := identifier.FindStringSubmatch(ref)
	t, inBundle := rd.byObject[ref]
	if m == nil || !slices.Contains(mappings[p.Range].types, m[1]) || !strings.HasSuffix(ref, "--"+EntityUUID(r.Value)) ||
		!inBundle && rd.seen[ref] || inBundle && t.ext.EntityID != r.Value {
		return ctis.Invalid("sighting_of_ref", "%q is not the %s %s that statement %s names", ref, p.Range, r.Value, r.ID)
	}
	return nil
}

// relationship adds the statement a relationship carries to its source.
func (rd *reading) relationship(rel readRel) error {
	src, ok := rd.byObject[rel.obj.SourceRef]
	if !ok {
		return ctis.Invalid("source_ref", "%q is no ctis entity of this bundle", rel.obj.SourceRef)
	}
	if src.obj.Type == "sighting" {
		return ctis.Invalid("source_ref", "a sighting is no relationship's source: a Movement's references travel in its statements extension")
	}
	if len(rel.ext.Statements) != 1 || rel.ext.Schema != "" || rel.ext.EntityID != "" {
		return ctis.Invalid(extField("statements"), "a relationship carries exactly one statement, and no entity_id or schema")
	}
	if len(rel.obj.GranularMarkings) > 0 {
		return ctis.Invalid("granular_markings", "a relationship's statement is marked on the relationship, by object_marking_refs")
	}
	r := rel.ext.Statements[0]
	field := extField("statements") + "[0]"
	s, err := rd.statement(src.ext.Schema, src.ext.EntityID, r, rel.obj.ObjectMarkingRefs)
	if err != nil {
		return ctis.Prefix(field, err)
	}
	p, _ := ctis.Schemas[src.ext.Schema].Property(s.Property)
	relType, ok := mappings[src.ext.Schema].relations[s.Property]
	if p.Type != ctis.TypeEntity || !ok {
		return ctis.Invalid(field+".property", "%s of a %s names no other entity", s.Property, src.ext.Schema)
	}
	if rel.obj.RelationshipType != relType {
		return ctis.Invalid("relationship_type", "%s of a %s travels as %q, not %q", s.Property, src.ext.Schema, relType, rel.obj.RelationshipType)
	}
	if want := relationshipID(s.ID); rel.obj.ID != want {
		return ctis.Invalid("id", "the identifier of the relationship of statement %s is %s", s.ID, want)
	}
	m := identifier.FindStringSubmatch(rel.obj.TargetRef)
	if m == nil || !slices.Contains(mappings[p.Range].types, m[1]) || !strings.HasSuffix(rel.obj.TargetRef, "--"+EntityUUID(s.Value)) {
		return ctis.Invalid("target_ref", "%q is not the %s %s the statement names", rel.obj.TargetRef, p.Range, s.Value)
	}
	if t, ok := rd.byObject[rel.obj.TargetRef]; !ok && rd.seen[rel.obj.TargetRef] || ok && t.ext.EntityID != s.Value {
		return ctis.Invalid("target_ref", "%q is not the %s %s the statement names", rel.obj.TargetRef, p.Range, s.Value)
	}
	if rel.obj.Revoked != (s.Withdrawn != nil) {
		return ctis.Invalid("revoked", "a relationship is revoked exactly when its statement is withdrawn")
	}
	src.out.Statements = append(src.out.Statements, s)
	return nil
}

// statement checks one record and gives it the handling of marks: exactly
// one ctis handling marking, and TLP markings only if they agree with it.
func (rd *reading) statement(schema, entityID string, r record, marks []string) (ctis.Statement, error) {
	if !ctis.ValidID(r.ID) {
		return ctis.Statement{}, ctis.Invalid("id", "%q is not a ctis statement ID", r.ID)
	}
	p, ok := ctis.Schemas[schema].Property(r.Property)
	if !ok {
		return ctis.Statement{}, ctis.Invalid("property", "schema %s has no property %q", schema, r.Property)
	}
	v, err := ctis.NormalizeValue(p, r.Value)
	if err != nil {
		return ctis.Statement{}, err
	}
	if v != r.Value {
		return ctis.Statement{}, ctis.Invalid("value", "%q is not in canonical form (%q)", r.Value, v)
	}
	if !ctis.ValidAgencyCode(r.Originator) {
		return ctis.Statement{}, ctis.Invalid("originator", "%q is not an agency code", r.Originator)
	}
	at, err := time.Parse(time.RFC3339Nano, r.RecordedAt)
	if err != nil {
		return ctis.Statement{}, ctis.Invalid("recorded_at", "%q is not an RFC 3339 time", r.RecordedAt)
	}
	s := ctis.Statement{ID: r.ID, EntityID: entityID, Property: r.Property, Value: r.Value, Originator: r.Originator, RecordedAt: at, PastReview: r.PastReview}
	if w := r.Withdrawn; w != nil {
		at, err := time.Parse(time.RFC3339Nano, w.At)
		if err != nil {
			return ctis.Statement{}, ctis.Invalid("withdrawn.at", "%q is not an RFC 3339 time", w.At)
		}
		if !ctis.ValidAgencyCode(w.By) {
			return ctis.Statement{}, ctis.Invalid("withdrawn.by", "%q is not an agency code", w.By)
		}
		s.Withdrawn = &ctis.Withdrawal{At: at, By: w.By, Reason: w.Reason}
	}
	handling, err := rd.handling("statement "+r.ID, marks)
	if err != nil {
		return ctis.Statement{}, err
	}
	s.Handling = handling.handling()
	s.Grading, s.ReviewBy = ctis.Grading(handling.Grading), handling.ReviewBy
	return s, nil
}

func (x *handlingExt) handling() ctis.Handling {
	return ctis.Handling{Distribution: ctis.Distribution(x.Distribution), Agencies: slices.Clone(x.Agencies), Group: x.Group,
		Frontline: x.Frontline, HitNotice: x.HitNotice, Restriction: ctis.Restriction(x.Restriction), RestrictionText: x.RestrictionText}
}

// handling returns the one ctis handling marking among marks, the
// markings that apply to what (a statement, an entry), checking that
// every TLP marking among them agrees with it and that no other marking
// applies.
func (rd *reading) handling(what string, marks []string) (*handlingExt, error) {
	var handling *handlingExt
	var tlps []TLP
	for _, ref := range marks {
		if t, ok := tlpByID(ref); ok {
			tlps = append(tlps, t)
			continue
		}
		if x, ok := rd.markings[ref]; ok {
			if handling != nil && handling != x {
				return nil, ctis.Invalid("handling", "two ctis handling markings apply to %s; one must", what)
			}
			handling = x
			continue
		}
		if rd.foreign[ref] {
			return nil, ctis.Invalid("handling", "%s is marked %s, a marking ctis cannot honour: refusing rather than dropping it", what, ref)
		}
		return nil, ctis.Invalid("handling", "%s is marked %s, which is not in the bundle", what, ref)
	}
	if handling == nil {
		return nil, ctis.Invalid("handling", "no ctis handling marking applies to %s: its handling cannot be guessed", what)
	}
	want := TLPFor(handling.handling())
	for _, t := range tlps {
		if t != want {
			return nil, ctis.Invalid("handling", "%s is marked %s, but its ctis handling (distribution %s) is %s", what, t.Name, handling.Distribution, want.Name)
		}
	}
	return handling, nil
}

// NewEntities turns entities read from a bundle into what agency imports:
// every statement must be agency's own, for an import makes the importer
// the originator, and a statement of another agency imported as its own
// would change who answers for it and who may see it. Withdrawn
// statements are left out and counted; an entity left with none is
// dropped.
func NewEntities(entities []ctis.Entity, agency string) ([]ctis.NewEntity, int, error) {
	var out []ctis.NewEntity
	withdrawn := 0
	for i, e := range entities {
		n := ctis.NewEntity{ID: e.ID, Schema: e.Schema}
		for _, s := range e.Statements {
			if s.Originator != agency {
				return nil, 0, ctis.Errorf(ctis.EFORBIDDEN, "entity %s (%d in the bundle): statement %s was originated by %s; "+
					"an import by %s may store only %s's own statements, so nothing was imported", e.ID, i+1, s.ID, s.Originator, agency, agency)
			}
			if s.Withdrawn != nil {
				withdrawn++
				continue
			}
			n.Statements = append(n.Statements, ctis.NewStatement{Property: s.Property, Value: s.Value, Handling: s.Handling, Grading: s.Grading, ReviewBy: s.ReviewBy})
		}
		if len(n.Statements) > 0 {
			out = append(out, n)
		}
	}
	return referencedFirst(out), withdrawn, nil
}

// referencedFirst orders a batch so that an entity comes after those of
// the batch it names, as an import resolves a reference only to an entity
// it already holds. Entities naming each other in a cycle stay in bundle
// order.
func referencedFirst(batch []ctis.NewEntity) []ctis.NewEntity {
	index := make(map[string]int, len(batch))
	for i, e := range batch {
		index[e.ID] = i
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(batch))
	out := make([]ctis.NewEntity, 0, len(batch))
	var visit func(i int)
	visit = func(i int) {
		if state[i] != unvisited {
			return
		}
		state[i] = visiting
		schema := ctis.Schemas[batch[i].Schema]
		for _, s := range batch[i].Statements {
			if p, ok := schema.Property(s.Property); ok && p.Type == ctis.TypeEntity {
				if j, ok := index[s.Value]; ok && j != i {
					visit(j)
				}
			}
		}
		state[i] = done
		out = append(out, batch[i])
	}
	for i := range batch {
		visit(i)
	}
	return out
}
