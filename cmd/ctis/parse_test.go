package main

import (
	"strings"
	"testing"
)

// TestParsePNRGOVNames: titles appended to given names are shown apart
// from them, and an SSR DOCS that gives no document prints no empty
// document line, only the details it gives.
func TestParsePNRGOVNames(t *testing.T) {
	out := mustRun(t, "parse", "pnrgov", "../../pnrgov/testdata/02_gtas_pnrMessage_spec_example_DL324.edi")
	for _, want := range []string{
		"    SMITHJR, JOHN (title MR, type A)  tickets",
		"    JONES, WILLIAM (title MR, type A)  tickets",
		"\n      nationality GBR, born 1964-07-12, M\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "JOHNMR") || strings.Contains(out, "document   ") || strings.Contains(out, "document ,") {
		t.Errorf("titles glued on, or an empty document line:\n%s", out)
	}
	out = mustRun(t, "parse", "pnrgov", "../../pnrgov/testdata/01_gtas_pnrMessagePg76_spec_example.edi")
	if !strings.Contains(out, "    DORON, NINA (title MS)  tickets") || strings.Contains(out, "()") || strings.Contains(out, "document") {
		t.Errorf("pg 76:\n%s", out)
	}
}
