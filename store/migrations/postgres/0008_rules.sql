-- Targeting rules: every version kept.
CREATE TABLE rules (
	id          TEXT COLLATE "C" NOT NULL,
	version     BIGINT NOT NULL,
	agency      TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	name        TEXT COLLATE "C" NOT NULL,
	description TEXT COLLATE "C" NOT NULL,
	expression  TEXT COLLATE "C" NOT NULL,
	score       DOUBLE PRECISION NOT NULL,
	disabled    INTEGER NOT NULL,
	created_by  TEXT COLLATE "C" NOT NULL,
	created_at  TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE INDEX rules_agency ON rules (agency, id);
