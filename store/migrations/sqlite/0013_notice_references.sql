-- The opaque reference of each hit notice, to the audit event that
-- records it (and whose detail, under the hash, names the reference too).
CREATE TABLE notice_references (
	reference TEXT PRIMARY KEY,
	seq       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER notice_references_no_update BEFORE UPDATE ON notice_references
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER notice_references_no_delete BEFORE DELETE ON notice_references
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
