// Package hashbank matches hashes of terrorist content against the banks
// members share. It keeps the banks' PDQ hashes in a multi-index and
// their digests and URLs in an exact index, in step with every write made
// through it, and applies each bank's handling inside the search: an
// entry the asker may not see is never a candidate, and shows at most as
// a notice naming the bank's agency when the bank asks for one.
package hashbank

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"ctis"
	"ctis/hashindex"
	"ctis/pdq"
	"ctis/vpdq"
)

// Store is what the engine needs of a store.
type Store interface {
	ctis.HashStore
	// AllHashBanks lists every bank, whoever may see it.
	AllHashBanks(ctx context.Context) ([]ctis.HashBank, error)
	// HashViewer returns what handling looks at of an identity.
	HashViewer(ctx context.Context, id ctis.Identity) (ctis.Viewer, error)
	// LoadHashes calls fn for every entry after seq after, in order.
	LoadHashes(ctx context.Context, after int64, fn func(*ctis.HashEntry) error) error
	// RecordHashMatches records the caller's matches and notices.
	RecordHashMatches(ctx context.Context, queries int, hits []ctis.HashHit, notices []string) (*ctis.HashMatchResult, error)
	// HashStates returns whether each of the entries seqs is disabled.
	HashStates(ctx context.Context, seqs []int64) (map[int64]bool, error)
	// The change log, by which the indexes follow writes made elsewhere.
	ctis.ChangeLog
}

// MaxQueries is the most hashes one match request takes.
const MaxQueries = 1000

// Service matches hashes and keeps its indexes in step with the writes
// made through it.
type Service struct {
	Store

	mu sync.Mutex // serialises syncs
	// following serialises catching up with the change log.
	following sync.Mutex
	pdq       *hashindex.PDQ
	exact     *hashindex.Exact
	pdqSeq    []int64 // slot → entry seq, ascending
	exactSeq  []int64
	loaded    int64        // the highest entry seq indexed
	seen      atomic.Int64 // the last change of the store's log the indexes hold

	// The video index: an add must run alone, searches together.
	videoMu       sync.RWMutex
	video         *vpdq.Index
	videoSeq      []int64 // video ID → entry seq, ascending
	videoOwner    []uint32
	videoDisabled []bool

	banksMu sync.RWMutex
	banks   []ctis.HashBank // by bank number, the index's owner
	bankNo  map[string]uint32
}

var _ ctis.HashService = (*Service)(nil)

// New builds the indexes from the store; progress, if not nil, is told of
// each entry loaded.
func New(ctx context.Context, s Store, progress func(loaded int)) (*Service, error) {
	svc := &Service{Store: s, pdq: hashindex.NewPDQ(0), exact: hashindex.NewExact(), video: vpdq.NewIndex(vpdq.Defaults), bankNo: map[string]uint32{}}
	// Changes logged while the indexes are built are read again after.
	seen, err := s.LastChange(ctx)
	if err != nil {
		return nil, err
	}
	if err := svc.sync(ctx, progress); err != nil {
		return nil, err
	}
	svc.seen.Store(seen)
	return svc, nil
}

// CatchUp brings the indexes up to date with the banks, entries and
// entry states written since they last caught up, whichever process
// wrote them, and returns how many changes it read.
func (s *Service) CatchUp(ctx context.Context) (int, error) {
	s.following.Lock()
	defer s.following.Unlock()
	after := s.seen.Load()
	read := 0
	for {
		cs, err := s.Store.Changes(ctx, after, 5000)
		if err != nil || len(cs) == 0 {
			return read, err
		}
		var states []int64
		banks := false
		for _, c := range cs {
			switch c.Kind {
			case ctis.ChangeBank:
				banks = true
			case ctis.ChangeHash:
				if seq, err := strconv.ParseInt(c.Ref, 10, 64); err == nil {
					states = append(states, seq)
				}
			}
		}
		if banks {
			if err := s.sync(ctx, nil); err != nil {
				return read, err
			}
		}
		if len(states) > 0 {
			disabled, err := s.HashStates(ctx, states)
			if err != nil {
				return read, err
			}
			s.mu.Lock()
			for seq, d := range disabled {
				s.setDisabled(seq, d)
			}
			s.mu.Unlock()
		}
		after = cs[len(cs)-1].Seq
		read += len(cs)
		s.seen.Store(after)
	}
}

// Behind returns how many changes of the store's log the indexes have
// not read yet.
func (s *Service) Behind(ctx context.Context) (int64, error) {
	last, err := s.Store.LastChange(ctx)
	if err != nil {
		return 0, err
	}
	return max(0, last-s.seen.Load()), nil
}

// Len returns how many PDQ hashes and how many other values are indexed.
func (s *Service) Len() (pdqs, others int) { return s.pdq.Len(), s.exact.Len() }

// sync indexes the banks and entries added since the last sync.
func (s *Service) sync(ctx context.Context, progress func(int)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	banks, err := s.AllHashBanks(ctx)
	if err != nil {
		return err
	}
	s.banksMu.Lock()
	for _, b := range banks {
		if _, ok := s.bankNo[b.ID]; !ok {
			s.bankNo[b.ID] = uint32(len(s.banks))
			s.banks = append(s.banks, b)
		}
	}
	bankNo := s.bankNo
	s.banksMu.Unlock()
	var hashes []pdq.Hash
	var owners []uint32
	var disabled []hashindex.Slot
	loaded := 0
	s.videoMu.Lock()
	defer s.videoMu.Unlock()
	err = s.LoadHashes(ctx, s.loaded, func(e *ctis.HashEntry) error {
		no := bankNo[e.Bank]
		switch e.Type {
		case ctis.HashVPDQ:
			fs, err := Features(e.Frames)
			if err != nil {
				return err
			}
			// A video without a frame good enough to match is kept in
			// its bank but matches nothing.
			if _, err := s.video.Add(fs); err == nil {
				s.videoSeq = append(s.videoSeq, e.Seq)
				s.videoOwner = append(s.videoOwner, no)
				s.videoDisabled = append(s.videoDisabled, e.Disabled)
			} else if !errors.Is(err, vpdq.ErrNoFrames) {
				return err
			}
		case ctis.HashPDQ:
			h, err := pdq.ParseHash(e.Value)
			if err != nil {
				return err
			}
			if e.Disabled {
				disabled = append(disabled, hashindex.Slot(len(s.pdqSeq)))
			}
			hashes, owners = append(hashes, h), append(owners, no)
			s.pdqSeq = append(s.pdqSeq, e.Seq)
		default:
			slot := s.exact.Add(exactKey(e.Type, e.Value), no)
			s.exact.SetDisabled(slot, e.Disabled)
			s.exactSeq = append(s.exactSeq, e.Seq)
		}
		s.loaded = e.Seq
		if loaded++; progress != nil {
			progress(loaded)
		}
		return nil
	})
	if len(hashes) > 0 {
		s.pdq.AddAll(hashes, owners)
		for _, slot := range disabled {
			s.pdq.SetDisabled(slot, true)
		}
	}
	return err
}

// exactKey is the index key of a digest or URL: the type and the digest's
// bytes, or the SHA-256 of the normalised URL.
func exactKey(t ctis.HashType, value string) string {
	if t == ctis.HashURL {
		sum := sha256.Sum256([]byte(value))
		return "u" + string(sum[:])
	}
	b, _ := hex.DecodeString(value)
	return string(t[0]) + string(b)
}

// CreateHashBank creates a bank and makes it known to the index.
func (s *Service) CreateHashBank(ctx context.Context, b ctis.HashBank) (*ctis.HashBank, error) {
	out, err := s.Store.CreateHashBank(ctx, b)
	if err != nil {
		return nil, err
	}
	return out, s.sync(ctx, nil)
}

// AddHashes adds entries and indexes them.
func (s *Service) AddHashes(ctx context.Context, bank string, entries []ctis.HashEntry) ([]ctis.HashEntry, error) {
	out, err := s.Store.AddHashes(ctx, bank, entries)
	if err != nil {
		return nil, err
	}
	return out, s.sync(ctx, nil)
}

// SetHashDisabled disables or re-enables an entry, in the store and the
// index.
func (s *Service) SetHashDisabled(ctx context.Context, entry string, disabled bool, reason string) (*ctis.HashEntry, error) {
	e, err := s.Store.SetHashDisabled(ctx, entry, disabled, reason)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setDisabled(e.Seq, disabled)
	return e, nil
}

// setDisabled sets the state of the entry seq in whichever index holds
// it. Callers hold mu.
func (s *Service) setDisabled(seq int64, disabled bool) {
	if i, ok := slices.BinarySearch(s.pdqSeq, seq); ok {
		s.pdq.SetDisabled(hashindex.Slot(i), disabled)
	} else if i, ok := slices.BinarySearch(s.exactSeq, seq); ok {
		s.exact.SetDisabled(hashindex.Slot(i), disabled)
	} else {
		s.videoMu.Lock()
		if i, ok := slices.BinarySearch(s.videoSeq, seq); ok {
			s.videoDisabled[i] = disabled
		}
		s.videoMu.Unlock()
	}
}

// MatchHashes matches queries against the banks the caller may see.
func (s *Service) MatchHashes(ctx context.Context, queries []ctis.HashQuery, radius int) (*ctis.HashMatchResult, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if id.System {
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "the local operator belongs to no agency and matches against no bank")
	}
	if len(queries) == 0 || len(queries) > MaxQueries {
		return nil, ctis.Invalid("hashes", "give between 1 and %d hashes", MaxQueries)
	}
	if radius < 0 || radius > hashindex.MaxRadius {
		return nil, ctis.Invalid("radius", "the radius is between 0 and %d bits", hashindex.MaxRadius)
	}
	var pdqs []pdq.Hash
	var pdqQuery []int // query index of each PDQ hash
	for i := range queries {
		q := &queries[i]
		v, err := ctis.NormalizeHash(q.Type, q.Value)
		if err != nil {
			return nil, ctis.Prefix("hashes["+strconv.Itoa(i)+"]", err)
		}
		q.Value = v
		if q.Type == ctis.HashPDQ {
			h, _ := pdq.ParseHash(v)
			pdqs, pdqQuery = append(pdqs, h), append(pdqQuery, i)
		}
	}
	v, err := s.viewOf(ctx, id)
	if err != nil {
		return nil, err
	}
	keep, found := v.keep, v.found
	if len(pdqs) > 0 {
		for _, m := range s.pdq.Search(pdqs, radius, keep) {
			found(s.pdq.Owner(m.Slot), s.pdqSeqOf(m.Slot), pdqQuery[m.Query], m.Distance)
		}
	}
	for i, q := range queries {
		if q.Type == ctis.HashPDQ {
			continue
		}
		for _, slot := range s.exact.Lookup(exactKey(q.Type, q.Value), keep) {
			found(s.exact.Owner(slot), s.exactSeqOf(slot), i, 0)
		}
	}
	return v.record(ctx, s, len(queries))
}

// view is what one asker may match: the banks it sees, those that ask to
// be told of its matches, and what it found so far. Handling is applied
// inside each index's search, through keep.
type view struct {
	see, notice []bool // by bank number
	banks       []ctis.HashBank
	best        map[int64]ctis.HashHit // entry seq → its closest query
	noticed     map[string]bool
}

// viewOf is the view of the asker id.
func (s *Service) viewOf(ctx context.Context, id ctis.Identity) (*view, error) {
	viewer, err := s.HashViewer(ctx, id)
	if err != nil {
		return nil, err
	}
	s.banksMu.RLock()
	defer s.banksMu.RUnlock()
	v := &view{see: make([]bool, len(s.banks)), notice: make([]bool, len(s.banks)), banks: s.banks,
		best: map[int64]ctis.HashHit{}, noticed: map[string]bool{}}
	for i, b := range s.banks {
		v.see[i] = ctis.CanSee(viewer, b.Agency, b.Handling)
		v.notice[i] = !v.see[i] && b.Handling.HitNotice
	}
	return v, nil
}

// keep tells an index whether an entry of bank owner is a candidate.
func (v *view) keep(owner uint32) bool {
	return int(owner) < len(v.see) && (v.see[owner] || v.notice[owner])
}

// found records a hit on an entry of bank owner: a match when the asker
// sees the bank, else a notice to the bank's agency.
func (v *view) found(owner uint32, seq int64, query, distance int) {
	v.foundVideo(owner, seq, query, distance, nil)
}

func (v *view) foundVideo(owner uint32, seq int64, query, distance int, share *ctis.VideoShare) {
	if !v.see[owner] {
		v.noticed[v.banks[owner].Agency] = true
		return
	}
	if h, ok := v.best[seq]; !ok || distance < h.Distance {
		v.best[seq] = ctis.HashHit{Seq: seq, Query: query, Distance: distance, Video: share}
	}
}

// record records the hits and notices, the closest first.
func (v *view) record(ctx context.Context, s *Service, queries int) (*ctis.HashMatchResult, error) {
	hits := make([]ctis.HashHit, 0, len(v.best))
	for _, h := range v.best {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b ctis.HashHit) int {
		if a.Distance != b.Distance {
			return a.Distance - b.Distance
		}
		return int(a.Seq - b.Seq)
	})
	agencies := make([]string, 0, len(v.noticed))
	for a := range v.noticed {
		agencies = append(agencies, a)
	}
	slices.Sort(agencies)
	return s.RecordHashMatches(ctx, queries, hits, agencies)
}

// MatchVideo matches a video's frames against the video entries of the
// banks the caller may see.
func (s *Service) MatchVideo(ctx context.Context, frames []ctis.VideoFrame) (*ctis.HashMatchResult, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if id.System {
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "the local operator belongs to no agency and matches against no bank")
	}
	frames = slices.Clone(frames)
	if _, err := ctis.ValidateFrames("frames", frames); err != nil {
		return nil, err
	}
	fs, err := Features(frames)
	if err != nil {
		return nil, err
	}
	v, err := s.viewOf(ctx, id)
	if err != nil {
		return nil, err
	}
	s.videoMu.RLock()
	matches := s.video.Search(fs, func(x vpdq.VideoID) bool {
		return !s.videoDisabled[x] && v.keep(s.videoOwner[x])
	})
	for _, m := range matches {
		// The closer the query's share, the smaller the distance: the
		// share of the query's frames unmatched, in percent.
		share := &ctis.VideoShare{QueryPercent: m.QueryPercent, StoredPercent: m.StoredPercent}
		v.foundVideo(s.videoOwner[m.Video], s.videoSeq[m.Video], 0, int(100-m.QueryPercent), share)
	}
	s.videoMu.RUnlock()
	return v.record(ctx, s, 1)
}

// Features are a video entry's frames as vpdq hashes them.
func Features(frames []ctis.VideoFrame) ([]vpdq.Feature, error) {
	out := make([]vpdq.Feature, len(frames))
	for i, f := range frames {
		h, err := pdq.ParseHash(f.Hash)
		if err != nil {
			return nil, ctis.Invalid("frames["+strconv.Itoa(i)+"].hash", "%s", err.Error())
		}
		out[i] = vpdq.Feature{Frame: f.Frame, Quality: f.Quality, Hash: h, Time: f.Time}
	}
	return out, nil
}

// Frames are vpdq's hashes as a video entry keeps them.
func Frames(fs []vpdq.Feature) []ctis.VideoFrame {
	out := make([]ctis.VideoFrame, len(fs))
	for i, f := range fs {
		out[i] = ctis.VideoFrame{Frame: f.Frame, Quality: f.Quality, Hash: f.Hash.String(), Time: f.Time}
	}
	return out
}

func (s *Service) pdqSeqOf(slot hashindex.Slot) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pdqSeq[slot]
}

func (s *Service) exactSeqOf(slot hashindex.Slot) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.exactSeq[slot]
}

// ImageQueries are the queries made of a hashed image: its PDQ hash (as
// variant 0), the variants hashed with it, its MD5 and its SHA-256, in
// that order, which a match's Query index refers to.
func ImageQueries(f *pdq.File) []ctis.HashQuery {
	q := []ctis.HashQuery{{Type: ctis.HashPDQ, Value: f.PDQ}}
	for i, v := range f.Variants {
		q = append(q, ctis.HashQuery{Type: ctis.HashPDQ, Value: v, Variant: i + 1})
	}
	return append(q, ctis.HashQuery{Type: ctis.HashMD5, Value: f.MD5}, ctis.HashQuery{Type: ctis.HashSHA256, Value: f.SHA256})
}
