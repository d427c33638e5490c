package ctistest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/feed"
	"ctis/web"
)

// NL is an agency of the event matrix's own, outside every event.
const NL = "NL-AIVD"

// pagePassword is the password of the event matrix's users, who sign in
// to the pages.
const pagePassword = "event matrix password"

// matrixAlert is an alert the event matrix posted, and what it expects of
// it.
type matrixAlert struct {
	ctis.Alert
	h ctis.Handling
	// acked are the agencies that acknowledged it.
	acked []string
}

// eventMatrix holds every read path of event channels to the rule: an
// agency outside an event sees nothing of it (the event, its alerts, its
// feed and digest read as absent ones, and no count or title shows); an
// agency of the event sees the event and exactly the alerts ctis.CanSee
// releases to it, and a frontline officer only those released to the
// frontline; an acknowledgement is known to the agency that made it and
// to the alert's originator alone, and so is who still owes one. The
// paths are the service's reads (as the API's JSON carries them), the
// live feed (server-sent events) and the digest page, read by the
// analyst and the frontline officer of four agencies.
func eventMatrix(t *testing.T, s ctis.Services) {
	changes, ok := s.Events.(ctis.ChangeLog)
	if !ok {
		t.Fatal("the backend's event service is not its change log: the live feed has nothing to follow")
	}
	if _, err := s.Directory.CreateAgency(System, ctis.Agency{Code: NL, Name: "Algemene Inlichtingen- en Veiligheidsdienst", Country: "NL", Kind: "security"}); err != nil {
		t.Fatal(err)
	}
	agencies := []string{FR, DE, JO, NL}
	for _, ag := range agencies {
		for _, role := range Readers {
			if _, _, err := s.Directory.CreateUser(System, ctis.NewUser{Username: pageUser(ag, role), Agency: ag, Roles: []ctis.Role{role}, Password: pagePassword}); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := time.Now().UTC()
	today := now.Format(time.DateOnly)
	summit, err := s.Events.CreateEvent(As(FR, ctis.RoleAnalyst), ctis.NewEvent{Name: "Matrix summit", Starts: today,
		Ends: now.AddDate(0, 0, 2).Format(time.DateOnly), Venues: []string{"Congress centre"}, Agencies: []string{DE, JO}})
	if err != nil {
		t.Fatal(err)
	}
	// A second event, of DE-BKA and FR-DGSI alone.
	cup, err := s.Events.CreateEvent(As(DE, ctis.RoleAnalyst), ctis.NewEvent{Name: "Matrix cup", Starts: today, Ends: today,
		Venues: []string{"Stadium"}, Agencies: []string{FR}})
	if err != nil {
		t.Fatal(err)
	}
	members := map[string][]string{summit.ID: {FR, DE, JO}, cup.ID: {FR, DE}}

	// FR-DGSI posts under every handling narrowed to DE-BKA, DE-BKA under
	// every handling narrowed to JO-GID, which the host may not see.
	var alerts []*matrixAlert
	post := func(eventID, by string, h ctis.Handling, sev ctis.Severity) {
		t.Helper()
		title := fmt.Sprintf("matrix alert %02d", len(alerts))
		a, err := s.Events.PostAlert(As(by, ctis.RoleAnalyst), eventID, ctis.NewAlert{Severity: sev, Title: title, Location: "Gate " + title[len(title)-2:],
			ValidUntil: now.Add(6 * time.Hour), Handling: h})
		if err != nil {
			t.Fatalf("%s posting under %+v: %v", by, h, err)
		}
		alerts = append(alerts, &matrixAlert{Alert: *a, h: h})
	}
	for i, h := range ctis.EveryHandling(DE, Western) {
		post(summit.ID, FR, h, ctis.Severities[i%len(ctis.Severities)])
	}
	for i, h := range ctis.EveryHandling(JO, Western) {
		post(summit.ID, DE, h, ctis.Severities[(i+1)%len(ctis.Severities)])
	}
	post(cup.ID, DE, ctis.Handling{Distribution: ctis.DistAll, Frontline: true}, ctis.SeverityCritical)

	sees := func(agency string, role ctis.Role, a *matrixAlert) bool {
		return slices.Contains(members[a.EventID], agency) && ctis.CanSee(ViewerOf(agency, role), a.Originator, a.h)
	}
	// JO-GID's analyst acknowledges every alert it sees, DE-BKA's
	// frontline officer every one it sees.
	for _, ack := range []struct {
		agency string
		role   ctis.Role
	}{{JO, ctis.RoleAnalyst}, {DE, ctis.RoleFrontline}} {
		for _, a := range alerts {
			if !sees(ack.agency, ack.role, a) {
				continue
			}
			if _, err := s.Events.Acknowledge(As(ack.agency, ack.role), a.ID); err != nil {
				t.Fatalf("%s acknowledging %s: %v", ack.agency, a.Title, err)
			}
			a.acked = append(a.acked, ack.agency)
		}
	}

	hub, err := feed.NewHub(context.Background(), changes, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// Short-lived connections end by themselves once they have sent what
	// the store holds.
	hub.Lifetime = 300 * time.Millisecond
	srv := httptest.NewServer((&web.Server{Services: s, Feed: hub, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)

	absentEvent, absentAlert := ctis.NewID(), ctis.NewID()
	absent := func(label string, got, want error) {
		t.Helper()
		if ctis.ErrorCode(got) != ctis.ENOTFOUND || ctis.ErrorMessage(got) != ctis.ErrorMessage(want) {
			t.Errorf("%s: %v, want it to read as an absent one (%v)", label, got, want)
		}
	}
	shown := map[bool]int{}
	for _, agency := range agencies {
		for _, role := range Readers {
			who := agency + " " + string(role)
			ctx := As(agency, role)
			page := signInPage(t, srv.URL, pageUser(agency, role))
			// text is everything this reader was shown, to look for what
			// it should not have been.
			var text strings.Builder
			record := func(v any) {
				b, _ := json.Marshal(v)
				text.Write(b)
				text.WriteByte('\n')
			}
			want := map[string][]*matrixAlert{}
			for _, a := range alerts {
				if sees(agency, role, a) {
					want[a.EventID] = append(want[a.EventID], a)
				}
			}

			list, err := s.Events.ListEvents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			record(list)
			listed := map[string]ctis.Event{}
			for _, e := range list {
				listed[e.ID] = e
			}
			if len(listed) != len(list) {
				t.Errorf("%s: events listed twice: %+v", who, list)
			}
			// The events page lists the same, with the same counts.
			status, body := getPage(t, page, srv.URL+"/events")
			text.WriteString(body)
			onPage := map[string]string{}
			for _, m := range eventRow.FindAllStringSubmatch(body, -1) {
				onPage[m[1]] = m[2]
			}
			if status != http.StatusOK || len(onPage) != len(list) {
				t.Errorf("%s: the events page (%d) lists %v, want %d events", who, status, onPage, len(list))
			}
			for id, e := range listed {
				if onPage[id] != fmt.Sprint(e.Alerts) {
					t.Errorf("%s: the events page counts %q alerts of %s, want %d", who, onPage[id], e.Name, e.Alerts)
				}
			}
			for _, e := range []*ctis.Event{summit, cup} {
				in := slices.Contains(members[e.ID], agency)
				got, err := s.Events.Event(ctx, e.ID)
				_, inList := listed[e.ID]
				alertsGot, alertsErr := s.Events.Alerts(ctx, e.ID, 0, 0, true)
				digest, digestErr := s.Events.Digest(ctx, e.ID, today)
				status, feedIDs, feedBody := readFeed(t, page, srv.URL+"/events/"+e.ID+"/feed")
				pageStatus, pageBody := getPage(t, page, srv.URL+"/events/"+e.ID+"/digest?day="+today)
				eventStatus, eventBody := getPage(t, page, srv.URL+"/events/"+e.ID)
				text.WriteString(feedBody + pageBody + eventBody)
				if !in {
					if inList {
						t.Errorf("%s: lists %s, which it takes no part in", who, e.Name)
					}
					absent(who+" reads "+e.Name, err, mustErr(s.Events.Event(ctx, absentEvent)))
					absent(who+" lists the alerts of "+e.Name, alertsErr, mustErr(s.Events.Alerts(ctx, absentEvent, 0, 0, true)))
					absent(who+" reads the digest of "+e.Name, digestErr, mustErr(s.Events.Digest(ctx, absentEvent, today)))
					absent(who+" opens the feed of "+e.Name, s.Events.FeedOpened(ctx, e.ID, 0), s.Events.FeedOpened(ctx, absentEvent, 0))
					if status != http.StatusNotFound || len(feedIDs) != 0 {
						t.Errorf("%s: the feed of %s answered %d with alerts %v, want 404", who, e.Name, status, feedIDs)
					}
					if pageStatus != http.StatusNotFound || eventStatus != http.StatusNotFound {
						t.Errorf("%s: the digest page of %s answered %d, its page %d, want 404", who, e.Name, pageStatus, eventStatus)
					}
					if absentStatus, absentBody := getPage(t, page, srv.URL+"/events/"+absentEvent+"/digest?day="+today); absentStatus != pageStatus ||
						strings.ReplaceAll(absentBody, absentEvent, e.ID) != pageBody {
						t.Errorf("%s: the digest page of %s differs from an absent event's", who, e.Name)
					}
					if strings.Contains(text.String(), e.Name) {
						t.Errorf("%s: was shown the name of %s", who, e.Name)
					}
					continue
				}
				if err != nil || !inList {
					t.Errorf("%s: reads %s: %v, listed %v", who, e.Name, err, inList)
					continue
				}
				record(got)
				wantN := int64(len(want[e.ID]))
				if got.Alerts != wantN || listed[e.ID].Alerts != wantN {
					t.Errorf("%s: %s counts %d alerts (%d listed), want %d", who, e.Name, got.Alerts, listed[e.ID].Alerts, wantN)
				}
				if alertsErr != nil || digestErr != nil {
					t.Errorf("%s: the alerts of %s: %v; its digest: %v", who, e.Name, alertsErr, digestErr)
					continue
				}
				record(alertsGot)
				record(digest)
				checkAlerts(t, who+", alerts of "+e.Name, agency, alertsGot, want[e.ID])
				var wantSeqs []string
				for _, a := range want[e.ID] {
					wantSeqs = append(wantSeqs, fmt.Sprint(a.Seq))
				}
				if status != http.StatusOK || !slices.Equal(feedIDs, wantSeqs) {
					t.Errorf("%s: the feed of %s answered %d with seqs %v, want %v", who, e.Name, status, feedIDs, wantSeqs)
				}
				checkDigest(t, who+", digest of "+e.Name, agency, digest, want[e.ID], members[e.ID])
				if eventStatus != http.StatusOK {
					t.Errorf("%s: the page of %s answered %d", who, e.Name, eventStatus)
				} else {
					checkEventPage(t, who+", page of "+e.Name, agency, eventBody, want[e.ID])
				}
				if pageStatus != http.StatusOK {
					t.Errorf("%s: the digest page of %s answered %d", who, e.Name, pageStatus)
				} else {
					checkDigestPage(t, who+", digest page of "+e.Name, pageBody, digest)
				}
			}

			for _, a := range alerts {
				label := who + " reads " + a.Title
				one, err := s.Events.Alert(ctx, a.ID)
				if !sees(agency, role, a) {
					shown[false]++
					absent(label, err, mustErr(s.Events.Alert(ctx, absentAlert)))
					_, err := s.Events.Acknowledge(ctx, a.ID)
					absent(who+" acknowledges "+a.Title, err, mustErr(s.Events.Acknowledge(ctx, absentAlert)))
					continue
				}
				shown[true]++
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				record(one)
				checkAlerts(t, label, agency, []ctis.Alert{*one}, []*matrixAlert{a})
			}

			// The agencies of an event are told of the alerts posted by
			// the others that they may see.
			var told []string
			for _, a := range alerts {
				if sees(agency, role, a) && a.Originator != agency {
					told = append(told, a.ID)
				}
			}
			slices.Sort(told)
			if got := NoticeRefs(t, s, ctx, ctis.NoticeAlert); !slices.Equal(got, told) {
				t.Errorf("%s: told of alerts %v, want %v", who, got, told)
			}
			status, body = getPage(t, page, srv.URL+"/notifications")
			text.WriteString(body)
			if status != http.StatusOK || strings.Count(body, `class="notice-alert`) != len(told) {
				t.Errorf("%s: the notifications page (%d) shows %d alerts, want %d", who, status, strings.Count(body, `class="notice-alert`), len(told))
			}
			for _, a := range alerts {
				if !sees(agency, role, a) && strings.Contains(text.String(), a.Title) {
					t.Errorf("%s: was shown %s, which it may not see", who, a.Title)
				}
			}
		}
	}
	if shown[true] == 0 || shown[false] == 0 {
		t.Errorf("the matrix showed %d alerts and hid %d: it must do both", shown[true], shown[false])
	}
}

func pageUser(agency string, role ctis.Role) string {
	return strings.ToLower(agency) + "." + string(role)
}

func mustErr(_ any, err error) error { return err }

// wantAcks are the acknowledgements of a that agency may know of: all of
// them when it posted a, else its own.
func wantAcks(agency string, a *matrixAlert) []string {
	var out []string
	for _, ag := range a.acked {
		if a.Originator == agency || ag == agency {
			out = append(out, ag)
		}
	}
	slices.Sort(out)
	return out
}

// checkAlerts checks that got are exactly the alerts want, in order, with
// the acknowledgements agency may know of.
func checkAlerts(t *testing.T, label, agency string, got []ctis.Alert, want []*matrixAlert) {
	t.Helper()
	var g, w []string
	for _, a := range got {
		g = append(g, a.Title)
	}
	for _, a := range want {
		w = append(w, a.Title)
	}
	if !slices.Equal(g, w) {
		t.Errorf("%s: got %v, want %v", label, g, w)
		return
	}
	for i, a := range got {
		var acks []string
		for _, k := range a.Acks {
			acks = append(acks, k.Agency)
		}
		slices.Sort(acks)
		if wa := wantAcks(agency, want[i]); !slices.Equal(acks, wa) {
			t.Errorf("%s: %s shows acknowledgements by %v, want %v", label, a.Title, acks, wa)
		}
	}
}

// checkDigest checks a digest against the alerts the reader of agency may
// see (all valid today): each once, the gravest first, counted by
// severity, and owing acknowledgements as agency may know of them.
func checkDigest(t *testing.T, label, agency string, d *ctis.Digest, want []*matrixAlert, members []string) {
	t.Helper()
	byID := map[string]*matrixAlert{}
	for _, a := range want {
		byID[a.ID] = a
	}
	if len(d.Alerts) != len(want) {
		t.Errorf("%s: %d alerts, want %d", label, len(d.Alerts), len(want))
	}
	total := 0
	for _, n := range d.BySeverity {
		total += n
	}
	if total != len(want) {
		t.Errorf("%s: counts %v by severity, want %d in all", label, d.BySeverity, len(want))
	}
	for i, da := range d.Alerts {
		a := byID[da.ID]
		if a == nil {
			t.Errorf("%s: shows %s, which it may not see", label, da.Title)
			continue
		}
		if i > 0 && slices.Index(ctis.Severities, da.Severity) > slices.Index(ctis.Severities, d.Alerts[i-1].Severity) {
			t.Errorf("%s: %s comes after a less grave alert", label, da.Title)
		}
		checkAlerts(t, label, agency, []ctis.Alert{da.Alert}, []*matrixAlert{a})
		var pending []string
		for _, ag := range members {
			if (a.Originator == agency || ag == agency) && !slices.Contains(a.acked, ag) && ctis.CanSee(ViewerOf(ag, ctis.RoleAnalyst), a.Originator, a.h) {
				pending = append(pending, ag)
			}
		}
		got := slices.Clone(da.Pending)
		slices.Sort(got)
		slices.Sort(pending)
		if !slices.Equal(got, pending) {
			t.Errorf("%s: %s owed by %v, want %v", label, da.Title, got, pending)
		}
	}
}

var (
	digestRow = regexp.MustCompile(`(?s)<tr><td>([a-z]+)</td><td>(matrix alert \d+) .*?<td>([^<]*)</td><td>([^<]*)</td></tr>`)
	eventRow  = regexp.MustCompile(`(?s)<tr><td><a href="/events/([^"]+)">.*?<td>(\d+)</td></tr>`)
	pageTitle = regexp.MustCompile(`<strong>(matrix alert \d+)</strong>`)
	pageAck   = regexp.MustCompile(`<span class="ack">([^<]+)</span>`)
)

// checkEventPage checks that an event's page shows exactly the alerts
// want, the newest first, each with the acknowledgements agency may know
// of.
func checkEventPage(t *testing.T, label, agency, body string, want []*matrixAlert) {
	t.Helper()
	items := strings.Split(body, `<li id="alert-`)[1:]
	if len(items) != len(want) {
		t.Errorf("%s: %d alerts, want %d", label, len(items), len(want))
		return
	}
	for i, item := range items {
		a := want[len(want)-1-i]
		m := pageTitle.FindStringSubmatch(item)
		if m == nil || m[1] != a.Title {
			t.Errorf("%s: alert %d is %v, want %s", label, i, m, a.Title)
			continue
		}
		var acks []string
		for _, k := range pageAck.FindAllStringSubmatch(item, -1) {
			acks = append(acks, k[1])
		}
		slices.Sort(acks)
		if wa := wantAcks(agency, a); !slices.Equal(acks, wa) {
			t.Errorf("%s: %s shows acknowledgements by %v, want %v", label, a.Title, acks, wa)
		}
	}
}

// checkDigestPage checks that the digest page shows what the digest
// holds: the same alerts, acknowledged and owed by the same agencies.
func checkDigestPage(t *testing.T, label, body string, d *ctis.Digest) {
	t.Helper()
	rows := digestRow.FindAllStringSubmatch(body, -1)
	if len(rows) != len(d.Alerts) {
		t.Errorf("%s: %d rows, want %d", label, len(rows), len(d.Alerts))
		return
	}
	for i, r := range rows {
		a := d.Alerts[i]
		var acks []string
		for _, k := range a.Acks {
			acks = append(acks, k.Agency)
		}
		if r[2] != a.Title || strings.Join(strings.Fields(r[3]), " ") != strings.Join(acks, " ") || r[4] != strings.Join(a.Pending, ", ") {
			t.Errorf("%s: row %q, want %s acknowledged by %v, owed by %v", label, r[0], a.Title, acks, a.Pending)
		}
	}
}

// signInPage signs user in to the pages at base and returns a client that
// keeps the session.
func signInPage(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	_, body := getPage(t, c, base+"/login")
	_, after, _ := strings.Cut(body, `name="csrf" value="`)
	token, _, _ := strings.Cut(after, `"`)
	res, err := c.PostForm(base+"/login", url.Values{"username": {user}, "password": {pagePassword}, "csrf": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("signing in as %s: %s at %s", user, res.Status, res.Request.URL.Path)
	}
	return c
}

func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// readFeed reads a live feed until the server ends it (the hub's short
// Lifetime) or a deadline passes, and returns its status, the SSE ids of
// the alerts it sent and its text.
func readFeed(t *testing.T, c *http.Client, u string) (int, []string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil && ctx.Err() == nil {
		t.Fatalf("reading the feed: %v", err)
	}
	var ids []string
	for _, l := range strings.Split(string(b), "\n") {
		if id, ok := strings.CutPrefix(l, "id: "); ok {
			ids = append(ids, id)
		}
	}
	return res.StatusCode, ids, string(b)
}
