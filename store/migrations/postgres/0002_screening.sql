-- Hits awaiting or past review. subject and explanation are JSON.
CREATE TABLE hits (
	id          TEXT COLLATE "C" PRIMARY KEY,
	agency      TEXT COLLATE "C" NOT NULL,
	screened_by TEXT COLLATE "C" NOT NULL,
	screened_at TEXT COLLATE "C" NOT NULL,
	subject     TEXT COLLATE "C" NOT NULL,
	subject_key TEXT COLLATE "C" NOT NULL,
	entity_id   TEXT COLLATE "C" NOT NULL,
	schema      TEXT COLLATE "C" NOT NULL,
	fingerprint TEXT COLLATE "C" NOT NULL,
	score       DOUBLE PRECISION NOT NULL,
	matched     TEXT COLLATE "C" NOT NULL,
	agencies    TEXT COLLATE "C" NOT NULL,
	reference   TEXT COLLATE "C" NOT NULL,
	program     TEXT COLLATE "C" NOT NULL,
	explanation TEXT COLLATE "C" NOT NULL,
	status      TEXT COLLATE "C" NOT NULL,
	decided_by  TEXT COLLATE "C",
	decided_agency TEXT COLLATE "C",
	decided_at  TEXT COLLATE "C",
	reason      TEXT COLLATE "C"
);
CREATE INDEX hits_queue ON hits(agency, status, id);

-- The agencies an escalated hit is shown to besides the screening agency.
CREATE TABLE hit_recipients (
	hit_id TEXT COLLATE "C" NOT NULL REFERENCES hits(id),
	agency TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (agency, hit_id)
);

-- A subject cleared by an agency against an entity as it stood then.
CREATE TABLE clearances (
	agency      TEXT COLLATE "C" NOT NULL,
	subject_key TEXT COLLATE "C" NOT NULL,
	entity_id   TEXT COLLATE "C" NOT NULL,
	fingerprint TEXT COLLATE "C" NOT NULL,
	hit_id      TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (agency, subject_key, entity_id)
);
