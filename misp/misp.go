// Package misp reads MISP feeds — a manifest.json and an event file per
// event, as CIRCL publishes its OSINT feed — into what ctis holds: hashes
// and URLs for a hash bank, and persons as entities, each with the
// handling that the event's distribution and TLP tags allow.
//
// The format is the MISP core format (draft-dulaunoy-misp-core-format,
// the MISP/misp-rfc repository, cited below by its section titles, such
// as "Attribute > distribution"): an event file holds {"Event": {...}}
// with its Attribute, Object and Tag arrays, and the manifest maps each
// event's uuid to a summary of it (info, date, threat_level_id,
// analysis, Orgc, Tag). The reader does no I/O beyond the file system it
// is given (a directory, or HTTPFS for a feed at a URL), so it can be
// fuzzed alone.
package misp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ctis"
	"ctis/jsonl"
)

// Limits on what a feed may hold.
const (
	MaxFile   = 64 << 20 // bytes of a manifest or an event file
	MaxEvents = 100_000  // events in a manifest
)

// A FileError is an error in one file of a feed.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string {
	if f := ctis.ErrorField(e.Err); f != "" {
		return fmt.Sprintf("%s: %s: %s", e.File, f, ctis.ErrorMessage(e.Err))
	}
	return fmt.Sprintf("%s: %s", e.File, ctis.ErrorMessage(e.Err))
}

func (e *FileError) Unwrap() error { return e.Err }

// A Feed is what ctis takes of a MISP feed.
type Feed struct {
	Events int
	// Entries are the hashes and URLs, each once, with the handling its
	// event, object and attribute allow.
	Entries []Entry
	// Entities are the persons, keyed by their MISP object's uuid.
	Entities []ctis.NewEntity
	// Skipped counts what ctis does not take, by what it is.
	Skipped map[string]int
}

// An Entry is a hash or URL of a feed and the handling MISP gives it.
type Entry struct {
	ctis.HashEntry
	Handling ctis.Handling
	// From names the file and attribute, for messages.
	From string
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// manifestEvent is an event's summary in manifest.json, of which ctis
// reads what it checks the event file against and its tags, which count
// as the event's own.
type manifestEvent struct {
	Info string `json:"info"`
	Tag  []tag  `json:"Tag"`
}

// code is a MISP enumeration: the core format writes them as JSON strings
// ("3"), and some tools as numbers; either is read. present says it was
// given.
type code struct {
	n       int
	present bool
}

func (c *code) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		// A type error, which the decoder places on its field.
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s) + " (a MISP code is a whole number, as a string)", Type: reflect.TypeFor[int]()}
	}
	*c = code{n, true}
	return nil
}

// tag is a tag ("Tag"): of its fields ctis reads the name, for the TLP
// taxonomy's.
type tag struct {
	Name string `json:"name"`
}

// event, attribute and object are what ctis reads of the core format's
// "Event", "Attribute" and "Object"; the decoder ignores the rest.
type event struct {
	UUID         string      `json:"uuid"`
	Info         string      `json:"info"`
	Distribution code        `json:"distribution"`
	Tag          []tag       `json:"Tag"`
	Attribute    []attribute `json:"Attribute"`
	Object       []object    `json:"Object"`
}

type attribute struct {
	UUID           string `json:"uuid"`
	Type           string `json:"type"`
	ObjectRelation string `json:"object_relation"`
	Value          string `json:"value"`
	ToIDs          bool   `json:"to_ids"`
	Deleted        bool   `json:"deleted"`
	Distribution   code   `json:"distribution"`
	Tag            []tag  `json:"Tag"`
}

type object struct {
	UUID         string      `json:"uuid"`
	Name         string      `json:"name"`
	Distribution code        `json:"distribution"`
	Deleted      bool        `json:"deleted"`
	Attribute    []attribute `json:"Attribute"`
}

// ReadFeed reads the feed in fsys: manifest.json, then the event file
// <uuid>.json of each event it lists, in uuid order, each file of at most
// max bytes (MaxFile when max is 0). Other files (a feed's hashes.csv)
// are not read. It reads all or nothing: the first error, a *FileError
// naming the file and the field, and no feed.
func ReadFeed(fsys fs.FS, max int64) (*Feed, error) {
	if max <= 0 {
		max = MaxFile
	}
	data, err := readFile(fsys, "manifest.json", max)
	if err != nil {
		return nil, err
	}
	manifest := map[string]manifestEvent{}
	if err := decode(data, &manifest); err != nil {
		return nil, &FileError{"manifest.json", err}
	}
	if len(manifest) > MaxEvents {
		return nil, &FileError{"manifest.json", ctis.Errorf(ctis.ETOOLARGE, "%d events; ctis reads at most %d from one feed", len(manifest), MaxEvents)}
	}
	ids := make([]string, 0, len(manifest))
	for id := range manifest {
		// The key names the event's file: nothing but a uuid may, so no
		// key reaches outside the feed.
		if !uuidPattern.MatchString(id) {
			return nil, &FileError{"manifest.json", ctis.Invalid(id, "%q is not an event uuid", id)}
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	f := &Feed{Skipped: map[string]int{}}
	r := &reader{feed: f, seenEntry: map[[2]string]int{}, entity: map[string]int{}, seenStatement: map[[5]string]bool{}}
	for _, id := range ids {
		name := id + ".json"
		r.file = name
		data, err := readFile(fsys, name, max)
		if err != nil {
			return nil, err
		}
		if err := r.event(data, id, manifest[id]); err != nil {
			return nil, &FileError{name, err}
		}
		f.Events++
	}
	return f, nil
}

func readFile(fsys fs.FS, name string, max int64) ([]byte, error) {
	file, err := fsys.Open(name)
	if err != nil {
		return nil, &FileError{name, ctis.Invalid("", "cannot open it: %v", errors.Unwrap(err))}
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, max+1))
	if err != nil {
		return nil, &FileError{name, ctis.Invalid("", "cannot read it: %v", err)}
	}
	if int64(len(data)) > max {
		return nil, &FileError{name, ctis.Errorf(ctis.ETOOLARGE, "larger than %d bytes", max)}
	}
	return data, nil
}

// decode reads JSON into v, refusing what would be read otherwise than
// written (invalid UTF-8, a key given twice) and naming the field of a
// wrong type. Fields ctis does not use are ignored: MISP has many.
func decode(data []byte, v any) error {
	if err := jsonl.Check(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return jsonl.JSONError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return ctis.Invalid("", "unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
}

// ReadEvent reads one event file, as ReadFeed does, into a feed of its
// own.
func ReadEvent(data []byte) (*Feed, error) {
	f := &Feed{Skipped: map[string]int{}}
	r := &reader{feed: f, seenEntry: map[[2]string]int{}, entity: map[string]int{}, seenStatement: map[[5]string]bool{}}
	if err := r.event(data, "", manifestEvent{}); err != nil {
		return nil, err
	}
	f.Events = 1
	return f, nil
}

type reader struct {
	file      string // the event file being read
	feed      *Feed
	seenEntry map[[2]string]int // type and value → index in feed.Entries
	entity    map[string]int    // object uuid → index in feed.Entities
	// seenStatement holds each statement taken: entity, property, value
	// and handling.
	seenStatement map[[5]string]bool
}

func (r *reader) event(data []byte, id string, m manifestEvent) error {
	var doc struct {
		Event *event `json:"Event"`
	}
	if err := decode(data, &doc); err != nil {
		return err
	}
	e := doc.Event
	if e == nil {
		return ctis.Invalid("Event", "missing: an event file holds {\"Event\": {...}}")
	}
	if !uuidPattern.MatchString(e.UUID) {
		return ctis.Invalid("Event.uuid", "%q is not a uuid", e.UUID)
	}
	if id != "" && !strings.EqualFold(e.UUID, id) {
		return ctis.Invalid("Event.uuid", "%s, but the manifest lists this file as event %s", e.UUID, id)
	}
	if e.Info == "" {
		return ctis.Invalid("Event.info", "missing: every event has one")
	}
	if m.Info != "" && m.Info != e.Info {
		return ctis.Invalid("Event.info", "differs from the manifest's: the feed is not what its manifest says")
	}
	// "Event > Event Attributes > distribution": 0 to 4; a feed generated
	// without distributions leaves it out, and the TLP tags decide.
	var base limit
	if e.Distribution.present {
		l, err := distribution(e.Distribution.n, false)
		if err != nil {
			return ctis.Prefix("Event.distribution", err)
		}
		base = l
	}
	tags, err := tlp(e.Tag)
	if err != nil {
		return ctis.Prefix("Event.Tag", err)
	}
	listed, err := tlp(m.Tag)
	if err != nil {
		return ctis.Invalid("Event", "the manifest's entry for this event: Tag%s: %s", ctis.ErrorField(err), ctis.ErrorMessage(err))
	}
	tags = tags.and(listed)
	base = base.and(tags)
	if !e.Distribution.present && !tags.known {
		// Nothing says how far the event may go: it stays with the
		// importing agency.
		base = base.and(limit{known: true, originator: true})
	}
	for i, a := range e.Attribute {
		if err := r.attribute(a, base, fmt.Sprintf("Event.Attribute[%d]", i)); err != nil {
			return err
		}
	}
	for i, o := range e.Object {
		if err := r.object(o, base, fmt.Sprintf("Event.Object[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

// A limit is how far MISP lets something go, in ctis's terms: to every
// member, or to the importing agency alone, and with or without the use
// restriction H2 (no further dissemination without the originator's
// permission). known says something stated it.
type limit struct {
	known, originator, noFurther bool
}

// and is the narrower of l and m: narrowest wins.
func (l limit) and(m limit) limit {
	return limit{known: l.known || m.known, originator: l.originator || m.originator, noFurther: l.noFurther || m.noFurther}
}

func (l limit) handling() ctis.Handling {
	h := ctis.Handling{Distribution: ctis.DistAll, Restriction: ctis.H0}
	if l.originator {
		h.Distribution = ctis.DistOriginator
	}
	if l.noFurther {
		h.Restriction = ctis.H2
	}
	return h
}

// distribution maps a MISP distribution level (Event, Object and
// Attribute, "distribution"); inherit says 5, "Inherit Event", may be
// given. The node is the community: "This Community Only" reaches every
// member but no further (H2), "Connected Communities" and "All
// Communities" every member; "Your Organisation Only" stays with the
// importing agency, and so does a sharing group, which names MISP
// organisations ctis does not know.
func distribution(n int, inherit bool) (limit, error) {
	switch n {
	case 0, 4:
		return limit{known: true, originator: true}, nil
	case 1:
		return limit{known: true, noFurther: true}, nil
	case 2, 3:
		return limit{known: true}, nil
	case 5:
		if inherit {
			return limit{}, nil
		}
	}
	known := "0 to 4"
	if inherit {
		known = "0 to 5"
	}
	return limit{}, ctis.Invalid("", "unknown distribution %d (known: %s)", n, known)
}

// tlp maps the TLP tags among tags (the MISP tlp taxonomy): clear, white
// and green reach every member; amber and amber+strict stay with the
// importing agency, the recipient; red too, under H2. Two tags: the
// narrower. A tlp: tag of another value is refused, since ctis cannot
// tell what it allows.
func tlp(tags []tag) (limit, error) {
	var l limit
	for i, t := range tags {
		name := strings.ToLower(strings.TrimSpace(t.Name))
		level, ok := strings.CutPrefix(name, "tlp:")
		if !ok {
			continue
		}
		switch level {
		case "clear", "white", "green":
			l = l.and(limit{known: true})
		case "amber", "amber+strict":
			l = l.and(limit{known: true, originator: true})
		case "red":
			l = l.and(limit{known: true, originator: true, noFurther: true})
		default:
			return limit{}, ctis.Invalid(fmt.Sprintf("[%d].name", i), "unknown TLP tag %q (known: tlp:clear, tlp:white, tlp:green, tlp:amber, tlp:amber+strict, tlp:red)", t.Name)
		}
	}
	return l, nil
}

// within is the limit of an attribute or object under outer.
func within(outer limit, d code, tags []tag) (limit, error) {
	l := outer
	if d.present {
		m, err := distribution(d.n, true)
		if err != nil {
			return limit{}, ctis.Prefix("distribution", err)
		}
		l = l.and(m)
	}
	m, err := tlp(tags)
	if err != nil {
		return limit{}, ctis.Prefix("Tag", err)
	}
	return l.and(m), nil
}

// hashTypes are the attribute types ctis keeps in a hash bank, and the
// part of a composite value ("filename|md5") that holds the hash.
var hashTypes = map[string]ctis.HashType{
	"md5": ctis.HashMD5, "sha256": ctis.HashSHA256, "url": ctis.HashURL,
	"filename|md5": ctis.HashMD5, "filename|sha256": ctis.HashSHA256,
}

// attribute takes a hash or URL ("Attribute"), or counts what
// it skips.
func (r *reader) attribute(a attribute, outer limit, field string) error {
	l, err := within(outer, a.Distribution, a.Tag)
	if err != nil {
		return ctis.Prefix(field, err)
	}
	if a.Type == "" {
		return ctis.Invalid(field+".type", "missing: every attribute has a type")
	}
	t, ok := hashTypes[a.Type]
	switch {
	case a.Deleted:
		r.feed.Skipped["deleted attributes"]++
		return nil
	case !ok:
		r.feed.Skipped["attributes of type "+a.Type]++
		return nil
	case !a.ToIDs:
		// Not meant for detection ("Attribute > to_ids"): a bank is.
		r.feed.Skipped["attributes not for detection (to_ids false)"]++
		return nil
	}
	v := a.Value
	if strings.HasPrefix(a.Type, "filename|") {
		_, v, _ = strings.Cut(v, "|")
	}
	if t == ctis.HashURL {
		if scheme, _, ok := strings.Cut(v, "://"); ok && !slices.Contains([]string{"http", "https"}, strings.ToLower(scheme)) {
			r.feed.Skipped["URLs of schemes other than http and https"]++
			return nil
		}
	}
	e := ctis.HashEntry{Type: t, Value: v}
	if t == ctis.HashURL {
		e.Labels.ContentType = "url"
	}
	if err := e.Validate(); err != nil {
		return ctis.Prefix(field, err)
	}
	key := [2]string{string(e.Type), e.Value}
	if i, ok := r.seenEntry[key]; ok {
		// The same value again: one entry, under the narrowest handling
		// of the two.
		x := &r.feed.Entries[i]
		x.Handling = narrower(x.Handling, l.handling())
		return nil
	}
	r.seenEntry[key] = len(r.feed.Entries)
	r.feed.Entries = append(r.feed.Entries, Entry{HashEntry: e, Handling: l.handling(), From: strings.TrimPrefix(r.file+": ", ": ") + field + " (" + a.UUID + ")"})
	return nil
}

func narrower(a, b ctis.Handling) ctis.Handling {
	if b.Distribution == ctis.DistOriginator {
		a.Distribution = ctis.DistOriginator
	}
	if b.Restriction == ctis.H2 {
		a.Restriction = ctis.H2
	}
	return a
}

// personTemplate maps the attributes of a MISP person object (the
// misp-objects template "person", version 8) to Person properties.
var personTemplate = map[string]string{
	"alias": "alias", "title": "title", "date-of-birth": "birthDate", "place-of-birth": "birthPlace",
	"gender": "gender", "nationality": "nationality", "passport-number": "passportNumber",
	"identity-card-number": "idNumber", "address": "address", "text": "notes",
}

// suspectRoles are the person template's roles of someone a
// counter-terrorism database may hold as a subject. A victim or a
// witness — or a person whose role is not stated — is not taken: a
// screening hit on them would be a wrong done to them.
var suspectRoles = []string{"suspect", "defendent", "defendant", "accused", "culprit", "accomplice"}

// object takes a person as an entity ("Object"), and the
// hashes and URLs of any other object as attributes.
func (r *reader) object(o object, outer limit, field string) error {
	l, err := within(outer, o.Distribution, nil)
	if err != nil {
		return ctis.Prefix(field, err)
	}
	if o.Deleted {
		r.feed.Skipped["deleted objects"]++
		return nil
	}
	if o.Name != "person" {
		for i, a := range o.Attribute {
			if err := r.attribute(a, l, fmt.Sprintf("%s.Attribute[%d]", field, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if !uuidPattern.MatchString(o.UUID) {
		return ctis.Invalid(field+".uuid", "%q is not a uuid", o.UUID)
	}
	suspect := false
	for _, a := range o.Attribute {
		if a.ObjectRelation == "role" && !a.Deleted && slices.Contains(suspectRoles, strings.ToLower(strings.TrimSpace(a.Value))) {
			suspect = true
		}
	}
	if !suspect {
		r.feed.Skipped["persons not named as suspects (role)"]++
		return nil
	}
	person := ctis.Schemas["Person"]
	var stmts []ctis.NewStatement
	var names [3]string // first, middle, last
	nameLimit := l
	for i, a := range o.Attribute {
		af := fmt.Sprintf("%s.Attribute[%d]", field, i)
		al, err := within(l, a.Distribution, a.Tag)
		if err != nil {
			return ctis.Prefix(af, err)
		}
		if a.Deleted {
			r.feed.Skipped["deleted attributes"]++
			continue
		}
		if n := slices.Index([]string{"first-name", "middle-name", "last-name"}, a.ObjectRelation); n >= 0 {
			names[n] = strings.TrimSpace(a.Value)
			nameLimit = nameLimit.and(al)
			continue
		}
		if a.ObjectRelation == "role" {
			continue
		}
		prop, ok := personTemplate[a.ObjectRelation]
		if !ok {
			r.feed.Skipped["person attributes "+a.ObjectRelation]++
			continue
		}
		p, _ := person.Property(prop)
		v := a.Value
		if prop == "gender" {
			v = strings.ToLower(strings.TrimSpace(v))
			if v == "prefer not to say" {
				v = "unknown"
			}
		}
		v, err = ctis.NormalizeValue(p, v)
		if err != nil {
			// A value ctis's type refuses, such as a nationality written
			// out ("French") rather than as a country code.
			r.feed.Skipped["person attributes "+a.ObjectRelation+" that ctis cannot read as a "+string(p.Type)]++
			continue
		}
		stmts = append(stmts, ctis.NewStatement{Property: prop, Value: v, Handling: al.handling()})
	}
	if full := strings.Join(strings.Fields(strings.Join(names[:], " ")), " "); full != "" {
		p, _ := person.Property("name")
		v, err := ctis.NormalizeValue(p, full)
		if err != nil {
			return ctis.Prefix(field+" (first-name, middle-name, last-name)", err)
		}
		stmts = append([]ctis.NewStatement{{Property: "name", Value: v, Handling: nameLimit.handling()}}, stmts...)
	}
	if len(stmts) == 0 {
		r.feed.Skipped["persons with nothing ctis can hold"]++
		return nil
	}
	id := ctis.DerivedID("misp", strings.ToLower(o.UUID))
	i, ok := r.entity[id]
	if !ok {
		i = len(r.feed.Entities)
		r.entity[id] = i
		r.feed.Entities = append(r.feed.Entities, ctis.NewEntity{ID: id, Schema: "Person"})
	}
	e := &r.feed.Entities[i]
	for _, s := range stmts {
		// A person in two events, or an attribute given twice, says
		// each thing once.
		key := [5]string{id, s.Property, s.Value, string(s.Handling.Distribution), string(s.Handling.Restriction)}
		if !r.seenStatement[key] {
			r.seenStatement[key] = true
			e.Statements = append(e.Statements, s)
		}
	}
	return nil
}

// CheckBank refuses a feed whose entries bank would release further than
// MISP allows them to go: an entry for the importing agency alone needs
// a bank of distribution originator without hit notices, and one under
// H2 a bank under H2. The error names the file and the attribute.
func (f *Feed) CheckBank(bank ctis.HashBank) error {
	for _, e := range f.Entries {
		h, b := e.Handling, bank.Handling
		switch {
		case h.Distribution == ctis.DistOriginator && (b.Distribution != ctis.DistOriginator || b.HitNotice):
			return ctis.Errorf(ctis.EFORBIDDEN, "%s: MISP lets it reach the importing agency alone (its distribution or TLP tag), "+
				"but bank %s %q is released to %s%s; import into a bank of distribution originator without hit notices", e.From,
				bank.ID, bank.Name, b.Distribution, map[bool]string{true: " with hit notices"}[b.HitNotice])
		case h.Restriction == ctis.H2 && b.Restriction != ctis.H2:
			return ctis.Errorf(ctis.EFORBIDDEN, "%s: MISP lets it go no further than this node (This Community Only, or TLP:RED), "+
				"but bank %s %q is under restriction %s; import into a bank under H2", e.From, bank.ID, bank.Name, b.Restriction)
		}
	}
	return nil
}

// HashEntries returns the entries, for a bank.
func (f *Feed) HashEntries() []ctis.HashEntry {
	out := make([]ctis.HashEntry, len(f.Entries))
	for i, e := range f.Entries {
		out[i] = e.HashEntry
	}
	return out
}
