package ctis_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"ctis"
	"ctis/jsonl"
)

var agreement = ctis.Agreement{
	SpeaksFor: []ctis.Agency{{Code: "FR-DGSI", Name: "DGSI", Country: "FR"}},
	Recipients: map[string][]string{
		"DE-BKA":        {"DE-BKA"},
		"NL-AIVD":       {"NL-AIVD", "group:benelux"},
		"group:western": {"group:euro-ct"},
	},
}

// TestAgreementLocal: a peer's statement reaches here only what the
// agreement maps its recipients to.
func TestAgreementLocal(t *testing.T) {
	cases := []struct {
		h                ctis.Handling
		agencies, groups string
	}{
		{ctis.Handling{Distribution: ctis.DistOriginator}, "", ""},
		{ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA"}}, "DE-BKA", ""},
		{ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA", "ES-CNI"}}, "DE-BKA", ""},
		{ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"ES-CNI"}}, "", ""},
		{ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"NL-AIVD", "DE-BKA"}}, "DE-BKA,NL-AIVD", "benelux"},
		{ctis.Handling{Distribution: ctis.DistGroup, Group: "western"}, "", "euro-ct"},
		{ctis.Handling{Distribution: ctis.DistGroup, Group: "eastern"}, "", ""},
		// All the peer's members: what any of its recipients maps to.
		{ctis.Handling{Distribution: ctis.DistAll}, "DE-BKA,NL-AIVD", "benelux,euro-ct"},
	}
	for _, c := range cases {
		agencies, groups := agreement.Local(c.h)
		if strings.Join(agencies, ",") != c.agencies || strings.Join(groups, ",") != c.groups {
			t.Errorf("%+v reaches %v and groups %v, want %s and %s", c.h, agencies, groups, c.agencies, c.groups)
		}
	}
}

// TestPeerValidate names the field of each mistake.
func TestPeerValidate(t *testing.T) {
	good := func() ctis.Peer {
		return ctis.Peer{Name: "node-a", URL: "https://a.example/taxii2/", Fingerprint: strings.Repeat("AB:", 31) + "AB",
			ClientCert: "c", ClientKey: "k", TokenFile: "t", Agreement: ctis.Agreement{SpeaksFor: []ctis.Agency{{Code: "FR-DGSI", Name: "x", Country: "FR"}}}}
	}
	p := good()
	if err := p.Validate(); err != nil || p.Fingerprint != strings.Repeat("ab", 32) {
		t.Fatalf("%v %q", err, p.Fingerprint)
	}
	for field, edit := range map[string]func(*ctis.Peer){
		"name":                        func(p *ctis.Peer) { p.Name = "a b" },
		"url":                         func(p *ctis.Peer) { p.URL = "https://a.example/taxii2/?x=1" },
		"fingerprint":                 func(p *ctis.Peer) { p.Fingerprint = "zz" },
		"client_key":                  func(p *ctis.Peer) { p.ClientKey = " " },
		"collection":                  func(p *ctis.Peer) { p.Collection = "released" },
		"agreement.speaks_for[1]":     func(p *ctis.Peer) { p.Agreement.SpeaksFor = append(p.Agreement.SpeaksFor, p.Agreement.SpeaksFor[0]) },
		"agreement.recipients":        func(p *ctis.Peer) { p.Agreement.Recipients = map[string][]string{"group:": {"DE-BKA"}} },
		"agreement.recipients.X-1[0]": func(p *ctis.Peer) { p.Agreement.Recipients = map[string][]string{"X-1": {"de bka"}} },
	} {
		p := good()
		edit(&p)
		if err := p.Validate(); ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// FuzzAgreement reads agreements as `ctis peer add` does and maps
// handlings through those that validate: whatever the agreement, a
// statement reaches only recipients it names as a mapping's target, and a
// statement for its originator alone reaches no one.
func FuzzAgreement(f *testing.F) {
	b, _ := json.Marshal(agreement)
	f.Add(string(b), "agencies", "DE-BKA,NL-AIVD", "")
	f.Add(`{"speaks_for":[{"code":"FR-DGSI","name":"x","country":"FR"}],"recipients":{"all":["group:all"]}}`, "all", "", "")
	f.Add(`{"speaks_for":[],"recipients":{}}`, "group", "", "western")
	f.Fuzz(func(t *testing.T, text, distribution, agencies, group string) {
		var a ctis.Agreement
		if jsonl.DecodeStrict([]byte(text), &a) != nil || a.Validate() != nil {
			return
		}
		h := ctis.Handling{Distribution: ctis.Distribution(distribution), Group: group}
		if agencies != "" {
			h.Agencies = strings.Split(agencies, ",")
		}
		if h.Normalize() != nil {
			return
		}
		targets := map[string]bool{}
		for _, to := range a.Recipients {
			for _, r := range to {
				targets[r] = true
			}
		}
		gotAgencies, gotGroups := a.Local(h)
		for _, r := range gotAgencies {
			if !targets[r] {
				t.Fatalf("%+v reaches %s, which the agreement names nowhere", h, r)
			}
		}
		for _, g := range gotGroups {
			if !targets[ctis.GroupPrefix+g] {
				t.Fatalf("%+v reaches group %s, which the agreement names nowhere", h, g)
			}
		}
		if h.Distribution == ctis.DistOriginator && len(gotAgencies)+len(gotGroups) > 0 {
			t.Fatalf("a statement for its originator alone reaches %v %v", gotAgencies, gotGroups)
		}
		if !slices.IsSorted(gotAgencies) || !slices.IsSorted(gotGroups) {
			t.Fatal("unsorted")
		}
	})
}
