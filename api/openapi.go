package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route of the API. It is written by hand,
// for people to read, and the package's tests hold it to the route table
// and to real responses.
//
//go:embed openapi.json
var openAPIDocument []byte

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
	return nil
}
