package node

import (
	"context"
	"fmt"

	"ctis/health"
	"ctis/store"
)

// StoreReady is the store's readiness check: a trivial query (the sharing
// groups of no agency) answered within the readiness timeout.
func StoreReady(db *store.DB) health.Check {
	return health.Check{Name: "store", Ready: func(ctx context.Context) error {
		if _, err := db.GroupsOf(ctx, ""); err != nil {
			return &health.NotReady{Reason: "not answering", Err: err}
		}
		return nil
	}}
}

// IndexReady is a match index's readiness check: ready once built and,
// when behind is given, while it lags the store by at most maxBehind
// changes. behind reports how many of the store's changes the index has
// not applied yet: an index kept in step by a feed of the store's changes
// (rather than by the writes made through it) supplies it.
func IndexReady(name string, built func() bool, behind func(ctx context.Context) (int64, error), maxBehind int64) health.Check {
	return health.Check{Name: name, Ready: func(ctx context.Context) error {
		if !built() {
			return &health.NotReady{Reason: "building"}
		}
		if behind == nil {
			return nil
		}
		n, err := behind(ctx)
		if err != nil {
			return &health.NotReady{Reason: "cannot tell how far behind the database it is", Err: err}
		}
		if n > maxBehind {
			return &health.NotReady{Reason: fmt.Sprintf("behind the database by %d changes", n)}
		}
		return nil
	}}
}
