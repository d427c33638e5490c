package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// TestTextTheEngineCannotHold: text with a NUL byte or that is not UTF-8,
// where no validation stops it first, is refused on PostgreSQL, which
// cannot hold it, as an invalid request that changes nothing; SQLite
// keeps it as given.
func TestTextTheEngineCannotHold(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	ctx := as("FR-DGSI", ctis.RoleAnalyst)
	e, err := db.CreateEntity(ctx, person("Karim Belkacem Haddad", ctis.Handling{Distribution: ctis.DistAll}))
	if err != nil {
		t.Fatal(err)
	}
	before, err := db.Verify(system, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, reason := range []string{"seen at \x00 the border", "seen at the border \xff"} {
		_, err := db.WithdrawStatement(ctx, e.Statements[0].ID, reason)
		if engine == ctistest.SQLite {
			if err != nil {
				t.Fatalf("%q: %v", reason, err)
			}
			return
		}
		if ctis.ErrorCode(err) != ctis.EINVALID {
			t.Fatalf("%q: %v", reason, err)
		}
	}
	got, err := db.Entity(ctx, e.ID)
	if err != nil || got.Statements[0].Withdrawn != nil {
		t.Fatalf("the refused withdrawal changed the statement: %+v %v", got, err)
	}
	after, err := db.Verify(system, nil)
	if err != nil || !after.OK || after.Events != before.Events+1 {
		t.Fatalf("audit before %+v, after %+v (%v): only the read should be added", before, after, err)
	}
}

// TestWritersFromTwoProcesses: two handles on one store, as two processes
// of a node would hold, write at once; their audit events make one
// unbroken chain.
func TestWritersFromTwoProcesses(t *testing.T) {
	dsn := newStore(t)
	a := openAt(t, dsn, store.Options{})
	b := openAt(t, dsn, store.Options{})
	mustAgency(t, a, "FR-DGSI", "FR")
	ctx := as("FR-DGSI", ctis.RoleAnalyst)
	const each = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, db := range []*store.DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				if _, err := db.CreateEntity(ctx, person(fmt.Sprintf("Person %d %d", i, j), ctis.Handling{Distribution: ctis.DistAll})); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	rep, err := b.Verify(system, nil)
	if err != nil || !rep.OK || rep.Events != 2*each+1 {
		t.Fatalf("%+v %v: want %d events in one chain", rep, err, 2*each+1)
	}
	page, err := a.Entities(ctx, ctis.EntityFilter{Limit: ctis.MaxLimit})
	if err != nil || len(page.Entities) != 2*each {
		t.Fatalf("%d entities (%v)", len(page.Entities), err)
	}
}

// Analyze refreshes the planner's statistics on either engine, and leaves
// what is stored as it was.
func TestAnalyze(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	if err := db.Analyze(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Agencies(as("FR-DGSI", ctis.RoleAnalyst)); err != nil || len(got) != 1 {
		t.Fatalf("after Analyze: %v %v", got, err)
	}
}
