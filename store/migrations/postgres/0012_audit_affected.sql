-- The agencies besides an event's scope whose auditors oversee it: those
-- an administrator's action changed. The column is part of the event and
-- of its hash; audit_affected indexes it for the auditors' scope.
ALTER TABLE audit_events ADD COLUMN affected TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE TABLE audit_affected (
	agency TEXT COLLATE "C" NOT NULL,
	seq    BIGINT NOT NULL,
	PRIMARY KEY (agency, seq)
);

CREATE TRIGGER audit_affected_no_update BEFORE UPDATE ON audit_affected FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_affected_no_delete BEFORE DELETE ON audit_affected FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_affected_no_truncate BEFORE TRUNCATE ON audit_affected FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
