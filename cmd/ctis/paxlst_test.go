package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ctis"
)

// usEDIFACT is a US/EDIFACT PAXLST (001:000) of GTAS's test suite: four
// travellers in PDT segments.
const usEDIFACT = "../../paxlst/testdata/gtas/PaxlstParserUSedifactTest.testRandomApis.edi"

// noTravellerRead is a PAXLST whose traveller segments name parties no
// reader knows as travellers.
const noTravellerRead = "UNB+UNOA:4+ZZ+DE+261120:0800+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+ZZ123+++ZZ'LOC+125+IST'LOC+87+FRA'" +
	"NAD+ZZ+++MARTINEZ:JULIO'NAD+ZZ+++ROE:ANN'UNT+8+1'UNZ+1+1'"

// TestPAXLSTTravellersAlwaysRead: a US/EDIFACT manifest's travellers are
// read, listed and screened — by ctis parse, ctis screen --manifest and
// POST /api/v1/manifests — and a manifest whose traveller segments give
// no traveller is refused by each, never passed as empty.
func TestPAXLSTTravellersAlwaysRead(t *testing.T) {
	out := mustRun(t, "parse", "paxlst", usEDIFACT)
	for _, want := range []string{"PAXLST 001:000 from SAMPLAIR to USCS", "leg SA812 (carrier SA) AKL 2002-01-31T10:30 → LAX 2002-01-31T22:00",
		"FL MANGUS, SIMON P  M  born 1959-04-29    AKL>LAX  P 182345345 (US, expires 1999-09-09)", "FL O'LEARY, KRIS ANN  F  born 1933-12-31"} {
		if !strings.Contains(out, want) {
			t.Errorf("parse: no %q in\n%s", want, out)
		}
	}
	bad := filepath.Join(t.TempDir(), "none.edi")
	os.WriteFile(bad, []byte(noTravellerRead), 0o600)
	if _, _, err := run(t, "", "parse", "paxlst", bad); err == nil || !strings.Contains(err.Error(), "2 traveller segments (NAD, PDT) and no traveller") {
		t.Errorf("parse of a manifest with no traveller read: %v", err)
	}

	db := newNode(t)
	out = mustRun(t, "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "flight SA812", "--manifest", usEDIFACT)
	if !strings.Contains(out, "flight SA812 AKL 2002-01-31T10:30 → LAX 2002-01-31T22:00") || !strings.Contains(out, "4 travellers screened") {
		t.Errorf("screen --manifest:\n%s", out)
	}
	if _, _, err := run(t, "", "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "p", "--manifest", bad); err == nil || !strings.Contains(err.Error(), "no traveller could be read") {
		t.Errorf("screen --manifest of a manifest with no traveller read: %v", err)
	}

	p := newProbeNode(t)
	body, err := os.ReadFile(usEDIFACT)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string][]ctis.ManifestScreening
	p.API(t, "border.de", "POST", "/api/v1/manifests", string(body), "Content-Type: application/edifact", "Ctis-Purpose: probe").Want(t, http.StatusOK).JSON(t, &got)
	if ms := got["manifests"]; len(ms) != 1 || len(ms[0].Travellers) != 4 || ms[0].Travellers[3].Result.Subject.Name != "KRIS ANN O'LEARY" {
		t.Errorf("POST /api/v1/manifests: %+v", got)
	}
	r := p.API(t, "border.de", "POST", "/api/v1/manifests", noTravellerRead, "Content-Type: application/edifact", "Ctis-Purpose: probe")
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "no traveller could be read") {
		t.Errorf("POST /api/v1/manifests with no traveller read: %d %s", r.Status, r.Body)
	}
}

// TestPAXLSTStrayLineAfterUNZ: GTAS's multiple_flight_leg_apis.txt ends
// with a line after the trailer; it is read, with a warning, and a
// message cut short is still refused where it ends.
func TestPAXLSTStrayLineAfterUNZ(t *testing.T) {
	out := mustRun(t, "parse", "paxlst", "../../paxlst/testdata/gtas/multiple_flight_leg_apis.txt")
	if !strings.Contains(out, "FL LANG, KRISTIN") || !strings.Contains(out, `warning: segment 50 (UNZ): text after the interchange trailer, from line 49, is left out: "13Nov09"`) {
		t.Errorf("parse:\n%s", out)
	}
	cut := filepath.Join(t.TempDir(), "cut.edi")
	os.WriteFile(cut, []byte("UNB+UNOA:4+ZZ+DE+261120:0800+1'\nUNH+1+PAXLST:D:05B:UN:IATA'\nBGM+745'\nNAD+FL+++ROE:ANN'\nUNZ+1+1'\n13Nov09\n"), 0o600)
	if _, _, err := run(t, "", "parse", "paxlst", cut); err == nil || err.Error() != `segment 6 (line 6): text after the interchange trailer UNZ, and the message begun in segment 2 has no trailer UNT` {
		t.Errorf("cut short: %v", err)
	}
}
