// Package feed is the live feed of event channels: server-sent events
// (text/event-stream) that carry each alert of an event to the open pages
// and programs of its agencies as it is posted.
//
// A feed is read from the store, never from this process's memory: a
// connection waits to be woken, then asks the store for the alerts after
// the last one it sent, under the reader's handling, as any read does.
// What wakes it is the store's change log, which every process's writes
// reach (see Hub), so an alert posted through another process sharing the
// database is delivered too. Each alert is sent with its seq as the SSE
// id; a browser that reconnects sends it back as Last-Event-ID and the
// feed resumes exactly after it.
package feed

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"ctis"
)

// Timings of a feed connection.
const (
	// Heartbeat is how often an idle feed sends a comment, so that
	// proxies keep the connection and a dead client is found out.
	Heartbeat = 15 * time.Second
	// WriteTimeout is how long one write may wait for a slow client:
	// past it the connection is dropped, and the client, reconnecting
	// with Last-Event-ID, resumes where it was.
	WriteTimeout = 10 * time.Second
	// Lifetime ends every connection after a while, so that a revoked
	// token or an ended session stops receiving within it; browsers
	// reconnect by themselves and miss nothing.
	Lifetime = 5 * time.Minute
	// Retry is the reconnection delay the feed asks browsers to use.
	Retry = 2 * time.Second
	// Batch bounds the alerts read and written at a time: the most a
	// connection holds in memory.
	Batch = 50
)

// Hub wakes this process's feed connections when an event's channel
// changes. It follows the store's change log (it is a node.Follower), in
// which the database itself logs every alert posted, whichever process
// posted it; writes made through Events wake it at once.
type Hub struct {
	// Lifetime and Retry, when set, replace the package's defaults
	// (tests shorten them to drop connections often).
	Lifetime, Retry time.Duration

	changes ctis.ChangeLog
	log     *slog.Logger

	// catching serialises CatchUp; last is the change read last.
	catching sync.Mutex
	last     int64

	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
	open int
}

// NewHub returns a hub that follows changes from the newest one logged:
// a connection reads what came before from the store itself.
func NewHub(ctx context.Context, changes ctis.ChangeLog, log *slog.Logger) (*Hub, error) {
	last, err := changes.LastChange(ctx)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &Hub{changes: changes, log: log, last: last, subs: map[string]map[chan struct{}]struct{}{}}, nil
}

// CatchUp reads the change log and wakes the connections of each event
// whose channel changed. It returns how many changes it read.
func (h *Hub) CatchUp(ctx context.Context) (int, error) {
	h.catching.Lock()
	defer h.catching.Unlock()
	n := 0
	for {
		cs, err := h.changes.Changes(ctx, h.last, 1000)
		if err != nil {
			return n, err
		}
		woken := map[string]bool{}
		for _, c := range cs {
			if c.Kind == ctis.ChangeEvent && !woken[c.Ref] {
				woken[c.Ref] = true
				h.wake(c.Ref)
			}
		}
		n += len(cs)
		if len(cs) < 1000 {
			if len(cs) > 0 {
				h.last = cs[len(cs)-1].Seq
			}
			return n, nil
		}
		h.last = cs[len(cs)-1].Seq
	}
}

// wake tells every connection of an event to read the store.
func (h *Hub) wake(eventID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[eventID] {
		select {
		case ch <- struct{}{}:
		default: // woken already, and not yet reading
		}
	}
}

// subscribe returns a channel that receives when eventID's channel
// changes, and the function that ends the subscription.
func (h *Hub) subscribe(eventID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[eventID] == nil {
		h.subs[eventID] = map[chan struct{}]struct{}{}
	}
	h.subs[eventID][ch] = struct{}{}
	h.open++
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[eventID], ch)
		if len(h.subs[eventID]) == 0 {
			delete(h.subs, eventID)
		}
		h.open--
		h.mu.Unlock()
	}
}

// Open is how many feed connections are open.
func (h *Hub) Open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.open
}

// Events returns s with its writes waking the hub as soon as they are
// committed, rather than at its next reading of the change log.
func (h *Hub) Events(s ctis.EventService) ctis.EventService { return waking{s, h} }

type waking struct {
	ctis.EventService
	hub *Hub
}

func (w waking) PostAlert(ctx context.Context, eventID string, a ctis.NewAlert) (*ctis.Alert, error) {
	out, err := w.EventService.PostAlert(ctx, eventID, a)
	if err == nil {
		w.catchUp(ctx)
	}
	return out, err
}

func (w waking) ArchiveEvent(ctx context.Context, id string) (*ctis.Event, error) {
	out, err := w.EventService.ArchiveEvent(ctx, id)
	if err == nil {
		w.catchUp(ctx)
	}
	return out, err
}

// catchUp reads the change log after a write; a failure leaves it to the
// hub's next reading.
func (w waking) catchUp(ctx context.Context) {
	if _, err := w.hub.CatchUp(context.WithoutCancel(ctx)); err != nil {
		w.hub.log.Error("reading the change log after an event write", "err", err)
	}
}

// After is where a feed request resumes: after the seq in its
// Last-Event-ID header (a browser reconnecting), else after the one in
// its "after" parameter (a page that shows the alerts up to it), else
// from the first alert.
func After(r *http.Request) (int64, error) {
	if s := r.Header.Get("Last-Event-ID"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, ctis.Invalid("Last-Event-ID", "%q is not an alert's seq", s)
		}
		return n, nil
	}
	if s := r.URL.Query().Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, ctis.Invalid("after", "%q is not an alert's seq", s)
		}
		return n, nil
	}
	return 0, nil
}

// Serve streams the alerts of event eventID that the identity in r's
// context may see, from those after After(r), until the client leaves or
// Lifetime passes. An error before the stream starts (no such event, no
// right to it, a bad Last-Event-ID) is returned for the caller to
// answer; once streaming, a failure ends the stream, and the client
// resumes where it was.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, events ctis.EventService, eventID string) error {
	ctx := r.Context()
	after, err := After(r)
	if err != nil {
		return err
	}
	if err := events.FeedOpened(ctx, eventID, after); err != nil {
		return err
	}
	// Subscribed before the first read, a wake between that read and
	// the wait is not lost.
	woken, cancel := h.subscribe(eventID)
	defer cancel()
	rc := http.NewResponseController(w)
	// The server's read timeout would otherwise end the request, which
	// reads nothing more, while it streams.
	rc.SetReadDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(b []byte) error {
		rc.SetWriteDeadline(time.Now().Add(WriteTimeout))
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	retry, lifetime := cmp.Or(h.Retry, Retry), cmp.Or(h.Lifetime, Lifetime)
	if err := send(fmt.Appendf(nil, "retry: %d\n: connected after %d\n\n", retry.Milliseconds(), after)); err != nil {
		return nil
	}
	beat := time.NewTicker(Heartbeat)
	defer beat.Stop()
	end := time.NewTimer(lifetime)
	defer end.Stop()
	var buf []byte
	for {
		alerts, err := events.Alerts(ctx, eventID, after, Batch, false)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				h.log.Error("reading alerts for a live feed", "err", err)
			}
			return nil
		}
		buf = buf[:0]
		for _, a := range alerts {
			data, err := json.Marshal(a)
			if err != nil {
				return nil
			}
			buf = fmt.Appendf(buf, "id: %d\nevent: alert\ndata: %s\n\n", a.Seq, data)
			after = a.Seq
		}
		if len(buf) > 0 {
			if err := send(buf); err != nil {
				return nil
			}
		}
		if len(alerts) == Batch {
			continue
		}
		if cap(buf) > 64<<10 {
			buf = nil // a burst's buffer is not kept by an idle connection
		}
		for idle := true; idle; {
			select {
			case <-woken:
				idle = false
			case <-beat.C:
				if err := send([]byte(": heartbeat\n\n")); err != nil {
					return nil
				}
			case <-end.C:
				return nil
			case <-ctx.Done():
				return nil
			}
		}
	}
}
