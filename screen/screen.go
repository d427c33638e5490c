// Package screen is the screening engine: it keeps an in-memory index of
// every Person and Organization in the store, in step with every write,
// and screens subjects against it under the handling rules.
//
// Handling is applied inside the index. Each entity is indexed as one
// record per handling class (an originator and one handling), and a query
// retrieves and ranks only the records the viewer may see, so a statement
// the viewer may not see can change neither which entities come back nor
// their scores. Records the viewer may not see but that carry a hit notice
// are searched apart, and reveal only their originator.
package screen

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"ctis"
	"ctis/matcher"
)

// Store is what the engine needs of a store.
type Store interface {
	ctis.EntityService
	// ScreeningStatements loads entities for the index, whoever may see them.
	ScreeningStatements(ctx context.Context, ids []string, fn func(*ctis.Entity) error) error
	// GroupsOf lists the sharing groups of an agency.
	GroupsOf(ctx context.Context, agency string) ([]string, error)
	// RecordScreenings records screenings, their hits and notices.
	RecordScreenings(ctx context.Context, s []ctis.Screening) ([]ctis.ScreenResult, error)
	// The change log, by which the index follows writes made elsewhere.
	ctis.ChangeLog
}

// DefaultThreshold is the score from which a candidate is a hit.
const DefaultThreshold = matcher.DefaultThreshold

// Service screens subjects and keeps the index in step with writes: it
// wraps a store's EntityService, so every write through it reindexes the
// entities it touched.
type Service struct {
	Store
	// Threshold is the lowest score of a hit; zero means DefaultThreshold.
	Threshold float64

	// mu guards built: screenings read it, writes change it, and a full
	// rebuild replaces it whole.
	mu sync.RWMutex
	built

	// following serialises catching up; seen is the last change of the
	// store's log that the index holds.
	following sync.Mutex
	seen      atomic.Int64
}

// built is the index and what it was built from.
type built struct {
	index   *index
	classes map[string]class    // record ID → its handling class and statements
	records map[string][]string // entity ID → its record IDs
	noticed int                 // classes with a hit notice
	// kinds number the distinct (schema, originator, handling) of the
	// classes, so that retrieval decides visibility by a slice index.
	kinds    map[string]uint32
	kindList []kind
	// shortValues interns the short values of the records (see share).
	shortValues map[string]string
}

func newBuilt() built {
	return built{index: newIndex(), classes: map[string]class{}, records: map[string][]string{}, kinds: map[string]uint32{}, shortValues: map[string]string{}}
}

// kind is what decides who may see a class.
type kind struct {
	schema, originator string
	handling           ctis.Handling
}

// class is one record's provenance: the statements of one entity that
// share an originator and a handling, kept compact since the index holds
// one for every record.
type class struct {
	entity     string
	schema     string
	originator string
	handling   ctis.Handling
	// ids are the class's statement IDs, joined by commas: one string,
	// not one each, as the collector marks the index's every object
	// again and again; rec is what they say, shared with the matcher's
	// index; reference and program the entry's list data.
	ids                string
	rec                matcher.Record
	reference, program string
}

var (
	_ ctis.Screener      = (*Service)(nil)
	_ ctis.EntityService = (*Service)(nil)
)

// New builds the index from the store.
func New(ctx context.Context, s Store) (*Service, error) {
	svc := &Service{Store: s, built: newBuilt()}
	if err := svc.Refresh(ctx); err != nil {
		return nil, err
	}
	return svc, nil
}

// Refresh builds the index again from the store — for a write that
// touches entities it does not name, and for statements that pass their
// review date while the node runs — aside, while screenings
// go on with the one it replaces, and warms it (matcher.Index.Warm)
// before it takes over. Writes made meanwhile went to the old index, and
// the change log holds them: they are loaded again into the new one.
func (s *Service) Refresh(ctx context.Context) error {
	s.following.Lock()
	defer s.following.Unlock()
	from, err := s.Store.LastChange(ctx)
	if err != nil {
		return err
	}
	fresh := newBuilt()
	if err := s.Store.ScreeningStatements(ctx, nil, func(e *ctis.Entity) error {
		fresh.load(e.ID, classesOf(e))
		return nil
	}); err != nil {
		return err
	}
	fresh.index.m.Warm()
	s.mu.Lock()
	s.built = fresh
	s.mu.Unlock()
	s.seen.Store(from)
	_, err = s.catchUp(ctx)
	return err
}

// catchUpBatch is how many changes one read of the log takes.
const catchUpBatch = 5000

// CatchUp loads again the entities changed in the store since the index
// last caught up, whichever process wrote them, and returns how many
// changes it read. Writes made through the service are in the index at
// once; CatchUp brings in the others (another process, a command).
func (s *Service) CatchUp(ctx context.Context) (int, error) {
	s.following.Lock()
	defer s.following.Unlock()
	return s.catchUp(ctx)
}

// catchUp is CatchUp, for callers holding following.
func (s *Service) catchUp(ctx context.Context) (int, error) {
	read := 0
	for {
		cs, err := s.Store.Changes(ctx, s.seen.Load(), catchUpBatch)
		if err != nil || len(cs) == 0 {
			return read, err
		}
		var ids []string
		seen := map[string]bool{}
		for _, c := range cs {
			if c.Kind == ctis.ChangeEntity && !seen[c.Ref] {
				seen[c.Ref] = true
				ids = append(ids, c.Ref)
			}
		}
		if len(ids) > 0 {
			if err := s.reindex(ctx, ids); err != nil {
				return read, err
			}
		}
		s.seen.Store(cs[len(cs)-1].Seq)
		read += len(cs)
	}
}

// Behind returns how many changes of the store's log the index has not
// loaded yet.
func (s *Service) Behind(ctx context.Context) (int64, error) {
	last, err := s.Store.LastChange(ctx)
	if err != nil {
		return 0, err
	}
	return max(0, last-s.seen.Load()), nil
}

// Records returns how many records the index holds.
func (s *Service) Records() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.classes)
}

// reindex reloads the given entities from the store; Refresh reloads all.
func (s *Service) reindex(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil // none: not all
	}
	fresh := map[string][]class{}
	err := s.Store.ScreeningStatements(ctx, ids, func(e *ctis.Entity) error {
		fresh[e.ID] = classesOf(e)
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		for _, rid := range s.records[id] {
			s.index.remove(rid)
			if s.classes[rid].handling.HitNotice {
				s.noticed--
			}
			delete(s.classes, rid)
		}
		delete(s.records, id)
	}
	for id, cs := range fresh {
		s.load(id, cs)
	}
	return nil
}

// load indexes the classes of an entity. Callers hold mu for writing,
// or own b alone.
func (b *built) load(entity string, cs []class) {
	for _, c := range cs {
		c.rec.Class = b.kindOf(c)
		b.share(&c)
		c.rec.Part = len(cs) > 1
		rid := c.rec.ID
		b.classes[rid] = c
		b.records[entity] = append(b.records[entity], rid)
		b.index.add(c)
		if c.handling.HitNotice {
			b.noticed++
		}
	}
}

// kindOf numbers the kind of a class.
func (b *built) kindOf(c class) uint32 {
	k := c.schema + "|" + handlingKey(c.originator, c.handling)
	n, ok := b.kinds[k]
	if !ok {
		n = uint32(len(b.kindList))
		b.kinds[k] = n
		b.kindList = append(b.kindList, kind{c.schema, c.originator, c.handling})
	}
	return n
}

// share makes c hold the strings its kind holds, and the interned short
// values of its record, instead of copies of its own: a hundred thousand
// classes then hold a few hundred distinct strings where they would hold
// a million, and the collector has that many fewer objects to mark.
func (b *built) share(c *class) {
	k := b.kindList[c.rec.Class]
	c.schema, c.originator = k.schema, k.originator
	c.handling.Distribution, c.handling.Agencies, c.handling.Group = k.handling.Distribution, k.handling.Agencies, k.handling.Group
	intern := func(v string) string {
		if len(v) > maxInterned {
			return v
		}
		if w, ok := b.shortValues[v]; ok {
			return w
		}
		b.shortValues[v] = v
		return v
	}
	for i, v := range c.rec.BirthDates {
		c.rec.BirthDates[i] = intern(v)
	}
	for i, v := range c.rec.Nationalities {
		c.rec.Nationalities[i] = intern(v)
	}
	c.rec.Gender = intern(c.rec.Gender)
}

// maxInterned bounds the values share interns: dates, country codes and
// genders, of which there are few, and not names or document numbers,
// of which there are as many as records.
const maxInterned = 10

// statementIDs are the IDs of c's statements.
func (c class) statementIDs() []string { return strings.Split(c.ids, ",") }

// classesOf splits an entity's statements into handling classes.
func classesOf(e *ctis.Entity) []class {
	byKey := map[string]*class{}
	var keys []string
	for _, st := range e.Statements {
		k := handlingKey(st.Originator, st.Handling)
		c := byKey[k]
		if c == nil {
			c = &class{entity: e.ID, schema: e.Schema, originator: st.Originator, handling: st.Handling}
			byKey[k] = c
			keys = append(keys, k)
		}
		if c.ids != "" {
			c.ids += ","
		}
		c.ids += st.ID
		switch st.Property {
		case "listReference":
			c.reference = st.Value
		case "program":
			c.program = st.Value
		default:
			addToRecord(&c.rec, st.Property, st.Value)
		}
	}
	out := make([]class, len(keys))
	for i, k := range keys {
		c := *byKey[k]
		c.rec.ID, c.rec.Schema = recordID(c), c.schema
		out[i] = c
	}
	return out
}

func handlingKey(originator string, h ctis.Handling) string {
	return strings.Join([]string{originator, string(h.Distribution), strings.Join(h.Agencies, ","), h.Group,
		boolKey(h.Frontline), boolKey(h.HitNotice)}, "|")
}

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func recordID(c class) string {
	h := sha256.Sum256([]byte(handlingKey(c.originator, c.handling)))
	return c.entity + "/" + hex.EncodeToString(h[:6])
}

// fingerprint identifies what a viewer saw of an entity: a clearance lapses
// when it changes.
func fingerprint(cs []class) string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.statementIDs()...)
	}
	slices.Sort(ids)
	h := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return hex.EncodeToString(h[:12])
}

func (s *Service) threshold() float64 {
	if s.Threshold > 0 {
		return s.Threshold
	}
	return DefaultThreshold
}

// maxCandidates bounds the candidates scored per subject, and maxHits the
// hits returned and queued for review. They are equal: an entity that
// scores above the threshold is a hit, and cutting the list shorter would
// hide a listed entity from the officer because others like it scored a
// little higher (a name listed in several spellings, as different
// persons, fills any short list).
const (
	maxCandidates = 50
	maxHits       = maxCandidates
)

// Screen screens one subject. One that cannot be screened at all is an
// error.
func (s *Service) Screen(ctx context.Context, subject ctis.Subject) (*ctis.ScreenResult, error) {
	res, err := s.ScreenBatch(ctx, []ctis.Subject{subject})
	if err != nil {
		return nil, err
	}
	if res[0].Error != nil {
		return nil, res[0].Error
	}
	return &res[0], nil
}

// ScreenBatch screens subjects, answering in order. Each is salvaged
// first: what does not pass is left out with a warning in its result. A
// subject that cannot be screened at all keeps its place, with the error
// in its result; it is not recorded, as nothing was searched for it.
func (s *Service) ScreenBatch(ctx context.Context, subjects []ctis.Subject) ([]ctis.ScreenResult, error) {
	id, _, err := ctis.RequirePurpose(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if len(subjects) == 0 || len(subjects) > ctis.MaxBatch {
		return nil, ctis.Invalid("subjects", "a batch holds 1 to %d subjects", ctis.MaxBatch)
	}
	least := s.threshold()
	if v := ctis.MinScoreFrom(ctx); v != 0 {
		if err := ctis.ValidMinScore(v); err != nil {
			return nil, err
		}
		least = v
	}
	results := make([]ctis.ScreenResult, len(subjects))
	var todo []ctis.Subject
	var at []int // the place in results of each of todo
	for i, subj := range subjects {
		warnings, err := subj.Salvage()
		if warnings == nil {
			warnings = []string{}
		}
		if err != nil {
			var ce *ctis.Error
			if !errors.As(err, &ce) {
				return nil, err
			}
			if len(subjects) > 1 {
				ce = ctis.Prefix("subjects["+strconv.Itoa(i)+"]", ce).(*ctis.Error)
			}
			results[i] = ctis.ScreenResult{Subject: subj, Hits: []ctis.Hit{}, Notices: []ctis.HitNotice{}, Warnings: warnings, Error: ce}
			continue
		}
		results[i].Warnings = warnings
		todo, at = append(todo, subj), append(at, i)
	}
	if len(todo) == 0 {
		return results, nil
	}
	groups, err := s.Store.GroupsOf(ctx, id.Agency)
	if err != nil {
		return nil, err
	}
	viewer := id.Viewer()
	viewer.Groups = groups
	screenings := make([]ctis.Screening, len(todo))
	s.mu.RLock()
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				screenings[i] = s.screen(viewer, todo[i], least)
			}
		}()
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	s.mu.RUnlock()
	// The results of those recorded, in place among the others.
	merge := func(recorded []ctis.ScreenResult) []ctis.ScreenResult {
		out := slices.Clone(results)
		for k, r := range recorded {
			r.Warnings = results[at[k]].Warnings
			out[at[k]] = r
		}
		return out
	}
	if rk := ctis.RequestKeyFrom(ctx); rk != nil && rk.Answer != nil {
		// The answer is rendered from the results, not from what the
		// store recorded alone.
		answer := rk.Answer
		rk.Answer = func(v any) (ctis.KeptAnswer, error) {
			recorded, ok := v.([]ctis.ScreenResult)
			if !ok {
				return ctis.KeptAnswer{}, fmt.Errorf("screening results expected, got %T", v)
			}
			return answer(merge(recorded))
		}
	}
	recorded, err := s.Store.RecordScreenings(ctx, screenings)
	if err != nil {
		return nil, err
	}
	return merge(recorded), nil
}

// screen finds the hits of one subject that score at least least, and its
// hidden matches at the service's own threshold. Callers hold mu.
func (s *Service) screen(v ctis.Viewer, subj ctis.Subject, least float64) ctis.Screening {
	// Visibility by kind, decided once per subject.
	seeKind := make([]bool, len(s.kindList))
	noticeKind := make([]bool, len(s.kindList))
	for i, k := range s.kindList {
		if k.schema != subj.Schema {
			continue
		}
		seeKind[i] = ctis.CanSee(v, k.originator, k.handling)
		noticeKind[i] = !seeKind[i] && k.handling.HitNotice
	}
	sees := func(k uint32) bool { return seeKind[k] }
	visible := func(rid string) bool { return seeKind[s.classes[rid].rec.Class] }
	out := ctis.Screening{Subject: subj, Hits: []ctis.Hit{}}
	seen := map[string]bool{}
	for _, m := range s.index.candidates(subj, least, maxCandidates, sees) {
		entity := s.classes[m.ID].entity
		if seen[entity] {
			continue
		}
		seen[entity] = true
		// The entity as the viewer sees it: every visible class. Most
		// entities have one, already scored by the index.
		var cs []class
		for _, r := range s.records[entity] {
			if visible(r) {
				cs = append(cs, s.classes[r])
			}
		}
		score, expl, matched := explain(m)
		if len(cs) > 1 {
			score, expl, matched = s.index.score(subj, cs)
		}
		if score < least {
			continue
		}
		out.Hits = append(out.Hits, s.hitOf(subj, cs, score, expl, matched))
	}
	sort.SliceStable(out.Hits, func(i, j int) bool { return out.Hits[i].Score > out.Hits[j].Score })
	if len(out.Hits) > maxHits {
		out.Hits = out.Hits[:maxHits]
	}

	noticed := func(k uint32) bool { return noticeKind[k] }
	if s.noticed == 0 {
		return out
	}
	for _, m := range s.index.candidates(subj, min(least, s.threshold()), maxCandidates, noticed) {
		c := s.classes[m.ID]
		// A hidden class matches when, read with what the viewer sees of
		// the entity, the subject is a hit, and the class's own part of
		// it matches: a restricted passport number found, not merely a
		// visible name matched again.
		cs := []class{c}
		for _, r := range s.records[c.entity] {
			if visible(r) {
				cs = append(cs, s.classes[r])
			}
		}
		if score, _, _ := s.index.score(subj, cs); score < s.threshold() || !s.index.contributes(subj, c) {
			continue
		}
		out.Hidden = append(out.Hidden, ctis.HiddenMatch{EntityID: c.entity, Originator: c.originator, Statements: c.statementIDs()})
	}
	return out
}

// hitOf describes a hit from the classes the viewer sees, each a source
// with the parts of the subject it matched.
func (s *Service) hitOf(subj ctis.Subject, cs []class, score float64, expl []ctis.ScoreComponent, matched string) ctis.Hit {
	h := ctis.Hit{EntityID: cs[0].entity, Schema: cs[0].schema, Score: score, Matched: matched, Explanation: expl, Fingerprint: fingerprint(cs)}
	for _, c := range cs {
		h.Sources = append(h.Sources, ctis.HitSource{Originator: c.originator, Handling: c.handling, Components: s.index.matchedParts(subj, c)})
		if !slices.Contains(h.Agencies, c.originator) {
			h.Agencies = append(h.Agencies, c.originator)
		}
		if c.reference != "" {
			h.Reference = c.reference
		}
		if c.program != "" {
			h.Program = c.program
		}
	}
	slices.Sort(h.Agencies)
	return h
}
