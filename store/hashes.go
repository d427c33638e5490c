package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"ctis"
)

// Hash banks are few; their handling is checked in Go with ctis.CanSee,
// and entries are read only through the banks a caller may see.

const bankColumns = `id, name, description, agency, open, distribution, agencies, grp, frontline, hit_notice, restriction, restriction_text, created_by, created_at`

func scanBank(sc interface{ Scan(...any) error }) (ctis.HashBank, error) {
	var b ctis.HashBank
	var agencies, at string
	var grp sql.NullString
	err := sc.Scan(&b.ID, &b.Name, &b.Description, &b.Agency, &b.Open, &b.Handling.Distribution, &agencies, &grp,
		&b.Handling.Frontline, &b.Handling.HitNotice, &b.Handling.Restriction, &b.Handling.RestrictionText, &b.CreatedBy, &at)
	if agencies != "" {
		b.Handling.Agencies = strings.Split(agencies, ",")
	}
	b.Handling.Group, b.CreatedAt = grp.String, parseStamp(at)
	return b, err
}

// AllHashBanks lists every bank, whoever may see it, for the matching
// index, which applies handling itself.
func (db *DB) AllHashBanks(ctx context.Context) ([]ctis.HashBank, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+bankColumns+` FROM hash_banks ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.HashBank{}
	for rows.Next() {
		b, err := scanBank(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// HashViewer returns what handling looks at of the caller: agency,
// frontline tearline and sharing groups.
func (db *DB) HashViewer(ctx context.Context, id ctis.Identity) (ctis.Viewer, error) {
	v := id.Viewer()
	var err error
	v.Groups, err = db.GroupsOf(ctx, id.Agency)
	return v, err
}

// visibleBanks returns the banks v may see, by ID.
func (db *DB) visibleBanks(ctx context.Context, v ctis.Viewer) (map[string]ctis.HashBank, error) {
	all, err := db.AllHashBanks(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]ctis.HashBank{}
	for _, b := range all {
		if ctis.CanSee(v, b.Agency, b.Handling) {
			out[b.ID] = b
		}
	}
	return out, nil
}

// callerBanks is visibleBanks for the identity in ctx, which must hold one
// of roles.
func (db *DB) callerBanks(ctx context.Context, roles ...ctis.Role) (ctis.Identity, map[string]ctis.HashBank, error) {
	id, err := ctis.Require(ctx, roles...)
	if err != nil {
		return id, nil, err
	}
	if id.System {
		return id, nil, ctis.Errorf(ctis.EFORBIDDEN, "the local operator belongs to no agency and sees no hash bank")
	}
	v, err := db.HashViewer(ctx, id)
	if err != nil {
		return id, nil, err
	}
	banks, err := db.visibleBanks(ctx, v)
	return id, banks, err
}

// CreateHashBank creates a bank owned by the caller's agency.
func (db *DB) CreateHashBank(ctx context.Context, b ctis.HashBank) (*ctis.HashBank, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	b.ID, b.Agency, b.CreatedBy, b.CreatedAt = ctis.NewID(), id.Agency, id.Username, db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var grp any
		if b.Handling.Group != "" {
			grp = b.Handling.Group
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE grp = ? AND agency = ?`, grp, id.Agency).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return ctis.Invalid("handling.group", "your agency is not a member of sharing group %q", grp)
			}
		}
		h := b.Handling
		if _, err := tx.ExecContext(ctx, `INSERT INTO hash_banks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.Name, b.Description, b.Agency, b.Open,
			h.Distribution, strings.Join(h.Agencies, ","), grp, h.Frontline, h.HitNotice, h.Restriction, h.RestrictionText, b.CreatedBy, stamp(b.CreatedAt)); err != nil {
			return err
		}
		_, err := db.appendAudit(ctx, tx, event(id, ctis.ActHashBankCreate, b.ID, "", map[string]any{"name": b.Name, "handling": h}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// HashBanks lists the banks the caller may see.
func (db *DB) HashBanks(ctx context.Context) ([]ctis.HashBank, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	v, err := db.HashViewer(ctx, id)
	if err != nil {
		return nil, err
	}
	all, err := db.AllHashBanks(ctx)
	if err != nil {
		return nil, err
	}
	out := []ctis.HashBank{}
	for _, b := range all {
		if ctis.CanSee(v, b.Agency, b.Handling) {
			out = append(out, b)
		}
	}
	return out, nil
}

// AddHashes adds entries to a bank or updates the labels of those there.
func (db *DB) AddHashes(ctx context.Context, bankID string, entries []ctis.HashEntry) ([]ctis.HashEntry, error) {
	id, banks, err := db.callerBanks(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	bank, ok := banks[bankID]
	if !ok {
		return nil, ctis.ErrNotFound("hash bank")
	}
	if !bank.Open && bank.Agency != id.Agency {
		return nil, ctis.Errorf(ctis.EFORBIDDEN, "only %s adds to this bank; it is not open to contributions", bank.Agency)
	}
	if len(entries) == 0 {
		return nil, ctis.Invalid("entries", "no entries")
	}
	if len(entries) > ctis.MaxHashBatch {
		return nil, ctis.Errorf(ctis.ETOOLARGE, "at most %d entries at a time, not %d", ctis.MaxHashBatch, len(entries))
	}
	out := make([]ctis.HashEntry, len(entries))
	for i, e := range entries {
		e.Labels.Behaviours = append([]ctis.Behaviour(nil), e.Labels.Behaviours...)
		if err := e.Validate(); err != nil {
			return nil, ctis.Prefix("entries["+strconv.Itoa(i)+"]", err)
		}
		out[i] = e
	}
	now := db.now()
	added, updated := 0, 0
	err = db.tx(ctx, func(tx *sql.Tx) error {
		find, err := tx.PrepareContext(ctx, `SELECT seq FROM hash_entries WHERE bank = ? AND type = ? AND value = ?`)
		if err != nil {
			return err
		}
		defer find.Close()
		insert, err := tx.PrepareContext(ctx, `INSERT INTO hash_entries (id, bank, type, value, quality, entity, behaviours, content_type, contributor, added_by, added_at, updated_at, disabled, frames)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`+db.dialect.returning)
		if err != nil {
			return err
		}
		defer insert.Close()
		for i := range out {
			e := &out[i]
			var seq int64
			err := find.QueryRowContext(ctx, bankID, e.Type, e.Value).Scan(&seq)
			var old *ctis.HashEntry
			if err == nil {
				old, err = db.entryWhere(ctx, tx, `e.seq = ?`, seq)
			} else if errors.Is(err, sql.ErrNoRows) {
				err = errNoEntry
			}
			switch {
			case errors.Is(err, errNoEntry):
				e.ID, e.Bank, e.Contributor, e.AddedBy, e.AddedAt, e.UpdatedAt = ctis.NewID(), bankID, id.Agency, id.Username, now, now
				if e.Seq, err = db.insertSeq(ctx, insert, e.ID, e.Bank, e.Type, e.Value, e.Quality, e.Labels.Entity, joinBehaviours(e.Labels.Behaviours),
					e.Labels.ContentType, e.Contributor, e.AddedBy, stamp(now), stamp(now), framesJSON(e.Frames)); err != nil {
					return err
				}
				added++
			case err != nil:
				return err
			default:
				if old.Contributor != id.Agency && bank.Agency != id.Agency {
					return ctis.Errorf(ctis.EFORBIDDEN, "entries[%d]: %s contributed this hash; only it or %s may relabel it", i, old.Contributor, bank.Agency)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE hash_entries SET quality = ?, entity = ?, behaviours = ?, content_type = ?, updated_at = ? WHERE seq = ?`,
					e.Quality, e.Labels.Entity, joinBehaviours(e.Labels.Behaviours), e.Labels.ContentType, stamp(now), old.Seq); err != nil {
					return err
				}
				old.Quality, old.Labels, old.UpdatedAt = e.Quality, e.Labels, now
				*e = *old
				updated++
			}
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActHashAdd, bankID, "", map[string]int{"added": added, "updated": updated}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// framesJSON is how a video entry's frames are kept; NULL for other
// entries.
func framesJSON(fs []ctis.VideoFrame) any {
	if len(fs) == 0 {
		return nil
	}
	b, _ := json.Marshal(fs)
	return string(b)
}

// parseFrames reads what framesJSON kept.
func parseFrames(s sql.NullString) ([]ctis.VideoFrame, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	var fs []ctis.VideoFrame
	return fs, json.Unmarshal([]byte(s.String), &fs)
}

func joinBehaviours(bs []ctis.Behaviour) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = string(b)
	}
	return strings.Join(s, ",")
}

var errNoEntry = errors.New("no such hash entry")

// entryColumns read an entry as e, with the members disputing it: by
// feedback or by an upheld appeal.
const entryColumns = `e.seq, e.id, e.bank, e.type, e.value, e.quality, e.entity, e.behaviours, e.content_type, e.contributor, e.added_by, e.added_at, e.updated_at, e.disabled, e.frames,
	(SELECT count(*) FROM (SELECT agency FROM hash_feedback WHERE entry = e.seq AND verdict = 'disputed'
		UNION SELECT agency FROM hash_appeals WHERE entry = e.seq AND outcome = 'upheld') AS d) AS disputes`

func scanEntry(sc interface{ Scan(...any) error }) (*ctis.HashEntry, error) {
	var e ctis.HashEntry
	var quality sql.NullInt64
	var behaviours, added, updated string
	var frames sql.NullString
	if err := sc.Scan(&e.Seq, &e.ID, &e.Bank, &e.Type, &e.Value, &quality, &e.Labels.Entity, &behaviours, &e.Labels.ContentType,
		&e.Contributor, &e.AddedBy, &added, &updated, &e.Disabled, &frames, &e.Disputes); err != nil {
		return nil, err
	}
	var err error
	if e.Frames, err = parseFrames(frames); err != nil {
		return nil, err
	}
	if quality.Valid {
		q := int(quality.Int64)
		e.Quality = &q
	}
	if behaviours != "" {
		for _, b := range strings.Split(behaviours, ",") {
			e.Labels.Behaviours = append(e.Labels.Behaviours, ctis.Behaviour(b))
		}
	}
	e.AddedAt, e.UpdatedAt, e.Flagged = parseStamp(added), parseStamp(updated), e.Disputes >= ctis.DisputeFlag
	return &e, nil
}

func (db *DB) entryWhere(ctx context.Context, q querier, where string, args ...any) (*ctis.HashEntry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM hash_entries e WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoEntry
	}
	return e, err
}

// SetHashDisabled disables or re-enables an entry.
func (db *DB) SetHashDisabled(ctx context.Context, entryID string, disabled bool, reason string) (*ctis.HashEntry, error) {
	id, banks, err := db.callerBanks(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return nil, ctis.Invalid("reason", "give a reason of at most 2000 bytes")
	}
	var out *ctis.HashEntry
	err = db.tx(ctx, func(tx *sql.Tx) error {
		e, err := db.entryWhere(ctx, tx, `e.id = ?`, entryID)
		if errors.Is(err, errNoEntry) || err == nil && banks[e.Bank].ID == "" {
			return ctis.ErrNotFound("hash entry")
		}
		if err != nil {
			return err
		}
		if e.Contributor != id.Agency && banks[e.Bank].Agency != id.Agency {
			return ctis.Errorf(ctis.EFORBIDDEN, "only %s, which contributed this entry, or %s, which keeps the bank, may disable it", e.Contributor, banks[e.Bank].Agency)
		}
		var at any
		action := ctis.ActHashEnable
		if disabled {
			at, action = stamp(db.now()), ctis.ActHashDisable
		}
		if _, err := tx.ExecContext(ctx, `UPDATE hash_entries SET disabled = ?, disabled_at = ?, disabled_reason = ?, updated_at = ? WHERE seq = ?`,
			disabled, at, reason, stamp(db.now()), e.Seq); err != nil {
			return err
		}
		e.Disabled, e.UpdatedAt, out = disabled, db.now(), e
		_, err = db.appendAudit(ctx, tx, event(id, action, e.ID, "", map[string]string{"reason": reason}))
		return err
	})
	return out, err
}

// HashEntries lists a bank's entries in ID order.
func (db *DB) HashEntries(ctx context.Context, f ctis.HashEntryFilter) ([]ctis.HashEntry, error) {
	_, banks, err := db.callerBanks(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	if _, ok := banks[f.Bank]; !ok {
		return nil, ctis.ErrNotFound("hash bank")
	}
	where, args := `e.bank = ? AND e.id > ?`, []any{f.Bank, f.After}
	if f.Type != "" {
		where, args = where+` AND e.type = ?`, append(args, f.Type)
	}
	if !f.Disabled {
		where += ` AND e.disabled = 0`
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if f.Flagged {
		// From the few disputes, not the many entries.
		where += ` AND e.seq IN (SELECT entry FROM (SELECT entry, agency FROM hash_feedback WHERE verdict = 'disputed'
			UNION SELECT entry, agency FROM hash_appeals WHERE outcome = 'upheld') AS d GROUP BY entry HAVING count(*) >= ` + strconv.Itoa(ctis.DisputeFlag) + `)`
	}
	q := `SELECT ` + entryColumns + ` FROM hash_entries e WHERE ` + where + ` ORDER BY e.id`
	rows, err := db.r.QueryContext(ctx, q+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.HashEntry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// LoadHashes calls fn for every entry after seq after, in order, whoever
// may see it: the matching index applies handling itself. Only Seq, Bank,
// Type, Value, Disabled and a video's Frames are read.
func (db *DB) LoadHashes(ctx context.Context, after int64, fn func(*ctis.HashEntry) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT seq, bank, type, value, disabled, frames FROM hash_entries WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e ctis.HashEntry
		var frames sql.NullString
		if err := rows.Scan(&e.Seq, &e.Bank, &e.Type, &e.Value, &e.Disabled, &frames); err != nil {
			return err
		}
		var err error
		if e.Frames, err = parseFrames(frames); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RecordHashMatches records the caller's matches and returns them as the
// caller may see them; the banks of notices are told of the match. The
// index applied handling already; it is checked again here.
func (db *DB) RecordHashMatches(ctx context.Context, queries int, hits []ctis.HashHit, notices []string) (*ctis.HashMatchResult, error) {
	id, banks, err := db.callerBanks(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	res := &ctis.HashMatchResult{Matches: []ctis.HashMatch{}, Notices: []ctis.HashNotice{}}
	for _, a := range notices {
		res.Notices = append(res.Notices, ctis.HashNotice{Agency: a})
	}
	if len(hits) == 0 && len(notices) == 0 {
		return res, nil
	}
	now := db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		var matched []string
		for _, h := range hits {
			e, err := db.entryWhere(ctx, tx, `e.seq = ?`, h.Seq)
			if err != nil {
				return err
			}
			bank, ok := banks[e.Bank]
			if !ok || e.Disabled {
				continue
			}
			m := ctis.HashMatch{ID: ctis.NewID(), Query: h.Query, Distance: h.Distance, Entry: *e, BankName: bank.Name, Video: h.Video}
			if _, err := tx.ExecContext(ctx, `INSERT INTO hash_matches (id, entry, agency, username, distance, at) VALUES (?, ?, ?, ?, ?, ?)`,
				m.ID, e.Seq, id.Agency, id.Username, h.Distance, stamp(now)); err != nil {
				return err
			}
			res.Matches = append(res.Matches, m)
			matched = append(matched, e.ID)
		}
		events := []ctis.AuditEvent{event(id, ctis.ActHashMatch, "", "", map[string]any{"queries": queries, "entries": matched})}
		for _, a := range notices {
			n := event(id, ctis.ActHashMatch, "", "", map[string]any{"notice": "a match in one of your hash banks; contact " + id.Agency})
			n.Scope = a
			events = append(events, n)
		}
		_, err := db.appendAudit(ctx, tx, events...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ownMatch returns the entry seq of one of the caller's agency's matches.
func ownMatch(ctx context.Context, tx *sql.Tx, agency, matchID string) (matchSeq, entrySeq int64, entryID string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT m.seq, m.entry, e.id FROM hash_matches m JOIN hash_entries e ON e.seq = m.entry WHERE m.id = ? AND m.agency = ?`,
		matchID, agency).Scan(&matchSeq, &entrySeq, &entryID)
	if errors.Is(err, sql.ErrNoRows) {
		err = ctis.ErrNotFound("match")
	}
	return
}

// GiveFeedback records a verdict on one of the caller's agency's matches.
func (db *DB) GiveFeedback(ctx context.Context, f ctis.HashFeedback) (*ctis.HashFeedback, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst, ctis.RoleFrontline)
	if err != nil {
		return nil, err
	}
	switch f.Verdict {
	case ctis.TruePositive, ctis.FalsePositive, ctis.Disputed:
	default:
		return nil, ctis.Invalid("verdict", "unknown verdict %q (known: true_positive, false_positive, disputed)", f.Verdict)
	}
	f.Reason = strings.TrimSpace(f.Reason)
	if f.Verdict != ctis.TruePositive && f.Reason == "" || len(f.Reason) > 2000 {
		return nil, ctis.Invalid("reason", "a false positive or a dispute needs a reason, of at most 2000 bytes")
	}
	f.Agency, f.By, f.At = id.Agency, id.Username, db.now()
	err = db.tx(ctx, func(tx *sql.Tx) error {
		matchSeq, entrySeq, entryID, err := ownMatch(ctx, tx, id.Agency, f.Match)
		if err != nil {
			return err
		}
		f.Entry = entryID
		if _, err := tx.ExecContext(ctx, `INSERT INTO hash_feedback VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (match) DO UPDATE SET verdict = excluded.verdict, reason = excluded.reason, by = excluded.by, at = excluded.at`,
			matchSeq, entrySeq, f.Agency, f.Verdict, f.Reason, f.By, stamp(f.At)); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActHashFeedback, f.Match, "", map[string]string{"entry": entryID, "verdict": string(f.Verdict)}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

const appealColumns = `a.id, m.id, e.id, a.reference, a.agency, a.lodged_by, a.lodged_at, a.outcome, a.reason, a.decided_by, a.decided_at`

func scanAppeal(sc interface{ Scan(...any) error }) (*ctis.Appeal, error) {
	var a ctis.Appeal
	var lodged string
	var decided sql.NullString
	if err := sc.Scan(&a.ID, &a.Match, &a.Entry, &a.Reference, &a.Agency, &a.LodgedBy, &lodged, &a.Outcome, &a.Reason, &a.DecidedBy, &decided); err != nil {
		return nil, err
	}
	a.LodgedAt = parseStamp(lodged)
	if decided.Valid {
		t := parseStamp(decided.String)
		a.DecidedAt = &t
	}
	return &a, nil
}

const appealFrom = ` FROM hash_appeals a JOIN hash_matches m ON m.seq = a.match JOIN hash_entries e ON e.seq = a.entry`

// LodgeAppeal records an appeal against a removal after one of the
// caller's agency's matches.
func (db *DB) LodgeAppeal(ctx context.Context, a ctis.Appeal) (*ctis.Appeal, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	a.Reference = strings.TrimSpace(a.Reference)
	if a.Reference == "" || len(a.Reference) > 200 {
		return nil, ctis.Invalid("reference", "give the platform's case reference, of at most 200 bytes (no personal data)")
	}
	var out *ctis.Appeal
	err = db.tx(ctx, func(tx *sql.Tx) error {
		matchSeq, entrySeq, _, err := ownMatch(ctx, tx, id.Agency, a.Match)
		if err != nil {
			return err
		}
		appealID := ctis.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO hash_appeals (id, match, entry, reference, agency, lodged_by, lodged_at, outcome, reason, decided_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', '', '')`, appealID, matchSeq, entrySeq, a.Reference, id.Agency, id.Username, stamp(db.now())); err != nil {
			return err
		}
		if out, err = scanAppeal(tx.QueryRowContext(ctx, `SELECT `+appealColumns+appealFrom+` WHERE a.id = ?`, appealID)); err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActAppealLodge, appealID, "", map[string]string{"match": a.Match}))
		return err
	})
	return out, err
}

// DecideAppeal records the outcome of an appeal the caller's agency lodged.
func (db *DB) DecideAppeal(ctx context.Context, appealID string, outcome ctis.AppealOutcome, reason string) (*ctis.Appeal, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	if outcome != ctis.AppealUpheld && outcome != ctis.AppealRejected {
		return nil, ctis.Invalid("outcome", "an appeal is decided upheld or rejected, not %q", outcome)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return nil, ctis.Invalid("reason", "give the reason for the outcome, of at most 2000 bytes")
	}
	var out *ctis.Appeal
	err = db.tx(ctx, func(tx *sql.Tx) error {
		a, err := scanAppeal(tx.QueryRowContext(ctx, `SELECT `+appealColumns+appealFrom+` WHERE a.id = ? AND a.agency = ?`, appealID, id.Agency))
		if errors.Is(err, sql.ErrNoRows) {
			return ctis.ErrNotFound("appeal")
		}
		if err != nil {
			return err
		}
		if a.Outcome != ctis.AppealPending {
			return ctis.Errorf(ctis.ECONFLICT, "the appeal was already decided: %s", a.Outcome)
		}
		now := db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE hash_appeals SET outcome = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			outcome, reason, id.Username, stamp(now), appealID); err != nil {
			return err
		}
		a.Outcome, a.Reason, a.DecidedBy, a.DecidedAt, out = outcome, reason, id.Username, &now, a
		_, err = db.appendAudit(ctx, tx, event(id, ctis.ActAppealDecide, appealID, "", map[string]string{"outcome": string(outcome)}))
		return err
	})
	return out, err
}

// Appeals lists the appeals the caller's agency lodged, newest first.
func (db *DB) Appeals(ctx context.Context) ([]ctis.Appeal, error) {
	id, err := ctis.Require(ctx, ctis.RoleAnalyst)
	if err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+appealColumns+appealFrom+` WHERE a.agency = ? ORDER BY a.seq DESC LIMIT 1000`, id.Agency)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ctis.Appeal{}
	for rows.Next() {
		a, err := scanAppeal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// Transparency gives monthly figures over the banks the caller may see.
func (db *DB) Transparency(ctx context.Context, from, to string) ([]ctis.TransparencyMonth, error) {
	_, banks, err := db.callerBanks(ctx, ctis.RoleAnalyst, ctis.RoleFrontline, ctis.RoleAuditor)
	if err != nil {
		return nil, err
	}
	months, err := monthRange(db.now(), from, to)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(banks))
	for id := range banks {
		ids = append(ids, id)
	}
	visible, _ := json.Marshal(ids)
	byMonth := map[string]*ctis.TransparencyMonth{}
	out := make([]ctis.TransparencyMonth, len(months))
	for i, m := range months {
		out[i].Month = m
		byMonth[m] = &out[i]
	}
	// Stamps compare as text, so that a month's bounds use the indexes.
	inBanks := ` e.bank ` + db.dialect.inJSON + ` AND %s >= ? AND %s < ? GROUP BY 1, 2`
	last, _ := time.Parse("2006-01", months[len(months)-1])
	end := last.AddDate(0, 1, 0).Format("2006-01")
	count := func(query, stampCol string, set func(*ctis.TransparencyMonth, string, int)) error {
		q := strings.ReplaceAll(query+inBanks, "%s", stampCol)
		rows, err := db.r.QueryContext(ctx, q, string(visible), months[0], end)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var month, kind string
			var n int
			if err := rows.Scan(&month, &kind, &n); err != nil {
				return err
			}
			if m := byMonth[month]; m != nil {
				set(m, kind, n)
			}
		}
		return rows.Err()
	}
	queries := []struct {
		query, col string
		set        func(*ctis.TransparencyMonth, string, int)
	}{
		{`SELECT substr(e.added_at, 1, 7), '', count(*) FROM hash_entries e WHERE`, "e.added_at", func(m *ctis.TransparencyMonth, _ string, n int) { m.EntriesAdded = n }},
		{`SELECT substr(e.disabled_at, 1, 7), '', count(*) FROM hash_entries e WHERE e.disabled = 1 AND`, "e.disabled_at", func(m *ctis.TransparencyMonth, _ string, n int) { m.EntriesRemoved = n }},
		{`SELECT substr(x.at, 1, 7), '', count(*) FROM hash_matches x JOIN hash_entries e ON e.seq = x.entry WHERE`, "x.at", func(m *ctis.TransparencyMonth, _ string, n int) { m.Matches = n }},
		{`SELECT substr(x.at, 1, 7), x.verdict, count(*) FROM hash_feedback x JOIN hash_entries e ON e.seq = x.entry WHERE`, "x.at", func(m *ctis.TransparencyMonth, v string, n int) {
			switch ctis.Verdict(v) {
			case ctis.TruePositive:
				m.TruePositives += n
			case ctis.FalsePositive:
				m.FalsePositives += n
			case ctis.Disputed:
				m.Disputes += n
			}
		}},
		{`SELECT substr(x.lodged_at, 1, 7), '', count(*) FROM hash_appeals x JOIN hash_entries e ON e.seq = x.entry WHERE`, "x.lodged_at", func(m *ctis.TransparencyMonth, _ string, n int) { m.AppealsLodged = n }},
		{`SELECT substr(x.decided_at, 1, 7), x.outcome, count(*) FROM hash_appeals x JOIN hash_entries e ON e.seq = x.entry WHERE x.decided_at IS NOT NULL AND`, "x.decided_at", func(m *ctis.TransparencyMonth, o string, n int) {
			if ctis.AppealOutcome(o) == ctis.AppealUpheld {
				m.AppealsUpheld += n
			} else {
				m.AppealsDenied += n
			}
		}},
	}
	for _, q := range queries {
		if err := count(q.query, q.col, q.set); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// monthRange lists the months from from to to (YYYY-MM), by default the
// twelve up to now; at most 120.
func monthRange(now time.Time, from, to string) ([]string, error) {
	parse := func(field, s string, def time.Time) (time.Time, error) {
		if s == "" {
			return def, nil
		}
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return t, ctis.Invalid(field, "a month is written YYYY-MM, like 2026-01")
		}
		return t, nil
	}
	end, err := parse("to", to, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	start, err := parse("from", from, end.AddDate(0, -11, 0))
	if err != nil {
		return nil, err
	}
	if start.After(end) {
		return nil, ctis.Invalid("from", "the first month is after the last")
	}
	var out []string
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		if len(out) == 120 {
			return nil, ctis.Invalid("from", "at most 120 months at a time")
		}
		out = append(out, t.Format("2006-01"))
	}
	return out, nil
}
