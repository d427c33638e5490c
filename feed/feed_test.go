package feed_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/feed"
	"ctis/node"
	"ctis/store"
)

// engine is the engine the package's tests run on.
var engine ctistest.Engine

func TestMain(m *testing.M) { os.Exit(ctistest.RunEngines(m, &engine)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// serveFeeds serves the feeds of hub over events, as the user of the
// agency and role named by the request's "agency" and "role" parameters.
func serveFeeds(t *testing.T, hub *feed.Hub, events ctis.EventService) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		r = r.WithContext(ctis.NewContext(r.Context(), ctistest.Identity(q.Get("agency"), ctis.Role(q.Get("role")))))
		if err := hub.Serve(w, r, events, q.Get("event")); err != nil {
			http.Error(w, ctis.ErrorMessage(err), http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// subscriber is an open feed: its alerts' seqs, as they arrive.
type subscriber struct {
	label string
	mu    sync.Mutex
	seqs  []string
	at    []time.Time
}

// subscribe opens a feed of eventID as agency's user in role and reads it
// until the test ends; it returns once the feed is open.
func subscribe(t *testing.T, srv *httptest.Server, eventID, agency string, role ctis.Role) *subscriber {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/?event="+eventID+"&agency="+agency+"&role="+string(role), nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		t.Fatalf("feed of %s as %s %s: %s", eventID, agency, role, res.Status)
	}
	s := &subscriber{label: agency + " " + string(role)}
	connected := make(chan struct{})
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), ": connected") {
				close(connected)
			}
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				s.mu.Lock()
				s.seqs, s.at = append(s.seqs, id), append(s.at, time.Now())
				s.mu.Unlock()
			}
		}
	}()
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
		t.Fatalf("feed of %s as %s %s never opened", eventID, agency, role)
	}
	return s
}

// await waits up to d for s to have received want, and returns when the
// last of them came.
func (s *subscriber) await(t *testing.T, want []string, d time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		s.mu.Lock()
		got := slices.Clone(s.seqs)
		var last time.Time
		if len(s.at) > 0 {
			last = s.at[len(s.at)-1]
		}
		s.mu.Unlock()
		if len(got) >= len(want) || time.Now().After(deadline) {
			if !slices.Equal(got, want) {
				t.Fatalf("%s received seqs %v within %v, want %v", s.label, got, d, want)
			}
			return last
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFeedAcrossProcesses opens one database twice, as two serve
// processes would: feeds are open at B, alerts are posted through A, whose
// writes B's hub learns of only from the store's change log. Each reaches
// B's subscribers within a bounded time, and only those its handling
// releases it to.
func TestFeedAcrossProcesses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := ctistest.TempStore(t, engine)
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	for _, ag := range ctistest.Agencies {
		if _, err := a.CreateAgency(ctistest.System, ag); err != nil {
			t.Fatal(err)
		}
	}
	fr := ctistest.As(ctistest.FR, ctis.RoleAnalyst)
	today := time.Now().UTC().Format(time.DateOnly)
	e, err := a.CreateEvent(fr, ctis.NewEvent{Name: "Summit", Starts: today, Ends: today, Venues: []string{"Centre"}, Agencies: []string{ctistest.DE}})
	if err != nil {
		t.Fatal(err)
	}

	hub, err := feed.NewHub(ctx, b, quiet)
	if err != nil {
		t.Fatal(err)
	}
	go node.Follow(ctx, b.Wake(ctx), quiet, hub)
	srv := serveFeeds(t, hub, b)
	deBorder := subscribe(t, srv, e.ID, ctistest.DE, ctis.RoleFrontline)
	deAnalyst := subscribe(t, srv, e.ID, ctistest.DE, ctis.RoleAnalyst)
	frAnalyst := subscribe(t, srv, e.ID, ctistest.FR, ctis.RoleAnalyst)
	res, err := srv.Client().Get(srv.URL + "/?event=" + e.ID + "&agency=" + ctistest.JO + "&role=analyst")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("JO-GID, outside the event, opened its feed: %s", res.Status)
	}

	// Bound is the longest an alert may take to reach the feeds of the
	// other process: a turn of the follower, then a read.
	const bound = 2 * time.Second
	post := func(h ctis.Handling) time.Time {
		t.Helper()
		at := time.Now()
		if _, err := a.PostAlert(fr, e.ID, ctis.NewAlert{Severity: ctis.SeverityHigh, Title: "Drone", Location: "Gate 1",
			ValidUntil: time.Now().Add(time.Hour), Handling: h}); err != nil {
			t.Fatal(err)
		}
		return at
	}
	posted := post(ctis.Handling{Distribution: ctis.DistAll, Frontline: true})
	for _, s := range []*subscriber{deBorder, deAnalyst, frAnalyst} {
		took := s.await(t, []string{"1"}, bound).Sub(posted)
		t.Logf("%s: alert 1 after %v on %s", s.label, took, engine)
	}
	post(ctis.Handling{Distribution: ctis.DistOriginator})
	post(ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{ctistest.DE}})
	frAnalyst.await(t, []string{"1", "2", "3"}, bound)
	deAnalyst.await(t, []string{"1", "3"}, bound)
	post(ctis.Handling{Distribution: ctis.DistAll, Frontline: true})
	deBorder.await(t, []string{"1", "4"}, bound)
	deAnalyst.await(t, []string{"1", "3", "4"}, bound)
}

// TestFeedReadsOncePerViewer opens many feeds of one event for two
// viewers and posts an alert: every feed receives it, and the store is
// read once for each viewer, not once for each feed.
func TestFeedReadsOncePerViewer(t *testing.T) {
	ctx := context.Background()
	n := ctistest.SeededStore(t, engine, store.Options{})
	fr := ctistest.As(ctistest.FR, ctis.RoleAnalyst)
	today := time.Now().UTC().Format(time.DateOnly)
	e, err := n.Events.CreateEvent(fr, ctis.NewEvent{Name: "Summit", Starts: today, Ends: today, Venues: []string{"Centre"}, Agencies: []string{ctistest.DE}})
	if err != nil {
		t.Fatal(err)
	}
	hub, err := feed.NewHub(ctx, n.DB, quiet)
	if err != nil {
		t.Fatal(err)
	}
	srv := serveFeeds(t, hub, n.Events)
	var subs []*subscriber
	for range 10 {
		subs = append(subs, subscribe(t, srv, e.ID, ctistest.DE, ctis.RoleFrontline), subscribe(t, srv, e.ID, ctistest.FR, ctis.RoleAnalyst))
	}
	// Each connection reads once it is open: the first of each viewer
	// reads the store, the others share its read.
	for deadline := time.Now().Add(5 * time.Second); hub.Reads() < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if r := hub.Reads(); r != 2 {
		t.Fatalf("20 connections of 2 viewers opening read the store %d times, want 2", r)
	}
	if _, err := hub.Events(n.Events).PostAlert(fr, e.ID, ctis.NewAlert{Severity: ctis.SeverityHigh, Title: "Drone", Location: "Gate 1",
		ValidUntil: time.Now().Add(time.Hour), Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true}}); err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		s.await(t, []string{"1"}, 5*time.Second)
	}
	if r := hub.Reads(); r != 4 {
		t.Errorf("one alert to 20 connections of 2 viewers read the store %d times, want 2 more", r)
	}
}
