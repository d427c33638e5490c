package store

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"ctis"
)

// A case passes between two member agencies — a cooperation request
// from its sender to its receiver, a content referral from its referrer
// to a platform — with a timeline of steps and the agencies either party
// adds to its readers. caseKind names where a kind of case keeps these,
// for what every kind does alike: requests.go and content_referrals.go
// keep what is their own.
type caseKind struct {
	noun   string // "request", as errors name one
	plural string // "cooperation requests", as refusals name them
	// parties names the two parties, as a refusal to a reader says who
	// acts.
	parties string
	// agencies and steps are the tables of the readers added and of the
	// timeline, each keyed by column id.
	agencies, steps, id string
	notice              ctis.NoticeKind // the kind of notification of a case
	page                string          // the page of a case, less its ID
	// shareStep and shareAct are the timeline's action and the audit
	// action of adding a reader.
	shareStep, shareAct string
}

var (
	requestCase = caseKind{noun: "request", plural: "cooperation requests", parties: "its sender and its receiver",
		agencies: "request_agencies", steps: "request_steps", id: "request_id",
		notice: ctis.NoticeRequest, page: "/requests/", shareStep: string(ctis.ActionShare), shareAct: ctis.ActRequestShare}
	referralCase = caseKind{noun: "referral", plural: "content referrals", parties: "its referrer and its platform",
		agencies: "referral_agencies", steps: "referral_steps", id: "referral_id",
		notice: ctis.NoticeReferral, page: "/content-referrals/", shareStep: string(ctis.ContentReferralShare), shareAct: ctis.ActContentReferralShare}
)

// link is the page of the case caseID.
func (k caseKind) link(caseID string) string { return k.page + caseID }

// nextStep is the sequence number of the next entry of the timeline of
// the case caseID.
func (k caseKind) nextStep(ctx context.Context, tx *sql.Tx, caseID string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM `+k.steps+` WHERE `+k.id+` = ?`, caseID).Scan(&n)
	return n, err
}

// readers are the agencies whose auditors oversee the case caseID: its
// parties and the agencies they added.
func (k caseKind) readers(ctx context.Context, q querier, caseID string, parties ...string) ([]string, error) {
	added, err := queryStrings(ctx, q, `SELECT agency FROM `+k.agencies+` WHERE `+k.id+` = ?`, caseID)
	return append(slices.Clone(parties), added...), err
}

// addReader adds agency to the readers of the case caseID, as by,
// refusing an agency that is not a member and one that reads the case
// already: one of its parties or an agency added before.
func (k caseKind) addReader(ctx context.Context, tx *sql.Tx, caseID, agency, by string, now time.Time, parties ...string) error {
	if !exists(ctx, tx, `SELECT 1 FROM agencies WHERE code = ?`, agency) {
		return ctis.Invalid("agency", "no member agency %s", agency)
	}
	if slices.Contains(parties, agency) || exists(ctx, tx, `SELECT 1 FROM `+k.agencies+` WHERE `+k.id+` = ? AND agency = ?`, caseID, agency) {
		return &ctis.Error{Code: ctis.ECONFLICT, Field: "agency", Message: agency + " reads this " + k.noun + " already"}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+k.agencies+` (`+k.id+`, agency, added_by, added_at) VALUES (?, ?, ?, ?)`, caseID, agency, by, fixedStamp(now))
	return err
}

// openCase is a case as sharing needs it: its ID, its two parties, and
// its readers as they stand when asked.
type openCase struct {
	id, sender, receiver string
	readers              func(querier) ([]string, error)
}

// other is the party of c that party is not.
func (c openCase) other(party ctis.Party) string {
	if party == ctis.PartySender {
		return c.receiver
	}
	return c.sender
}

// onCase runs fn in a transaction on a case of kind k as the caller, one
// of its parties, and returns the caller: open reads the case the caller
// may see, and fn is told which party the caller is. what says what the
// parties do that an agency added only reads, in the refusal.
func (db *DB) onCase(ctx context.Context, k caseKind, what string, open func(*sql.Tx, ctis.Identity) (openCase, error),
	fn func(tx *sql.Tx, c openCase, party ctis.Party, id ctis.Identity) error) (ctis.Identity, error) {
	id, err := requireMember(ctx, k.plural, ctis.RoleAnalyst)
	if err != nil {
		return id, err
	}
	return id, db.tx(ctx, func(tx *sql.Tx) error {
		c, err := open(tx, id)
		if err != nil {
			return err
		}
		party := partyIn(id.Agency, c.sender, c.receiver)
		if party == "" {
			return ctis.Errorf(ctis.EFORBIDDEN, "an agency added to a %s reads it; only %s %s", k.noun, k.parties, what)
		}
		return fn(tx, c, party, id)
	})
}

// share adds agency to the readers of a case of kind k as the caller, one
// of its parties, and returns the caller: open reads the case the caller
// may see, and step records the sharing on its timeline as entry seq.
// The agency added is told, and the case's readers' auditors see it.
func (db *DB) share(ctx context.Context, k caseKind, agency string, open func(*sql.Tx, ctis.Identity) (openCase, error),
	step func(tx *sql.Tx, c openCase, seq int, now time.Time, id ctis.Identity) error) (ctis.Identity, error) {
	return db.onCase(ctx, k, "add agencies to it", open, func(tx *sql.Tx, c openCase, _ ctis.Party, id ctis.Identity) error {
		if !ctis.ValidAgencyCode(agency) {
			return ctis.Invalid("agency", "%q is not an agency code", agency)
		}
		now := db.now()
		if err := k.addReader(ctx, tx, c.id, agency, id.Agency, now, c.sender, c.receiver); err != nil {
			return err
		}
		seq, err := k.nextStep(ctx, tx, c.id)
		if err != nil {
			return err
		}
		if err := step(tx, c, seq, now, id); err != nil {
			return err
		}
		if err := db.notify(ctx, tx, k.notice, c.id, k.shareStep, k.link(c.id), agency); err != nil {
			return err
		}
		oversee, err := c.readers(tx)
		if err != nil {
			return err
		}
		_, err = db.appendAudit(ctx, tx, affecting(event(id, k.shareAct, c.id, "", map[string]any{"agency": agency}), oversee...))
		return err
	})
}
