-- Travellers referred by an agency's targeting rules when their booking
-- data was received: the agency's referral queue, seen by no other
-- agency. traveller is the subject as JSON, facts the booking facts the
-- rule's expression reads (JSON); a decision is recorded as a hit's is.
CREATE TABLE rule_referrals (
	id           TEXT COLLATE "C" PRIMARY KEY,
	agency       TEXT COLLATE "C" NOT NULL,
	received_by  TEXT COLLATE "C" NOT NULL,
	received_at  TEXT COLLATE "C" NOT NULL,
	reference    TEXT COLLATE "C" NOT NULL,
	locator      TEXT COLLATE "C" NOT NULL,
	traveller    TEXT COLLATE "C" NOT NULL,
	rule_id      TEXT COLLATE "C" NOT NULL,
	rule_version INTEGER NOT NULL,
	rule_name    TEXT COLLATE "C" NOT NULL,
	expression   TEXT COLLATE "C" NOT NULL,
	score        DOUBLE PRECISION NOT NULL,
	explanation  TEXT COLLATE "C" NOT NULL,
	facts        TEXT COLLATE "C" NOT NULL,
	status       TEXT COLLATE "C" NOT NULL,
	decided_by   TEXT COLLATE "C",
	decided_at   TEXT COLLATE "C",
	reason       TEXT COLLATE "C"
);
CREATE INDEX rule_referrals_queue ON rule_referrals(agency, status, id);
