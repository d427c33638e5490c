-- Event channels (ctis.Event): an event, the agencies that take part in
-- it (the host among them), its alerts and their acknowledgements.
-- last_alert is the event's alert sequence: an alert takes the next one
-- in the transaction that inserts it, and as writers take turns, alerts
-- commit in the order of their seq, which a live feed resumes by.
CREATE TABLE events (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	host        TEXT NOT NULL REFERENCES agencies(code),
	starts      TEXT NOT NULL, -- YYYY-MM-DD
	ends        TEXT NOT NULL,
	venues      TEXT NOT NULL, -- JSON array
	created_by  TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	archived_at TEXT,
	last_alert  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE event_agencies (
	event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	agency   TEXT NOT NULL REFERENCES agencies(code),
	PRIMARY KEY (event_id, agency)
);
CREATE INDEX event_agencies_agency ON event_agencies (agency, event_id);

CREATE TABLE alerts (
	id               TEXT PRIMARY KEY,
	event_id         TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	seq              INTEGER NOT NULL,
	originator       TEXT NOT NULL REFERENCES agencies(code),
	severity         TEXT NOT NULL,
	title            TEXT NOT NULL,
	details          TEXT NOT NULL,
	location         TEXT NOT NULL,
	valid_from       TEXT NOT NULL, -- RFC 3339, UTC
	valid_until      TEXT NOT NULL,
	entities         TEXT NOT NULL, -- comma-separated entity IDs
	distribution     TEXT NOT NULL,
	grp              TEXT REFERENCES sharing_groups(name),
	frontline        INTEGER NOT NULL,
	hit_notice       INTEGER NOT NULL,
	restriction      TEXT NOT NULL,
	restriction_text TEXT NOT NULL,
	posted_by        TEXT NOT NULL,
	posted_at        TEXT NOT NULL,
	UNIQUE (event_id, seq)
);

-- The agencies an alert of distribution 'agencies' is released to.
CREATE TABLE alert_agencies (
	alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
	agency   TEXT NOT NULL,
	PRIMARY KEY (alert_id, agency)
);

-- One acknowledgement per agency and alert.
CREATE TABLE alert_acks (
	alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
	agency   TEXT NOT NULL REFERENCES agencies(code),
	user_id  TEXT NOT NULL,
	username TEXT NOT NULL,
	at       TEXT NOT NULL,
	PRIMARY KEY (alert_id, agency)
);

-- A posted alert is logged as a change of its event ('event', ref: the
-- event ID), so that the live feeds of every process on this database
-- wake and read it.
CREATE TRIGGER alerts_logged_insert AFTER INSERT ON alerts
BEGIN INSERT INTO changes (kind, ref) VALUES ('event', NEW.event_id); END;
CREATE TRIGGER events_logged_update AFTER UPDATE OF archived_at ON events
BEGIN INSERT INTO changes (kind, ref) VALUES ('event', NEW.id); END;
