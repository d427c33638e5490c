package ctistest

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"ctis"
	"ctis/hashfile"
	"ctis/hashindex"
)

// Platform is a hosting platform that matches uploads against the hash
// banks; the hash matrix adds it to the seeded agencies.
var Platform = ctis.Agency{Code: "VIDEOHOST", Name: "VIDEOHOST", Country: "US", Kind: "platform"}

// hashMatrix puts the same bank under every handling and reads it as
// every viewer by every path: bank list, entry list (the export),
// matching, counts, disabling and adding, and the errors each gives. A
// viewer sees the bank's entries exactly when ctis.CanSee allows; a hidden
// bank with a hit notice shows only its agency; otherwise nothing at all,
// and a hidden bank reads exactly as an absent one.
func hashMatrix(t *testing.T, open func(*testing.T) ctis.Services) {
	rng := rand.New(rand.NewPCG(5, 5))
	picture := hashindex.Random(rng)
	nearby := hashindex.Perturb(rng, picture, 20)
	const (
		digest  = "D41D8CD98F00B204E9800998ECF8427E"
		pageURL = "https://www.example.org/videos/attack/?utm_source=x#t=3"
		sameURL = "http://EXAMPLE.org/videos/attack"
	)
	labels := ctis.HashLabels{Entity: "Daesh", Behaviours: []ctis.Behaviour{"branded_propaganda"}, ContentType: "image"}
	queries := []ctis.HashQuery{{Type: ctis.HashPDQ, Value: nearby.String()}, {Type: ctis.HashMD5, Value: digest}, {Type: ctis.HashURL, Value: sameURL}}
	viewers := append(append([]string(nil), Codes...), Platform.Code)
	// A video of ten scenes, and a copy of it, each frame a few bits off.
	var video, videoCopy []ctis.VideoFrame
	for i := range 10 {
		scene := hashindex.Random(rng)
		video = append(video, ctis.VideoFrame{Frame: i, Quality: 90, Hash: scene.String(), Time: float64(i)})
		videoCopy = append(videoCopy, ctis.VideoFrame{Frame: i, Quality: 90, Hash: hashindex.Perturb(rng, scene, 6).String(), Time: float64(i)})
	}

	for _, h := range ctis.EveryHandling(DE, Western) {
		t.Run(handlingName(h), func(t *testing.T) {
			s := open(t)
			if _, err := s.Directory.CreateAgency(System, Platform); err != nil {
				t.Fatal(err)
			}
			fr := As(FR, ctis.RoleAnalyst)
			bank, err := s.Hashes.CreateHashBank(fr, ctis.HashBank{Name: "propaganda", Handling: h})
			if err != nil {
				t.Fatal(err)
			}
			entries, err := s.Hashes.AddHashes(fr, bank.ID, []ctis.HashEntry{
				{Type: ctis.HashPDQ, Value: picture.String(), Labels: labels},
				{Type: ctis.HashMD5, Value: digest, Labels: labels},
				{Type: ctis.HashURL, Value: pageURL, Labels: labels},
				{Type: ctis.HashVPDQ, Frames: video, Labels: labels},
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, agency := range viewers {
				for _, role := range Readers {
					label := agency + "/" + string(role)
					want := ctis.CanSee(ViewerOf(agency, role), FR, h)
					ctx := As(agency, role)

					banks, err := s.Hashes.HashBanks(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if got := len(banks) == 1; got != want {
						t.Errorf("%s: bank listed %v, want %v", label, got, want)
					}

					list, err := s.Hashes.HashEntries(ctx, ctis.HashEntryFilter{Bank: bank.ID})
					_, absentErr := s.Hashes.HashEntries(ctx, ctis.HashEntryFilter{Bank: "01ABSENTBANK0000000000000"})
					if want && (err != nil || len(list) != 4) {
						t.Errorf("%s: entries %d, %v; want all 4", label, len(list), err)
					}
					if !want && (err == nil || err.Error() != absentErr.Error()) {
						t.Errorf("%s: hidden bank gives %v, an absent one %v", label, err, absentErr)
					}

					var exported bytes.Buffer
					n, err := hashfile.Export(ctx, s.Hashes, ctis.HashEntryFilter{Bank: bank.ID, Disabled: true}, hashfile.NewWriter(&exported, hashfile.JSONL))
					if want && (err != nil || n != 4) || !want && (err == nil || err.Error() != absentErr.Error() || exported.Len() > 0) {
						t.Errorf("%s: export wrote %d entries (%d bytes), %v", label, n, exported.Len(), err)
					}

					res, err := s.Hashes.MatchHashes(ctx, queries, ctis.DefaultRadius)
					if err != nil {
						t.Fatal(err)
					}
					wantMatches, wantNotices := 0, 0
					if want {
						wantMatches = 3
					} else if h.HitNotice {
						wantNotices = 1
					}
					if len(res.Matches) != wantMatches || len(res.Notices) != wantNotices {
						t.Errorf("%s: %d matches and %d notices, want %d and %d", label, len(res.Matches), len(res.Notices), wantMatches, wantNotices)
					}
					if wantNotices == 1 && res.Notices[0] != (ctis.HashNotice{Agency: FR}) {
						t.Errorf("%s: notice %+v", label, res.Notices[0])
					}
					// A copy of the video: matched by those who may see the
					// bank, a notice for those it asks for one, else nothing.
					vres, err := s.Hashes.MatchVideo(ctx, videoCopy)
					if err != nil {
						t.Fatal(err)
					}
					if len(vres.Matches) != wantMatches/3 || len(vres.Notices) != wantNotices {
						t.Errorf("%s: the video copy: %d matches and %d notices, want %d and %d", label, len(vres.Matches), len(vres.Notices), wantMatches/3, wantNotices)
					}
					if len(vres.Matches) == 1 && vres.Matches[0].Entry.ID != entries[3].ID {
						t.Errorf("%s: the video copy matched %+v", label, vres.Matches[0].Entry)
					}

					months, err := s.Hashes.Transparency(ctx, "", "")
					if err != nil {
						t.Fatal(err)
					}
					last := months[len(months)-1]
					if got := last.EntriesAdded > 0 || last.Matches > 0; got != want {
						t.Errorf("%s: transparency counts %+v, want counted %v", label, last, want)
					}

					// The agency's audit trail names the entries its users
					// matched, and none its analysts may not see.
					agencySees := ctis.CanSee(ViewerOf(agency, ctis.RoleAnalyst), FR, h)
					page, err := s.Audit.Events(As(agency, ctis.RoleAuditor), ctis.AuditFilter{Limit: ctis.MaxLimit})
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range page.Events {
						if !agencySees && (strings.Contains(e.Detail, entries[0].ID) || strings.Contains(e.Object, bank.ID)) {
							t.Errorf("%s: the audit trail names a hidden entry or bank: %+v", label, e)
						}
					}

					if agency != FR && role == ctis.RoleAnalyst {
						_, err := s.Hashes.SetHashDisabled(ctx, entries[0].ID, true, "not terrorist content")
						wantCode := ctis.ENOTFOUND
						if want {
							wantCode = ctis.EFORBIDDEN
						}
						if ctis.ErrorCode(err) != wantCode {
							t.Errorf("%s: disabling another's entry gives %v, want %s", label, err, wantCode)
						}
						_, err = s.Hashes.AddHashes(ctx, bank.ID, []ctis.HashEntry{{Type: ctis.HashMD5, Value: "00000000000000000000000000000000"}})
						if ctis.ErrorCode(err) != wantCode {
							t.Errorf("%s: adding to another's closed bank gives %v, want %s", label, err, wantCode)
						}
					}
				}
			}
		})
	}
}
