-- Peers: other ctis nodes this node pulls statements from (ctis.Peer).
-- Of this node's certificate, key and token for a peer only the paths
-- are kept, never the secrets.
CREATE TABLE peers (
	name        TEXT PRIMARY KEY,
	url         TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	client_cert TEXT NOT NULL,
	client_key  TEXT NOT NULL,
	token_file  TEXT NOT NULL,
	collection  TEXT NOT NULL,
	agreement   TEXT NOT NULL, -- the ctis.Agreement, as JSON
	created_at  TEXT NOT NULL
);

-- Where a pull of a peer's collection resumes: the date_added of the
-- last object stored, advanced in the transaction that stores it.
CREATE TABLE peer_cursors (
	peer       TEXT NOT NULL,
	collection TEXT NOT NULL,
	added_last TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (peer, collection)
);

-- The peer node an agency is a member of, for the agencies whose
-- statements come from a peer; '' for this node's own.
ALTER TABLE agencies ADD COLUMN node TEXT NOT NULL DEFAULT '';
