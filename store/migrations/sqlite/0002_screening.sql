-- Hits awaiting or past review. subject and explanation are JSON.
CREATE TABLE hits (
	id          TEXT PRIMARY KEY,
	agency      TEXT NOT NULL,
	screened_by TEXT NOT NULL,
	screened_at TEXT NOT NULL,
	subject     TEXT NOT NULL,
	subject_key TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	schema      TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	score       REAL NOT NULL,
	matched     TEXT NOT NULL,
	agencies    TEXT NOT NULL,
	reference   TEXT NOT NULL,
	program     TEXT NOT NULL,
	explanation TEXT NOT NULL,
	status      TEXT NOT NULL,
	decided_by  TEXT,
	decided_agency TEXT,
	decided_at  TEXT,
	reason      TEXT
);
CREATE INDEX hits_queue ON hits(agency, status, id);

-- The agencies an escalated hit is shown to besides the screening agency.
CREATE TABLE hit_recipients (
	hit_id TEXT NOT NULL REFERENCES hits(id),
	agency TEXT NOT NULL,
	PRIMARY KEY (agency, hit_id)
) WITHOUT ROWID;

-- A subject cleared by an agency against an entity as it stood then.
CREATE TABLE clearances (
	agency      TEXT NOT NULL,
	subject_key TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	hit_id      TEXT NOT NULL,
	PRIMARY KEY (agency, subject_key, entity_id)
) WITHOUT ROWID;
