-- The time of a statement's last change (recorded, or withdrawn), in
-- nanoseconds since 1970, by which a scope is listed a page at a time
-- (ctis.Lister): the RFC 3339 stamps are text of varying length, which
-- does not sort as time does.
ALTER TABLE statements ADD COLUMN changed_ns INTEGER NOT NULL DEFAULT 0;
UPDATE statements SET changed_ns = CAST(strftime('%s', substr(recorded_at, 1, 19)) AS INTEGER) * 1000000000
	+ CASE WHEN substr(recorded_at, 20, 1) = '.' THEN CAST(substr(rtrim(substr(recorded_at, 21), 'Z') || '000000000', 1, 9) AS INTEGER) ELSE 0 END;
UPDATE statements SET changed_ns = max(changed_ns, CAST(strftime('%s', substr(withdrawn_at, 1, 19)) AS INTEGER) * 1000000000
	+ CASE WHEN substr(withdrawn_at, 20, 1) = '.' THEN CAST(substr(rtrim(substr(withdrawn_at, 21), 'Z') || '000000000', 1, 9) AS INTEGER) ELSE 0 END)
	WHERE withdrawn_at IS NOT NULL;
CREATE INDEX statements_changed ON statements(changed_ns, seq);

-- The UUID of an entity's STIX identifier (a hash of its ID), by which a
-- TAXII client asks for its object; filled when the store opens for the
-- entities stored before it was kept.
ALTER TABLE entities ADD COLUMN stix_uuid TEXT;
CREATE INDEX entities_stix_uuid ON entities(stix_uuid);
