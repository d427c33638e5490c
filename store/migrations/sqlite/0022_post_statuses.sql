-- The statuses of posts to the TAXII server (ctis.PostStatuses), for the
-- agency that posted alone, kept as long as request keys are.
CREATE TABLE post_statuses (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status BLOB NOT NULL
);
CREATE INDEX post_statuses_created ON post_statuses (created_at);
