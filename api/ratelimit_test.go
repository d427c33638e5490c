package api

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"ctis"
	"ctis/throttle"
)

// clock is a fake time source that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestLoginThrottle(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f := newFixture(t, func(s *Server) { s.now = clk.now })
	login := func(username, pw, remote string) reply {
		t.Helper()
		b := `{"username":"` + username + `","password":"` + pw + `"}`
		return f.do(call{method: "POST", path: "/api/v1/auth/login", contentType: "application/json", body: b, remote: remote})
	}
	limited := func(r reply, wantWait string) {
		t.Helper()
		r.want(t, http.StatusTooManyRequests)
		if p := r.problem(t); p.Code != ctis.ERATELIMITED {
			t.Errorf("code %q", p.Code)
		}
		if got := r.header.Get("Retry-After"); got != wantWait {
			t.Errorf("Retry-After %q, want %q", got, wantWait)
		}
	}

	// Per username: failures from five addresses lock the name everywhere,
	// for the right password too, until the first failure is 15 minutes old.
	for i, addr := range []string{"192.0.2.1:1000", "192.0.2.2:1000", "192.0.2.3:1000", "192.0.2.4:1000", "192.0.2.5:1000"} {
		login("fr.analyst", "wrong password "+string(rune('a'+i)), addr).want(t, http.StatusUnauthorized)
		clk.advance(time.Minute)
	}
	limited(login("FR.ANALYST", password, "198.51.100.9:1000"), "600")
	clk.advance(10*time.Minute - time.Second)
	limited(login("fr.analyst", password, "198.51.100.9:1000"), "1")
	clk.advance(time.Second)
	login("fr.analyst", password, "198.51.100.9:1000").want(t, http.StatusOK)

	// A success clears the user's failures: four more leave it open.
	for range 4 {
		login("fr.analyst", "wrong password!", "198.51.100.10:1000").want(t, http.StatusUnauthorized)
	}
	login("fr.analyst", password, "198.51.100.11:1000").want(t, http.StatusOK)

	// Per address: one address trying five names is stopped, whatever name
	// it tries next, while another address is not; an IPv6 client is
	// counted by its /64.
	for _, name := range []string{"a.one", "b.two", "c.three", "d.four", "e.five"} {
		login(name, "wrong password!", "[2001:db8:1:2::10]:1000").want(t, http.StatusUnauthorized)
	}
	limited(login("fr.analyst", password, "[2001:db8:1:2::99]:1000"), "900")
	login("fr.analyst", password, "[2001:db8:1:3::10]:1000").want(t, http.StatusOK)
	clk.advance(throttle.Window)
	login("fr.analyst", password, "[2001:db8:1:2::10]:1000").want(t, http.StatusOK)

	// Every refused attempt is in the audit trail, in the user's agency's
	// scope: the three refused above were all for fr.analyst.
	page, err := f.db.Events(system, ctis.AuditFilter{Action: ctis.ActLoginThrottled})
	if err != nil || len(page.Events) != 3 || page.Events[0].Scope != "FR-DGSI" || page.Events[0].Username != "fr.analyst" {
		t.Fatalf("throttled logins audited as %+v, %v", page, err)
	}
}

// TestLoginThrottleParallel checks that parallel guesses cannot overrun
// the limit while their passwords are being checked.
func TestLoginThrottleParallel(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	statuses := make(chan int, 20)
	for range cap(statuses) {
		wg.Go(func() {
			r := f.do(call{method: "POST", path: "/api/v1/auth/login", contentType: "application/json",
				body: `{"username":"fr.analyst","password":"wrong password!"}`, remote: "192.0.2.7:1"})
			statuses <- r.status
		})
	}
	wg.Wait()
	close(statuses)
	n := map[int]int{}
	for s := range statuses {
		n[s]++
	}
	if n[http.StatusUnauthorized] != throttle.MaxFailures || n[http.StatusTooManyRequests] != cap(statuses)-throttle.MaxFailures {
		t.Errorf("statuses %v: want %d checked and the rest refused", n, throttle.MaxFailures)
	}
}
