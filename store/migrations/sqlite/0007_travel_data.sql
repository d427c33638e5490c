-- Travel data received by an agency (API manifests, PNRs), kept under a
-- retention policy: the personal part is masked after a while and all of
-- it deleted later. Times are fixed-width UTC stamps, so that they order
-- as text.
CREATE TABLE travel_records (
	id          TEXT PRIMARY KEY,
	agency      TEXT NOT NULL REFERENCES agencies(code),
	kind        TEXT NOT NULL CHECK (kind IN ('api', 'pnr')),
	received_at TEXT NOT NULL,
	reference   TEXT NOT NULL,
	locator     TEXT NOT NULL,
	flight      TEXT NOT NULL, -- folded, for search
	day         TEXT NOT NULL, -- day of departure
	journey     TEXT NOT NULL, -- JSON, without the document number
	masked_at   TEXT
);
CREATE INDEX travel_records_agency ON travel_records (agency, received_at);
CREATE INDEX travel_records_received ON travel_records (received_at);
CREATE INDEX travel_records_flight ON travel_records (agency, flight, day);

-- The part that masking hides: only ever read through the record.
CREATE TABLE travel_personal (
	record_id TEXT PRIMARY KEY REFERENCES travel_records(id) ON DELETE CASCADE,
	data      TEXT NOT NULL
);

-- Name tokens of unmasked records: masking deletes them, so a masked name
-- cannot be found.
CREATE TABLE travel_names (
	token     TEXT NOT NULL,
	record_id TEXT NOT NULL REFERENCES travel_records(id) ON DELETE CASCADE,
	PRIMARY KEY (token, record_id)
) WITHOUT ROWID;
CREATE INDEX travel_names_record ON travel_names (record_id);

CREATE TABLE unmask_requests (
	id              TEXT PRIMARY KEY,
	record_id       TEXT NOT NULL REFERENCES travel_records(id) ON DELETE CASCADE,
	agency          TEXT NOT NULL,
	requested_by    TEXT NOT NULL,
	requester_id    TEXT NOT NULL,
	requested_at    TEXT NOT NULL,
	reason          TEXT NOT NULL,
	status          TEXT NOT NULL,
	decided_by      TEXT,
	decided_at      TEXT,
	decision_reason TEXT
);
CREATE INDEX unmask_requests_agency ON unmask_requests (agency, requested_at);
CREATE INDEX unmask_requests_record ON unmask_requests (record_id);
