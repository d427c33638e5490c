package stix

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"ctis"
)

// Objects returns the STIX objects of entities, encoded, in bundle order:
// ctis's identity and extension definitions, the TLP and handling
// markings used, then each entity's object followed by the locations of
// a Movement's sighting and the relationships of its statements that
// name other entities. The entities are those a
// viewer may see, as an export gives them; what is not in them is not in
// the bundle.
func Objects(entities []ctis.Entity) ([]json.RawMessage, error) {
	// Statements in ID order, so that the same statements give the same
	// bytes whatever order they came in.
	entities = slices.Clone(entities)
	for i := range entities {
		entities[i].Statements = slices.Clone(entities[i].Statements)
		slices.SortStableFunc(entities[i].Statements, func(a, b ctis.Statement) int { return strings.Compare(a.ID, b.ID) })
	}
	types := make(map[string]string, len(entities))
	for i := range entities {
		t, err := stixType(&entities[i])
		if err != nil {
			return nil, err
		}
		types[entities[i].ID] = t
	}
	markings := map[string]handlingExt{}
	tlpUsed := map[string]bool{}
	var body []any
	for i := range entities {
		objs, err := entityObjects(&entities[i], types, markings, tlpUsed)
		if err != nil {
			return nil, err
		}
		body = append(body, objs...)
	}
	var out []json.RawMessage
	add := func(v any) error {
		b, err := marshal(v)
		if err != nil {
			return err
		}
		out = append(out, b)
		return nil
	}
	for _, o := range ctisDefinitions() {
		if err := add(o); err != nil {
			return nil, err
		}
	}
	for _, t := range TLPs {
		if tlpUsed[t.ID] {
			if err := add(tlpObject(t)); err != nil {
				return nil, err
			}
		}
	}
	ids := make([]string, 0, len(markings))
	for id := range markings {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		m, err := markingObject(id, markings[id])
		if err != nil {
			return nil, err
		}
		if err := add(m); err != nil {
			return nil, err
		}
	}
	for _, o := range body {
		if err := add(o); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// markingObject is the ctis handling marking of ID id.
func markingObject(id string, x handlingExt) (object, error) {
	m := object{Type: "marking-definition", SpecVersion: "2.1", ID: id, CreatedByRef: Creator, Created: definedAt, Name: x.name()}
	b, err := marshal(x)
	if err != nil {
		return m, err
	}
	m.Extensions = map[string]json.RawMessage{ExtHandling: b}
	return m, nil
}

// A Mapped is one STIX object of an entity, encoded as Objects encodes
// it, with what a listing of objects needs to know of it.
type Mapped struct {
	ID, Type string
	// Statement is the statement a relationship carries; empty for the
	// entity's own object.
	Statement string
	// Version is the object's modified time, to the millisecond.
	Version time.Time
	// Markings are the IDs of the marking definitions it refers to.
	Markings []string
	Raw      json.RawMessage
}

// MapEntity maps one entity as Objects maps it among others: its object,
// then the relationships of its statements that name other entities.
// related holds the entities those statements name that go with it (as
// Objects would have them in its bundle), by ID, for their STIX types; a
// target not in it takes its schema's first type, as one outside a bundle
// does. It returns too the marking definitions the objects refer to,
// encoded, by ID.
func MapEntity(e ctis.Entity, related map[string]*ctis.Entity) ([]Mapped, map[string]json.RawMessage, error) {
	e.Statements = slices.Clone(e.Statements)
	slices.SortStableFunc(e.Statements, func(a, b ctis.Statement) int { return strings.Compare(a.ID, b.ID) })
	types := map[string]string{}
	for id, r := range related {
		t, err := stixType(r)
		if err != nil {
			return nil, nil, err
		}
		types[id] = t
	}
	t, err := stixType(&e)
	if err != nil {
		return nil, nil, err
	}
	types[e.ID] = t
	markings := map[string]handlingExt{}
	tlpUsed := map[string]bool{}
	objs, err := entityObjects(&e, types, markings, tlpUsed)
	if err != nil {
		return nil, nil, err
	}
	out := make([]Mapped, 0, len(objs))
	for i, v := range objs {
		o := v.(object)
		b, err := marshal(o)
		if err != nil {
			return nil, nil, err
		}
		version, err := time.Parse(time.RFC3339Nano, o.Modified)
		if err != nil {
			return nil, nil, fmt.Errorf("stix: object %s: %w", o.ID, err)
		}
		m := Mapped{ID: o.ID, Type: o.Type, Version: version, Raw: b, Markings: slices.Clone(o.ObjectMarkingRefs)}
		for _, g := range o.GranularMarkings {
			if !slices.Contains(m.Markings, g.MarkingRef) {
				m.Markings = append(m.Markings, g.MarkingRef)
			}
		}
		if i > 0 {
			var x statementsExt
			if err := json.Unmarshal(o.Extensions[ExtStatements], &x); err == nil && len(x.Statements) == 1 {
				m.Statement = x.Statements[0].ID
			}
		}
		out = append(out, m)
	}
	defs := map[string]json.RawMessage{}
	for _, t := range TLPs {
		if tlpUsed[t.ID] {
			b, err := marshal(tlpObject(t))
			if err != nil {
				return nil, nil, err
			}
			defs[t.ID] = b
		}
	}
	for id, x := range markings {
		m, err := markingObject(id, x)
		if err != nil {
			return nil, nil, err
		}
		if defs[id], err = marshal(m); err != nil {
			return nil, nil, err
		}
	}
	return out, defs, nil
}

// Definitions returns what ctis defines once for all, encoded: its
// identity and its extension definitions, as a bundle begins with them.
func Definitions() ([]json.RawMessage, error) {
	var out []json.RawMessage
	for _, o := range ctisDefinitions() {
		b, err := marshal(o)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// Write writes entities to w as one STIX 2.1 bundle, one object a line.
// Its identifier derives from its content, so the same entities give the
// same bytes.
func Write(w io.Writer, entities []ctis.Entity) error {
	objs, err := Objects(entities)
	if err != nil {
		return err
	}
	return writeBundle(w, objs)
}

// writeBundle writes objs as one bundle, one object a line, under an
// identifier derived from them.
func writeBundle(w io.Writer, objs []json.RawMessage) error {
	h := sha256.New()
	for _, o := range objs {
		h.Write(o)
		h.Write([]byte{'\n'})
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, "{\"type\":\"bundle\",\"id\":\"bundle--%s\",\"objects\":[", uuid5(fmt.Sprintf("bundle:%x", h.Sum(nil))))
	for i, o := range objs {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n")
		bw.Write(o)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// marshal encodes v as compact JSON, leaving <, > and & as they are.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("stix: encoding an object: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// entityObjects maps one entity: its object, then a relationship for each
// statement that names another entity.
func entityObjects(e *ctis.Entity, types map[string]string, markings map[string]handlingExt, tlpUsed map[string]bool) ([]any, error) {
	schema, ok := ctis.Schemas[e.Schema]
	if !ok {
		return nil, ctis.Invalid("schema", "entity %s: unknown schema %q", e.ID, e.Schema)
	}
	m := mappings[e.Schema]
	typ := types[e.ID]
	o := object{Type: typ, SpecVersion: "2.1", ID: typ + "--" + EntityUUID(e.ID)}
	ext := statementsExt{ExtensionType: "property-extension", EntityID: e.ID, Schema: e.Schema}
	// marks[i] are the markings of the object's statement i.
	var marks [][2]string
	var refs []*ctis.Statement
	var first, last time.Time
	for i := range e.Statements {
		s := &e.Statements[i]
		if first.IsZero() || s.RecordedAt.Before(first) {
			first = s.RecordedAt
		}
		last = latest(last, s)
		p, ok := schema.Property(s.Property)
		if !ok {
			return nil, ctis.Invalid("statements", "entity %s: schema %s has no property %q", e.ID, e.Schema, s.Property)
		}
		if p.Type == ctis.TypeEntity && typ != "sighting" {
			refs = append(refs, s)
			continue
		}
		ext.Statements = append(ext.Statements, recordOf(s))
		marks = append(marks, markingsOf(s, markings, tlpUsed))
	}
	if first.IsZero() {
		return nil, ctis.Invalid("statements", "entity %s has no statements", e.ID)
	}
	o.Created, o.Modified = stamp(first), stamp(last)

	// The properties a STIX tool shows, each taken from a live statement,
	// and marked as that statement is.
	derived := map[string]int{}
	name, description := -1, -1
	for i, r := range ext.Statements {
		if r.Withdrawn != nil {
			continue
		}
		switch {
		case r.Property == m.label && name < 0:
			name = i
		case (r.Property == "description" || r.Property == "notes") && description < 0:
			description = i
		case typ != "identity" && (r.Property == "name" || r.Property == "alias" || r.Property == "weakAlias" || r.Property == "previousName"):
			derived[fmt.Sprintf("aliases.[%d]", len(o.Aliases))] = i
			o.Aliases = append(o.Aliases, r.Value)
		}
	}
	if typ != "sighting" { // a sighting has no name in STIX
		o.Name = e.ID
	}
	if name >= 0 {
		o.Name = ext.Statements[name].Value
		derived["name"] = name
	}
	if description >= 0 {
		o.Description = ext.Statements[description].Value
		derived["description"] = description
	}
	var places []object
	switch typ {
	case "sighting":
		places = sighting(&o, ext.Statements, marks, derived, types)
	case "identity":
		o.IdentityClass = "individual"
	case "threat-actor":
		o.ThreatActorTypes = []string{"terrorist"}
		o.ResourceLevel = "individual"
		if e.Schema == "Organization" {
			o.ResourceLevel = "organization"
		}
	}

	if len(marks) > 0 {
		same := true
		for _, mk := range marks[1:] {
			same = same && mk == marks[0]
		}
		if same {
			o.ObjectMarkingRefs = []string{marks[0][0], marks[0][1]}
		} else {
			o.GranularMarkings = granular(marks, derived, true)
		}
	}
	b, err := marshal(ext)
	if err != nil {
		return nil, err
	}
	o.Extensions = map[string]json.RawMessage{ExtStatements: b}
	out := []any{o}
	for _, l := range places {
		out = append(out, l)
	}

	for _, s := range refs {
		rel, err := relationship(e, o.ID, s, types, markings, tlpUsed)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, nil
}

// granular marks each statement (when statements says the object carries
// them), and each property derived from one, with the statement's
// markings: one granular marking per marking, selecting everything it
// applies to, in a stable order.
func granular(marks [][2]string, derived map[string]int, statements bool) []granularMarking {
	var order []string
	selectors := map[string][]string{}
	add := func(ref, sel string) {
		if _, ok := selectors[ref]; !ok {
			order = append(order, ref)
		}
		selectors[ref] = append(selectors[ref], sel)
	}
	if statements {
		for i, mk := range marks {
			for _, ref := range mk {
				add(ref, statementSelector(i))
			}
		}
	}
	paths := make([]string, 0, len(derived))
	for p := range derived {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		for _, ref := range marks[derived[p]] {
			add(ref, p)
		}
	}
	out := make([]granularMarking, 0, len(order))
	for _, ref := range order {
		out = append(out, granularMarking{Selectors: selectors[ref], MarkingRef: ref})
	}
	return out
}

// relationship maps a statement naming another entity.
func relationship(e *ctis.Entity, source string, s *ctis.Statement, types map[string]string, markings map[string]handlingExt, tlpUsed map[string]bool) (object, error) {
	schema := ctis.Schemas[e.Schema]
	p, _ := schema.Property(s.Property)
	relType, ok := mappings[e.Schema].relations[s.Property]
	if !ok {
		return object{}, ctis.Invalid("statements", "entity %s: property %s has no STIX relationship type", e.ID, s.Property)
	}
	target, ok := types[s.Value]
	if !ok {
		target = mappings[p.Range].types[0]
	}
	mk := markingsOf(s, markings, tlpUsed)
	ext := statementsExt{ExtensionType: "property-extension", Statements: []record{recordOf(s)}}
	b, err := marshal(ext)
	if err != nil {
		return object{}, err
	}
	return object{
		Type: "relationship", SpecVersion: "2.1", ID: relationshipID(s.ID),
		Created: stamp(s.RecordedAt), Modified: stamp(latest(time.Time{}, s)),
		RelationshipType: relType, SourceRef: source, TargetRef: target + "--" + EntityUUID(s.Value),
		Revoked: s.Withdrawn != nil, ObjectMarkingRefs: []string{mk[0], mk[1]},
		Extensions: map[string]json.RawMessage{ExtStatements: b},
	}, nil
}

// latest returns the later of t and the last change of s.
func latest(t time.Time, s *ctis.Statement) time.Time {
	if s.RecordedAt.After(t) {
		t = s.RecordedAt
	}
	if s.Withdrawn != nil && s.Withdrawn.At.After(t) {
		t = s.Withdrawn.At
	}
	if s.Changed.After(t) {
		t = s.Changed
	}
	return t
}

func recordOf(s *ctis.Statement) record {
	r := record{ID: s.ID, Property: s.Property, Value: s.Value, Originator: s.Originator, RecordedAt: exactTime(s.RecordedAt), PastReview: s.PastReview}
	if s.Withdrawn != nil {
		// Only the originator withdraws a statement, and the name of
		// whoever did it for the originator stays at the node.
		r.Withdrawn = &withdrawal{At: exactTime(s.Withdrawn.At), By: s.Originator, Reason: s.Withdrawn.Reason}
	}
	return r
}

// markingsOf returns the TLP and the ctis handling marking of s, and
// notes them as used.
func markingsOf(s *ctis.Statement, markings map[string]handlingExt, tlpUsed map[string]bool) [2]string {
	x := handlingOf(s)
	id := x.markingID()
	markings[id] = x
	t := TLPFor(s.Handling)
	tlpUsed[t.ID] = true
	return [2]string{t.ID, id}
}

// StatementMarkings returns the IDs of the two markings of s: its TLP
// level's and its ctis handling marking's.
func StatementMarkings(s *ctis.Statement) (tlp, handling string) {
	return TLPFor(s.Handling).ID, handlingOf(s).markingID()
}

// sighting fills in what a Movement's sighting says for STIX tools, each
// property marked as the statement it is taken from: what was sighted
// (sightedIndex), when (first_seen from the departure date, last_seen
// from the arrival date) and where (a location for each live country of
// the journey, which it returns).
func sighting(o *object, rs []record, marks [][2]string, derived map[string]int, types map[string]string) []object {
	if i := sightedIndex(rs); i >= 0 {
		o.SightingOfRef = sightedRef(rs[i], types)
		derived["sighting_of_ref"] = i
	}
	first, last := -1, -1
	for i, r := range rs {
		switch {
		case r.Withdrawn != nil:
		case r.Property == "departureDate" && first < 0:
			first = i
		case r.Property == "arrivalDate" && last < 0:
			last = i
		}
	}
	var from time.Time
	if first >= 0 {
		if start, _, ok := period(rs[first].Value); ok {
			from = start
			o.FirstSeen = stamp(start)
			derived["first_seen"] = first
		}
	}
	if last >= 0 {
		// The end of the arrival day (or month, or year), so that a
		// journey within one day has last_seen after first_seen, as STIX
		// requires.
		if _, end, ok := period(rs[last].Value); ok && !end.Before(from) {
			o.LastSeen = stamp(end)
			derived["last_seen"] = last
		}
	}
	var places []object
	for _, leg := range legs {
		var ports, countries []int
		for i, r := range rs {
			switch {
			case r.Withdrawn != nil:
			case r.Property == leg[0]:
				ports = append(ports, i)
			case r.Property == leg[1]:
				countries = append(countries, i)
			}
		}
		for _, c := range countries {
			l := object{Type: "location", SpecVersion: "2.1", ID: "location--" + uuid5("location:"+rs[c].ID),
				Created: o.Created, Modified: o.Modified, Country: rs[c].Value}
			from := map[string]int{"country": c}
			if len(ports) == 1 && len(countries) == 1 {
				l.Name = rs[ports[0]].Value
				from["name"] = ports[0]
			}
			if l.Name == "" || marks[ports[0]] == marks[c] {
				l.ObjectMarkingRefs = []string{marks[c][0], marks[c][1]}
			} else {
				l.GranularMarkings = granular(marks, from, false)
			}
			derived[fmt.Sprintf("where_sighted_refs.[%d]", len(o.WhereSightedRefs))] = c
			o.WhereSightedRefs = append(o.WhereSightedRefs, l.ID)
			places = append(places, l)
		}
	}
	return places
}

// sightedIndex returns the index of the record a Movement's sighting is
// of: its first live person, or failing one its first live document, or
// failing both the first withdrawn person or document; -1 when it names
// neither.
func sightedIndex(rs []record) int {
	for _, live := range []bool{true, false} {
		for _, p := range sightedProperties {
			for i, r := range rs {
				if r.Property == p && (r.Withdrawn == nil) == live {
					return i
				}
			}
		}
	}
	return -1
}

// sightedRef is the STIX identifier of the entity r names: its object's,
// or for an entity outside the bundle its schema's first type.
func sightedRef(r record, types map[string]string) string {
	p, _ := ctis.Schemas["Movement"].Property(r.Property)
	t, ok := types[r.Value]
	if !ok {
		t = mappings[p.Range].types[0]
	}
	return t + "--" + EntityUUID(r.Value)
}

// period returns the first and the last millisecond of a ctis date value
// (a year, a month or a day, maybe qualified as approximate or
// uncertain, or an interval of two).
func period(v string) (start, end time.Time, ok bool) {
	a, b, interval := strings.Cut(v, "/")
	if !interval {
		b = a
	}
	start, _, ok1 := datePeriod(a)
	_, end, ok2 := datePeriod(b)
	return start, end, ok1 && ok2
}

func datePeriod(d string) (start, end time.Time, ok bool) {
	d = strings.TrimRight(d, "~?%")
	var next func(time.Time) time.Time
	layout := ""
	switch len(d) {
	case 4:
		layout, next = "2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	case 7:
		layout, next = "2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case 10:
		layout, next = "2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	default:
		return time.Time{}, time.Time{}, false
	}
	start, err := time.Parse(layout, d)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return start, next(start).Add(-time.Millisecond), true
}
