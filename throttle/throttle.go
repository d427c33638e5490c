// Package throttle counts failed logins, per username and per client
// address, and refuses further Attempts for a while when there are too
// many: one Limiter serves every door a node has (API, web pages), and
// its Ledger, the store, every process of the node.
package throttle

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"ctis"
)

// Login throttling: this many failures within the window, counted per
// username and per client address, refuse further attempts until the
// oldest failure leaves the window. Five in a quarter of an hour stops
// password guessing and barely troubles a person who mistypes.
const (
	MaxFailures = 5
	Window      = 15 * time.Minute
)

// Ledger keeps the failed logins. The store is one (store.DB), so that
// several processes behind a balancer count the same failures; Memory
// is one for a single process.
type Ledger interface {
	// AdmitLogin records attempt as a failure at at under each of keys,
	// unless one of them already holds limit failures after since; then
	// it records nothing and returns the latest of those keys' limit-th
	// newest failure. Check and record are one step: attempts made at
	// once cannot slip past the limit together.
	AdmitLogin(ctx context.Context, attempt string, keys []string, at, since time.Time, limit int) (time.Time, error)
	// ForgetLogin takes back attempt's failures under keys and drops
	// every failure under clear.
	ForgetLogin(ctx context.Context, attempt string, keys, clear []string) error
}

// Limiter applies the throttling policy to failures kept in a Ledger.
type Limiter struct {
	now    func() time.Time
	ledger Ledger
}

// New returns a Limiter on the clock now, keeping failures in ledger;
// nil means in this process's memory alone.
func New(now func() time.Time, ledger Ledger) *Limiter {
	if ledger == nil {
		ledger = Memory()
	}
	return &Limiter{now: now, ledger: ledger}
}

// Attempt is a login admitted by the limiter and counted as a failure
// until settled otherwise.
type Attempt struct {
	id            string
	user, address string // keys; user is "" for a name no account can have
}

// Admit counts a login attempt by username from the client of r, or
// returns how long to wait when either has failed too often. The attempt
// counts as a failure from the start, so that parallel requests cannot
// slip past the limit while their passwords are being checked.
func (l *Limiter) Admit(username string, r *http.Request) (Attempt, time.Duration, error) {
	a := Attempt{id: ctis.NewID(), address: "address:" + clientAddress(r)}
	if u := strings.ToLower(strings.TrimSpace(username)); ctis.ValidUsername(u) {
		// A name that no account can have is throttled by address alone,
		// and cannot fill the ledger with keys of any length.
		a.user = "user:" + u
	}
	now := l.now()
	held, err := l.ledger.AdmitLogin(r.Context(), a.id, a.keys(), now, now.Add(-Window), MaxFailures)
	if err != nil {
		return Attempt{}, 0, err
	}
	if !held.IsZero() {
		return Attempt{}, held.Add(Window).Sub(now), nil
	}
	return a, 0, nil
}

// Settle records how an admitted attempt ended. A failed login stays
// counted. A successful one clears the user's failures, for the person
// who mistyped before getting it right, and is taken back from the
// address; so is an attempt that ended in a fault of ours.
func (l *Limiter) Settle(ctx context.Context, a Attempt, err error) error {
	if ctis.ErrorCode(err) == ctis.EUNAUTHORIZED {
		return nil
	}
	var clear []string
	if err == nil && a.user != "" {
		clear = []string{a.user}
	}
	return l.ledger.ForgetLogin(ctx, a.id, a.keys(), clear)
}

func (a Attempt) keys() []string {
	if a.user == "" {
		return []string{a.address}
	}
	return []string{a.address, a.user}
}

// memory is a Ledger in one process's memory: a restart forgets it, and
// other processes do not see it.
type memory struct {
	mu sync.Mutex
	// failures holds the recent failures by key, oldest first.
	failures map[string][]failure
	// sweepAt is the map size at which expired keys are dropped, so that
	// failures spread over many names or addresses cannot grow it forever.
	sweepAt int
}

type failure struct {
	at      time.Time
	attempt string
}

// Memory returns a Ledger in this process's memory, for a node of one
// process and for tests.
func Memory() Ledger { return &memory{failures: map[string][]failure{}, sweepAt: 1024} }

func (m *memory) AdmitLogin(_ context.Context, attempt string, keys []string, at, since time.Time, limit int) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var held time.Time
	for _, k := range keys {
		if fs := m.recent(k, since); len(fs) >= limit && fs[len(fs)-limit].at.After(held) {
			held = fs[len(fs)-limit].at
		}
	}
	if !held.IsZero() {
		return held, nil
	}
	for _, k := range keys {
		m.failures[k] = append(m.failures[k], failure{at, attempt})
	}
	if len(m.failures) >= m.sweepAt {
		for k := range m.failures {
			m.recent(k, since)
		}
		m.sweepAt = max(1024, 2*len(m.failures))
	}
	return time.Time{}, nil
}

func (m *memory) ForgetLogin(_ context.Context, attempt string, keys, clear []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range clear {
		delete(m.failures, k)
	}
	for _, k := range keys {
		fs := m.failures[k]
		for i, f := range fs {
			if f.attempt == attempt {
				m.failures[k] = append(fs[:i:i], fs[i+1:]...)
				break
			}
		}
	}
	return nil
}

// recent drops the failures of key from since or before and returns the
// rest.
func (m *memory) recent(key string, since time.Time) []failure {
	fs := m.failures[key]
	i := 0
	for i < len(fs) && !fs[i].at.After(since) {
		i++
	}
	if i == len(fs) {
		delete(m.failures, key)
		return nil
	}
	m.failures[key] = fs[i:]
	return fs[i:]
}

// clientAddress is the address a login comes from: the peer's IP, or for
// IPv6 its /64, since one subscriber commonly holds a whole /64. A proxy
// in front of the node must be trusted to pass the real peer on as the
// connection's address; forwarding headers are not believed, because any
// client can write them.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}
