CREATE TABLE agencies (
	code       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	country    TEXT NOT NULL,
	kind       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	agency        TEXT NOT NULL REFERENCES agencies(code),
	roles         TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0
);

-- Only the SHA-256 of a token's secret is kept.
CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id),
	name       TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	expires_at TEXT,
	revoked_at TEXT
);
CREATE INDEX tokens_user ON tokens(user_id);

CREATE TABLE sharing_groups (
	name       TEXT PRIMARY KEY,
	created_at TEXT NOT NULL
);

CREATE TABLE group_members (
	grp    TEXT NOT NULL REFERENCES sharing_groups(name),
	agency TEXT NOT NULL REFERENCES agencies(code),
	PRIMARY KEY (grp, agency)
) WITHOUT ROWID;
CREATE INDEX group_members_agency ON group_members(agency, grp);

CREATE TABLE entities (
	id         TEXT PRIMARY KEY,
	schema     TEXT NOT NULL,
	created_at TEXT NOT NULL
) WITHOUT ROWID;

-- seq is the rowid: compact keys for the side tables.
CREATE TABLE statements (
	seq              INTEGER PRIMARY KEY,
	id               TEXT NOT NULL UNIQUE,
	entity_id        TEXT NOT NULL REFERENCES entities(id),
	property         TEXT NOT NULL,
	value            TEXT NOT NULL,
	key              TEXT NOT NULL,
	originator       TEXT NOT NULL REFERENCES agencies(code),
	distribution     TEXT NOT NULL,
	grp              TEXT REFERENCES sharing_groups(name),
	frontline        INTEGER NOT NULL,
	hit_notice       INTEGER NOT NULL,
	restriction      TEXT NOT NULL,
	restriction_text TEXT NOT NULL DEFAULT '',
	grading          TEXT NOT NULL DEFAULT '',
	recorded_at      TEXT NOT NULL,
	review_by        TEXT NOT NULL,
	withdrawn_at     TEXT,
	withdrawn_by     TEXT,
	withdrawn_reason TEXT
);
CREATE INDEX statements_entity ON statements(entity_id);
CREATE INDEX statements_key ON statements(property, key);
CREATE INDEX statements_review ON statements(review_by);

-- The agencies a statement of distribution 'agencies' is released to.
CREATE TABLE statement_agencies (
	statement_seq INTEGER NOT NULL REFERENCES statements(seq),
	agency        TEXT NOT NULL,
	PRIMARY KEY (statement_seq, agency)
) WITHOUT ROWID;

-- Folded tokens of name statements, for search by name.
CREATE TABLE name_tokens (
	token         TEXT NOT NULL,
	statement_seq INTEGER NOT NULL REFERENCES statements(seq),
	PRIMARY KEY (token, statement_seq)
) WITHOUT ROWID;

-- The audit trail: append-only, each row committing to the previous hash.
CREATE TABLE audit_events (
	seq       INTEGER PRIMARY KEY,
	time      INTEGER NOT NULL,
	user_id   TEXT NOT NULL,
	username  TEXT NOT NULL,
	agency    TEXT NOT NULL,
	scope     TEXT NOT NULL,
	action    TEXT NOT NULL,
	object    TEXT NOT NULL,
	purpose   TEXT NOT NULL,
	detail    TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE INDEX audit_scope ON audit_events(scope, seq);

-- The newest event, kept apart so that cutting events off the end shows.
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  INTEGER NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
