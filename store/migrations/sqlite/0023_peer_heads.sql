-- The audit heads peers served, as this node witnessed them
-- (ctis.PeerHead): a row when a peer's head moved, or was found
-- inconsistent with the one before (alarm, its reason).
CREATE TABLE peer_heads (
    peer TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    alarm TEXT NOT NULL DEFAULT ''
);
CREATE INDEX peer_heads_peer ON peer_heads (peer, seen_at);
