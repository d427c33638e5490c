package api

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"ctis"
)

// eventCalls reaches every event route with a success, and the feed's
// resumption after a dropped connection.
func eventCalls(t *testing.T, f *fixture) {
	today := time.Now().UTC().Format(time.DateOnly)
	var e ctis.Event
	f.post("fr.analyst", "/api/v1/events", ctis.NewEvent{Name: "Summit", Starts: today, Ends: today, Venues: []string{"Centre"}, Agencies: []string{"de-bka"}}).
		want(t, http.StatusCreated).decode(t, &e)
	f.do(call{method: "GET", path: "/api/v1/events", as: "de.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/events/" + e.ID, as: "fr.border"}).want(t, http.StatusOK)
	post := func(title string) ctis.Alert {
		var a ctis.Alert
		f.post("fr.analyst", "/api/v1/events/"+e.ID+"/alerts", ctis.NewAlert{Severity: ctis.SeverityHigh, Title: title, Location: "Gate 4",
			ValidUntil: time.Now().Add(time.Hour), Handling: ctis.Handling{Distribution: ctis.DistAll, Frontline: true, Restriction: ctis.H0}}).want(t, http.StatusCreated).decode(t, &a)
		return a
	}
	first := post("Drone sighted")

	// The feed: read the first alert, drop the connection, post two
	// more, and resume with Last-Event-ID: both come, nothing again.
	got := f.stream(t, "de.analyst", "/api/v1/events/"+e.ID+"/feed", "", 1)
	if len(got) != 1 || got[0] != "1" {
		t.Fatalf("first connection got ids %v", got)
	}
	post("Vehicle at gate")
	post("Crowd surge")
	if got := f.stream(t, "de.analyst", "/api/v1/events/"+e.ID+"/feed", "1", 2); strings.Join(got, ",") != "2,3" {
		t.Errorf("resumed after 1, got ids %v", got)
	}

	f.do(call{method: "GET", path: "/api/v1/events/" + e.ID + "/alerts?after=1", as: "de.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/alerts/" + first.ID, as: "fr.border"}).want(t, http.StatusOK)
	f.do(call{method: "POST", path: "/api/v1/alerts/" + first.ID + "/ack", as: "de.analyst"}).want(t, http.StatusOK)
	f.do(call{method: "POST", path: "/api/v1/alerts/" + first.ID + "/ack", as: "de.analyst"}).want(t, http.StatusConflict)
	var d ctis.Digest
	f.do(call{method: "GET", path: "/api/v1/events/" + e.ID + "/digest?day=" + today, as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &d)
	if len(d.Alerts) != 3 {
		t.Errorf("digest %+v", d)
	}
	f.do(call{method: "POST", path: "/api/v1/events/" + e.ID + "/archive", as: "fr.analyst"}).want(t, http.StatusConflict)
	f.ahead.Store(int64(48 * time.Hour))
	f.do(call{method: "POST", path: "/api/v1/events/" + e.ID + "/archive", as: "fr.analyst"}).want(t, http.StatusOK)
	f.ahead.Store(0)
}

// stream opens an event feed as user as, resuming after lastID when set,
// and returns the SSE ids of the first n alerts, then drops the
// connection. The stream read so far is checked against the document.
func (f *fixture) stream(t *testing.T, as, path, lastID string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[as])
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var ids []string
	var body strings.Builder
	sc := bufio.NewScanner(res.Body)
	for len(ids) < n && sc.Scan() {
		body.WriteString(sc.Text() + "\n")
		if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			ids = append(ids, id)
		}
	}
	for _, e := range f.doc.conform("GET", path, res.StatusCode, res.Header, []byte(body.String())) {
		t.Errorf("feed: %s", e)
	}
	f.coveredMu.Lock()
	f.covered["GET /api/v1/events/{id}/feed"] = true
	f.coveredMu.Unlock()
	return ids
}
