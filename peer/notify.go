package peer

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"ctis"
	"ctis/taxii"
)

// Notifier tells each peer to pull from this node now (Notify) when a
// statement of this node's own agencies released beyond its originator is
// recorded or withdrawn: so a new statement reaches a peer within
// seconds, not a poll interval. It is best effort and out of the way of
// writes: it looks at the store after their commit, tells the peers from
// goroutines of its own, and a peer it could not tell pulls at its next
// poll anyway.
type Notifier struct {
	Peers ctis.PeerService
	// Every is how often the store is asked for such a change; zero
	// means FollowEvery. Wake, if not nil, asks at once: PostgreSQL tells
	// of other processes' commits.
	Every time.Duration
	Wake  <-chan struct{}
	// Client makes the client for a peer; nil means NewClient.
	Client func(ctis.Peer) (*taxii.Client, error)
	// Log receives a line per peer that could not be told.
	Log *slog.Logger
}

// FollowEvery is how often a Notifier looks at the store by default.
const FollowEvery = 200 * time.Millisecond

// Run notifies until ctx ends. Changes made before it started are not
// told of: the peers' polls have them.
func (n *Notifier) Run(ctx context.Context) {
	ctx = ctis.NewContext(ctx, ctis.SystemIdentity("peer-notify"))
	every := n.Every
	if every <= 0 {
		every = FollowEvery
	}
	newClient := n.Client
	if newClient == nil {
		newClient = NewClient
	}
	log := n.Log
	if log == nil {
		log = slog.Default()
	}
	_, since, err := n.Peers.ReleasedChangedAfter(ctx, time.Time{})
	if err != nil && ctx.Err() == nil {
		log.Error("reading the store's last change", "err", err)
	}
	// sending holds, for each peer being told, whether to tell it again
	// when done: what changed meanwhile needs another pull.
	var mu sync.Mutex
	sending := map[string]bool{}
	var wg sync.WaitGroup
	defer wg.Wait()
	tell := func(p ctis.Peer) {
		mu.Lock()
		defer mu.Unlock()
		if _, busy := sending[p.Name]; busy {
			sending[p.Name] = true
			return
		}
		sending[p.Name] = false
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := newClient(p)
				if err == nil {
					tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					err = Notify(tctx, c, p)
					cancel()
				}
				if err != nil && ctx.Err() == nil {
					log.Warn("telling a peer to pull failed; it pulls at its next poll", "peer", p.Name, "err", err)
				}
				mu.Lock()
				again := sending[p.Name] && ctx.Err() == nil
				if again {
					sending[p.Name] = false
				} else {
					delete(sending, p.Name)
				}
				mu.Unlock()
				if !again {
					return
				}
			}
		}()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.Wake:
		}
		changed, at, err := n.Peers.ReleasedChangedAfter(ctx, since)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("reading the store's last change", "err", err)
			}
			continue
		}
		if !changed {
			continue
		}
		since = at
		peers, err := n.Peers.Peers(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("listing the peers", "err", err)
			}
			continue
		}
		for _, p := range peers {
			tell(p)
		}
	}
}
