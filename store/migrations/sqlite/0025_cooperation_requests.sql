-- Formal cooperation requests between agencies (ctis.Request). A request
-- is read by its sender, by its receiver once sent, and by the agencies
-- in request_agencies; every query of these tables joins that rule
-- (store/cooperation.go). Times are fixed-width stamps, so they compare
-- as text.
CREATE TABLE requests (
	id              TEXT PRIMARY KEY,
	kind            TEXT NOT NULL,
	state           TEXT NOT NULL,
	sender          TEXT NOT NULL REFERENCES agencies(code),
	receiver        TEXT NOT NULL REFERENCES agencies(code),
	authority       TEXT NOT NULL REFERENCES authorities(id),
	legal_basis     TEXT NOT NULL,
	offence         TEXT NOT NULL,
	description     TEXT NOT NULL,
	deadline        TEXT,
	expires_at      TEXT,
	reason          TEXT NOT NULL,
	created_by      TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	sent_at         TEXT,
	acknowledged_at TEXT,
	closed_at       TEXT
);
CREATE INDEX requests_sender ON requests (sender, created_at);
CREATE INDEX requests_receiver ON requests (receiver, created_at);
CREATE INDEX requests_open ON requests (state, deadline);

-- The agencies the sender or the receiver let read a request.
CREATE TABLE request_agencies (
	request_id TEXT NOT NULL REFERENCES requests(id),
	agency     TEXT NOT NULL REFERENCES agencies(code),
	added_by   TEXT NOT NULL,
	added_at   TEXT NOT NULL,
	PRIMARY KEY (request_id, agency)
);
CREATE INDEX request_agencies_agency ON request_agencies (agency);

-- The entities a request concerns: references only. What a reader sees
-- of one is what its own handling lets it see, never more.
CREATE TABLE request_entities (
	request_id TEXT NOT NULL REFERENCES requests(id),
	entity_id  TEXT NOT NULL,
	PRIMARY KEY (request_id, entity_id)
);

-- The timeline: each step a party took, each lapse and reminder.
CREATE TABLE request_steps (
	request_id TEXT NOT NULL REFERENCES requests(id),
	seq        INTEGER NOT NULL,
	time       TEXT NOT NULL,
	action     TEXT NOT NULL,
	reminder   TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	agency     TEXT NOT NULL,
	username   TEXT NOT NULL,
	reason     TEXT NOT NULL,
	note       TEXT NOT NULL,
	PRIMARY KEY (request_id, seq)
);

-- Attachments are kept as what identifies a file, never its bytes.
CREATE TABLE request_attachments (
	request_id TEXT NOT NULL REFERENCES requests(id),
	step       INTEGER NOT NULL,
	position   INTEGER NOT NULL,
	name       TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	size       INTEGER NOT NULL,
	agency     TEXT NOT NULL,
	PRIMARY KEY (request_id, step, position)
);
