-- The directory of competent authorities (ctis.Authority): the bodies a
-- country designated for each instrument of formal cooperation, each
-- entry kept by the member agency that entered it. A removed entry
-- stays, marked, for the requests that were addressed to it.
CREATE TABLE authorities (
	id           TEXT PRIMARY KEY,
	agency       TEXT NOT NULL REFERENCES agencies(code),
	country      TEXT NOT NULL,
	instrument   TEXT NOT NULL,
	name         TEXT NOT NULL,
	jurisdiction TEXT NOT NULL,
	languages    TEXT NOT NULL, -- JSON array of ISO 639-1 codes
	channels     TEXT NOT NULL, -- JSON array
	hours        TEXT NOT NULL,
	verified_on  TEXT NOT NULL, -- YYYY-MM-DD
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	removed_at   TEXT
);
CREATE INDEX authorities_country ON authorities (country, instrument);
CREATE INDEX authorities_agency ON authorities (agency);
