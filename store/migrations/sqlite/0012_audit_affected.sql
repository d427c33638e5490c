-- The agencies besides an event's scope whose auditors oversee it: those
-- an administrator's action changed. The column is part of the event and
-- of its hash; audit_affected indexes it for the auditors' scope.
ALTER TABLE audit_events ADD COLUMN affected TEXT NOT NULL DEFAULT '';

CREATE TABLE audit_affected (
	agency TEXT NOT NULL,
	seq    INTEGER NOT NULL,
	PRIMARY KEY (agency, seq)
) WITHOUT ROWID;

CREATE TRIGGER audit_affected_no_update BEFORE UPDATE ON audit_affected
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_affected_no_delete BEFORE DELETE ON audit_affected
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
