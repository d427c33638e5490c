-- What needs people's attention (ctis.Notification), and the mail that
-- tells them. A notification is made in the transaction of the change it
-- is about, and names its subject without its content; it is shown to
-- the people of its agency who may see that subject, when they look.
-- Each of those with an e-mail address has a mail queued in the same
-- transaction: the outbox is sent at least once.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';

CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	agency     TEXT NOT NULL REFERENCES agencies(code),
	kind       TEXT NOT NULL,
	ref        TEXT NOT NULL,
	topic      TEXT NOT NULL,
	link       TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX notifications_agency ON notifications (agency, id);
CREATE INDEX notifications_ref ON notifications (ref, kind);

CREATE TABLE notification_reads (
	notification_id INTEGER NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
	user_id         TEXT NOT NULL REFERENCES users(id),
	at              TEXT NOT NULL,
	PRIMARY KEY (notification_id, user_id)
);

CREATE TABLE mail_outbox (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	notification_id INTEGER NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
	user_id         TEXT NOT NULL REFERENCES users(id),
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	next_at         TEXT NOT NULL,
	sent_at         TEXT
);
CREATE INDEX mail_outbox_pending ON mail_outbox (next_at) WHERE sent_at IS NULL;
