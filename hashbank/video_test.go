package hashbank_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/hashbank"
	"ctis/hashindex"
	"ctis/vpdq"
)

// videoFrames is a synthetic video of n frames, each far from the others,
// from seed.
func videoFrames(seed, n int) []ctis.VideoFrame {
	out := make([]vpdq.Feature, n)
	for i := range out {
		h := hashindex.Random(rngFor(seed*1000 + i))
		out[i] = vpdq.Feature{Frame: i * 30, Quality: 90, Hash: h, Time: float64(i)}
	}
	return hashbank.Frames(out)
}

// TestVideoEntries: a video entry is matched by a copy of its frames
// changed within the radius and cut short, not by another video; under
// each bank's handling (an agency that may not see the bank gets a
// notice when the bank asks for one, else nothing); not once disabled,
// again once enabled; and by an engine restarted from the store.
func TestVideoEntries(t *testing.T) {
	db, svc := node(t)
	fr, de, jo := as(ctistest.FR, ctis.RoleAnalyst), as(ctistest.DE, ctis.RoleAnalyst), as(ctistest.JO, ctis.RoleAnalyst)
	bank, err := svc.CreateHashBank(fr, ctis.HashBank{Name: "attack footage", Handling: ctis.Handling{Distribution: ctis.DistGroup, Group: ctistest.Western, HitNotice: true}})
	if err != nil {
		t.Fatal(err)
	}
	stored := videoFrames(1, 20)
	entries, err := svc.AddHashes(fr, bank.ID, []ctis.HashEntry{{Type: ctis.HashVPDQ, Frames: stored, Labels: ctis.HashLabels{ContentType: "video"}}})
	if err != nil {
		t.Fatal(err)
	}
	entry := entries[0]
	if len(entry.Value) != 64 || len(entry.Frames) != 20 {
		t.Fatalf("entry %+v", entry)
	}
	// A copy: the middle half, each frame 12 bits off.
	var copy []ctis.VideoFrame
	for i, f := range stored[5:15] {
		h, _ := hashbank.Features([]ctis.VideoFrame{f})
		h[0].Hash = hashindex.Perturb(rngFor(i), h[0].Hash, 12)
		h[0].Frame = i
		copy = append(copy, hashbank.Frames(h)...)
	}
	match := func(ctx any, frames []ctis.VideoFrame) *ctis.HashMatchResult {
		t.Helper()
		c := fr
		switch ctx {
		case "de":
			c = de
		case "jo":
			c = jo
		}
		res, err := svc.MatchVideo(c, frames)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := match("de", copy)
	if len(res.Matches) != 1 || res.Matches[0].Entry.ID != entry.ID || res.Matches[0].Video.QueryPercent != 100 || res.Matches[0].Video.StoredPercent != 50 {
		t.Fatalf("copy: %+v", res)
	}
	if res := match("de", videoFrames(2, 10)); len(res.Matches)+len(res.Notices) != 0 {
		t.Errorf("another video matched: %+v", res)
	}
	if res := match("jo", copy); len(res.Matches) != 0 || len(res.Notices) != 1 || res.Notices[0].Agency != ctistest.FR {
		t.Errorf("JO-GID, outside the group: %+v", res)
	}
	if _, err := svc.SetHashDisabled(fr, entry.ID, true, "a duplicate"); err != nil {
		t.Fatal(err)
	}
	if res := match("de", copy); len(res.Matches)+len(res.Notices) != 0 {
		t.Errorf("disabled entry matched: %+v", res)
	}
	if _, err := svc.SetHashDisabled(fr, entry.ID, false, "not a duplicate"); err != nil {
		t.Fatal(err)
	}
	if res, err := restart(t, db).MatchVideo(de, copy); err != nil || len(res.Matches) != 1 {
		t.Errorf("restarted engine: %+v, %v", res, err)
	}
	// Bad frames are refused with the frame named.
	bad := append([]ctis.VideoFrame(nil), copy...)
	bad[3].Hash = strings.Repeat("z", 64)
	if _, err := svc.MatchVideo(de, bad); ctis.ErrorField(err) != "frames[3].hash.value" {
		t.Errorf("bad frame: %v", err)
	}
	many := videoFrames(3, ctis.MaxVideoFrames+1)
	if _, err := svc.MatchVideo(de, many); ctis.ErrorCode(err) != ctis.ETOOLARGE {
		t.Errorf("too many frames: %v", err)
	}
}

// rngFor is a random source of its own for seed.
func rngFor(seed int) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 7)) }
