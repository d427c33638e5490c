package store_test

import (
	"context"
	"strings"
	"testing"

	"ctis"
	"ctis/store"
)

// TestStoreErrorsNameTheOperation: a database error says which store
// operation it happened in, and nothing of the data.
func TestStoreErrorsNameTheOperation(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	ctx, cancel := context.WithCancel(as("FR-DGSI", ctis.RoleAnalyst))
	cancel()
	_, err := db.CreateEntity(ctx, person("Karim Belkacem Haddad", ctis.Handling{}))
	if err == nil || !strings.HasPrefix(err.Error(), string(engine)+" (*DB).CreateEntity: ") || strings.Contains(err.Error(), "Karim") {
		t.Errorf("got %v", err)
	}
	if ctis.ErrorCode(err) != ctis.EINTERNAL {
		t.Errorf("code %s", ctis.ErrorCode(err))
	}
}
