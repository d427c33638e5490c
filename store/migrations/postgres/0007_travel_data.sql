-- Travel data received by an agency (API manifests, PNRs), kept under a
-- retention policy: the personal part is masked after a while and all of
-- it deleted later. Times are fixed-width UTC stamps, so that they order
-- as text.
CREATE TABLE travel_records (
	id          TEXT COLLATE "C" PRIMARY KEY,
	agency      TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('api', 'pnr')),
	received_at TEXT COLLATE "C" NOT NULL,
	reference   TEXT COLLATE "C" NOT NULL,
	locator     TEXT COLLATE "C" NOT NULL,
	flight      TEXT COLLATE "C" NOT NULL, -- folded, for search
	day         TEXT COLLATE "C" NOT NULL, -- day of departure
	journey     TEXT COLLATE "C" NOT NULL, -- JSON, without the document number
	masked_at   TEXT COLLATE "C"
);
CREATE INDEX travel_records_agency ON travel_records (agency, received_at);
CREATE INDEX travel_records_received ON travel_records (received_at);
CREATE INDEX travel_records_flight ON travel_records (agency, flight, day);

-- The part that masking hides: only ever read through the record.
CREATE TABLE travel_personal (
	record_id TEXT COLLATE "C" PRIMARY KEY REFERENCES travel_records(id) ON DELETE CASCADE,
	data      TEXT COLLATE "C" NOT NULL
);

-- Name tokens of unmasked records: masking deletes them, so a masked name
-- cannot be found.
CREATE TABLE travel_names (
	token     TEXT COLLATE "C" NOT NULL,
	record_id TEXT COLLATE "C" NOT NULL REFERENCES travel_records(id) ON DELETE CASCADE,
	PRIMARY KEY (token, record_id)
);
CREATE INDEX travel_names_record ON travel_names (record_id);

CREATE TABLE unmask_requests (
	id              TEXT COLLATE "C" PRIMARY KEY,
	record_id       TEXT COLLATE "C" NOT NULL REFERENCES travel_records(id) ON DELETE CASCADE,
	agency          TEXT COLLATE "C" NOT NULL,
	requested_by    TEXT COLLATE "C" NOT NULL,
	requester_id    TEXT COLLATE "C" NOT NULL,
	requested_at    TEXT COLLATE "C" NOT NULL,
	reason          TEXT COLLATE "C" NOT NULL,
	status          TEXT COLLATE "C" NOT NULL,
	decided_by      TEXT COLLATE "C",
	decided_at      TEXT COLLATE "C",
	decision_reason TEXT COLLATE "C"
);
CREATE INDEX unmask_requests_agency ON unmask_requests (agency, requested_at);
CREATE INDEX unmask_requests_record ON unmask_requests (record_id);
