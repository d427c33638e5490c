-- Formal cooperation requests between agencies (ctis.Request). A request
-- is read by its sender, by its receiver once sent, and by the agencies
-- in request_agencies; every query of these tables joins that rule
-- (store/cooperation.go). Times are fixed-width stamps, so they compare
-- as text.
CREATE TABLE requests (
	id              TEXT COLLATE "C" PRIMARY KEY,
	kind            TEXT COLLATE "C" NOT NULL,
	state           TEXT COLLATE "C" NOT NULL,
	sender          TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	receiver        TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	authority       TEXT COLLATE "C" NOT NULL REFERENCES authorities(id),
	legal_basis     TEXT COLLATE "C" NOT NULL,
	offence         TEXT COLLATE "C" NOT NULL,
	description     TEXT COLLATE "C" NOT NULL,
	deadline        TEXT COLLATE "C",
	expires_at      TEXT COLLATE "C",
	reason          TEXT COLLATE "C" NOT NULL,
	created_by      TEXT COLLATE "C" NOT NULL,
	created_at      TEXT COLLATE "C" NOT NULL,
	sent_at         TEXT COLLATE "C",
	acknowledged_at TEXT COLLATE "C",
	closed_at       TEXT COLLATE "C"
);
CREATE INDEX requests_sender ON requests (sender, created_at);
CREATE INDEX requests_receiver ON requests (receiver, created_at);
CREATE INDEX requests_open ON requests (state, deadline);

-- The agencies the sender or the receiver let read a request.
CREATE TABLE request_agencies (
	request_id TEXT COLLATE "C" NOT NULL REFERENCES requests(id),
	agency     TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	added_by   TEXT COLLATE "C" NOT NULL,
	added_at   TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (request_id, agency)
);
CREATE INDEX request_agencies_agency ON request_agencies (agency);

-- The entities a request concerns: references only. What a reader sees
-- of one is what its own handling lets it see, never more.
CREATE TABLE request_entities (
	request_id TEXT COLLATE "C" NOT NULL REFERENCES requests(id),
	entity_id  TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (request_id, entity_id)
);

-- The timeline: each step a party took, each lapse and reminder.
CREATE TABLE request_steps (
	request_id TEXT COLLATE "C" NOT NULL REFERENCES requests(id),
	seq        BIGINT NOT NULL,
	time       TEXT COLLATE "C" NOT NULL,
	action     TEXT COLLATE "C" NOT NULL,
	reminder   TEXT COLLATE "C" NOT NULL,
	from_state TEXT COLLATE "C" NOT NULL,
	to_state   TEXT COLLATE "C" NOT NULL,
	agency     TEXT COLLATE "C" NOT NULL,
	username   TEXT COLLATE "C" NOT NULL,
	reason     TEXT COLLATE "C" NOT NULL,
	note       TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (request_id, seq)
);

-- Attachments are kept as what identifies a file, never its bytes.
CREATE TABLE request_attachments (
	request_id TEXT COLLATE "C" NOT NULL REFERENCES requests(id),
	step       BIGINT NOT NULL,
	position   BIGINT NOT NULL,
	name       TEXT COLLATE "C" NOT NULL,
	sha256     TEXT COLLATE "C" NOT NULL,
	size       BIGINT NOT NULL,
	agency     TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (request_id, step, position)
);
