package store_test

import (
	"bytes"
	"strings"
	"testing"

	"ctis"
	"ctis/store"
)

func TestPostStatuses(t *testing.T) {
	db := openDB(t, store.Options{})
	mustAgency(t, db, "FR-DGSI", "FR")
	mustAgency(t, db, "DE-BKA", "DE")
	fr, de := as("FR-DGSI", ctis.RoleAnalyst), as("DE-BKA", ctis.RoleAnalyst)
	const id = "2b1f63a8-5b0c-4a4e-9d3b-6c1d2e3f4a5b"
	body := []byte(`{"id":"` + id + `","status":"complete"}`)
	for _, c := range []struct {
		id     string
		status []byte
		code   string
	}{
		{"x", body, ctis.EINVALID},
		{strings.ToUpper(id), body, ctis.EINVALID},
		{id, bytes.Repeat([]byte("x"), 1<<20+1), ctis.EINVALID},
		{id, body, ""},
		{id, body, ctis.ECONFLICT},
	} {
		if err := db.KeepStatus(fr, c.id, c.status); ctis.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("keep %q: %v, want %q", c.id, err, c.code)
		}
	}
	if got, err := db.Status(fr, id); err != nil || !bytes.Equal(got, body) {
		t.Errorf("FR reads %s %v", got, err)
	}
	if _, err := db.Status(de, id); ctis.ErrorCode(err) != ctis.ENOTFOUND {
		t.Errorf("DE reads FR's status: %v", err)
	}
	if err := db.KeepStatus(system, "3b1f63a8-5b0c-4a4e-9d3b-6c1d2e3f4a5b", body); ctis.ErrorCode(err) != ctis.EUNAUTHORIZED {
		t.Errorf("kept for no agency: %v", err)
	}
}
