-- Keys of write requests that may be sent again (Idempotency-Key): claimed
-- in the write's own transaction, the answer kept after it was sent.
CREATE TABLE request_keys (
    user_id TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    status INTEGER,
    header TEXT,
    body BYTEA,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX request_keys_created ON request_keys (created_at);
