-- Peers: other ctis nodes this node pulls statements from (ctis.Peer).
-- Of this node's certificate, key and token for a peer only the paths
-- are kept, never the secrets.
CREATE TABLE peers (
	name        TEXT COLLATE "C" PRIMARY KEY,
	url         TEXT COLLATE "C" NOT NULL,
	fingerprint TEXT COLLATE "C" NOT NULL,
	client_cert TEXT COLLATE "C" NOT NULL,
	client_key  TEXT COLLATE "C" NOT NULL,
	token_file  TEXT COLLATE "C" NOT NULL,
	collection  TEXT COLLATE "C" NOT NULL,
	agreement   TEXT COLLATE "C" NOT NULL, -- the ctis.Agreement, as JSON
	created_at  TEXT COLLATE "C" NOT NULL
);

-- Where a pull of a peer's collection resumes: the date_added of the
-- last object stored, advanced in the transaction that stores it.
CREATE TABLE peer_cursors (
	peer       TEXT COLLATE "C" NOT NULL,
	collection TEXT COLLATE "C" NOT NULL,
	added_last TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (peer, collection)
);

-- The peer node an agency is a member of, for the agencies whose
-- statements come from a peer; '' for this node's own.
ALTER TABLE agencies ADD COLUMN node TEXT COLLATE "C" NOT NULL DEFAULT '';
