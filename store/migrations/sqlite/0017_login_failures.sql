-- Failed logins, by username and by client address, where every process
-- of a node counts them: the login throttle's record. A failure leaves
-- once it is older than the throttle's window.
CREATE TABLE login_failures (
	key     TEXT NOT NULL,
	at      INTEGER NOT NULL,
	attempt TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
CREATE INDEX login_failures_at ON login_failures(at);
