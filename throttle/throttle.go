// Package throttle counts failed logins, per username and per client
// address, and refuses further Attempts for a while when there are too
// many: one Limiter serves every door a node has (API, web pages).
package throttle

import (
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

// Limiter counts failed logins in memory. A node restart forgets
// them, which costs an attacker a restart of ours; several processes
// behind a balancer each count their own.
type Limiter struct {
	mu  sync.Mutex
	now func() time.Time
	// failures holds the times of recent failures by key, oldest first.
	failures map[string][]time.Time
	// sweepAt is the map size at which expired keys are dropped, so that
	// failures spread over many names or addresses cannot grow it forever.
	sweepAt int
}

// New returns a Limiter on the clock now.
func New(now func() time.Time) *Limiter {
	return &Limiter{now: now, failures: map[string][]time.Time{}, sweepAt: 1024}
}

// Attempt is a login admitted by the limiter and counted as a failure
// until settled otherwise.
type Attempt struct {
	at            time.Time
	user, address string // keys; user is "" for a name no account can have
}

// Admit counts a login attempt by username from the client of r, or
// returns how long to wait when either has failed too often. The attempt
// counts as a failure from the start, so that parallel requests cannot
// slip past the limit while their passwords are being checked.
func (l *Limiter) Admit(username string, r *http.Request) (Attempt, time.Duration) {
	a := Attempt{address: "address:" + clientAddress(r)}
	if u := strings.ToLower(strings.TrimSpace(username)); ctis.ValidUsername(u) {
		// A name that no account can have is throttled by address alone,
		// and cannot fill the map with keys of any length.
		a.user = "user:" + u
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a.at = l.now()
	var wait time.Duration
	for _, k := range a.keys() {
		if ts := l.recent(k, a.at); len(ts) >= MaxFailures {
			wait = max(wait, ts[len(ts)-MaxFailures].Add(Window).Sub(a.at))
		}
	}
	if wait > 0 {
		return Attempt{}, wait
	}
	for _, k := range a.keys() {
		l.failures[k] = append(l.failures[k], a.at)
	}
	if len(l.failures) >= l.sweepAt {
		for k := range l.failures {
			l.recent(k, a.at)
		}
		l.sweepAt = max(1024, 2*len(l.failures))
	}
	return a, 0
}

// Settle records how an admitted attempt ended. A failed login stays
// counted. A successful one clears the user's failures, for the person
// who mistyped before getting it right, and is taken back from the
// address; so is an attempt that ended in a fault of ours.
func (l *Limiter) Settle(a Attempt, err error) {
	if ctis.ErrorCode(err) == ctis.EUNAUTHORIZED {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err == nil && a.user != "" {
		delete(l.failures, a.user)
	}
	for _, k := range a.keys() {
		ts := l.failures[k]
		for i, t := range ts {
			if t.Equal(a.at) {
				l.failures[k] = append(ts[:i:i], ts[i+1:]...)
				break
			}
		}
	}
}

func (a Attempt) keys() []string {
	if a.user == "" {
		return []string{a.address}
	}
	return []string{a.address, a.user}
}

// recent drops the failures of key that have left the window and returns
// the rest.
func (l *Limiter) recent(key string, now time.Time) []time.Time {
	ts := l.failures[key]
	i := 0
	for i < len(ts) && !now.Before(ts[i].Add(Window)) {
		i++
	}
	if i == len(ts) {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = ts[i:]
	return ts[i:]
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
