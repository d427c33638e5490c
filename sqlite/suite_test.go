package sqlite_test

import (
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/sqlite"
)

// TestSuite runs the test kit's suite against SQLite, wired as a node
// wires it.
func TestSuite(t *testing.T) {
	ctistest.RunHandlingMatrix(t, ctistest.Backend{Open: func(t *testing.T) ctis.Services {
		return ctistest.OpenSQLite(t, sqlite.Options{}).Services
	}})
}
