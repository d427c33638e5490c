package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// TestEventBadInput holds every write of event channels to its input and
// to the channel's state: a bad field is refused with an error naming
// it, an illegal change of state with an error saying what stands in its
// way, and in either case nothing is written — no event, alert,
// acknowledgement, audit record or change.
func TestEventBadInput(t *testing.T) {
	day0 := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	now := day0
	dsn := newStore(t)
	db := openAt(t, dsn, store.Options{Now: func() time.Time { return now }})
	raw := ctistest.RawStore(t, dsn)
	for _, a := range ctistest.Agencies {
		if _, err := db.CreateAgency(system, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PutGroup(system, ctis.SharingGroup{Name: ctistest.Western, Agencies: []string{ctistest.FR, ctistest.DE}}); err != nil {
		t.Fatal(err)
	}
	fr, de, jo := as(ctistest.FR, ctis.RoleAnalyst), as(ctistest.DE, ctis.RoleAnalyst), as(ctistest.JO, ctis.RoleAnalyst)
	deBorder := as(ctistest.DE, ctis.RoleFrontline)
	date := func(days int) string { return day0.AddDate(0, 0, days).Format(time.DateOnly) }
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}

	// A channel open until day 10, one over on day 0 and archived on day
	// 2, when the cases run; an alert in each, acknowledged by DE-BKA.
	open, err := db.CreateEvent(fr, ctis.NewEvent{Name: "Summit", Starts: date(0), Ends: date(10), Venues: []string{"Centre"}, Agencies: []string{ctistest.DE}})
	if err != nil {
		t.Fatal(err)
	}
	over, err := db.CreateEvent(fr, ctis.NewEvent{Name: "Reception", Starts: date(0), Ends: date(0), Venues: []string{"Hall"}, Agencies: []string{ctistest.DE}})
	if err != nil {
		t.Fatal(err)
	}
	alert := func(e *ctis.Event) *ctis.Alert {
		a, err := db.PostAlert(fr, e.ID, ctis.NewAlert{Severity: ctis.SeverityHigh, Title: "Drone", Location: "Gate 1", ValidUntil: now.Add(72 * time.Hour), Handling: all})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Acknowledge(de, a.ID); err != nil {
			t.Fatal(err)
		}
		return a
	}
	acked, archivedAlert := alert(open), alert(over)
	// An entity only FR-DGSI sees.
	own, err := db.CreateEntity(fr, ctistest.Person("Ilyas Kashmiri", ctis.Handling{Distribution: ctis.DistOriginator}))
	if err != nil {
		t.Fatal(err)
	}
	now = day0.AddDate(0, 0, 2)
	if _, err := db.ArchiveEvent(fr, over.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)

	event := func(change func(*ctis.NewEvent)) func() error {
		return func() error {
			e := ctis.NewEvent{Name: "Cup", Starts: date(3), Ends: date(5), Venues: []string{"Stadium"}, Agencies: []string{ctistest.DE}}
			change(&e)
			_, err := db.CreateEvent(fr, e)
			return err
		}
	}
	post := func(who context.Context, e *ctis.Event, change func(*ctis.NewAlert)) func() error {
		return func() error {
			a := ctis.NewAlert{Severity: ctis.SeverityMedium, Title: "Vehicle", Location: "Gate 2", ValidUntil: now.Add(time.Hour), Handling: all}
			change(&a)
			_, err := db.PostAlert(who, e.ID, a)
			return err
		}
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	many := func(n int, f func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	for _, c := range []struct {
		name string
		do   func() error
		// code is the error's; field, when set, the field it names;
		// says, when set, a word its message must hold.
		code, field, says string
	}{
		{"event without a name", event(func(e *ctis.NewEvent) { e.Name = " " }), ctis.EINVALID, "name", ""},
		{"event name too long", event(func(e *ctis.NewEvent) { e.Name = long(ctis.MaxEventName + 1) }), ctis.EINVALID, "name", ""},
		{"event name with a control character", event(func(e *ctis.NewEvent) { e.Name = "Cup\x00" }), ctis.EINVALID, "name", ""},
		{"start not a date", event(func(e *ctis.NewEvent) { e.Starts = "03/06/2026" }), ctis.EINVALID, "starts", ""},
		{"end not a date", event(func(e *ctis.NewEvent) { e.Ends = "" }), ctis.EINVALID, "ends", ""},
		{"end before start", event(func(e *ctis.NewEvent) { e.Ends = date(2) }), ctis.EINVALID, "ends", "before it starts"},
		{"event in the past", event(func(e *ctis.NewEvent) { e.Starts, e.Ends = date(0), date(1) }), ctis.EINVALID, "ends", "before today"},
		{"event too long", event(func(e *ctis.NewEvent) { e.Ends = date(3 + ctis.MaxEventLength + 1) }), ctis.EINVALID, "ends", "at most"},
		{"event too far ahead", event(func(e *ctis.NewEvent) { e.Starts, e.Ends = date(2+ctis.MaxEventLead+1), date(2+ctis.MaxEventLead+2) }), ctis.EINVALID, "starts", ""},
		{"no venue", event(func(e *ctis.NewEvent) { e.Venues = nil }), ctis.EINVALID, "venues", ""},
		{"too many venues", event(func(e *ctis.NewEvent) {
			e.Venues = many(ctis.MaxVenues+1, func(i int) string { return fmt.Sprint("Venue ", i) })
		}), ctis.EINVALID, "venues", ""},
		{"venue too long", event(func(e *ctis.NewEvent) { e.Venues = []string{"Centre", long(ctis.MaxEventName + 1)} }), ctis.EINVALID, "venues[1]", ""},
		{"empty venue", event(func(e *ctis.NewEvent) { e.Venues = []string{" "} }), ctis.EINVALID, "venues[0]", ""},
		{"agency not a code", event(func(e *ctis.NewEvent) { e.Agencies = []string{"bka germany"} }), ctis.EINVALID, "agencies[0]", ""},
		{"unknown agency", event(func(e *ctis.NewEvent) { e.Agencies = []string{"IT-AISI"} }), ctis.EINVALID, "agencies[0]", "IT-AISI"},
		{"event by a frontline officer", func() error {
			_, err := db.CreateEvent(deBorder, ctis.NewEvent{Name: "Cup", Starts: date(3), Ends: date(5), Venues: []string{"Stadium"}})
			return err
		}, ctis.EFORBIDDEN, "", "analyst"},

		{"unknown severity", post(fr, open, func(a *ctis.NewAlert) { a.Severity = "urgent" }), ctis.EINVALID, "severity", "urgent"},
		{"alert without a title", post(fr, open, func(a *ctis.NewAlert) { a.Title = "" }), ctis.EINVALID, "title", ""},
		{"alert title too long", post(fr, open, func(a *ctis.NewAlert) { a.Title = long(ctis.MaxAlertTitle + 1) }), ctis.EINVALID, "title", ""},
		{"alert title with a control character", post(fr, open, func(a *ctis.NewAlert) { a.Title = "Drone\x1b[2J" }), ctis.EINVALID, "title", ""},
		{"alert without a location", post(fr, open, func(a *ctis.NewAlert) { a.Location = "" }), ctis.EINVALID, "location", ""},
		{"alert location too long", post(fr, open, func(a *ctis.NewAlert) { a.Location = long(ctis.MaxEventName + 1) }), ctis.EINVALID, "location", ""},
		{"alert text too long", post(fr, open, func(a *ctis.NewAlert) { a.Details = long(ctis.MaxAlertText + 1) }), ctis.EINVALID, "details", ""},
		{"alert valid until when", post(fr, open, func(a *ctis.NewAlert) { a.ValidUntil = time.Time{} }), ctis.EINVALID, "valid_until", ""},
		{"alert ends before it starts", post(fr, open, func(a *ctis.NewAlert) { a.ValidFrom, a.ValidUntil = now.Add(2*time.Hour), now.Add(time.Hour) }),
			ctis.EINVALID, "valid_until", "before it starts"},
		{"alert no longer valid", post(fr, open, func(a *ctis.NewAlert) { a.ValidFrom, a.ValidUntil = now.Add(-2*time.Hour), now.Add(-time.Hour) }),
			ctis.EINVALID, "valid_until", "past"},
		{"too many linked entities", post(fr, open, func(a *ctis.NewAlert) {
			a.Entities = many(ctis.MaxAlertLinks+1, func(int) string { return ctis.NewID() })
		}),
			ctis.EINVALID, "entities", ""},
		{"linked entity not an ID", post(fr, open, func(a *ctis.NewAlert) { a.Entities = []string{"Ilyas Kashmiri"} }), ctis.EINVALID, "entities[0]", ""},
		{"unknown linked entity", post(fr, open, func(a *ctis.NewAlert) { a.Entities = []string{ctis.NewID()} }), ctis.EINVALID, "entities[0]", ""},
		{"linked entity the poster may not see", post(de, open, func(a *ctis.NewAlert) { a.Entities = []string{own.ID} }), ctis.EINVALID, "entities[0]", ""},
		{"alert to an agency outside the event", post(fr, open, func(a *ctis.NewAlert) {
			a.Handling = ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{ctistest.JO}}
		}), ctis.EINVALID, "handling.agencies[0]", ctistest.JO},
		{"alert to a group not the poster's", post(fr, open, func(a *ctis.NewAlert) { a.Handling = ctis.Handling{Distribution: ctis.DistGroup, Group: "gulf"} }),
			ctis.EINVALID, "handling.group", ""},
		{"alert under an unknown distribution", post(fr, open, func(a *ctis.NewAlert) { a.Handling.Distribution = "everyone" }), ctis.EINVALID, "handling.distribution", ""},
		{"alert posted by a frontline officer", post(deBorder, open, func(*ctis.NewAlert) {}), ctis.EFORBIDDEN, "", "analyst"},
		{"alert posted by an agency outside the event", post(jo, open, func(*ctis.NewAlert) {}), ctis.ENOTFOUND, "", "event not found"},
		{"alert posted in an archived channel", post(fr, over, func(*ctis.NewAlert) {}), ctis.ECONFLICT, "", "archived"},
		{"alert posted in no event", post(fr, &ctis.Event{ID: ctis.NewID()}, func(*ctis.NewAlert) {}), ctis.ENOTFOUND, "", "event not found"},

		{"acknowledged twice", func() error { _, err := db.Acknowledge(deBorder, acked.ID); return err }, ctis.ECONFLICT, "", "already"},
		{"acknowledged after the archive", func() error { _, err := db.Acknowledge(fr, archivedAlert.ID); return err }, ctis.ECONFLICT, "", "archived"},
		{"acknowledged by an agency outside the event", func() error { _, err := db.Acknowledge(jo, acked.ID); return err }, ctis.ENOTFOUND, "", "alert not found"},
		{"archived before the end", func() error { _, err := db.ArchiveEvent(fr, open.ID); return err }, ctis.ECONFLICT, "", "lasts until"},
		{"archived by a participant", func() error { _, err := db.ArchiveEvent(de, open.ID); return err }, ctis.EFORBIDDEN, "", "host"},
		{"archived twice", func() error { _, err := db.ArchiveEvent(fr, over.ID); return err }, ctis.ECONFLICT, "", "archived already"},
		{"archived by an agency outside the event", func() error { _, err := db.ArchiveEvent(jo, over.ID); return err }, ctis.ENOTFOUND, "", "event not found"},
		{"digest of a day not a date", func() error { _, err := db.Digest(fr, open.ID, "tomorrow"); return err }, ctis.EINVALID, "day", "tomorrow"},
	} {
		before := eventRows(t, raw)
		err := c.do()
		switch {
		case ctis.ErrorCode(err) != c.code:
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		case c.field != "" && ctis.ErrorField(err) != c.field:
			t.Errorf("%s: %v names field %q, want %q", c.name, err, ctis.ErrorField(err), c.field)
		case c.says != "" && !strings.Contains(ctis.ErrorMessage(err), c.says):
			t.Errorf("%s: %q does not say %q", c.name, ctis.ErrorMessage(err), c.says)
		}
		if after := eventRows(t, raw); after != before {
			t.Errorf("%s: the store changed:\n%s\n%s", c.name, before, after)
		}
	}
}

// eventRows counts the rows of the tables an event write may touch, and
// sums the channels' alert counters.
func eventRows(t *testing.T, raw *sql.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{`events`, `event_agencies`, `alerts`, `alert_agencies`, `alert_acks`, `audit_events`, `audit_affected`, `changes`, `entities`} {
		var n int64
		if err := raw.QueryRow(`SELECT count(*) FROM ` + q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d, ", q, n)
	}
	var last, archived int64
	if err := raw.QueryRow(`SELECT coalesce(sum(last_alert), 0), count(archived_at) FROM events`).Scan(&last, &archived); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "alert seqs %d, archived %d", last, archived)
	return b.String()
}
