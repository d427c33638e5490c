package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit holds the writer in one transaction while twenty writes
// queue, then lets it go: they are committed together, and the writes
// that fail roll back only what they wrote themselves.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "ctis.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	insert := func(tx *sql.Tx, code string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agencies (code, name, country, kind, created_at) VALUES (?, ?, 'FR', 'security', '2026-01-01')`, code, code)
		return err
	}
	started, release := make(chan struct{}), make(chan struct{})
	held := make(chan error)
	go func() {
		held <- db.tx(ctx, func(tx *sql.Tx) error {
			close(started)
			<-release
			return insert(tx, "HELD")
		})
	}()
	<-started
	before, _ := db.Commits()
	refused := errors.New("refused")
	errs := make([]error, 20)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.tx(ctx, func(tx *sql.Tx) error {
				if err := insert(tx, fmt.Sprintf("A%02d", i)); err != nil {
					return err
				}
				if i%5 == 3 {
					return refused // after writing
				}
				return nil
			})
		}()
	}
	time.Sleep(200 * time.Millisecond) // the writes queue behind the held one
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	after, _ := db.Commits()
	if n := after - before; n >= 20 {
		t.Errorf("%d commits for 20 queued writes: none were grouped", n)
	}
	for i, err := range errs {
		var n int
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM agencies WHERE code = ?`, fmt.Sprintf("A%02d", i)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		switch {
		case i%5 == 3 && (!errors.Is(err, refused) || n != 0):
			t.Errorf("write %d: %v, %d rows; want refused, nothing kept", i, err, n)
		case i%5 != 3 && (err != nil || n != 1):
			t.Errorf("write %d: %v, %d rows; want it kept", i, err, n)
		}
	}
}
