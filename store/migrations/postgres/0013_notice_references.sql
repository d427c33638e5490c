-- The opaque reference of each hit notice, to the audit event that
-- records it (and whose detail, under the hash, names the reference too).
CREATE TABLE notice_references (
	reference TEXT COLLATE "C" PRIMARY KEY,
	seq       BIGINT NOT NULL
);

CREATE TRIGGER notice_references_no_update BEFORE UPDATE ON notice_references FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER notice_references_no_delete BEFORE DELETE ON notice_references FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER notice_references_no_truncate BEFORE TRUNCATE ON notice_references FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
