-- Event channels (ctis.Event): an event, the agencies that take part in
-- it (the host among them), its alerts and their acknowledgements.
-- last_alert is the event's alert sequence: an alert takes the next one
-- in the transaction that inserts it, and as writers take turns (the
-- store's advisory lock), alerts commit in the order of their seq, which
-- a live feed resumes by.
CREATE TABLE events (
	id          TEXT COLLATE "C" PRIMARY KEY,
	name        TEXT NOT NULL,
	host        TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	starts      TEXT COLLATE "C" NOT NULL, -- YYYY-MM-DD
	ends        TEXT COLLATE "C" NOT NULL,
	venues      TEXT NOT NULL, -- JSON array
	created_by  TEXT COLLATE "C" NOT NULL,
	created_at  TEXT COLLATE "C" NOT NULL,
	archived_at TEXT COLLATE "C",
	last_alert  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE event_agencies (
	event_id TEXT COLLATE "C" NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	agency   TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	PRIMARY KEY (event_id, agency)
);
CREATE INDEX event_agencies_agency ON event_agencies (agency, event_id);

CREATE TABLE alerts (
	id               TEXT COLLATE "C" PRIMARY KEY,
	event_id         TEXT COLLATE "C" NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	seq              BIGINT NOT NULL,
	originator       TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	severity         TEXT COLLATE "C" NOT NULL,
	title            TEXT NOT NULL,
	details          TEXT NOT NULL,
	location         TEXT NOT NULL,
	valid_from       TEXT COLLATE "C" NOT NULL, -- RFC 3339, UTC
	valid_until      TEXT COLLATE "C" NOT NULL,
	entities         TEXT COLLATE "C" NOT NULL, -- comma-separated entity IDs
	distribution     TEXT COLLATE "C" NOT NULL,
	grp              TEXT COLLATE "C" REFERENCES sharing_groups(name),
	frontline        INTEGER NOT NULL,
	hit_notice       INTEGER NOT NULL,
	restriction      TEXT COLLATE "C" NOT NULL,
	restriction_text TEXT NOT NULL,
	posted_by        TEXT COLLATE "C" NOT NULL,
	posted_at        TEXT COLLATE "C" NOT NULL,
	UNIQUE (event_id, seq)
);

-- The agencies an alert of distribution 'agencies' is released to.
CREATE TABLE alert_agencies (
	alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
	agency   TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (alert_id, agency)
);

-- One acknowledgement per agency and alert.
CREATE TABLE alert_acks (
	alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
	agency   TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	user_id  TEXT COLLATE "C" NOT NULL,
	username TEXT COLLATE "C" NOT NULL,
	at       TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (alert_id, agency)
);

-- A posted alert, or a channel archived, is logged as a change of its
-- event ('event', ref: the event ID), which wakes the live feeds of every
-- process on this database.
CREATE FUNCTION alerts_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM log_change('event', NEW.event_id, FALSE);
	RETURN NEW;
END $$;
CREATE TRIGGER alerts_logged AFTER INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION alerts_logged();

CREATE FUNCTION events_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM log_change('event', NEW.id, FALSE);
	RETURN NEW;
END $$;
CREATE TRIGGER events_logged AFTER UPDATE OF archived_at ON events FOR EACH ROW EXECUTE FUNCTION events_logged();
