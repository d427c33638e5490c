-- The audit heads peers served, as this node witnessed them
-- (ctis.PeerHead): a row when a peer's head moved, or was found
-- inconsistent with the one before (alarm, its reason).
CREATE TABLE peer_heads (
    peer TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT COLLATE "C" NOT NULL,
    seen_at TEXT COLLATE "C" NOT NULL,
    alarm TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX peer_heads_peer ON peer_heads (peer, seen_at);
