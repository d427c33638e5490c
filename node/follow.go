package node

import (
	"context"
	"log/slog"
	"time"
)

// A Follower is an index built from the store that catches up with the
// store's change log.
type Follower interface {
	CatchUp(ctx context.Context) (int, error)
}

// FollowEvery is how often a node reads the change log when nothing
// wakes it sooner.
const FollowEvery = 200 * time.Millisecond

// Follow keeps followers in step with writes that other processes make
// to the store: on every wake (a store that can tell of a commit sends
// on it; nil for none) and every FollowEvery, until ctx ends. Errors are
// logged and retried at the next turn, so that a database that was away
// is caught up with once it answers again.
func Follow(ctx context.Context, wake <-chan struct{}, log *slog.Logger, followers ...Follower) {
	t := time.NewTicker(FollowEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
		ok := true
		for _, f := range followers {
			if _, err := f.CatchUp(ctx); err != nil && ctx.Err() == nil {
				ok = false
				if !failing {
					log.Error("catching up with the store's change log", "err", err)
				}
			}
		}
		if ok && failing {
			log.Info("caught up with the store's change log again")
		}
		failing = !ok
	}
}
