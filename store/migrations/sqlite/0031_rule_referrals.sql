-- Travellers referred by an agency's targeting rules when their booking
-- data was received: the agency's referral queue, seen by no other
-- agency. traveller is the subject as JSON, facts the booking facts the
-- rule's expression reads (JSON); a decision is recorded as a hit's is.
CREATE TABLE rule_referrals (
	id           TEXT PRIMARY KEY,
	agency       TEXT NOT NULL,
	received_by  TEXT NOT NULL,
	received_at  TEXT NOT NULL,
	reference    TEXT NOT NULL,
	locator      TEXT NOT NULL,
	traveller    TEXT NOT NULL,
	rule_id      TEXT NOT NULL,
	rule_version INTEGER NOT NULL,
	rule_name    TEXT NOT NULL,
	expression   TEXT NOT NULL,
	score        REAL NOT NULL,
	explanation  TEXT NOT NULL,
	facts        TEXT NOT NULL,
	status       TEXT NOT NULL,
	decided_by   TEXT,
	decided_at   TEXT,
	reason       TEXT
);
CREATE INDEX rule_referrals_queue ON rule_referrals(agency, status, id);
