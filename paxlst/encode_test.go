package paxlst_test

import (
	"bytes"
	"os"
	"testing"

	"ctis/paxlst"
)

// TestEncodeRoundTrip writes every sample again and reads it back: the
// travellers, legs and references must survive, and a written message has
// no warnings (its counts are right).
func TestEncodeRoundTrip(t *testing.T) {
	names, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n.Name()[0] < '0' || n.Name()[0] > '9' {
			continue
		}
		m := parseFile(t, n.Name())
		var buf bytes.Buffer
		if err := paxlst.Encode(&buf, m); err != nil {
			t.Fatal(err)
		}
		ms, err := paxlst.Parse(&buf)
		if err != nil {
			t.Fatalf("%s written: %v\n%s", n.Name(), err, buf.String())
		}
		again := ms[0]
		if len(again.Warnings) != 0 {
			t.Errorf("%s written: warnings %v", n.Name(), again.Warnings)
		}
		m.Warnings = nil
		if got, want := brief(again), brief(m); got != want {
			t.Errorf("%s written and read:\n%s\nwant\n%s", n.Name(), got, want)
		}
	}
}

// TestEncodeEscapes keeps service characters in values.
func TestEncodeEscapes(t *testing.T) {
	m := &paxlst.Manifest{Sender: "ZZ", Recipient: "CUSTOMS", Reference: "R1", Legs: []paxlst.Leg{{Flight: "ZZ1", Carrier: "ZZ", From: "CDG", To: "AMM"}},
		Travellers: []paxlst.Traveller{{Role: "FL", Surname: "O'NEIL+SON", GivenNames: "ANN:MARIE?", Documents: []paxlst.Document{{Type: "P", Number: "X1"}}}}}
	var buf bytes.Buffer
	if err := paxlst.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	ms, err := paxlst.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if tr := ms[0].Travellers[0]; tr.Surname != "O'NEIL+SON" || tr.GivenNames != "ANN:MARIE?" {
		t.Errorf("read back %q %q", tr.Surname, tr.GivenNames)
	}
}

// TestEncodeRepertoire: a manifest all in level A is sent as UNOA, one
// with lower case or other letters as UNOY, so that reading it back gives
// no warning.
func TestEncodeRepertoire(t *testing.T) {
	for name, want := range map[string]string{"MULLER": "UNB+UNOA:4", "Müller": "UNB+UNOY:4"} {
		m := &paxlst.Manifest{Sender: "ZZ", Recipient: "CUSTOMS", Reference: "R1", Travellers: []paxlst.Traveller{{Role: "FL", Surname: name, GivenNames: "ANN"}}}
		var buf bytes.Buffer
		if err := paxlst.Encode(&buf, m); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte(want)) {
			t.Errorf("%s: %.20s", name, buf.String())
		}
		ms, err := paxlst.Parse(&buf)
		if err != nil || len(ms[0].Warnings) != 0 || ms[0].Travellers[0].Surname != name {
			t.Errorf("%s: %v %+v", name, err, ms)
		}
	}
}
