-- The change log: what the in-memory indexes of every process on this
-- database must load again. Written by triggers, so that no write path
-- can forget it; read by seq. An entity's statements inserted one after
-- another (an import) log the entity once.
CREATE TABLE changes (
	seq  INTEGER PRIMARY KEY,
	kind TEXT NOT NULL, -- 'entity' (ref: entity ID), 'bank' (ref: bank ID), 'hash' (ref: entry seq)
	ref  TEXT NOT NULL
);

CREATE TRIGGER statements_logged_insert AFTER INSERT ON statements
WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'entity' AND ref = NEW.entity_id)
BEGIN INSERT INTO changes (kind, ref) VALUES ('entity', NEW.entity_id); END;
CREATE TRIGGER statements_logged_update AFTER UPDATE ON statements
BEGIN INSERT INTO changes (kind, ref) VALUES ('entity', NEW.entity_id); END;
CREATE TRIGGER statements_logged_delete AFTER DELETE ON statements
BEGIN INSERT INTO changes (kind, ref) VALUES ('entity', OLD.entity_id); END;

CREATE TRIGGER hash_banks_logged_insert AFTER INSERT ON hash_banks
BEGIN INSERT INTO changes (kind, ref) VALUES ('bank', NEW.id); END;
CREATE TRIGGER hash_banks_logged_update AFTER UPDATE ON hash_banks
BEGIN INSERT INTO changes (kind, ref) VALUES ('bank', NEW.id); END;
-- New entries are found by their seq; the log only says that there are
-- some, once per run of inserts into one bank.
CREATE TRIGGER hash_entries_logged_insert AFTER INSERT ON hash_entries
WHEN NOT EXISTS (SELECT 1 FROM changes WHERE seq = (SELECT max(seq) FROM changes) AND kind = 'bank' AND ref = NEW.bank)
BEGIN INSERT INTO changes (kind, ref) VALUES ('bank', NEW.bank); END;
CREATE TRIGGER hash_entries_logged_update AFTER UPDATE ON hash_entries
BEGIN INSERT INTO changes (kind, ref) VALUES ('hash', CAST(NEW.seq AS TEXT)); END;
