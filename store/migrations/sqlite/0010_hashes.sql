-- Hash sharing: banks of hashes of terrorist content, matches against
-- them, and what members and platforms say of the matches.
CREATE TABLE hash_banks (
	id               TEXT PRIMARY KEY,
	name             TEXT NOT NULL,
	description      TEXT NOT NULL,
	agency           TEXT NOT NULL REFERENCES agencies(code),
	open             INTEGER NOT NULL,
	distribution     TEXT NOT NULL,
	agencies         TEXT NOT NULL, -- comma-separated, for distribution 'agencies'
	grp              TEXT REFERENCES sharing_groups(name),
	frontline        INTEGER NOT NULL,
	hit_notice       INTEGER NOT NULL,
	restriction      TEXT NOT NULL,
	restriction_text TEXT NOT NULL,
	created_by       TEXT NOT NULL,
	created_at       TEXT NOT NULL
);

CREATE TABLE hash_entries (
	seq             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	bank            TEXT NOT NULL REFERENCES hash_banks(id),
	type            TEXT NOT NULL,
	value           TEXT NOT NULL,
	quality         INTEGER,
	entity          TEXT NOT NULL,
	behaviours      TEXT NOT NULL, -- comma-separated
	content_type    TEXT NOT NULL,
	contributor     TEXT NOT NULL REFERENCES agencies(code),
	added_by        TEXT NOT NULL,
	added_at        TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	disabled        INTEGER NOT NULL,
	disabled_at     TEXT,
	disabled_reason TEXT NOT NULL DEFAULT '',
	UNIQUE (bank, type, value)
);
CREATE INDEX hash_entries_bank ON hash_entries (bank, id);
CREATE INDEX hash_entries_added ON hash_entries (added_at);
CREATE INDEX hash_entries_disabled ON hash_entries (disabled_at);

CREATE TABLE hash_matches (
	seq      INTEGER PRIMARY KEY,
	id       TEXT NOT NULL UNIQUE,
	entry    INTEGER NOT NULL REFERENCES hash_entries(seq),
	agency   TEXT NOT NULL,
	username TEXT NOT NULL,
	distance INTEGER NOT NULL,
	at       TEXT NOT NULL
);
CREATE INDEX hash_matches_at ON hash_matches (at);

-- One verdict per match; a later one replaces it.
CREATE TABLE hash_feedback (
	match   INTEGER PRIMARY KEY REFERENCES hash_matches(seq),
	entry   INTEGER NOT NULL REFERENCES hash_entries(seq),
	agency  TEXT NOT NULL,
	verdict TEXT NOT NULL,
	reason  TEXT NOT NULL,
	by      TEXT NOT NULL,
	at      TEXT NOT NULL
);
CREATE INDEX hash_feedback_entry ON hash_feedback (entry, verdict);

CREATE TABLE hash_appeals (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	match      INTEGER NOT NULL REFERENCES hash_matches(seq),
	entry      INTEGER NOT NULL REFERENCES hash_entries(seq),
	reference  TEXT NOT NULL,
	agency     TEXT NOT NULL,
	lodged_by  TEXT NOT NULL,
	lodged_at  TEXT NOT NULL,
	outcome    TEXT NOT NULL,
	reason     TEXT NOT NULL,
	decided_by TEXT NOT NULL,
	decided_at TEXT
);
CREATE INDEX hash_appeals_agency ON hash_appeals (agency, lodged_at);
CREATE INDEX hash_appeals_entry ON hash_appeals (entry, outcome);
