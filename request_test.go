package ctis

import (
	"strings"
	"testing"
	"time"
)

// TestNextExhaustive holds the state machine to its description, for
// every kind, state, action and party: each step is allowed, or refused
// with the code that says why.
func TestNextExhaustive(t *testing.T) {
	// allowed is the machine as the issue describes it, written apart
	// from Moves: "state action party" → next state.
	allowed := map[string]RequestState{
		"draft send sender":            StateSent,
		"draft withdraw sender":        StateWithdrawn,
		"sent acknowledge receiver":    StateAcknowledged,
		"sent refuse receiver":         StateRefused,
		"sent withdraw sender":         StateWithdrawn,
		"acknowledged start receiver":  StateInProgress,
		"acknowledged answer receiver": StateAnswered,
		"acknowledged refuse receiver": StateRefused,
		"acknowledged withdraw sender": StateWithdrawn,
		"in_progress answer receiver":  StateAnswered,
		"in_progress refuse receiver":  StateRefused,
		"in_progress withdraw sender":  StateWithdrawn,
	}
	// Only a preservation request, once sent and until settled, is
	// extended by its sender and lapses by the clock.
	for _, s := range []string{"sent", "acknowledged", "in_progress"} {
		allowed["preservation "+s+" extend sender"] = RequestState(s)
		allowed["preservation "+s+" expire clock"] = StateExpired
	}
	parties := []Party{PartySender, PartyReceiver, PartyClock}
	actions := append(RequestActions, "approve", "")
	checked := 0
	for _, kind := range RequestKinds {
		for _, from := range RequestStates {
			for _, action := range actions {
				for _, by := range parties {
					key := string(from) + " " + string(action) + " " + string(by)
					want, ok := allowed[key]
					if action == ActionExtend || action == ActionExpire {
						want, ok = allowed[string(kind)+" "+key]
					}
					got, err := Next(kind, from, action, by)
					checked++
					if ok {
						if err != nil || got != want {
							t.Errorf("%s %s: got %q, %v; want %q", kind, key, got, err, want)
						}
						continue
					}
					if err == nil {
						t.Errorf("%s %s: allowed (to %s), want refused", kind, key, got)
						continue
					}
					wantCode := ECONFLICT
					switch {
					case action != "approve" && action != "" && (action == ActionExtend || action == ActionExpire) && kind != KindPreservation:
						wantCode = EINVALID
					case action == "approve" || action == "":
						wantCode = EINVALID
					case anyParty(allowed, kind, from, action):
						wantCode = EFORBIDDEN
					}
					if ErrorCode(err) != wantCode || ErrorMessage(err) == "" {
						t.Errorf("%s %s: error %v, want code %s", kind, key, err, wantCode)
					}
				}
			}
		}
	}
	if want := len(RequestKinds) * len(RequestStates) * len(actions) * len(parties); checked != want {
		t.Errorf("checked %d cases, want %d", checked, want)
	}
}

// anyParty reports whether some party may take action from state.
func anyParty(allowed map[string]RequestState, kind RequestKind, from RequestState, action RequestAction) bool {
	for k := range allowed {
		k = strings.TrimPrefix(k, string(kind)+" ")
		if strings.HasPrefix(k, string(from)+" "+string(action)+" ") {
			return true
		}
	}
	return false
}

func TestFinalStates(t *testing.T) {
	for _, s := range RequestStates {
		final := s == StateAnswered || s == StateRefused || s == StateWithdrawn || s == StateExpired
		if s.Final() != final {
			t.Errorf("%s: Final() = %v", s, s.Final())
		}
		for _, m := range Moves {
			if m.From == s && final {
				t.Errorf("a move leaves the final state %s: %+v", s, m)
			}
		}
	}
}

func TestNewRequestValidate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	week := now.Add(7 * 24 * time.Hour)
	past := now.Add(-time.Hour)
	far := now.Add(3 * 365 * 24 * time.Hour)
	sum := strings.Repeat("ab", 32)
	good := func() NewRequest {
		d := week
		return NewRequest{Kind: KindMLA, Authority: "01K00000000000000000000001", LegalBasis: "UN TOC art. 18", Offence: "financing of terrorism",
			Description: "bank records", Deadline: &d, Attachments: []Attachment{{Name: "request.pdf", SHA256: strings.ToUpper(sum), Size: 1000}}}
	}
	r := good()
	if err := r.Validate(now); err != nil {
		t.Fatal(err)
	}
	if r.Attachments[0].SHA256 != sum {
		t.Errorf("sha256 not folded to lower case: %q", r.Attachments[0].SHA256)
	}
	for _, c := range []struct {
		name, field string
		edit        func(*NewRequest)
	}{
		{"unknown kind", "kind", func(r *NewRequest) { r.Kind = "rogatory" }},
		{"no authority", "authority", func(r *NewRequest) { r.Authority = "" }},
		{"no offence", "offence", func(r *NewRequest) { r.Offence = " " }},
		{"no legal basis", "legal_basis", func(r *NewRequest) { r.LegalBasis = "" }},
		{"long description", "description", func(r *NewRequest) { r.Description = strings.Repeat("x", MaxRequestText+1) }},
		{"deadline past", "deadline", func(r *NewRequest) { r.Deadline = &past }},
		{"deadline now", "deadline", func(r *NewRequest) { r.Deadline = &now }},
		{"deadline too far", "deadline", func(r *NewRequest) { r.Deadline = &far }},
		{"no deadline", "deadline", func(r *NewRequest) { r.Deadline = nil }},
		{"spontaneous with deadline", "deadline", func(r *NewRequest) { r.Kind = KindSpontaneous }},
		{"bad entity", "entities[0]", func(r *NewRequest) { r.Entities = []string{"nope"} }},
		{"too many entities", "entities", func(r *NewRequest) { r.Entities = make([]string, MaxRequestEntities+1) }},
		{"oversized attachment", "attachments[0].size", func(r *NewRequest) { r.Attachments[0].Size = MaxAttachmentSize + 1 }},
		{"empty attachment", "attachments[0].size", func(r *NewRequest) { r.Attachments[0].Size = 0 }},
		{"bad hash", "attachments[0].sha256", func(r *NewRequest) { r.Attachments[0].SHA256 = "abc" }},
		{"path as name", "attachments[0].name", func(r *NewRequest) { r.Attachments[0].Name = "../../etc/passwd" }},
		{"too many attachments", "attachments", func(r *NewRequest) {
			r.Attachments = make([]Attachment, MaxAttachments+1)
		}},
	} {
		r := good()
		c.edit(&r)
		err := r.Validate(now)
		if ErrorCode(err) != EINVALID || ErrorField(err) != c.field {
			t.Errorf("%s: %v, want invalid %s", c.name, err, c.field)
		}
	}
	// Preservation may go without a deadline; spontaneous information
	// without a legal basis.
	r = good()
	r.Kind, r.Deadline = KindPreservation, nil
	if err := r.Validate(now); err != nil {
		t.Errorf("preservation without deadline: %v", err)
	}
	r = good()
	r.Kind, r.Deadline, r.LegalBasis = KindSpontaneous, nil, ""
	if err := r.Validate(now); err != nil {
		t.Errorf("spontaneous information: %v", err)
	}
}

func TestStepValidate(t *testing.T) {
	s := Step{Action: ActionRefuse}
	if err := s.Validate(); ErrorField(err) != "reason" {
		t.Errorf("refusal without reason: %v", err)
	}
	s = Step{Action: ActionRefuse, Reason: " dual criminality not met "}
	if err := s.Validate(); err != nil || s.Reason != "dual criminality not met" {
		t.Errorf("refusal with reason: %v %q", err, s.Reason)
	}
	s = Step{Action: "approve"}
	if err := s.Validate(); ErrorField(err) != "action" {
		t.Errorf("unknown action: %v", err)
	}
}

func TestAuthorityValidate(t *testing.T) {
	good := func() Authority {
		return Authority{Country: "fr", Instrument: InstrumentMLA, Name: "Bureau de l'entraide pénale internationale", Jurisdiction: "France",
			Languages: []string{"FR", "en"}, Channels: []string{"e-CODEX"}, Hours: "Mon-Fri 09:00-18:00 CET", VerifiedOn: "2026-01-10"}
	}
	a := good()
	if err := a.Validate("2026-03-01"); err != nil {
		t.Fatal(err)
	}
	if a.Country != "FR" || a.Languages[0] != "fr" {
		t.Errorf("not normalised: %+v", a)
	}
	for _, c := range []struct {
		field string
		edit  func(*Authority)
	}{
		{"country", func(a *Authority) { a.Country = "XX" }},
		{"instrument", func(a *Authority) { a.Instrument = "rogatory" }},
		{"name", func(a *Authority) { a.Name = "" }},
		{"languages", func(a *Authority) { a.Languages = nil }},
		{"languages[0]", func(a *Authority) { a.Languages = []string{"french"} }},
		{"channels", func(a *Authority) { a.Channels = nil }},
		{"channels[0]", func(a *Authority) { a.Channels = []string{"a\x00b"} }},
		{"verified_on", func(a *Authority) { a.VerifiedOn = "2026-03-02" }},
		{"verified_on", func(a *Authority) { a.VerifiedOn = "10/01/2026" }},
	} {
		a := good()
		c.edit(&a)
		if err := a.Validate("2026-03-01"); ErrorField(err) != c.field {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	if StaleOn("2026-01-10", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("stale after five months")
	}
	if !StaleOn("2025-01-10", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("not stale after seventeen months")
	}
}
