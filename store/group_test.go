package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"ctis"
	"ctis/store"
)

// TestGroupCommit holds the writer in one transaction while twenty writes
// queue, then lets it go: they are committed together, and the writes
// that fail roll back only what they wrote themselves — their rows, their
// audit events, the claims of their request keys and the answers kept
// with them; the others keep their answers in their commit. Of two writes sent
// with one key, one is carried out.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, store.Options{})
	insert := func(tx *sql.Tx, code string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agencies (code, name, country, kind, created_at) VALUES (?, ?, 'FR', 'security', '2026-01-01')`, code, code)
		return err
	}
	started, release := make(chan struct{}), make(chan struct{})
	held := make(chan error)
	go func() {
		held <- db.WriteTx(ctx, func(tx *sql.Tx) error {
			close(started)
			<-release
			return insert(tx, "HELD")
		})
	}()
	<-started
	before, _ := db.Commits()
	refused := errors.New("refused")
	errs := make([]error, 22)
	keys := make([]*ctis.RequestKey, len(errs))
	id := ctis.Identity{UserID: "u1", Username: "writer", Agency: "FR-DGSI"}
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		// Writes 20 and 21 carry one key: one of them is refused.
		// Each renders its answer from its result, to be kept with it.
		keys[i] = &ctis.RequestKey{Key: fmt.Sprintf("key-%02d", min(i, 20)), Answer: func(v any) (ctis.KeptAnswer, error) {
			return ctis.KeptAnswer{Status: 200, Header: map[string]string{}, Body: fmt.Appendf(nil, "write %d", v)}, nil
		}}
		ctx := ctis.WithRequestKey(ctis.NewContext(ctx, id), keys[i])
		go func() {
			defer wg.Done()
			errs[i] = db.WriteTx(ctx, func(tx *sql.Tx) error {
				if err := insert(tx, fmt.Sprintf("A%02d", i)); err != nil {
					return err
				}
				if err := db.AppendAudit(ctx, tx, id, ctis.ActAgencyCreate, fmt.Sprintf("A%02d", i)); err != nil {
					return err
				}
				ctis.SetResult(ctx, i)
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
	for i, err := range errs[:20] {
		var n, events, claims int
		if err := db.Reader().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM agencies WHERE code = ?), (SELECT count(*) FROM audit_events WHERE object = ?),
			(SELECT count(*) FROM request_keys WHERE key = ?)`, fmt.Sprintf("A%02d", i), fmt.Sprintf("A%02d", i), keys[i].Key).Scan(&n, &events, &claims); err != nil {
			t.Fatal(err)
		}
		answer, _, aerr := db.Answer(ctis.NewContext(ctx, id), keys[i].Key)
		if aerr != nil {
			t.Fatal(aerr)
		}
		switch want := fmt.Sprintf("write %d", i); {
		case i%5 == 3 && (!errors.Is(err, refused) || n != 0 || events != 0 || claims != 0 || keys[i].Claimed || keys[i].Kept != nil):
			t.Errorf("write %d: %v, %d rows, %d events, %d claims (claimed %v, kept %v); want refused, nothing kept", i, err, n, events, claims, keys[i].Claimed, keys[i].Kept)
		case i%5 != 3 && (err != nil || n != 1 || events != 1 || claims != 1 || !keys[i].Claimed):
			t.Errorf("write %d: %v, %d rows, %d events, %d claims (claimed %v); want it kept", i, err, n, events, claims, keys[i].Claimed)
		case i%5 != 3 && (answer == nil || string(answer.Body) != want || keys[i].Kept == nil || string(keys[i].Kept.Body) != want):
			t.Errorf("write %d: answer kept in its commit %+v (told %+v), want %q", i, answer, keys[i].Kept, want)
		}
	}
	if done := []bool{errs[20] == nil, errs[21] == nil}; done[0] == done[1] {
		t.Errorf("two writes with one key: %v, %v; want one carried out, one refused", errs[20], errs[21])
	}
	for _, err := range errs[20:] {
		if err != nil && ctis.ErrorCode(err) != ctis.ECONFLICT {
			t.Errorf("the write refused for its key: %v", err)
		}
	}
	rep, err := db.Verify(ctis.NewContext(ctx, ctis.SystemIdentity("test")), nil)
	if err != nil || !rep.OK {
		t.Fatalf("audit chain after the group: %+v %v", rep, err)
	}
}
