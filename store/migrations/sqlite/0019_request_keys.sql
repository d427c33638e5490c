-- Keys of write requests that may be sent again (Idempotency-Key): claimed
-- in the write's own transaction, the answer kept after it was sent.
CREATE TABLE request_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status INTEGER,
    header TEXT,
    body BLOB,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX request_keys_created ON request_keys (created_at);
