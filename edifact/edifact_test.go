package edifact_test

import (
	"strings"
	"testing"

	"ctis/edifact"
)

func TestParse(t *testing.T) {
	segs, d, err := edifact.Parse(strings.NewReader("UNA:+.? 'UNB+UNOA:4+APIS*ABE+USADHS'\nNAD+FL+++O?'BRIEN:JOHN?+JR'\n  CNT+42:2'"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Segment != '\'' || len(segs) != 3 {
		t.Fatalf("%v %d", d, len(segs))
	}
	if segs[0].Element(1, 0) != "APIS*ABE" {
		t.Errorf("sender %q", segs[0].Element(1, 0))
	}
	if segs[1].Element(3, 0) != "O'BRIEN" || segs[1].Element(3, 1) != "JOHN+JR" || segs[1].Line != 2 || segs[1].Index != 2 {
		t.Errorf("NAD %+v", segs[1])
	}
	if segs[2].Tag != "CNT" || segs[2].Line != 3 {
		t.Errorf("CNT %+v", segs[2])
	}
}

func TestCustomDelimiters(t *testing.T) {
	segs, _, err := edifact.Parse(strings.NewReader("UNA*~.!|\"UNH~1~PAXLST*D*05B\"NAD~FL~~~A!~B*C\""))
	if err != nil {
		t.Fatal(err)
	}
	if segs[0].Element(1, 2) != "05B" || segs[1].Element(3, 0) != "A~B" || segs[1].Element(3, 1) != "C" {
		t.Errorf("%+v", segs)
	}
}

func TestMalformed(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "segment 1 (line 1): no segments",
		"UNB+UNOA:4'NAD+FL":    "segment 2 (line 1): the last segment has no terminator",
		"UNB+UNOA:4'\nnad+FL'": `segment 2 (line 2): "nad" is not a segment tag`,
		"UNA:+":                "segment 0 (UNA, line 1): the service string advice is shorter",
		"UNB+X?":               "segment 1 (line 1): the interchange ends with a release character",
		"UNA++.? 'UNB+X'":      "segment 0 (UNA, line 1): the service string advice uses one character for two delimiters",
	} {
		_, _, err := edifact.Parse(strings.NewReader(in))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("UNA:+.? 'UNB+UNOA:4+A+B'UNZ+1+1'")
	f.Add("UNB+UNOA:4+A?'B+C'\nNAD+FL+++X:Y'")
	f.Add("UNB+UNOA:4+A+B'UNH+1+X'UNT+2+1'UNZ+1+1'\n13Nov09")
	f.Add("UNA:+.? \nUNB+UNOC:4+A+B\nUNZ+1+1")
	f.Add("UNB+UNOA:4+A+B'UNZ+1+1'UNA:*.? 'UNB*UNOY:4*A*B'UNZ*1*1'")
	f.Fuzz(func(t *testing.T, in string) {
		ic, err := edifact.Read(strings.NewReader(in))
		if err == nil && len(ic.Segments) == 0 {
			t.Fatal("no segments and no error")
		}
		if err != nil {
			return
		}
		for i, s := range ic.Segments {
			_ = s.String()
			if s.Index != i+1 || s.Line < 1 {
				t.Fatalf("segment %d placed at %d, line %d", i+1, s.Index, s.Line)
			}
		}
	})
}

// TestTextAfterUNZ: a stray line after the trailer, or a trailer without
// its terminator, costs a warning when every message is whole; a message
// cut short is refused where it ends.
func TestTextAfterUNZ(t *testing.T) {
	const msg = "UNB+UNOA:4+A+B'\nUNH+1+PAXLST:D:05B:UN:IATA'\nBGM+745'\nUNT+3+1'\n"
	const short = "UNB+UNOA:4+A+B'\nUNH+1+PAXLST:D:05B:UN:IATA'\nBGM+745'\nUNT+4+1'\n"
	for in, want := range map[string]string{
		msg + "UNZ+1+1'\n13Nov09\n": `segment 5 (UNZ): text after the interchange trailer, from line 6, is left out: "13Nov09"`,
		msg + "UNZ+1+1":             "segment 5 (UNZ): the interchange trailer has no segment terminator",
		msg + "UNZ+1+1'\r\n":        "",
		// A trailer UNT that miscounts still closes its message (GTAS's
		// samples declare 173 segments for 24); the readers warn of it.
		short + "UNZ+1+1": "segment 5 (UNZ): the interchange trailer has no segment terminator",
	} {
		ic, err := edifact.Read(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if len(ic.Segments) != 5 {
			t.Errorf("%q: %d segments", in, len(ic.Segments))
		}
		var got []string
		for _, w := range ic.Warnings {
			got = append(got, w.String())
		}
		if strings.Join(got, "\n") != want {
			t.Errorf("%q: warnings %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"UNB+UNOA:4+A+B'\nUNH+1+PAXLST:D:05B:UN:IATA'\nBGM+745'\nUNZ+1+1": "segment 4 (UNZ, line 4): the interchange trailer has no segment terminator, and the message begun in segment 2 has no trailer UNT",
		"UNB+UNOA:4+A+B'\nUNH+1+PAXLST:D:05B:UN:IATA'\nNAD+FL+++SMI":      "segment 3 (line 3): the last segment has no terminator",
		msg + "UNZ+1+1'\nUNH+2+PAXLST:D:05B:UN:IATA'\nBGM+745":            "segment 7 (line 7): the last segment has no terminator",
	} {
		if _, err := edifact.Read(strings.NewReader(in)); err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", in, err, want)
		}
	}
}

// TestLineBreakTerminator: a UNA whose ninth character is the line break
// makes every line a segment; errors still name the right line.
func TestLineBreakTerminator(t *testing.T) {
	_, err := edifact.Read(strings.NewReader("UNA:+.? \nUNB+UNOA:4+A+B\nUNH+1+PAXLST:D:05B:UN:IATA\n\nnad+FL\n"))
	if err == nil || err.Error() != `segment 3 (line 5): "nad" is not a segment tag; the service string advice UNA makes the line break the segment terminator` {
		t.Errorf("got %v", err)
	}
	ic, err := edifact.Read(strings.NewReader("UNA:*.? \r\nUNB*UNOA:4*A*B\r\nUNH*1*PAXLST:D:02B:UN:IATA\r\nUNT*2*1\r\nUNZ*1*1\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ic.Segments) != 4 || ic.Segments[3].Line != 5 || ic.Segments[1].Element(1, 2) != "02B" {
		t.Errorf("%+v", ic.Segments)
	}
	if len(ic.Warnings) != 1 || !strings.Contains(ic.Warnings[0].Msg, "line break the segment terminator") {
		t.Errorf("warnings %v", ic.Warnings)
	}
}

// TestRepertoire: characters outside the repertoire UNB declares are read
// and warned of once.
func TestRepertoire(t *testing.T) {
	for in, want := range map[string]string{
		"UNB+UNOA:4+A+B'NAD+FM+++Steur:Andrea'NAD+FM+++ADOMAT:Julie'": `segment 2 (NAD): 13 characters in 2 segments are outside the repertoire UNOA that UNB declares; the first is "t"`,
		"UNB+UNOB:4+A+B'NAD+FM+++Steur:Andrea'":                       "",
		"UNB+UNOB:4+A+B'NAD+FM+++M\xc3\xbcller'":                      `segment 2 (NAD): 2 characters in 1 segments are outside the repertoire UNOB that UNB declares; the first is "\xc3"`,
		"UNB+UNOC:4+A+B'NAD+FM+++M\xfcller'":                          "",
		"UNB+UNOC:4+A+B'NAD+FM+++M\x85ller'":                          `segment 2 (NAD): 1 characters in 1 segments are outside the repertoire UNOC that UNB declares; the first is "\x85"`,
		"UNB+UNOY:4+A+B'NAD+FM+++M\xc3\xbcller'":                      "",
		"UNB+UNOY:4+A+B'NAD+FM+++M\xfcller'":                          `segment 2 (NAD): 1 characters in 1 segments are outside the repertoire UNOY that UNB declares; the first is "\xfc"`,
		"UNB+XXXX:4+A+B'NAD+FM+++M\xfcller'":                          "",
	} {
		ic, err := edifact.Read(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, w := range ic.Warnings {
			got = append(got, w.String())
		}
		if strings.Join(got, "\n") != want {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestBrokenAdvice: a UNA that does not describe the segments after it
// (a character left out; a typographic quote for the terminator) is read
// with the standard delimiters and a warning; a UNA that does is obeyed.
func TestBrokenAdvice(t *testing.T) {
	// As in GTAS's codeshare.edi and infant.edi: the header and the
	// message header share a line.
	const body = "UNB+IATA:1+1A+KRC+130527:0754+0003' UNH+1+PNRGOV:11:1:IA+1'\nMSG+:22'\nUNT+3+1'\nUNZ+1+0003'\n"
	for _, una := range []string{"UNA:+\\*'\n", "UNA:+.\\*\u2019 "} {
		ic, err := edifact.Read(strings.NewReader(una + body))
		if err != nil {
			t.Fatalf("%q: %v", una, err)
		}
		if len(ic.Segments) != 5 || ic.Segments[2].Tag != "MSG" || len(ic.Warnings) != 1 || !strings.Contains(ic.Warnings[0].Msg, "standard delimiters") {
			t.Errorf("%q: %d segments, warnings %v", una, len(ic.Segments), ic.Warnings)
		}
	}
	ic, err := edifact.Read(strings.NewReader("UNA:*.? |UNB*UNOA:4*A*B|UNH*1*PAXLST:D:02B:UN:IATA|UNT*2*1|UNZ*1*1|"))
	if err != nil || len(ic.Segments) != 4 || len(ic.Warnings) != 0 {
		t.Errorf("a UNA that holds: %v %d %v", err, len(ic.Segments), ic.Warnings)
	}
}
