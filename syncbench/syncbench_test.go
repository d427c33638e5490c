package syncbench

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRun runs the bench small: A filled, B pulling all of it twice, then
// a new statement under a short poll and two with the push trigger; the
// report says each.
func TestRun(t *testing.T) {
	var out, progress strings.Builder
	o := Options{Statements: 300, Repeat: 2, Poll: time.Second, PollLags: 1, PushLags: 2, Seed: 1, Dir: t.TempDir(), Progress: &progress}
	if err := Run(context.Background(), o, &out); err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	for _, want := range []string{"holds 300 statements", "full pull, 2 runs", "statements/s", "polling every 1s, 1 statements", "push trigger (B still polling every 1s), 2 statements", "machine: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report does not say %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(progress.String(), "full pull 2 of 2: 300 statements") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

func TestRunRefusesBadOptions(t *testing.T) {
	for _, o := range []Options{{Statements: 3, Repeat: 1, Poll: time.Second}, {Statements: 10, Repeat: 0, Poll: time.Second}, {Statements: 10, Repeat: 1}} {
		if err := Run(context.Background(), o, &strings.Builder{}); err == nil {
			t.Errorf("%+v: run", o)
		}
	}
}
