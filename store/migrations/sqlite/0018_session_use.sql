-- When each browser session was last used, for the pages' idle timeout:
-- kept in the store, so that a session used through any process of a node
-- is alive in all of them.
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
