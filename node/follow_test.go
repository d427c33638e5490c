package node_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"ctis/node"
)

type counting struct {
	calls atomic.Int32
	fail  atomic.Bool
}

func (c *counting) CatchUp(context.Context) (int, error) {
	c.calls.Add(1)
	if c.fail.Load() {
		return 0, errors.New("database away")
	}
	return 0, nil
}

// TestFollowWakesAndRetries: a wake makes followers catch up at once, a
// failing follower is tried again at the next turn, and Follow ends with
// its context.
func TestFollowWakesAndRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wake := make(chan struct{})
	f := &counting{}
	done := make(chan struct{})
	go func() {
		node.Follow(ctx, wake, slog.New(slog.NewTextHandler(io.Discard, nil)), f)
		close(done)
	}()
	wake <- struct{}{}
	wait := func(n int32) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for f.calls.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d catch-ups, want %d", f.calls.Load(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	wait(1)
	f.fail.Store(true)
	wait(3) // tried again on the next turns
	f.fail.Store(false)
	wait(4)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Follow did not end with its context")
	}
}
