package store_test

import (
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/store"
)

// TestSuite runs the test kit's suite against the store, wired as a node
// wires it.
func TestSuite(t *testing.T) {
	ctistest.RunHandlingMatrix(t, ctistest.Backend{Open: func(t *testing.T) ctis.Services {
		return ctistest.OpenStore(t, engine, store.Options{}).Services
	}})
}
