package store

import (
	"database/sql"
	"time"
)

// checkpointWait is how long the checkpointer lets commits gather after
// the first one it is told of, so that commits that follow closely share
// one checkpoint.
const checkpointWait = 50 * time.Millisecond

// checkpointRestart is the length of the WAL, in pages, past which the
// checkpointer makes the writer wait while it copies the rest and the
// WAL starts again from its beginning: a checkpoint beside a steady
// stream of commits never catches up with them alone.
const checkpointRestart = 16384

// checkpointer copies a SQLite store's WAL into its database file on a
// connection of its own. Left to SQLite, the commit that fills the WAL
// does it, and the caller waiting on that commit waits for the copy.
type checkpointer struct {
	db      *sql.DB
	kick    chan struct{}
	done    chan struct{}
	stopped chan struct{}
}

func newCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), done: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c
}

// committed tells the checkpointer that the WAL grew.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.stopped)
	for {
		select {
		case <-c.done:
			return
		case <-c.kick:
		}
		select {
		case <-c.done:
			return
		case <-time.After(checkpointWait):
		}
		// A failed checkpoint leaves the WAL longer, nothing lost: the
		// next one copies what this one did not.
		if log, err := c.checkpoint("PASSIVE"); err == nil && log > checkpointRestart {
			c.checkpoint("RESTART")
		}
	}
}

// checkpoint runs a checkpoint of the given mode and returns the pages
// the WAL holds.
func (c *checkpointer) checkpoint(mode string) (int, error) {
	var busy, log, copied int
	err := c.db.QueryRow(`PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &log, &copied)
	return log, err
}

// close stops the checkpointer; SQLite checkpoints when the last
// connection to the store closes.
func (c *checkpointer) close() error {
	close(c.done)
	<-c.stopped
	return c.db.Close()
}
