package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ctis/stix"
	"ctis/taxii"
)

// TestServeTAXII pulls a demo node's collection over TAXII, as a TAXII
// client would, with an API token, and reads the objects back with the
// STIX reader.
func TestServeTAXII(t *testing.T) {
	p := newProbeNode(t)
	accept := "Accept: " + taxii.MediaType
	var d struct {
		APIRoots []string `json:"api_roots"`
	}
	p.API(t, "analyst.de", "GET", "/taxii2/", nil, accept).Want(t, http.StatusOK).JSON(t, &d)
	if len(d.APIRoots) != 1 || !strings.HasSuffix(d.APIRoots[0], taxii.APIRootPath) {
		t.Fatalf("discovery: %+v", d)
	}
	p.API(t, "", "GET", "/taxii2/", nil, accept).Want(t, http.StatusUnauthorized)
	var list struct {
		Collections []struct {
			ID    string `json:"id"`
			Alias string `json:"alias"`
		} `json:"collections"`
	}
	p.API(t, "analyst.de", "GET", taxii.APIRootPath+"collections/", nil, accept).Want(t, http.StatusOK).JSON(t, &list)
	id := ""
	for _, c := range list.Collections {
		if c.Alias == "released" {
			id = c.ID
		}
	}
	if id == "" {
		t.Fatalf("no collection of what is released to DE-BKA: %+v", list)
	}
	path := taxii.APIRootPath + "collections/" + id + "/objects/"
	p.API(t, "analyst.de", "GET", path, nil, accept).Want(t, http.StatusBadRequest)
	r := p.API(t, "analyst.de", "GET", path, nil, accept, "Ctis-Purpose: probe").Want(t, http.StatusOK)
	if r.Header.Get("Content-Type") != taxii.MediaType || r.Header.Get("X-TAXII-Date-Added-First") == "" {
		t.Fatalf("headers %v", r.Header)
	}
	var env struct {
		More    bool              `json:"more"`
		Objects []json.RawMessage `json:"objects"`
	}
	r.JSON(t, &env)
	bundle, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--6f0c8b0e-3a1d-4c5e-9f7a-2b3c4d5e6f70", "objects": env.Objects})
	entities, err := stix.Decode(bundle)
	if err != nil || len(entities) == 0 {
		t.Fatalf("the first page does not read back: %v (%d entities)", err, len(entities))
	}
}
