package store

import "ctis"

// visible returns the SQL condition under which statement s (the alias
// must be "s") may be seen by viewer, with its arguments. It is the SQL
// form of ctis.CanSee plus the node's review policy, and the only place
// that decides visibility: every read of statements goes through it.
func (db *DB) visible(v ctis.Viewer) (string, []any) { return db.visibleAs("s", v) }

// visibleAs is visible for a statement of another alias, such as a
// subquery's.
func (db *DB) visibleAs(s string, v ctis.Viewer) (string, []any) {
	cond := `(` + s + `.originator = ? OR ` + s + `.distribution = 'all'
		OR (` + s + `.distribution = 'agencies' AND EXISTS (SELECT 1 FROM statement_agencies sa WHERE sa.statement_seq = ` + s + `.seq AND sa.agency = ?))
		OR (` + s + `.distribution = 'group' AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.grp = ` + s + `.grp AND gm.agency = ?)))`
	args := []any{v.Agency, v.Agency, v.Agency}
	if v.FrontlineOnly {
		cond += ` AND ` + s + `.frontline = 1`
	}
	if db.opts.ReviewPolicy != ctis.ReviewFlag {
		// Past review, a statement is the originator's alone until reviewed.
		cond += ` AND (` + s + `.review_by >= ? OR ` + s + `.originator = ?)`
		args = append(args, db.today(), v.Agency)
	}
	return "(" + cond + ")", args
}

// requestVisible returns the SQL condition under which cooperation
// request r (the alias must be "r") may be read by agency, with its
// arguments: its sender always, its receiver and the agencies added to
// it once it is sent. A draft is its sender's alone. Every read of
// requests, and of their entities, attachments and timelines, goes
// through it.
func requestVisible(agency string) (string, []any) {
	return `(r.sender = ? OR (r.state <> 'draft' AND (r.receiver = ?
		OR EXISTS (SELECT 1 FROM request_agencies ra WHERE ra.request_id = r.id AND ra.agency = ?))))`, []any{agency, agency, agency}
}

// referralVisible returns the SQL condition under which referral f (the
// alias must be "f") may be read by agency, with its arguments: its
// referrer, its platform and the agencies added to it. Every read of
// referrals, their evidence and timelines goes through it.
func referralVisible(agency string) (string, []any) {
	return `(f.referrer = ? OR f.platform = ?
		OR EXISTS (SELECT 1 FROM referral_agencies fa WHERE fa.referral_id = f.id AND fa.agency = ?))`, []any{agency, agency, agency}
}

// eventVisible returns the SQL condition under which event e (alias "e")
// may be seen by viewer: its agency hosts or takes part in it.
func eventVisible(v ctis.Viewer) (string, []any) {
	return `EXISTS (SELECT 1 FROM event_agencies ea WHERE ea.event_id = e.id AND ea.agency = ?)`, []any{v.Agency}
}

// alertVisible returns the SQL condition under which alert a (alias "a")
// may be seen by viewer: its event's channel is the viewer's agency's,
// and the alert's own handling releases it to the viewer, as CanSee
// would a statement's.
func alertVisible(v ctis.Viewer) (string, []any) {
	cond := `(EXISTS (SELECT 1 FROM event_agencies ea WHERE ea.event_id = a.event_id AND ea.agency = ?)
		AND (a.originator = ? OR a.distribution = 'all'
		OR (a.distribution = 'agencies' AND EXISTS (SELECT 1 FROM alert_agencies aa WHERE aa.alert_id = a.id AND aa.agency = ?))
		OR (a.distribution = 'group' AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.grp = a.grp AND gm.agency = ?))))`
	if v.FrontlineOnly {
		cond = `(` + cond + ` AND a.frontline = 1)`
	}
	return cond, []any{v.Agency, v.Agency, v.Agency, v.Agency}
}

// ackVisible returns the SQL condition under which acknowledgement k
// (alias "k") of alert a (alias "a", which v may see) may be known to
// viewer: the agency that originated the alert knows every agency's, any
// other agency only its own.
func ackVisible(v ctis.Viewer) (string, []any) {
	return `(k.agency = ? OR a.originator = ?)`, []any{v.Agency, v.Agency}
}
