package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"ctis"
)

var _ ctis.EventService = (*DB)(nil)

// alertTime is how an alert's validity is stored: to the second, of fixed
// width, so that comparing the texts compares the times (a digest's day).
const alertTime = "2006-01-02T15:04:05Z"

// eventReader is the caller of an event read: an analyst or frontline
// officer of an agency.
func eventReader(ctx context.Context, roles ...ctis.Role) (ctis.Identity, error) {
	id, err := ctis.Require(ctx, roles...)
	if err == nil && id.System {
		err = ctis.Errorf(ctis.EFORBIDDEN, "the local operator belongs to no agency and takes part in no event")
	}
	return id, err
}

// CreateEvent creates an event hosted by the caller's agency.
func (db *DB) CreateEvent(ctx context.Context, ne ctis.NewEvent) (*ctis.Event, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	ne.Venues, ne.Agencies = slices.Clone(ne.Venues), slices.Clone(ne.Agencies)
	if err := ne.Validate(db.today()); err != nil {
		return nil, err
	}
	e := ctis.Event{ID: ctis.NewID(), Name: ne.Name, Host: id.Agency, Starts: ne.Starts, Ends: ne.Ends, Venues: ne.Venues,
		Agencies: sortedUnique(append(ne.Agencies, id.Agency)), CreatedBy: id.Username, CreatedAt: db.now()}
	venues, _ := json.Marshal(e.Venues)
	err = db.tx(ctx, func(tx *sql.Tx) error {
		for i, a := range ne.Agencies {
			if !exists(ctx, tx, `SELECT 1 FROM agencies WHERE code = ?`, a) {
				return ctis.Invalid("agencies["+strconv.Itoa(i)+"]", "no agency %s", a)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO events (id, name, host, starts, ends, venues, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Name, e.Host, e.Starts, e.Ends, string(venues), e.CreatedBy, stamp(e.CreatedAt)); err != nil {
			return err
		}
		for _, a := range e.Agencies {
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_agencies VALUES (?, ?)`, e.ID, a); err != nil {
				return err
			}
		}
		// The participants' auditors oversee the channel their agency
		// was made part of.
		_, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActEventCreate, e.ID, "", map[string]any{
			"name": e.Name, "starts": e.Starts, "ends": e.Ends, "agencies": e.Agencies}), e.Agencies...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

const eventColumns = `e.id, e.name, e.host, e.starts, e.ends, e.venues, e.created_by, e.created_at, e.archived_at`

// events reads the events where cond holds that v may see, each with the
// count of its alerts v may see.
func (db *DB) events(ctx context.Context, q querier, v ctis.Viewer, cond string, args ...any) ([]ctis.Event, error) {
	vis, vargs := eventVisible(v)
	avis, aargs := alertVisible(v)
	all := append(append(aargs, vargs...), args...)
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+`, (SELECT count(*) FROM alerts a WHERE a.event_id = e.id AND `+avis+`)
		FROM events e WHERE `+vis+` AND `+cond+` ORDER BY e.starts DESC, e.id`, all...)
	if err != nil {
		return nil, err
	}
	out := []ctis.Event{}
	for rows.Next() {
		var e ctis.Event
		var venues, created string
		var archived sql.NullString
		if err := rows.Scan(&e.ID, &e.Name, &e.Host, &e.Starts, &e.Ends, &venues, &e.CreatedBy, &created, &archived, &e.Alerts); err != nil {
			rows.Close()
			return nil, err
		}
		json.Unmarshal([]byte(venues), &e.Venues)
		e.CreatedAt = parseStamp(created)
		if archived.Valid {
			t := parseStamp(archived.String)
			e.ArchivedAt = &t
		}
		out = append(out, e)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Agencies, err = queryStrings(ctx, q, `SELECT agency FROM event_agencies WHERE event_id = ? ORDER BY agency`, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// oneEvent reads the event id if v may see it.
func (db *DB) oneEvent(ctx context.Context, q querier, v ctis.Viewer, eventID string) (*ctis.Event, error) {
	es, err := db.events(ctx, q, v, `e.id = ?`, eventID)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, ctis.ErrNotFound("event")
	}
	return &es[0], nil
}

// ListEvents lists the events of the caller's agency.
func (db *DB) ListEvents(ctx context.Context) ([]ctis.Event, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	return db.events(ctx, db.r, id.Viewer(), `1 = 1`)
}

// Event returns one event of the caller's agency.
func (db *DB) Event(ctx context.Context, eventID string) (*ctis.Event, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	return db.oneEvent(ctx, db.r, id.Viewer(), eventID)
}

// PostAlert posts an alert in an event's channel.
func (db *DB) PostAlert(ctx context.Context, eventID string, na ctis.NewAlert) (*ctis.Alert, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	na.Entities, na.Handling.Agencies = slices.Clone(na.Entities), slices.Clone(na.Handling.Agencies)
	now := db.now()
	if err := na.Validate(now); err != nil {
		return nil, err
	}
	a := ctis.Alert{ID: ctis.NewID(), EventID: eventID, Originator: id.Agency, Severity: na.Severity, Title: na.Title, Details: na.Details,
		Location: na.Location, ValidFrom: na.ValidFrom, ValidUntil: na.ValidUntil, Entities: na.Entities, Handling: na.Handling,
		PostedBy: id.Username, PostedAt: now, Acks: []ctis.Ack{}}
	if a.Entities == nil {
		a.Entities = []string{}
	}
	v := id.Viewer()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.oneEvent(ctx, tx, v, eventID)
		if err != nil {
			return err
		}
		if e.ArchivedAt != nil {
			return ctis.Errorf(ctis.ECONFLICT, "the channel of %s was archived on %s: it takes no more alerts", e.Name, e.ArchivedAt.Format(time.DateOnly))
		}
		h := a.Handling
		for i, ag := range h.Agencies {
			if !slices.Contains(e.Agencies, ag) {
				return ctis.Invalid("handling.agencies["+strconv.Itoa(i)+"]", "%s does not take part in the event", ag)
			}
		}
		var grp any
		if h.Group != "" {
			grp = h.Group
			if !exists(ctx, tx, `SELECT 1 FROM group_members WHERE grp = ? AND agency = ?`, h.Group, id.Agency) {
				return ctis.Invalid("handling.group", "your agency is not a member of sharing group %q", h.Group)
			}
		}
		for i, ent := range a.Entities {
			if _, err := db.entitySchema(ctx, tx, v, ent); err != nil {
				return ctis.Prefix("entities["+strconv.Itoa(i)+"]", ctis.Invalid("", "no entity %s that you may see", ent))
			}
		}
		if err := tx.QueryRowContext(ctx, `UPDATE events SET last_alert = last_alert + 1 WHERE id = ? RETURNING last_alert`, eventID).Scan(&a.Seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alerts (id, event_id, seq, originator, severity, title, details, location, valid_from, valid_until,
			entities, distribution, grp, frontline, hit_notice, restriction, restriction_text, posted_by, posted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.EventID, a.Seq, a.Originator, a.Severity, a.Title, a.Details, a.Location, a.ValidFrom.Format(alertTime), a.ValidUntil.Format(alertTime),
			strings.Join(a.Entities, ","), h.Distribution, grp, h.Frontline, h.HitNotice, h.Restriction, h.RestrictionText, a.PostedBy, stamp(a.PostedAt)); err != nil {
			return err
		}
		for _, ag := range h.Agencies {
			if _, err := tx.ExecContext(ctx, `INSERT INTO alert_agencies VALUES (?, ?)`, a.ID, ag); err != nil {
				return err
			}
		}
		// Every other agency of the event is told; each of its people
		// sees the notification only if the alert's handling lets them.
		if err := db.notify(ctx, tx, ctis.NoticeAlert, a.ID, string(a.Severity), "/events/"+eventID+"#alert-"+a.ID,
			slices.DeleteFunc(slices.Clone(e.Agencies), func(ag string) bool { return ag == id.Agency })...); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActAlertPost, a.ID, "", map[string]any{
			"event": eventID, "seq": a.Seq, "severity": a.Severity, "handling": h, "entities": a.Entities}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

const alertColumns = `a.id, a.event_id, a.seq, a.originator, a.severity, a.title, a.details, a.location, a.valid_from, a.valid_until, a.entities,
	a.distribution, a.grp, a.frontline, a.hit_notice, a.restriction, a.restriction_text, a.posted_by, a.posted_at`

// alerts reads the alerts where cond holds that v may see, in order of
// cond's ordering, with the acknowledgements v may know of: every
// agency's of the alerts v's agency originated, its own agency's of the
// others (ackVisible).
func (db *DB) alerts(ctx context.Context, q querier, v ctis.Viewer, cond, order string, args ...any) ([]ctis.Alert, error) {
	vis, vargs := alertVisible(v)
	rows, err := q.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE `+cond+` AND `+vis+` `+order, append(args, vargs...)...)
	if err != nil {
		return nil, err
	}
	out := []ctis.Alert{}
	byID := map[string]int{}
	for rows.Next() {
		var a ctis.Alert
		var from, until, entities, posted string
		var grp sql.NullString
		h := &a.Handling
		if err := rows.Scan(&a.ID, &a.EventID, &a.Seq, &a.Originator, &a.Severity, &a.Title, &a.Details, &a.Location, &from, &until, &entities,
			&h.Distribution, &grp, &h.Frontline, &h.HitNotice, &h.Restriction, &h.RestrictionText, &a.PostedBy, &posted); err != nil {
			rows.Close()
			return nil, err
		}
		a.ValidFrom, _ = time.Parse(alertTime, from)
		a.ValidUntil, _ = time.Parse(alertTime, until)
		a.PostedAt, h.Group = parseStamp(posted), grp.String
		a.Entities = []string{}
		if entities != "" {
			a.Entities = strings.Split(entities, ",")
		}
		a.Acks = []ctis.Ack{}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	if err := rows.Close(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out))
	for _, a := range out {
		ids = append(ids, a.ID)
	}
	in := `IN (` + placeholders(len(ids)) + `)`
	rows, err = q.QueryContext(ctx, `SELECT alert_id, agency FROM alert_agencies WHERE alert_id `+in+` ORDER BY agency`, ids...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var alertID, agency string
		if err := rows.Scan(&alertID, &agency); err != nil {
			rows.Close()
			return nil, err
		}
		h := &out[byID[alertID]].Handling
		h.Agencies = append(h.Agencies, agency)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	kvis, kargs := ackVisible(v)
	rows, err = q.QueryContext(ctx, `SELECT k.alert_id, k.agency, k.username, k.at FROM alert_acks k JOIN alerts a ON a.id = k.alert_id
		WHERE k.alert_id `+in+` AND `+kvis+` ORDER BY k.at, k.agency`, append(ids, kargs...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var alertID, at string
		var k ctis.Ack
		if err := rows.Scan(&alertID, &k.Agency, &k.Username, &at); err != nil {
			return nil, err
		}
		k.At = parseStamp(at)
		a := &out[byID[alertID]]
		a.Acks = append(a.Acks, k)
	}
	return out, rows.Err()
}

// Alerts lists the alerts of an event after seq after that the caller may
// see.
func (db *DB) Alerts(ctx context.Context, eventID string, after int64, limit int, audit bool) ([]ctis.Alert, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > ctis.MaxLimit {
		limit = ctis.MaxLimit
	}
	v := id.Viewer()
	out, err := db.alerts(ctx, db.r, v, `a.event_id = ? AND a.seq > ?`, `ORDER BY a.seq LIMIT `+strconv.Itoa(limit), eventID, after)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		// None to show, or no event to show them from: the two differ.
		if _, err := db.oneEvent(ctx, db.r, v, eventID); err != nil {
			return nil, err
		}
	}
	if audit {
		seqs := make([]int64, len(out))
		for i, a := range out {
			seqs[i] = a.Seq
		}
		if _, err := db.audit(ctx, event(id, ctis.ActEventRead, eventID, ctis.PurposeFrom(ctx), map[string]any{"after": after, "alerts": seqs})); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FeedOpened audits the opening of a live feed.
func (db *DB) FeedOpened(ctx context.Context, eventID string, after int64) error {
	id, err := eventReader(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return err
	}
	if _, err := db.oneEvent(ctx, db.r, id.Viewer(), eventID); err != nil {
		return err
	}
	_, err = db.audit(ctx, event(id, ctis.ActEventFeed, eventID, ctis.PurposeFrom(ctx), map[string]any{"after": after}))
	return err
}

// Alert returns one alert the caller may see.
func (db *DB) Alert(ctx context.Context, alertID string) (*ctis.Alert, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	out, err := db.alerts(ctx, db.r, id.Viewer(), `a.id = ?`, ``, alertID)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ctis.ErrNotFound("alert")
	}
	if _, err := db.audit(ctx, event(id, ctis.ActEventRead, out[0].EventID, ctis.PurposeFrom(ctx), map[string]any{"alerts": []int64{out[0].Seq}})); err != nil {
		return nil, err
	}
	return &out[0], nil
}

// Acknowledge records that the caller's agency saw an alert.
func (db *DB) Acknowledge(ctx context.Context, alertID string) (*ctis.Alert, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	v := id.Viewer()
	var out *ctis.Alert
	err = db.tx(ctx, func(tx *sql.Tx) error {
		as, err := db.alerts(ctx, tx, v, `a.id = ?`, ``, alertID)
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return ctis.ErrNotFound("alert")
		}
		a := &as[0]
		var archived sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT archived_at FROM events WHERE id = ?`, a.EventID).Scan(&archived); err != nil {
			return err
		}
		if archived.Valid {
			return ctis.Errorf(ctis.ECONFLICT, "the event's channel is archived: it takes no more acknowledgements")
		}
		for _, k := range a.Acks {
			if k.Agency == id.Agency {
				return ctis.Errorf(ctis.ECONFLICT, "%s acknowledged this alert already (%s, %s)", k.Agency, k.Username, k.At.Format(time.RFC3339))
			}
		}
		k := ctis.Ack{Agency: id.Agency, Username: id.Username, At: db.now()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alert_acks VALUES (?, ?, ?, ?, ?)`, a.ID, k.Agency, id.UserID, k.Username, stamp(k.At)); err != nil {
			return err
		}
		a.Acks = append(a.Acks, k)
		out = a
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActAlertAck, a.ID, "", map[string]any{"event": a.EventID, "seq": a.Seq}))
		return err
	})
	return out, err
}

// Digest returns an event's alerts valid at any time of day.
func (db *DB) Digest(ctx context.Context, eventID, day string) (*ctis.Digest, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	start, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return nil, ctis.Invalid("day", "%q is not a date (YYYY-MM-DD)", day)
	}
	v := id.Viewer()
	e, err := db.oneEvent(ctx, db.r, v, eventID)
	if err != nil {
		return nil, err
	}
	alerts, err := db.alerts(ctx, db.r, v, `a.event_id = ? AND a.valid_from < ? AND a.valid_until > ?`, `ORDER BY a.seq`,
		eventID, start.AddDate(0, 0, 1).Format(alertTime), start.Format(alertTime))
	if err != nil {
		return nil, err
	}
	// Pending are the event's agencies the alert is released to that
	// have not acknowledged it: an agency that may not see an alert
	// cannot owe an acknowledgement of it. Only the originator, who
	// chose whom to release it to, learns of the others; any other
	// reader learns only whether its own agency owes one, as it sees
	// only its own agency's acknowledgement (ackVisible), so that a
	// digest does not tell one participant which others an alert went
	// to, or who in a sharing group it does not belong to.
	viewers := make([]ctis.Viewer, len(e.Agencies))
	for i, ag := range e.Agencies {
		viewers[i] = ctis.Viewer{Agency: ag}
		if viewers[i].Groups, err = db.GroupsOf(ctx, ag); err != nil {
			return nil, err
		}
	}
	d := &ctis.Digest{Event: *e, Day: day, Alerts: []ctis.DigestAlert{}, BySeverity: map[ctis.Severity]int{}}
	for _, a := range alerts {
		da := ctis.DigestAlert{Alert: a, Pending: []string{}}
		for _, vw := range viewers {
			if a.Originator != id.Agency && vw.Agency != id.Agency {
				continue
			}
			acked := slices.ContainsFunc(a.Acks, func(k ctis.Ack) bool { return k.Agency == vw.Agency })
			if !acked && ctis.CanSee(vw, a.Originator, a.Handling) {
				da.Pending = append(da.Pending, vw.Agency)
			}
		}
		d.Alerts = append(d.Alerts, da)
		d.BySeverity[a.Severity]++
	}
	rank := func(s ctis.Severity) int { return slices.Index(ctis.Severities, s) }
	slices.SortStableFunc(d.Alerts, func(x, y ctis.DigestAlert) int { return rank(y.Severity) - rank(x.Severity) })
	seqs := make([]int64, len(alerts))
	for i, a := range alerts {
		seqs[i] = a.Seq
	}
	if _, err := db.audit(ctx, event(id, ctis.ActEventRead, eventID, ctis.PurposeFrom(ctx), map[string]any{"digest": day, "alerts": seqs})); err != nil {
		return nil, err
	}
	return d, nil
}

// ArchiveEvent archives an ended event's channel, at its host's request.
func (db *DB) ArchiveEvent(ctx context.Context, eventID string) (*ctis.Event, error) {
	id, err := eventReader(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	var out *ctis.Event
	err = db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.oneEvent(ctx, tx, id.Viewer(), eventID)
		if err != nil {
			return err
		}
		switch today := db.today(); {
		case e.Host != id.Agency:
			return ctis.Errorf(ctis.EFORBIDDEN, "only the host, %s, archives the event's channel", e.Host)
		case e.ArchivedAt != nil:
			return ctis.Errorf(ctis.ECONFLICT, "the channel was archived already, on %s", e.ArchivedAt.Format(time.DateOnly))
		case e.Ends >= today:
			return ctis.Errorf(ctis.ECONFLICT, "the event lasts until %s: its channel can be archived from the day after", e.Ends)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE events SET archived_at = ? WHERE id = ?`, stamp(now), eventID); err != nil {
			return err
		}
		e.ArchivedAt, out = &now, e
		_, err = db.appendAudit(ctx, tx, affecting(event(id, ctis.ActEventArchive, eventID, "", nil), e.Agencies...))
		return err
	})
	return out, err
}

// ApplyEventRetention archives the channels of events that ended more
// than the policy's ArchiveDays ago and deletes those that ended more
// than DeleteDays ago, alerts and acknowledgements with them. Needs
// RoleAdmin (the node's retention job runs as the local operator); each
// channel archived or deleted is audited.
func (db *DB) ApplyEventRetention(ctx context.Context) (*ctis.EventRetentionReport, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, err
	}
	p := db.opts.EventRetention
	today := db.now()
	archiveBefore := today.AddDate(0, 0, -p.ArchiveDays).Format(time.DateOnly)
	deleteBefore := today.AddDate(0, 0, -p.DeleteDays).Format(time.DateOnly)
	rep := &ctis.EventRetentionReport{}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		*rep = ctis.EventRetentionReport{}
		type due struct {
			id, ends string
			agencies []string
		}
		read := func(cond string, arg string) ([]due, error) {
			ids, err := queryStrings(ctx, tx, `SELECT id FROM events WHERE `+cond+` ORDER BY id`, arg)
			if err != nil {
				return nil, err
			}
			out := make([]due, len(ids))
			for i, eid := range ids {
				out[i].id = eid
				if out[i].agencies, err = queryStrings(ctx, tx, `SELECT agency FROM event_agencies WHERE event_id = ?`, eid); err != nil {
					return nil, err
				}
			}
			return out, nil
		}
		deleting, err := read(`ends < ?`, deleteBefore)
		if err != nil {
			return err
		}
		for _, d := range deleting {
			for _, q := range []string{
				`DELETE FROM alert_acks WHERE alert_id IN (SELECT id FROM alerts WHERE event_id = ?)`,
				`DELETE FROM alert_agencies WHERE alert_id IN (SELECT id FROM alerts WHERE event_id = ?)`,
				`DELETE FROM alerts WHERE event_id = ?`,
				`DELETE FROM event_agencies WHERE event_id = ?`,
				`DELETE FROM events WHERE id = ?`,
			} {
				if _, err := tx.ExecContext(ctx, q, d.id); err != nil {
					return err
				}
			}
			if _, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActEventDelete, d.id, "", map[string]any{"policy": p}), d.agencies...)); err != nil {
				return err
			}
			rep.Deleted++
		}
		archiving, err := read(`archived_at IS NULL AND ends < ?`, archiveBefore)
		if err != nil {
			return err
		}
		for _, d := range archiving {
			if _, err := tx.ExecContext(ctx, `UPDATE events SET archived_at = ? WHERE id = ?`, stamp(today), d.id); err != nil {
				return err
			}
			if _, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActEventArchive, d.id, "", map[string]any{"policy": p}), d.agencies...)); err != nil {
				return err
			}
			rep.Archived++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
