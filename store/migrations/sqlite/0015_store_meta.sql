-- What the store's derived data was made with, such as the version of the
-- name fold behind statements' keys and name tokens: when it changes, the
-- store folds them again on opening.
CREATE TABLE store_meta (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
