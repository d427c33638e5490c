// Package feed is the live feed of event channels: server-sent events
// (text/event-stream) that carry each alert of an event to the open pages
// and programs of its agencies as it is posted.
//
// A feed is read from the store, never from this process's memory: a
// connection waits to be woken, then asks the store for the alerts after
// the last one it sent, under the reader's handling, as any read does.
// Connections of the same viewer (ctis.Viewer.Key: agency, and whether
// frontline-only) waiting after the same alert share that read: once
// woken, the first of them reads the store and the others take its rows,
// already encoded. The store still decides what each viewer sees; the hub
// only avoids asking it the same question a thousand times.
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
	"sync/atomic"
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

	mu       sync.Mutex
	channels map[string]*channel
	open     int
	// reads counts the reads of the store made for connections.
	reads atomic.Int64
}

// channel is the connections of one event open in this process, and the
// reads made for them since the event's channel last changed.
type channel struct {
	conns map[chan struct{}]struct{}
	// shares are the reads made since the last wake, by viewer key and
	// the seq they read after; a wake starts afresh.
	shares map[shareKey]*share
}

type shareKey struct {
	viewer string
	after  int64
}

// A share is one read of an event's alerts after a seq under one
// viewer's handling, made once for every connection of that viewer
// waiting at that seq.
type share struct {
	done chan struct{} // closed once read
	// body is the alerts read, encoded as server-sent events; n counts
	// them and last is the seq of the last. Read-only once done.
	body []byte
	n    int
	last int64
	err  error
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
	return &Hub{changes: changes, log: log, last: last, channels: map[string]*channel{}}, nil
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

// wake tells every connection of an event to read the store, and forgets
// the reads made before: they may miss what changed.
func (h *Hub) wake(eventID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.channels[eventID]
	if c == nil {
		return
	}
	c.shares = map[shareKey]*share{}
	for ch := range c.conns {
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
	c := h.channels[eventID]
	if c == nil {
		c = &channel{conns: map[chan struct{}]struct{}{}, shares: map[shareKey]*share{}}
		h.channels[eventID] = c
	}
	c.conns[ch] = struct{}{}
	h.open++
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(c.conns, ch)
		if len(c.conns) == 0 && h.channels[eventID] == c {
			delete(h.channels, eventID)
		}
		h.open--
		h.mu.Unlock()
	}
}

// read returns the alerts of eventID after seq after that viewer may see,
// encoded: read from the store by the first connection of that viewer to
// ask since the event's channel last changed, shared with the others.
// The store reads as ctx's identity, whose viewer key must be viewer; the
// read is not cut short when ctx's client leaves, since others may wait
// for it.
func (h *Hub) read(ctx context.Context, events ctis.EventService, eventID, viewer string, after int64) (*share, error) {
	k := shareKey{viewer, after}
	h.mu.Lock()
	c := h.channels[eventID]
	sh, found := c.shares[k]
	if !found {
		sh = &share{done: make(chan struct{})}
		c.shares[k] = sh
	}
	h.mu.Unlock()
	if found {
		select {
		case <-sh.done:
			return sh, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	defer close(sh.done)
	h.reads.Add(1)
	alerts, err := events.Alerts(context.WithoutCancel(ctx), eventID, after, Batch, false)
	if err != nil {
		sh.err = err
		h.mu.Lock()
		if c.shares[k] == sh {
			delete(c.shares, k) // the next to ask tries again
		}
		h.mu.Unlock()
		return sh, nil
	}
	for _, a := range alerts {
		data, err := json.Marshal(a)
		if err != nil {
			sh.err = err
			return sh, nil
		}
		sh.body = fmt.Appendf(sh.body, "id: %d\nevent: alert\ndata: %s\n\n", a.Seq, data)
		sh.last = a.Seq
	}
	sh.n = len(alerts)
	return sh, nil
}

// Reads is how many times the hub's connections have read the store: once
// per viewer and position each time an event's channel changes, however
// many connections share it.
func (h *Hub) Reads() int64 { return h.reads.Load() }

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
	id, _ := ctis.IdentityFrom(ctx)
	viewer := id.Viewer().Key()
	for {
		sh, err := h.read(ctx, events, eventID, viewer, after)
		if err != nil {
			return nil // the client left
		}
		if sh.err != nil {
			if ctx.Err() == nil && !errors.Is(sh.err, context.Canceled) {
				h.log.Error("reading alerts for a live feed", "err", sh.err)
			}
			return nil
		}
		if sh.n > 0 {
			if err := send(sh.body); err != nil {
				return nil
			}
			after = sh.last
		}
		if sh.n == Batch {
			continue
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
