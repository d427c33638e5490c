package store_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// TestCheckpointerCopiesTheWAL writes to an open SQLite store and waits
// for its database file to grow: the writer's connection never copies
// the WAL into it itself, so only the checkpointer can have.
func TestCheckpointerCopiesTheWAL(t *testing.T) {
	if engine != ctistest.SQLite {
		t.Skip("the checkpointer is SQLite's")
	}
	path := newStore(t)
	db := openAt(t, path, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	time.Sleep(200 * time.Millisecond) // what opening wrote is copied
	before := size()
	var batch []ctis.NewEntity
	for i := range 2000 {
		batch = append(batch, ctis.NewEntity{ID: fmt.Sprintf("01K%023d", i), Schema: "Person", Statements: []ctis.NewStatement{
			{Property: "name", Value: fmt.Sprintf("Checkpoint Person %d", i), Handling: ctis.Handling{Distribution: ctis.DistAll}},
		}})
	}
	if _, err := db.Import(as("FR-DGSI", ctis.RoleAnalyst), batch); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); size() <= before; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the database file stayed at %d bytes for 5 s after an import: nothing copied the WAL into it", before)
		}
	}
}
