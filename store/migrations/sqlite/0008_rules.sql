-- Targeting rules: every version kept.
CREATE TABLE rules (
	id          TEXT NOT NULL,
	version     INTEGER NOT NULL,
	agency      TEXT NOT NULL REFERENCES agencies(code),
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	expression  TEXT NOT NULL,
	score       REAL NOT NULL,
	disabled    INTEGER NOT NULL,
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE INDEX rules_agency ON rules (agency, id);
