// Package health answers the two questions a load balancer and an
// orchestrator ask of a node: is the process alive (/healthz), and may it
// be sent requests (/readyz). Liveness asks nothing of the store, so that
// a slow database does not get a live process restarted; readiness asks
// every condition the node names, each within a short timeout.
package health

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Alive answers 200 "ok" to anyone: the process is up and serving HTTP.
func Alive() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plain(w, http.StatusOK, "ok")
	})
}

// Check is one condition of a node's readiness.
type Check struct {
	// Name is what a reason starts with: "store", "screening index".
	Name string
	// Ready returns nil when the condition holds. Otherwise its error is
	// the reason, shown as is to whoever asks, so it must be a few plain
	// words that name no data ("building", "behind the database by 12
	// changes"); a NotReady keeps the underlying error for the log.
	Ready func(ctx context.Context) error
}

// NotReady is a reason to show, and the error behind it to log only.
type NotReady struct {
	Reason string
	Err    error
}

func (e *NotReady) Error() string { return e.Reason }

func (e *NotReady) Unwrap() error { return e.Err }

// DefaultTimeout is how long the checks of one /readyz may take together:
// well under the interval and timeout a load balancer checks with.
const DefaultTimeout = 2 * time.Second

// Readiness answers /readyz: 200 "ready" when every check holds within
// the timeout, else 503 with the first failing check's name and reason.
type Readiness struct {
	Checks []Check
	// Timeout bounds the checks of one request; zero means DefaultTimeout.
	Timeout time.Duration
	// Logger is told when the node stops or starts being ready; nil
	// means slog.Default().
	Logger *slog.Logger

	mu     sync.Mutex
	reason string // the last answer's reason, "" when ready
}

// ServeHTTP runs the checks at once and answers.
func (rd *Readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	timeout := rd.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	errs := make([]error, len(rd.Checks))
	var wg sync.WaitGroup
	for i, c := range rd.Checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = run(ctx, c)
		}()
	}
	wg.Wait()
	reason, cause := "", error(nil)
	for i, err := range errs {
		if err != nil {
			reason, cause = rd.Checks[i].Name+": "+err.Error(), err
			break
		}
	}
	rd.settle(reason, cause)
	if reason != "" {
		plain(w, http.StatusServiceUnavailable, "not ready: "+reason)
		return
	}
	plain(w, http.StatusOK, "ready")
}

// run runs one check, giving up on it when ctx ends: a check stuck on a
// locked database must not hold the answer past the timeout.
func run(ctx context.Context, c Check) error {
	done := make(chan error, 1)
	go func() { done <- c.Ready(ctx) }()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil {
			return &NotReady{Reason: "no answer in time", Err: err}
		}
		return err
	case <-ctx.Done():
		return &NotReady{Reason: "no answer in time", Err: ctx.Err()}
	}
}

// settle logs a change of readiness: a load balancer asks every few
// seconds, and a line for each answer would bury the one that matters.
func (rd *Readiness) settle(reason string, cause error) {
	rd.mu.Lock()
	changed := reason != rd.reason
	rd.reason = reason
	rd.mu.Unlock()
	if !changed {
		return
	}
	log := rd.Logger
	if log == nil {
		log = slog.Default()
	}
	if reason == "" {
		log.Info("ready")
		return
	}
	var nr *NotReady
	if errors.As(cause, &nr) && nr.Err != nil {
		log.Warn("not ready", "reason", reason, "err", nr.Err)
		return
	}
	log.Warn("not ready", "reason", reason)
}

func plain(w http.ResponseWriter, status int, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write([]byte(strings.TrimSpace(text) + "\n"))
}
