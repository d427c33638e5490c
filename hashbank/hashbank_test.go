package hashbank_test

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/hashbank"
	"ctis/hashindex"
	"ctis/pdq"
	"ctis/store"
)

// as acts as a user of an agency holding roles.
var as = ctistest.As

// node opens a store seeded by the test kit, with the platform VIDEOHOST
// beside its agencies, and the engine over it. The handling matrix of the
// hash banks is the kit's, run by the store package's TestSuite.
func node(t *testing.T) (*store.DB, *hashbank.Service) {
	t.Helper()
	return nodeAt(t, nil)
}

// nodeAt is node with the store's clock set by now.
func nodeAt(t *testing.T, now func() time.Time) (*store.DB, *hashbank.Service) {
	t.Helper()
	n := ctistest.SeededStore(t, engine, store.Options{Now: now})
	if _, err := n.Directory.CreateAgency(ctistest.System, ctistest.Platform); err != nil {
		t.Fatal(err)
	}
	return n.DB, n.Hashes
}

func restart(t *testing.T, db *store.DB) *hashbank.Service {
	t.Helper()
	svc, err := hashbank.New(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

var (
	rng      = rand.New(rand.NewPCG(5, 5))
	picture  = hashindex.Random(rng)
	digest   = "D41D8CD98F00B204E9800998ECF8427E"
	pageURL  = "https://www.example.org/videos/attack/?utm_source=x#t=3"
	sameURL  = "http://EXAMPLE.org/videos/attack"
	nearby   = hashindex.Perturb(rng, picture, 20)
	farAway  = hashindex.Perturb(rng, picture, 40)
	oneLabel = ctis.HashLabels{Entity: "Daesh", Behaviours: []ctis.Behaviour{"branded_propaganda"}, ContentType: "image"}
)

func fill(t *testing.T, svc *hashbank.Service, h ctis.Handling) (*ctis.HashBank, []ctis.HashEntry) {
	t.Helper()
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	bank, err := svc.CreateHashBank(fr, ctis.HashBank{Name: "propaganda", Handling: h})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := svc.AddHashes(fr, bank.ID, []ctis.HashEntry{
		{Type: ctis.HashPDQ, Value: picture.String(), Labels: oneLabel},
		{Type: ctis.HashMD5, Value: digest, Labels: oneLabel},
		{Type: ctis.HashURL, Value: pageURL, Labels: oneLabel},
	})
	if err != nil {
		t.Fatal(err)
	}
	return bank, entries
}

func queries() []ctis.HashQuery {
	return []ctis.HashQuery{{Type: ctis.HashPDQ, Value: nearby.String()}, {Type: ctis.HashMD5, Value: digest}, {Type: ctis.HashURL, Value: sameURL}}
}

// TestMatchLifecycle follows one entry: matched by PDQ within the radius
// and not beyond, by digest and by URL however written; disabled and
// enabled again; found again by a restarted engine; judged by members,
// disputed until flagged; appealed; and counted.
func TestMatchLifecycle(t *testing.T) {
	db, svc := node(t)
	bank, entries := fill(t, svc, ctis.Handling{Distribution: ctis.DistAll, Frontline: true})
	host := as("VIDEOHOST", ctis.RoleAnalyst)
	de := as("DE-BKA", ctis.RoleAnalyst)

	res, err := svc.MatchHashes(host, queries(), ctis.DefaultRadius)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 3 || res.Matches[0].Entry.ID != entries[1].ID && res.Matches[0].Distance != 0 {
		t.Fatalf("matches %+v", res.Matches)
	}
	for _, m := range res.Matches {
		if m.Entry.Type == ctis.HashPDQ && m.Distance != 20 || m.BankName != "propaganda" || m.Entry.Labels.Entity != "Daesh" {
			t.Errorf("match %+v", m)
		}
	}
	if res, _ := svc.MatchHashes(host, []ctis.HashQuery{{Type: ctis.HashPDQ, Value: farAway.String()}}, ctis.DefaultRadius); len(res.Matches) != 0 {
		t.Errorf("a hash 40 bits away matched at radius 31")
	}
	if res, _ := svc.MatchHashes(host, []ctis.HashQuery{{Type: ctis.HashPDQ, Value: farAway.String()}}, 40); len(res.Matches) != 1 {
		t.Errorf("a hash 40 bits away did not match at radius 40")
	}

	fr := as("FR-DGSI", ctis.RoleAnalyst)
	if _, err := svc.SetHashDisabled(fr, entries[0].ID, true, "duplicate of a better hash"); err != nil {
		t.Fatal(err)
	}
	if res, _ := svc.MatchHashes(host, queries()[:1], ctis.DefaultRadius); len(res.Matches) != 0 {
		t.Errorf("a disabled entry matched")
	}
	if again := restart(t, db); true {
		if res, _ := again.MatchHashes(host, queries(), ctis.DefaultRadius); len(res.Matches) != 2 {
			t.Errorf("after a restart, %d matches; want the 2 enabled entries", len(res.Matches))
		}
	}
	if _, err := svc.SetHashDisabled(fr, entries[0].ID, false, "restored"); err != nil {
		t.Fatal(err)
	}
	res, _ = svc.MatchHashes(host, queries()[:1], ctis.DefaultRadius)
	if len(res.Matches) != 1 {
		t.Fatalf("a re-enabled entry did not match")
	}
	hostMatch := res.Matches[0].ID

	deRes, _ := svc.MatchHashes(de, queries()[:1], ctis.DefaultRadius)
	if _, err := svc.GiveFeedback(de, ctis.HashFeedback{Match: hostMatch, Verdict: ctis.Disputed, Reason: "x"}); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("feedback on another agency's match: %v", err)
	}
	if _, err := svc.GiveFeedback(de, ctis.HashFeedback{Match: deRes.Matches[0].ID, Verdict: ctis.FalsePositive}); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Errorf("a false positive without a reason: %v", err)
	}
	if _, err := svc.GiveFeedback(de, ctis.HashFeedback{Match: deRes.Matches[0].ID, Verdict: ctis.Disputed, Reason: "a news report, not propaganda"}); err != nil {
		t.Fatal(err)
	}
	flagged, _ := svc.HashEntries(fr, ctis.HashEntryFilter{Bank: bank.ID, Flagged: true})
	if len(flagged) != 0 {
		t.Fatalf("flagged after one dispute")
	}
	appeal, err := svc.LodgeAppeal(host, ctis.Appeal{Match: hostMatch, Reference: "case 8812"})
	if err != nil {
		t.Fatal(err)
	}
	if appeal.Outcome != ctis.AppealPending || appeal.Entry != entries[0].ID {
		t.Fatalf("appeal %+v", appeal)
	}
	if _, err := svc.DecideAppeal(de, appeal.ID, ctis.AppealUpheld, "x"); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("another agency decided the platform's appeal: %v", err)
	}
	if _, err := svc.DecideAppeal(host, appeal.ID, ctis.AppealUpheld, "the video is news reporting"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DecideAppeal(host, appeal.ID, ctis.AppealRejected, "again"); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("deciding twice: %v", err)
	}
	flagged, _ = svc.HashEntries(fr, ctis.HashEntryFilter{Bank: bank.ID, Flagged: true})
	if len(flagged) != 1 || flagged[0].ID != entries[0].ID || flagged[0].Disputes != 2 {
		t.Fatalf("after a dispute and an upheld appeal: flagged %+v", flagged)
	}
	if _, err := svc.GiveFeedback(host, ctis.HashFeedback{Match: res.Matches[0].ID, Verdict: ctis.TruePositive}); err != nil {
		t.Fatal(err)
	}
	appeals, _ := svc.Appeals(host)
	if len(appeals) != 1 || appeals[0].Outcome != ctis.AppealUpheld || appeals[0].DecidedAt == nil {
		t.Fatalf("appeals %+v", appeals)
	}

	months, err := svc.Transparency(fr, "", "")
	if err != nil {
		t.Fatal(err)
	}
	got := months[len(months)-1]
	want := ctis.TransparencyMonth{Month: time.Now().UTC().Format("2006-01"), EntriesAdded: 3, Matches: 3 + 1 + 2 + 1 + 1, TruePositives: 1, Disputes: 1, AppealsLodged: 1, AppealsUpheld: 1}
	if got != want {
		t.Errorf("transparency\n got %+v\nwant %+v", got, want)
	}
	if _, err := svc.Transparency(fr, "2026-13", ""); ctis.ErrorCode(err) != ctis.EINVALID {
		t.Errorf("a bad month: %v", err)
	}
}

// TestVariantsMatchTurnedImage: a rotated copy of a banked image matches
// when the query brings the eight variants.
func TestVariantsMatchTurnedImage(t *testing.T) {
	_, svc := node(t)
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	bank, _ := svc.CreateHashBank(fr, ctis.HashBank{Name: "b", Handling: ctis.Handling{Distribution: ctis.DistAll}})
	img := pdqImage(rng)
	variants, _ := pdq.Dihedral(img)
	if _, err := svc.AddHashes(fr, bank.ID, []ctis.HashEntry{{Type: ctis.HashPDQ, Value: variants[3].String()}}); err != nil {
		t.Fatal(err)
	}
	one := []ctis.HashQuery{{Type: ctis.HashPDQ, Value: variants[0].String()}}
	if res, _ := svc.MatchHashes(fr, one, ctis.DefaultRadius); len(res.Matches) != 0 {
		t.Fatalf("the image as given matched its turned copy without variants")
	}
	var all []ctis.HashQuery
	for i, v := range variants {
		all = append(all, ctis.HashQuery{Type: ctis.HashPDQ, Value: v.String(), Variant: i})
	}
	res, _ := svc.MatchHashes(fr, all, ctis.DefaultRadius)
	if len(res.Matches) != 1 || res.Matches[0].Query != 3 || res.Matches[0].Distance != 0 {
		t.Fatalf("variants: %+v", res.Matches)
	}
	if !slices.ContainsFunc(res.Matches, func(m ctis.HashMatch) bool { return m.Entry.Bank == bank.ID }) {
		t.Fatal("wrong bank")
	}
}

func TestBadQueries(t *testing.T) {
	_, svc := node(t)
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	for _, c := range []struct {
		q      []ctis.HashQuery
		radius int
		field  string
	}{
		{nil, 31, "hashes"},
		{[]ctis.HashQuery{{Type: "pdq", Value: "xyz"}}, 31, "hashes[0].value"},
		{[]ctis.HashQuery{{Type: "crc32", Value: "00"}}, 31, "hashes[0].type"},
		{[]ctis.HashQuery{{Type: "url", Value: "ftp://x.org/a"}}, 31, "hashes[0].value"},
		{[]ctis.HashQuery{{Type: "md5", Value: digest}}, 64, "radius"},
	} {
		_, err := svc.MatchHashes(fr, c.q, c.radius)
		if ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) != c.field {
			t.Errorf("%+v: %v (field %q), want invalid %s", c.q, err, ctis.ErrorField(err), c.field)
		}
	}
	if _, err := svc.MatchHashes(as("FR-DGSI", ctis.RoleAuditor), queries(), 31); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("an auditor matched: %v", err)
	}
}

// pdqImage draws a random blocky picture with enough structure to hash.
func pdqImage(r *rand.Rand) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 128, 96))
	for y := range 96 {
		for x := range 128 {
			img.Pix[y*128+x] = uint8((x/16*37 + y/12*91 + r.IntN(8)) % 256)
		}
	}
	return img
}

// TestTransparencyMonths: each figure falls in the month it happened, and
// a range counts its months only.
func TestTransparencyMonths(t *testing.T) {
	clock := time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC)
	_, svc := nodeAt(t, func() time.Time { return clock })
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	bank, _ := svc.CreateHashBank(fr, ctis.HashBank{Name: "b", Handling: ctis.Handling{Distribution: ctis.DistAll}})
	add := func(v string) ctis.HashEntry {
		e, err := svc.AddHashes(fr, bank.ID, []ctis.HashEntry{{Type: ctis.HashMD5, Value: v}})
		if err != nil {
			t.Fatal(err)
		}
		return e[0]
	}
	add(strings.Repeat("1", 32))
	clock = time.Date(2026, 2, 1, 0, 0, 1, 0, time.UTC)
	e := add(strings.Repeat("2", 32))
	clock = time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	if _, err := svc.SetHashDisabled(fr, e.ID, true, "withdrawn"); err != nil {
		t.Fatal(err)
	}
	months, err := svc.Transparency(fr, "2025-12", "2026-03")
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, m := range months {
		got += fmt.Sprintf("%s:%d/%d ", m.Month, m.EntriesAdded, m.EntriesRemoved)
	}
	if want := "2025-12:0/0 2026-01:1/0 2026-02:1/0 2026-03:0/1 "; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if months, _ := svc.Transparency(fr, "2026-02", "2026-02"); len(months) != 1 || months[0].EntriesAdded != 1 {
		t.Errorf("February alone: %+v", months)
	}
}

// engine is the store engine the package's tests run on: TestMain runs
// them all on each of ctistest.Engines in turn.
var engine ctistest.Engine

func TestMain(m *testing.M) { os.Exit(ctistest.RunEngines(m, &engine)) }
