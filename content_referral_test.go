package ctis

import (
	"strings"
	"testing"
	"time"
)

// TestNextContentReferralExhaustive holds the referral state machine to
// its description, for every basis, state, action and party: each step
// is allowed, or refused with the code that says why.
func TestNextContentReferralExhaustive(t *testing.T) {
	// allowed is the machine as described, written apart from
	// ContentReferralMoves: "basis state action party" → next state.
	allowed := map[string]ContentReferralState{}
	for _, basis := range []string{"terms_of_service", "removal_order"} {
		for _, s := range []string{"sent", "acknowledged"} {
			allowed[basis+" "+s+" remove receiver"] = ContentReferralRemoved
			allowed[basis+" "+s+" geo_block receiver"] = ContentReferralGeoBlocked
			allowed[basis+" "+s+" withdraw sender"] = ContentReferralWithdrawn
		}
		allowed[basis+" sent acknowledge receiver"] = ContentReferralAcknowledged
	}
	allowed["terms_of_service sent keep receiver"] = ContentReferralKept
	allowed["terms_of_service acknowledged keep receiver"] = ContentReferralKept
	allowed["removal_order sent contest receiver"] = ContentReferralContested
	allowed["removal_order acknowledged contest receiver"] = ContentReferralContested
	allowed["removal_order contested uphold sender"] = ContentReferralUpheld
	allowed["removal_order contested withdraw sender"] = ContentReferralWithdrawn
	allowed["removal_order upheld remove receiver"] = ContentReferralRemoved
	allowed["removal_order upheld geo_block receiver"] = ContentReferralGeoBlocked
	allowed["removal_order upheld withdraw sender"] = ContentReferralWithdrawn

	parties := []Party{PartySender, PartyReceiver, PartyClock}
	actions := append(append([]ContentReferralAction{}, ContentReferralActions...), "delete", "", ContentReferralCreate)
	checked := 0
	for _, basis := range ContentReferralBases {
		for _, from := range ContentReferralStates {
			for _, action := range actions {
				for _, by := range parties {
					key := string(basis) + " " + string(from) + " " + string(action) + " " + string(by)
					want, ok := allowed[key]
					got, err := NextContentReferral(basis, from, action, by)
					checked++
					if ok {
						if err != nil || got != want {
							t.Errorf("%s: got %q, %v; want %q", key, got, err, want)
						}
						continue
					}
					if err == nil {
						t.Errorf("%s: allowed (to %s), want refused", key, got)
						continue
					}
					wantCode := ECONFLICT
					switch {
					case action == "delete" || action == "" || action == ContentReferralCreate:
						wantCode = EINVALID
					case action == ContentReferralKeep && basis != BasisTermsOfService,
						(action == ContentReferralContest || action == ContentReferralUphold) && basis != BasisRemovalOrder:
						wantCode = EINVALID
					case anyReferralParty(allowed, basis, from, action):
						wantCode = EFORBIDDEN
					}
					if ErrorCode(err) != wantCode || ErrorMessage(err) == "" {
						t.Errorf("%s: error %v, want code %s", key, err, wantCode)
					}
				}
			}
		}
	}
	if want := len(ContentReferralBases) * len(ContentReferralStates) * len(actions) * len(parties); checked != want {
		t.Errorf("checked %d cases, want %d", checked, want)
	}
	// Allowed offers exactly the moves of each party.
	for _, basis := range ContentReferralBases {
		for _, from := range ContentReferralStates {
			r := ContentReferral{Basis: basis, State: from}
			for _, by := range []Party{PartySender, PartyReceiver} {
				for _, a := range r.Allowed(by) {
					if _, ok := allowed[string(basis)+" "+string(from)+" "+string(a)+" "+string(by)]; !ok {
						t.Errorf("%s %s: offers %s to the %s", basis, from, a, by)
					}
				}
			}
		}
	}
}

func anyReferralParty(allowed map[string]ContentReferralState, basis ContentReferralBasis, from ContentReferralState, action ContentReferralAction) bool {
	for _, p := range []Party{PartySender, PartyReceiver} {
		if _, ok := allowed[string(basis)+" "+string(from)+" "+string(action)+" "+string(p)]; ok {
			return true
		}
	}
	return false
}

// TestNewContentReferralValidate refuses bad referrals with the field at
// fault, and normalises good ones.
func TestNewContentReferralValidate(t *testing.T) {
	good := func() NewContentReferral {
		return NewContentReferral{Platform: "VIDEOHOST", Basis: BasisRemovalOrder, Type: "URL", Content: "https://www.Example.com/watch?v=1&utm_source=x",
			Labels:   HashLabels{Behaviours: []Behaviour{"attack_footage"}, ContentType: "video"},
			Evidence: []Evidence{{Type: "SHA256", Value: strings.Repeat("AB", 32)}}}
	}
	r := good()
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Content != "example.com/watch?v=1" || r.Evidence[0].Value != strings.Repeat("ab", 32) || r.Type != HashURL {
		t.Errorf("not normalised: %+v", r)
	}
	many := make([]Evidence, MaxContentReferralEvidence+1)
	for i := range many {
		many[i] = Evidence{Type: HashMD5, Value: strings.Repeat("0", 32)}
	}
	for _, c := range []struct {
		name  string
		edit  func(*NewContentReferral)
		code  string
		field string
	}{
		{"no platform", func(r *NewContentReferral) { r.Platform = "" }, EINVALID, "platform"},
		{"hostile platform", func(r *NewContentReferral) { r.Platform = "X'; DROP TABLE referrals;--" }, EINVALID, "platform"},
		{"unknown basis", func(r *NewContentReferral) { r.Basis = "court_order" }, EINVALID, "basis"},
		{"javascript URL", func(r *NewContentReferral) { r.Content = "javascript:alert(1)" }, EINVALID, "content.value"},
		{"unknown type", func(r *NewContentReferral) { r.Type = "vpdq" }, EINVALID, "type"},
		{"short hash", func(r *NewContentReferral) { r.Type, r.Content = HashSHA256, "abc" }, EINVALID, "content.value"},
		{"unknown behaviour", func(r *NewContentReferral) { r.Labels.Behaviours = []Behaviour{"<script>"} }, EINVALID, "labels.behaviours[0]"},
		{"URL as evidence", func(r *NewContentReferral) { r.Evidence[0] = Evidence{Type: HashURL, Value: "example.com"} }, EINVALID, "evidence[0].type"},
		{"bad evidence hash", func(r *NewContentReferral) { r.Evidence[0].Value = "zz" }, EINVALID, "evidence[0].value"},
		{"oversized evidence", func(r *NewContentReferral) { r.Evidence = many }, ETOOLARGE, ""},
		{"control characters", func(r *NewContentReferral) { r.Note = "a\x00b" }, EINVALID, "note"},
		{"long note", func(r *NewContentReferral) { r.Note = strings.Repeat("x", MaxContentReferralText+1) }, EINVALID, "note"},
	} {
		r := good()
		c.edit(&r)
		err := r.Validate()
		if ErrorCode(err) != c.code || ErrorField(err) != c.field {
			t.Errorf("%s: %v (field %q), want %s on %q", c.name, err, ErrorField(err), c.code, c.field)
		}
	}
	for _, s := range []ContentReferralStep{{Action: "keep"}, {Action: "contest"}, {Action: "uphold", Reason: " "}, {Action: "erase"},
		{Action: "remove", Reason: strings.Repeat("x", MaxContentReferralText+1)}} {
		if err := s.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("step %+v: %v, want invalid", s, err)
		}
	}
}

// TestContentReferralFigures counts a platform's month: times to
// acknowledge and act, the share of orders acted on within the hour
// (an open order past its hour counts as missed), and contests.
func TestContentReferralFigures(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(m int) *time.Time { x := t0.Add(time.Duration(m) * time.Minute); return &x }
	rs := []ContentReferral{
		{Platform: "P", Basis: BasisRemovalOrder, State: ContentReferralRemoved, SentAt: t0, AcknowledgedAt: at(10), DecidedAt: at(40), Deadline: at(60)},
		{Platform: "P", Basis: BasisRemovalOrder, State: ContentReferralGeoBlocked, SentAt: t0, AcknowledgedAt: at(30), DecidedAt: at(90), Deadline: at(60)},
		{Platform: "P", Basis: BasisRemovalOrder, State: ContentReferralSent, SentAt: t0, Deadline: at(60)},
		{Platform: "P", Basis: BasisRemovalOrder, State: ContentReferralWithdrawn, SentAt: t0, ContestedAt: at(5), ContestOutcome: ContestWithdrawn},
		{Platform: "P", Basis: BasisTermsOfService, State: ContentReferralKept, SentAt: t0, AcknowledgedAt: at(50), DecidedAt: at(50)},
		{Platform: "Q", Basis: BasisTermsOfService, State: ContentReferralSent, SentAt: t0.AddDate(0, 1, 0)},
	}
	got := ContentReferralFiguresOf(rs, t0.Add(2*time.Hour))
	if len(got) != 2 || got[0].Platform != "P" || got[0].Month != "2026-03" || got[1].Platform != "Q" || got[1].Month != "2026-04" {
		t.Fatalf("figures %+v", got)
	}
	f := got[0]
	if f.Referrals != 5 || f.RemovalOrders != 4 || f.Acknowledged != 3 || f.Removed != 1 || f.GeoBlocked != 1 || f.Kept != 1 || f.Withdrawn != 1 || f.Open != 1 {
		t.Errorf("counts %+v", f)
	}
	if f.OrdersDue != 3 || f.OrdersInTime != 1 || f.ShareInTime == nil || *f.ShareInTime != 1.0/3 {
		t.Errorf("deadline: %+v", f)
	}
	if *f.MedianMinutesToAcknowledge != 30 || *f.MedianMinutesToAct != 50 {
		t.Errorf("medians %v %v", *f.MedianMinutesToAcknowledge, *f.MedianMinutesToAct)
	}
	if f.Contests != 1 || f.ContestsWithdrawn != 1 || f.ContestsUpheld != 0 {
		t.Errorf("contests %+v", f)
	}
}
