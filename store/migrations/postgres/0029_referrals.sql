-- Referrals of terrorist content to platforms (ctis.Referral). A
-- referral is read by its referrer, its platform and the agencies in
-- referral_agencies; every query of these tables joins that rule
-- (referralVisible in store/access.go). Evidence is kept as hashes only.
-- Times are fixed-width stamps, so they compare as text.
CREATE TABLE referrals (
	id              TEXT COLLATE "C" PRIMARY KEY,
	state           TEXT COLLATE "C" NOT NULL,
	basis           TEXT COLLATE "C" NOT NULL,
	referrer        TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	platform        TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	type            TEXT COLLATE "C" NOT NULL,
	content         TEXT COLLATE "C" NOT NULL,
	entity          TEXT COLLATE "C" NOT NULL,
	behaviours      TEXT COLLATE "C" NOT NULL,
	content_type    TEXT COLLATE "C" NOT NULL,
	note            TEXT COLLATE "C" NOT NULL,
	reason          TEXT COLLATE "C" NOT NULL,
	deadline        TEXT COLLATE "C",
	created_by      TEXT COLLATE "C" NOT NULL,
	sent_at         TEXT COLLATE "C" NOT NULL,
	acknowledged_at TEXT COLLATE "C",
	decided_at      TEXT COLLATE "C",
	closed_at       TEXT COLLATE "C",
	contested_at    TEXT COLLATE "C",
	contest_outcome TEXT COLLATE "C" NOT NULL
);
CREATE INDEX referrals_referrer ON referrals (referrer, sent_at);
CREATE INDEX referrals_platform ON referrals (platform, sent_at);
CREATE INDEX referrals_open ON referrals (state, deadline);

CREATE TABLE referral_agencies (
	referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals(id),
	agency      TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	added_by    TEXT COLLATE "C" NOT NULL,
	added_at    TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (referral_id, agency)
);
CREATE INDEX referral_agencies_agency ON referral_agencies (agency);

CREATE TABLE referral_evidence (
	referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals(id),
	position    BIGINT NOT NULL,
	type        TEXT COLLATE "C" NOT NULL,
	value       TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (referral_id, position)
);

CREATE TABLE referral_steps (
	referral_id TEXT COLLATE "C" NOT NULL REFERENCES referrals(id),
	seq         BIGINT NOT NULL,
	time        TEXT COLLATE "C" NOT NULL,
	action      TEXT COLLATE "C" NOT NULL,
	reminder    TEXT COLLATE "C" NOT NULL,
	from_state  TEXT COLLATE "C" NOT NULL,
	to_state    TEXT COLLATE "C" NOT NULL,
	agency      TEXT COLLATE "C" NOT NULL,
	username    TEXT COLLATE "C" NOT NULL,
	reason      TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (referral_id, seq)
);
