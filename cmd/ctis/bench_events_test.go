package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestBenchEvents runs the live-feed benchmark small: every alert reaches
// every connection, and the report gives each alert, the spread over
// them and the machine.
func TestBenchEvents(t *testing.T) {
	var out bytes.Buffer
	if err := benchEvents(context.Background(), &out, 20, 3); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"20 live-feed connections", "alert 1: delivery", "alert 3: delivery", "delivery p99  over 3 alerts: min",
		"host: ", "load average"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the report:\n%s", want, out.String())
		}
	}
}
