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
	f.Fuzz(func(t *testing.T, in string) {
		segs, _, err := edifact.Parse(strings.NewReader(in))
		if err == nil && len(segs) == 0 {
			t.Fatal("no segments and no error")
		}
		for _, s := range segs {
			_ = s.String()
		}
	})
}
