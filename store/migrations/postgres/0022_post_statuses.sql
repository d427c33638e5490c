-- The statuses of posts to the TAXII server (ctis.PostStatuses), for the
-- agency that posted alone, kept as long as request keys are.
CREATE TABLE post_statuses (
    id TEXT COLLATE "C" PRIMARY KEY,
    agency TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    status BYTEA NOT NULL
);
CREATE INDEX post_statuses_created ON post_statuses (created_at);
