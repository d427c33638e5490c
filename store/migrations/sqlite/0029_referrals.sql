-- Referrals of terrorist content to platforms (ctis.Referral). A
-- referral is read by its referrer, its platform and the agencies in
-- referral_agencies; every query of these tables joins that rule
-- (referralVisible in store/access.go). Evidence is kept as hashes only.
-- Times are fixed-width stamps, so they compare as text.
CREATE TABLE referrals (
	id              TEXT PRIMARY KEY,
	state           TEXT NOT NULL,
	basis           TEXT NOT NULL,
	referrer        TEXT NOT NULL REFERENCES agencies(code),
	platform        TEXT NOT NULL REFERENCES agencies(code),
	type            TEXT NOT NULL,
	content         TEXT NOT NULL,
	entity          TEXT NOT NULL,
	behaviours      TEXT NOT NULL,
	content_type    TEXT NOT NULL,
	note            TEXT NOT NULL,
	reason          TEXT NOT NULL,
	deadline        TEXT,
	created_by      TEXT NOT NULL,
	sent_at         TEXT NOT NULL,
	acknowledged_at TEXT,
	decided_at      TEXT,
	closed_at       TEXT,
	contested_at    TEXT,
	contest_outcome TEXT NOT NULL
);
CREATE INDEX referrals_referrer ON referrals (referrer, sent_at);
CREATE INDEX referrals_platform ON referrals (platform, sent_at);
CREATE INDEX referrals_open ON referrals (state, deadline);

CREATE TABLE referral_agencies (
	referral_id TEXT NOT NULL REFERENCES referrals(id),
	agency      TEXT NOT NULL REFERENCES agencies(code),
	added_by    TEXT NOT NULL,
	added_at    TEXT NOT NULL,
	PRIMARY KEY (referral_id, agency)
);
CREATE INDEX referral_agencies_agency ON referral_agencies (agency);

CREATE TABLE referral_evidence (
	referral_id TEXT NOT NULL REFERENCES referrals(id),
	position    INTEGER NOT NULL,
	type        TEXT NOT NULL,
	value       TEXT NOT NULL,
	PRIMARY KEY (referral_id, position)
);

CREATE TABLE referral_steps (
	referral_id TEXT NOT NULL REFERENCES referrals(id),
	seq         INTEGER NOT NULL,
	time        TEXT NOT NULL,
	action      TEXT NOT NULL,
	reminder    TEXT NOT NULL,
	from_state  TEXT NOT NULL,
	to_state    TEXT NOT NULL,
	agency      TEXT NOT NULL,
	username    TEXT NOT NULL,
	reason      TEXT NOT NULL,
	PRIMARY KEY (referral_id, seq)
);
