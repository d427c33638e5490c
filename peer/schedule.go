package peer

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"ctis"
	"ctis/stix"
	"ctis/taxii"
)

// MaxBackoff is the longest a Scheduler waits before trying a failing
// peer again.
const MaxBackoff = time.Hour

// Scheduler pulls every peer of a node in turn, every Every, and backs
// off from a peer that fails: twice as long after each failure, up to
// MaxBackoff, each wait shifted at random by up to a fifth so that nodes
// that failed together do not come back together. Peers are read from
// the store at each turn, so a peer added or removed takes effect without
// a restart. A peer that says it has something new (Wake, from the peer
// link) is pulled at once, between turns: the turns are the safety net.
type Scheduler struct {
	Peers ctis.PeerService
	Every time.Duration
	// Reconcile, if not zero, is how often each peer's pull is a
	// reconciliation (Reconcile), which reads its collection whole and
	// withdraws what it no longer releases to this node; the first comes
	// Reconcile after the scheduler starts.
	Reconcile time.Duration
	// Log receives a line per pull that changed something and per
	// failure: counts, the peer's name and the error's kind and place,
	// never what a statement says.
	Log *slog.Logger
	// Client makes the client of a pull; nil means NewClient.
	Client func(ctis.Peer) (*taxii.Client, error)

	mu    sync.Mutex
	woken map[string]bool
	wake  chan struct{}
}

// Wake asks for the peer to be pulled now. Wakes that come while the
// scheduler is busy make one pull after it, however many they are.
func (s *Scheduler) Wake(peer string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.woken[peer] = true
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// init makes the wake-up state; s.mu is held.
func (s *Scheduler) init() {
	if s.wake == nil {
		s.wake, s.woken = make(chan struct{}, 1), map[string]bool{}
	}
}

// takeWoken returns the peers woken since the last call.
func (s *Scheduler) takeWoken() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.woken
	s.woken = map[string]bool{}
	return w
}

// Run pulls until ctx ends; a pull in flight is cancelled with it.
func (s *Scheduler) Run(ctx context.Context) {
	newClient := s.Client
	if newClient == nil {
		newClient = NewClient
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	s.mu.Lock()
	s.init()
	wake := s.wake
	s.mu.Unlock()
	ctx = ctis.NewContext(ctx, ctis.SystemIdentity("peer-sync"))
	type state struct {
		failures   int
		due        time.Time
		markings   Markings
		reconciled time.Time // the last reconciliation, or when first met
	}
	states := map[string]*state{}
	pull := func(p ctis.Peer, woken bool) {
		st := states[p.Name]
		if st == nil {
			st = &state{markings: Markings{}, reconciled: time.Now()}
			states[p.Name] = st
		}
		if !woken && time.Now().Before(st.due) {
			return
		}
		run := Pull
		reconciling := s.Reconcile > 0 && time.Since(st.reconciled) >= s.Reconcile
		if reconciling {
			run = Reconcile
		}
		c, err := newClient(p)
		var rep Report
		if err == nil {
			rep, err = run(ctx, s.Peers, p, c, 0, st.markings)
		}
		if ctx.Err() != nil {
			return
		}
		switch {
		case errors.Is(rep.Witness, ErrAlarm):
			log.Error("a peer's audit chain is inconsistent with what this node witnessed", "peer", p.Name, "err", rep.Witness)
		case rep.Witness != nil:
			log.Warn("witnessing a peer's audit head failed", "peer", p.Name, "err", rep.Witness)
		}
		if err != nil {
			st.failures++
			wait := Backoff(s.Every, st.failures)
			st.due = time.Now().Add(wait)
			log.Warn("pulling from a peer failed", "peer", p.Name, "failures", st.failures, "retry_in", wait.Round(time.Millisecond).String(), "err", Loggable(err))
			return
		}
		if st.failures > 0 {
			log.Info("pulling from a peer works again", "peer", p.Name, "after_failures", st.failures)
		}
		st.failures, st.due = 0, time.Time{}
		if reconciling {
			st.reconciled = time.Now()
		}
		if rep.Added+rep.Withdrawn+rep.Remapped > 0 || reconciling {
			log.Info("pulled from a peer", "peer", p.Name, "pages", rep.Pages, "added", rep.Added, "withdrawn", rep.Withdrawn, "remapped", rep.Remapped,
				"woken", woken, "reconciled", reconciling)
		}
	}
	peers := func() []ctis.Peer {
		ps, err := s.Peers.Peers(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("listing the peers", "err", err)
		}
		return ps
	}
	for {
		for _, p := range peers() {
			pull(p, false)
			if ctx.Err() != nil {
				return
			}
		}
		turn := time.After(s.Every)
	waiting:
		for {
			select {
			case <-ctx.Done():
				return
			case <-turn:
				break waiting
			case <-wake:
				woken := s.takeWoken()
				for _, p := range peers() {
					if woken[p.Name] {
						pull(p, true)
					}
				}
			}
		}
	}
}

// Backoff is how long to wait after failures failures in a row of a peer
// pulled every every: doubling from every, up to MaxBackoff, shifted at
// random by up to a fifth either way.
func Backoff(every time.Duration, failures int) time.Duration {
	wait := every
	for i := 1; i < failures && wait < MaxBackoff; i++ {
		wait *= 2
	}
	wait = min(wait, MaxBackoff)
	jitter := time.Duration(rand.Int64N(int64(wait)/5*2+1)) - wait/5
	return wait + jitter
}

// Loggable is what a log line may say of a pull's error. A STIX reading
// error's message may quote a value read from a statement, so of it only
// the object and the field are told; the other errors of a pull (the
// peer's HTTP answers, transport and TLS failures, the envelope's shape,
// the store's refusals) name objects, fields and agencies, never what a
// statement says.
func Loggable(err error) string {
	var oe *stix.ObjectError
	if errors.As(err, &oe) {
		s := "reading STIX: object " + oe.ID
		if f := ctis.ErrorField(oe.Err); f != "" {
			s += ", field " + f
		}
		return s + ": " + ctis.ErrorCode(oe.Err)
	}
	return err.Error()
}
