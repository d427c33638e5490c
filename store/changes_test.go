package store_test

import (
	"context"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// TestChangeLog: writes to statements are logged once per entity of an
// import, withdrawals and hash entries too, whichever store handle wrote
// them; on PostgreSQL a listener of another handle is woken by a commit.
func TestChangeLog(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := newStore(t)
	a, b := openAt(t, dsn, store.Options{}), openAt(t, dsn, store.Options{})
	mustAgency(t, a, "FR-DGSI", "FR")
	wake := b.Wake(ctx)
	if (wake != nil) != (engine == ctistest.Postgres) {
		t.Fatalf("Wake on %s: %v", engine, wake)
	}
	if wake != nil {
		<-wake // woken once listening, as changes may have come before
	}
	last, err := b.LastChange(ctx)
	if err != nil || last != 0 {
		t.Fatalf("last change of an empty store: %d, %v", last, err)
	}
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll}
	var batch []ctis.NewEntity
	for _, id := range []string{"one", "two"} {
		batch = append(batch, ctis.NewEntity{ID: ctis.DerivedID("change-log", id), Schema: "Person", Statements: ctistest.Statements(all, "name", "Person "+id, "nationality", "FR", "birthDate", "1970")})
	}
	rep, err := a.Import(fr, batch)
	if err != nil {
		t.Fatal(err)
	}
	if wake != nil {
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			t.Fatal("a commit by another handle did not wake the listener")
		}
	}
	cs, err := b.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Kind != ctis.ChangeEntity || cs[0].Ref != rep.IDs[0] || cs[1].Ref != rep.IDs[1] || cs[1].Seq <= cs[0].Seq {
		t.Fatalf("an import of two entities of three statements each logged %+v", cs)
	}
	e, err := a.Entity(fr, rep.IDs[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.WithdrawStatement(fr, e.Statements[0].ID, "wrong"); err != nil {
		t.Fatal(err)
	}
	cs, err = b.Changes(ctx, cs[1].Seq, 100)
	if err != nil || len(cs) != 1 || cs[0].Ref != rep.IDs[1] {
		t.Fatalf("a withdrawal logged %+v, %v", cs, err)
	}
	if last, _ := b.LastChange(ctx); last != cs[0].Seq {
		t.Fatalf("last change %d, want %d", last, cs[0].Seq)
	}
}

// TestCounts: the operators' counts follow the store's writes.
func TestCounts(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, store.Options{})
	before, err := db.AuditEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mustAgency(t, db, "FR-DGSI", "FR")
	if after, err := db.AuditEvents(ctx); err != nil || after != before+1 {
		t.Errorf("audit events %d after an audited write, %d before (%v)", after, before, err)
	}
	if n, err := db.OpenHits(ctx); err != nil || n != 0 {
		t.Errorf("open hits of a new store: %d, %v", n, err)
	}
}
