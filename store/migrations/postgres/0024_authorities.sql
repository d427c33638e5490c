-- The directory of competent authorities (ctis.Authority): the bodies a
-- country designated for each instrument of formal cooperation, each
-- entry kept by the member agency that entered it. A removed entry
-- stays, marked, for the requests that were addressed to it.
CREATE TABLE authorities (
	id           TEXT COLLATE "C" PRIMARY KEY,
	agency       TEXT COLLATE "C" NOT NULL REFERENCES agencies(code),
	country      TEXT COLLATE "C" NOT NULL,
	instrument   TEXT COLLATE "C" NOT NULL,
	name         TEXT COLLATE "C" NOT NULL,
	jurisdiction TEXT COLLATE "C" NOT NULL,
	languages    TEXT COLLATE "C" NOT NULL, -- JSON array of ISO 639-1 codes
	channels     TEXT COLLATE "C" NOT NULL, -- JSON array
	hours        TEXT COLLATE "C" NOT NULL,
	verified_on  TEXT COLLATE "C" NOT NULL, -- YYYY-MM-DD
	created_at   TEXT COLLATE "C" NOT NULL,
	updated_at   TEXT COLLATE "C" NOT NULL,
	removed_at   TEXT COLLATE "C"
);
CREATE INDEX authorities_country ON authorities (country, instrument);
CREATE INDEX authorities_agency ON authorities (agency);
