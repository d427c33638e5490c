package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"ctis"
)

const requestColumns = `r.id, r.kind, r.state, r.sender, r.receiver, r.authority, r.legal_basis, r.offence, r.description,
	r.deadline, r.expires_at, r.reason, r.created_by, r.created_at, r.sent_at, r.acknowledged_at, r.closed_at`

func (db *DB) scanRequest(row interface{ Scan(...any) error }) (ctis.Request, error) {
	var r ctis.Request
	var deadline, expires, sent, acked, closed sql.NullString
	var created string
	err := row.Scan(&r.ID, &r.Kind, &r.State, &r.Sender, &r.Receiver, &r.Authority.ID, &r.LegalBasis, &r.Offence, &r.Description,
		&deadline, &expires, &r.Reason, &r.CreatedBy, &created, &sent, &acked, &closed)
	r.CreatedAt = parseStamp(created)
	r.Deadline, r.ExpiresAt, r.SentAt, r.AcknowledgedAt, r.ClosedAt = nullTime(deadline), nullTime(expires), nullTime(sent), nullTime(acked), nullTime(closed)
	if r.Deadline != nil {
		settled := db.now()
		if r.ClosedAt != nil {
			settled = *r.ClosedAt
		}
		r.Overdue = settled.After(*r.Deadline)
	}
	return r, err
}

func nullTime(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseStamp(s.String)
	return &t
}

func nullStamp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return fixedStamp(*t)
}

// requireMember returns the caller if it holds one of roles in a member
// agency: requests and referrals pass between agencies, and the node's
// operator is none. what names them in the refusal.
func requireMember(ctx context.Context, what string, roles ...ctis.Role) (ctis.Identity, error) {
	id, err := ctis.Require(ctx, roles...)
	if err == nil && id.Agency == "" {
		err = ctis.Errorf(ctis.EFORBIDDEN, "%s pass between member agencies, and are read by them", what)
	}
	return id, err
}

// visibleOne reads the one row of query, which selects the case of ID id
// (its first argument, before args) under the reader's visibility
// condition: ENOTFOUND, naming noun, for a case the reader may not see,
// as for one that does not exist.
func visibleOne[T any](ctx context.Context, q querier, noun, id, query string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) (T, error) {
	if !ctis.ValidID(id) {
		var zero T
		return zero, ctis.ErrNotFound(noun)
	}
	r, err := scan(q.QueryRowContext(ctx, query, append([]any{id}, args...)...))
	if err == sql.ErrNoRows {
		return r, ctis.ErrNotFound(noun)
	}
	return r, err
}

// partyIn says which party of a case between sender and receiver the
// agency is; "" for an agency only added to its readers.
func partyIn(agency, sender, receiver string) ctis.Party {
	switch agency {
	case sender:
		return ctis.PartySender
	case receiver:
		return ctis.PartyReceiver
	}
	return ""
}

// readRoles may read the requests of their agency: the central
// authority's officers, and oversight.
var readRoles = []ctis.Role{ctis.RoleAnalyst, ctis.RoleAuditor, ctis.RoleDPO}

// CreateRequest drafts a request to the agency keeping the authority.
func (db *DB) CreateRequest(ctx context.Context, nr ctis.NewRequest) (*ctis.Request, error) {
	id, err := requireMember(ctx, requestCase.plural, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	now := db.now()
	if err := nr.Validate(now); err != nil {
		return nil, err
	}
	reqID := ctis.NewID()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		receiver, err := db.addressee(ctx, tx, id, nr)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO requests (id, kind, state, sender, receiver, authority, legal_basis, offence, description,
			deadline, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)`,
			reqID, string(nr.Kind), string(ctis.StateDraft), id.Agency, receiver, nr.Authority, nr.LegalBasis, nr.Offence, nr.Description,
			nullStamp(nr.Deadline), id.Username, fixedStamp(now)); err != nil {
			return err
		}
		if err := linkEntities(ctx, tx, reqID, nr.Entities); err != nil {
			return err
		}
		step := ctis.TimelineStep{Seq: 1, Time: now, Action: ctis.ActionCreate, To: ctis.StateDraft, Agency: id.Agency, Username: id.Username}
		if err := insertStep(ctx, tx, reqID, step, nr.Attachments); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActRequestCreate, reqID, "", draftDetail(nr, receiver)))
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.request(ctx, db.r, id, reqID)
}

// EditRequest replaces the contents of a draft.
func (db *DB) EditRequest(ctx context.Context, reqID string, nr ctis.NewRequest) (*ctis.Request, error) {
	var r ctis.Request
	id, err := db.onCase(ctx, requestCase, "act on it", db.openRequest(ctx, reqID, &r), func(tx *sql.Tx, _ openCase, party ctis.Party, id ctis.Identity) error {
		if party != ctis.PartySender || r.State != ctis.StateDraft {
			return ctis.Errorf(ctis.ECONFLICT, "only a draft is edited, by its sender: this request is %s", r.State)
		}
		now := db.now()
		if err := nr.Validate(now); err != nil {
			return err
		}
		receiver, err := db.addressee(ctx, tx, id, nr)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET kind = ?, receiver = ?, authority = ?, legal_basis = ?, offence = ?, description = ?,
			deadline = ? WHERE id = ?`, string(nr.Kind), receiver, nr.Authority, nr.LegalBasis, nr.Offence, nr.Description, nullStamp(nr.Deadline), r.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM request_entities WHERE request_id = ?`, r.ID); err != nil {
			return err
		}
		if err := linkEntities(ctx, tx, r.ID, nr.Entities); err != nil {
			return err
		}
		seq, err := requestCase.nextStep(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		step := ctis.TimelineStep{Seq: seq, Time: now, Action: ctis.ActionEdit, From: ctis.StateDraft, To: ctis.StateDraft, Agency: id.Agency, Username: id.Username}
		if err := insertStep(ctx, tx, r.ID, step, nr.Attachments); err != nil {
			return err
		}
		// A draft is its sender's alone: so is its audit.
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActRequestEdit, r.ID, "", draftDetail(nr, receiver)))
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.request(ctx, db.r, id, reqID)
}

// addressee checks a draft's addressee and entities for the caller, and
// returns the agency that keeps the authority addressed: the receiver.
func (db *DB) addressee(ctx context.Context, tx *sql.Tx, id ctis.Identity, nr ctis.NewRequest) (string, error) {
	var receiver string
	err := tx.QueryRowContext(ctx, `SELECT agency FROM authorities WHERE id = ? AND removed_at IS NULL`, nr.Authority).Scan(&receiver)
	if err == sql.ErrNoRows {
		return "", ctis.Invalid("authority", "no authority %s in the directory", nr.Authority)
	}
	if err != nil {
		return "", err
	}
	if receiver == id.Agency {
		return "", ctis.Invalid("authority", "this authority's entry is kept by your own agency: a request goes to another agency")
	}
	// The sender may link only what it may see; what the receiver will
	// see of it is decided at each read, by its own handling.
	for i, e := range nr.Entities {
		if _, err := db.entitySchema(ctx, tx, id.Viewer(), e); ctis.ErrorCode(err) == ctis.ENOTFOUND {
			return "", ctis.Invalid("entities["+strconv.Itoa(i)+"]", "no entity %s that you may see", e)
		} else if err != nil {
			return "", err
		}
	}
	return receiver, nil
}

// linkEntities links the entities to the request reqID.
func linkEntities(ctx context.Context, tx *sql.Tx, reqID string, entities []string) error {
	for _, e := range entities {
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_entities (request_id, entity_id) VALUES (?, ?)`, reqID, e); err != nil {
			return err
		}
	}
	return nil
}

// draftDetail is what the audit trail says of a draft made or edited.
func draftDetail(nr ctis.NewRequest, receiver string) map[string]any {
	return map[string]any{"kind": nr.Kind, "receiver": receiver, "authority": nr.Authority, "entities": nr.Entities, "attachments": len(nr.Attachments)}
}

// insertStep adds an entry to a request's timeline, with the files that
// came with it.
func insertStep(ctx context.Context, tx *sql.Tx, reqID string, s ctis.TimelineStep, attachments []ctis.Attachment) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO request_steps (request_id, seq, time, action, reminder, from_state, to_state, agency, username, reason, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, reqID, s.Seq, fixedStamp(s.Time), string(s.Action), s.Reminder, string(s.From), string(s.To),
		s.Agency, s.Username, s.Reason, s.Note); err != nil {
		return err
	}
	for i, a := range attachments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_attachments (request_id, step, position, name, sha256, size, agency) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			reqID, s.Seq, i, a.Name, a.SHA256, a.Size, s.Agency); err != nil {
			return err
		}
	}
	return nil
}

// visibleRequest reads a request the agency may see, in tx: ENOTFOUND
// for one it may not, as for one that does not exist.
func (db *DB) visibleRequest(ctx context.Context, q querier, agency, reqID string) (ctis.Request, error) {
	vis, args := requestVisible(agency)
	return visibleOne(ctx, q, requestCase.noun, reqID, `SELECT `+requestColumns+` FROM requests r WHERE r.id = ? AND `+vis, args, db.scanRequest)
}

// lapsed reports whether r is a preservation request whose period ran
// out at now, whether or not the clock recorded it yet: a step taken
// after the lapse is refused as on an expired request.
func lapsed(r ctis.Request, now time.Time) bool {
	return r.Kind == ctis.KindPreservation && !r.State.Final() && r.ExpiresAt != nil && !now.Before(*r.ExpiresAt)
}

// requestReaders are the agencies whose auditors oversee what happens to
// a request: its sender, and once it is sent its receiver and the
// agencies added to it.
func requestReaders(ctx context.Context, q querier, r ctis.Request) ([]string, error) {
	if r.State == ctis.StateDraft {
		return []string{r.Sender}, nil
	}
	return requestCase.readers(ctx, q, r.ID, r.Sender, r.Receiver)
}

// openRequest opens the request reqID for a step, into *r.
func (db *DB) openRequest(ctx context.Context, reqID string, r *ctis.Request) func(*sql.Tx, ctis.Identity) (openCase, error) {
	return func(tx *sql.Tx, id ctis.Identity) (openCase, error) {
		var err error
		*r, err = db.visibleRequest(ctx, tx, id.Agency, reqID)
		opened := *r
		return openCase{id: r.ID, sender: r.Sender, receiver: r.Receiver,
			readers: func(q querier) ([]string, error) { return requestReaders(ctx, q, opened) }}, err
	}
}

// TakeStep moves a request along the state machine.
func (db *DB) TakeStep(ctx context.Context, reqID string, s ctis.Step) (*ctis.Request, error) {
	var r ctis.Request
	id, err := db.onCase(ctx, requestCase, "act on it", db.openRequest(ctx, reqID, &r), func(tx *sql.Tx, c openCase, party ctis.Party, id ctis.Identity) error {
		if err := s.Validate(); err != nil {
			return err
		}
		now := db.now()
		from := r.State
		if lapsed(r, now) {
			from = ctis.StateExpired
		}
		to, err := ctis.Next(r.Kind, from, s.Action, party)
		if err != nil {
			return err
		}
		set, args := `state = ?`, []any{string(to)}
		switch s.Action {
		case ctis.ActionSend:
			if r.Deadline != nil && !r.Deadline.After(now) {
				return &ctis.Error{Code: ctis.ECONFLICT, Field: "deadline", Message: "the deadline passed while the request was a draft: withdraw it and draft another"}
			}
			set, args = set+`, sent_at = ?`, append(args, fixedStamp(now))
			if r.Kind == ctis.KindPreservation {
				set, args = set+`, expires_at = ?`, append(args, fixedStamp(now.Add(ctis.PreservationPeriod)))
			}
		case ctis.ActionAcknowledge:
			set, args = set+`, acknowledged_at = ?`, append(args, fixedStamp(now))
		case ctis.ActionExtend:
			set, args = set+`, expires_at = ?`, append(args, fixedStamp(now.Add(ctis.PreservationPeriod)))
		}
		if to.Final() {
			set, args = set+`, closed_at = ?, reason = ?`, append(args, fixedStamp(now), s.Reason)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET `+set+` WHERE id = ?`, append(args, r.ID)...); err != nil {
			return err
		}
		seq, err := requestCase.nextStep(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		step := ctis.TimelineStep{Seq: seq, Time: now, Action: s.Action, From: r.State, To: to, Agency: id.Agency, Username: id.Username, Reason: s.Reason, Note: s.Note}
		if err := insertStep(ctx, tx, r.ID, step, s.Attachments); err != nil {
			return err
		}
		r.State = to
		oversee, err := requestReaders(ctx, tx, r)
		if err != nil {
			return err
		}
		// The other party is told of each step, once the request is sent.
		if from != ctis.StateDraft || s.Action == ctis.ActionSend {
			if err := db.notify(ctx, tx, ctis.NoticeRequest, r.ID, string(s.Action), requestCase.link(r.ID), c.other(party)); err != nil {
				return err
			}
		}
		detail := map[string]any{"action": s.Action, "from": from, "to": to, "attachments": len(s.Attachments)}
		if s.Reason != "" {
			detail["reason"] = s.Reason
		}
		_, err = db.appendAudit(ctx, tx, affecting(event(id, ctis.ActRequestStep, r.ID, "", detail), oversee...))
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.request(ctx, db.r, id, reqID)
}

// ShareRequest adds an agency to a request's readers.
func (db *DB) ShareRequest(ctx context.Context, reqID, agency string) (*ctis.Request, error) {
	var r ctis.Request
	id, err := db.share(ctx, requestCase, agency, db.openRequest(ctx, reqID, &r), func(tx *sql.Tx, c openCase, seq int, now time.Time, id ctis.Identity) error {
		return insertStep(ctx, tx, c.id, ctis.TimelineStep{Seq: seq, Time: now, Action: ctis.ActionShare, Agency: id.Agency, Username: id.Username, Note: agency}, nil)
	})
	if err != nil {
		return nil, err
	}
	return db.request(ctx, db.r, id, reqID)
}

// Request returns a request with its timeline; the read is audited.
func (db *DB) Request(ctx context.Context, reqID string) (*ctis.Request, error) {
	id, err := requireMember(ctx, requestCase.plural, readRoles...)
	if err != nil {
		return nil, err
	}
	r, err := db.request(ctx, db.r, id, reqID)
	if err != nil {
		return nil, err
	}
	oversee, err := requestReaders(ctx, db.r, *r)
	if err != nil {
		return nil, err
	}
	if _, err := db.audit(ctx, affecting(event(id, ctis.ActRequestRead, r.ID, ctis.PurposeFrom(ctx), nil), oversee...)); err != nil {
		return nil, err
	}
	return r, nil
}

// request loads a request whole, as the caller's agency may see it.
func (db *DB) request(ctx context.Context, q querier, id ctis.Identity, reqID string) (*ctis.Request, error) {
	r, err := db.visibleRequest(ctx, q, id.Agency, reqID)
	if err != nil {
		return nil, err
	}
	a, err := db.scanAuthority(q.QueryRowContext(ctx, `SELECT `+authorityColumns+` FROM authorities WHERE id = ?`, r.Authority.ID))
	if err != nil {
		return nil, err
	}
	r.Authority = a
	if r.Agencies, err = queryStrings(ctx, q, `SELECT agency FROM request_agencies WHERE request_id = ? ORDER BY agency`, r.ID); err != nil {
		return nil, err
	}
	ids, err := queryStrings(ctx, q, `SELECT entity_id FROM request_entities WHERE request_id = ? ORDER BY entity_id`, r.ID)
	if err != nil {
		return nil, err
	}
	// What the reader sees of a linked entity is decided by the
	// entity's own statements' handling, as at /entities/{id}: the
	// request releases nothing of it.
	seen, err := db.entities(ctx, q, id.Viewer(), ids, false)
	if err != nil {
		return nil, err
	}
	r.Entities = make([]ctis.RequestEntity, len(ids))
	for i, e := range ids {
		r.Entities[i] = ctis.RequestEntity{ID: e}
		for _, s := range seen {
			if s.ID == e {
				r.Entities[i] = ctis.RequestEntity{ID: e, Schema: s.Schema, Visible: true}
			}
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT name, sha256, size, agency, step FROM request_attachments WHERE request_id = ? ORDER BY step, position`, r.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a ctis.Attachment
		if err := rows.Scan(&a.Name, &a.SHA256, &a.Size, &a.Agency, &a.Step); err != nil {
			rows.Close()
			return nil, err
		}
		r.Attachments = append(r.Attachments, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if r.Timeline, err = timeline(ctx, q, r.ID); err != nil {
		return nil, err
	}
	return &r, nil
}

func timeline(ctx context.Context, q querier, reqID string) ([]ctis.TimelineStep, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, time, action, reminder, from_state, to_state, agency, username, reason, note FROM request_steps WHERE request_id = ? ORDER BY seq`, reqID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ctis.TimelineStep
	for rows.Next() {
		var s ctis.TimelineStep
		var t string
		if err := rows.Scan(&s.Seq, &t, &s.Action, &s.Reminder, &s.From, &s.To, &s.Agency, &s.Username, &s.Reason, &s.Note); err != nil {
			return nil, err
		}
		s.Time = parseStamp(t)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Requests lists the requests the caller's agency may see.
func (db *DB) Requests(ctx context.Context, q ctis.RequestQuery) ([]ctis.Request, error) {
	id, err := requireMember(ctx, requestCase.plural, readRoles...)
	if err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		q.Limit = ctis.DefaultLimit
	}
	vis, args := requestVisible(id.Agency)
	where := vis + ` AND (? = '' OR r.kind = ?) AND (? = '' OR r.state = ?)`
	args = append(args, string(q.Kind), string(q.Kind), string(q.State), string(q.State))
	switch q.Role {
	case ctis.PartySender:
		where, args = where+` AND r.sender = ?`, append(args, id.Agency)
	case ctis.PartyReceiver:
		where, args = where+` AND r.receiver = ?`, append(args, id.Agency)
	}
	if q.Overdue {
		where, args = where+` AND r.state IN ('sent', 'acknowledged', 'in_progress') AND r.deadline < ?`, append(args, fixedStamp(db.now()))
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests r WHERE `+where+` ORDER BY r.created_at DESC, r.id LIMIT `+strconv.Itoa(q.Limit), args...)
	if err != nil {
		return nil, err
	}
	out := []ctis.Request{}
	for rows.Next() {
		r, err := db.scanRequest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The authority each request went to, read once each.
	names := map[string]ctis.Authority{}
	for i := range out {
		a, ok := names[out[i].Authority.ID]
		if !ok {
			if a, err = db.scanAuthority(db.r.QueryRowContext(ctx, `SELECT `+authorityColumns+` FROM authorities WHERE id = ?`, out[i].Authority.ID)); err != nil {
				return nil, err
			}
			names[a.ID] = a
		}
		out[i].Authority = a
	}
	return out, nil
}

// RequestFigures counts the requests the caller's agency sent or
// received, by kind; the node's operator counts every agency's.
func (db *DB) RequestFigures(ctx context.Context) ([]ctis.RequestFigures, error) {
	id, err := ctis.Require(ctx, readRoles...)
	if err != nil {
		return nil, err
	}
	where, args := `r.state <> 'draft' AND (r.sender = ? OR r.receiver = ?)`, []any{id.Agency, id.Agency}
	if id.System {
		where, args = `r.state <> 'draft'`, nil
	} else if id.Agency == "" {
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "figures are of a member agency's requests")
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests r WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var all []ctis.Request
	for rows.Next() {
		r, err := db.scanRequest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ctis.FiguresOf(all), nil
}

// SweepRequests records due reminders and lets lapsed preservation
// requests expire, as of the store's clock. Each reminder is given once:
// a deadline's "near" and "overdue" once each, a preservation's "expiry
// near" once for each period.
func (db *DB) SweepRequests(ctx context.Context) (*ctis.SweepReport, error) {
	id, err := ctis.Require(ctx, ctis.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if !id.System {
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "the request clock is run by the node itself")
	}
	rep := &ctis.SweepReport{}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		*rep = ctis.SweepReport{}
		rows, err := tx.QueryContext(ctx, `SELECT `+requestColumns+` FROM requests r WHERE r.state IN ('sent', 'acknowledged', 'in_progress') ORDER BY r.id`)
		if err != nil {
			return err
		}
		var open []ctis.Request
		for rows.Next() {
			r, err := db.scanRequest(rows)
			if err != nil {
				rows.Close()
				return err
			}
			open = append(open, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.now()
		for _, r := range open {
			if err := db.sweepOne(ctx, tx, id, r, now, rep); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// sweepOne expires r or records its due reminders.
func (db *DB) sweepOne(ctx context.Context, tx *sql.Tx, id ctis.Identity, r ctis.Request, now time.Time, rep *ctis.SweepReport) error {
	oversee, err := requestReaders(ctx, tx, r)
	if err != nil {
		return err
	}
	if lapsed(r, now) {
		if _, err := ctis.Next(r.Kind, r.State, ctis.ActionExpire, ctis.PartyClock); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET state = ?, closed_at = ? WHERE id = ?`, string(ctis.StateExpired), fixedStamp(*r.ExpiresAt), r.ID); err != nil {
			return err
		}
		seq, err := requestCase.nextStep(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if err := insertStep(ctx, tx, r.ID, ctis.TimelineStep{Seq: seq, Time: now, Action: ctis.ActionExpire, From: r.State, To: ctis.StateExpired}, nil); err != nil {
			return err
		}
		rep.Expired++
		if err := db.notify(ctx, tx, ctis.NoticeReminder, r.ID, string(ctis.StateExpired), requestCase.link(r.ID), r.Sender, r.Receiver); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, affecting(event(id, ctis.ActRequestExpire, r.ID, "", map[string]any{"expires_at": r.ExpiresAt}), oversee...))
		return err
	}
	type due struct{ kind, note string }
	var dues []due
	before := ctis.ReminderBefore(r.Kind)
	if d := r.Deadline; d != nil {
		switch {
		case now.After(*d):
			dues = append(dues, due{ctis.ReminderOverdue, "the deadline " + fixedStamp(*d) + " passed"})
		case !now.Before(d.Add(-before)):
			dues = append(dues, due{ctis.ReminderDeadlineNear, "the deadline is " + fixedStamp(*d)})
		}
	}
	if e := r.ExpiresAt; e != nil && !now.Before(e.Add(-before)) {
		dues = append(dues, due{ctis.ReminderExpiryNear, "the preservation lapses at " + fixedStamp(*e) + " unless extended"})
	}
	for _, d := range dues {
		// The note names the date reminded of, so an extended
		// preservation is reminded of again before its new end.
		if exists(ctx, tx, `SELECT 1 FROM request_steps WHERE request_id = ? AND reminder = ? AND note = ?`, r.ID, d.kind, d.note) {
			continue
		}
		seq, err := requestCase.nextStep(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		if err := insertStep(ctx, tx, r.ID, ctis.TimelineStep{Seq: seq, Time: now, Reminder: d.kind, Note: d.note}, nil); err != nil {
			return err
		}
		rep.Reminders++
		if err := db.notify(ctx, tx, ctis.NoticeReminder, r.ID, d.kind, requestCase.link(r.ID), r.Sender, r.Receiver); err != nil {
			return err
		}
		if _, err := db.appendAudit(ctx, tx, affecting(event(id, ctis.ActRequestRemind, r.ID, "", map[string]any{"reminder": d.kind, "note": d.note}), oversee...)); err != nil {
			return err
		}
	}
	return nil
}
