package store_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"ctis"
	"ctis/store"
	"ctis/throttle"
)

// TestSharedBetweenProcesses opens one store twice, as two serve
// processes behind a balancer do: a session opened through one works,
// stays alive and ends through the other; both sign forms with one key;
// and the login throttle counts the failures made through both, and lets
// no more than its limit past when both are asked at once.
func TestSharedBetweenProcesses(t *testing.T) {
	ctx := context.Background()
	dsn := newStore(t)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	a, b := openAt(t, dsn, store.Options{Now: now}), openAt(t, dsn, store.Options{Now: now})
	mustAgency(t, a, "DE-BKA", "DE")
	const pw = "correct horse battery"
	if _, _, err := a.CreateUser(system, ctis.NewUser{Username: "analyst.de", Agency: "DE-BKA", Roles: []ctis.Role{ctis.RoleAnalyst}, Password: pw}); err != nil {
		t.Fatal(err)
	}

	t.Run("sessions", func(t *testing.T) {
		_, token, err := a.Login(ctx, ctis.CredentialWeb, "analyst.de", pw, 8*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if id, err := b.Authenticate(ctx, ctis.CredentialWeb, token); err != nil || id.Username != "analyst.de" {
			t.Fatalf("a session opened in one process, in the other: %v, %v", id, err)
		}
		// Used through each in turn, 20 minutes apart: never idle for 30
		// minutes, though each process alone saw it 40 minutes apart.
		for i, db := range []*store.DB{a, b, a, b} {
			at = at.Add(20 * time.Minute)
			if _, err := db.Resume(ctx, token, 30*time.Minute); err != nil {
				t.Fatalf("use %d, 20 minutes after the one before in the other process: %v", i+1, err)
			}
		}
		if err := b.Logout(ctx, ctis.CredentialWeb, token); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authenticate(ctx, ctis.CredentialWeb, token); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
			t.Errorf("a session ended in one process still works in the other: %v", err)
		}

		_, token, err = b.Login(ctx, ctis.CredentialWeb, "analyst.de", pw, 8*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		at = at.Add(31 * time.Minute)
		if _, err := a.Resume(ctx, token, 30*time.Minute); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
			t.Errorf("a session idle for 31 minutes resumed: %v", err)
		}
		if _, err := b.Authenticate(ctx, ctis.CredentialWeb, token); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
			t.Errorf("a session ended for idleness in one process still works in the other: %v", err)
		}
	})

	t.Run("form key", func(t *testing.T) {
		ka, err := a.FormKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := b.FormKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ka) != 32 || string(ka) != string(kb) {
			t.Errorf("form keys %x and %x: want one of 32 bytes for both", ka, kb)
		}
	})

	la, lb := throttle.New(now, a), throttle.New(now, b)
	login := func(l *throttle.Limiter, username string, i int) (throttle.Attempt, time.Duration) {
		t.Helper()
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1000", i)
		att, wait, err := l.Admit(username, r)
		if err != nil {
			t.Fatal(err)
		}
		return att, wait
	}
	failed := ctis.Errorf(ctis.EUNAUTHORIZED, "bad credentials")

	t.Run("throttle", func(t *testing.T) {
		// Failures from five addresses, through either process, lock the
		// name in both.
		for i := range throttle.MaxFailures {
			l := la
			if i%2 == 1 {
				l = lb
			}
			att, wait := login(l, "analyst.de", i+1)
			if wait > 0 {
				t.Fatalf("attempt %d refused", i+1)
			}
			if err := l.Settle(ctx, att, failed); err != nil {
				t.Fatal(err)
			}
		}
		for _, l := range []*throttle.Limiter{la, lb} {
			if _, wait := login(l, "analyst.de", 99); wait != throttle.Window {
				t.Errorf("after %d failures through two processes, wait %s, want %s", throttle.MaxFailures, wait, throttle.Window)
			}
		}
		at = at.Add(throttle.Window)
		att, wait := login(lb, "analyst.de", 99)
		if wait > 0 {
			t.Fatalf("still refused once the failures left the window: %s", wait)
		}
		if err := lb.Settle(ctx, att, nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("at once", func(t *testing.T) {
		// Twenty attempts at one name, from twenty addresses, through
		// both processes at once: only the limit's worth are let past.
		var mu sync.Mutex
		admitted := 0
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := la
				if i%2 == 1 {
					l = lb
				}
				r := httptest.NewRequest("POST", "/login", nil)
				r.RemoteAddr = fmt.Sprintf("198.51.100.%d:1000", i+1)
				_, wait, err := l.Admit("guessed.name", r)
				if err != nil {
					t.Error(err)
					return
				}
				if wait == 0 {
					mu.Lock()
					admitted++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if admitted != throttle.MaxFailures {
			t.Errorf("%d attempts let past at once, want %d", admitted, throttle.MaxFailures)
		}
	})
}
