package main

import (
	"net/http"
	"strings"
	"testing"
)

// problemReply is the part of a problem document the probe tests read.
type problemReply struct {
	Code   string `json:"code"`
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// TestProbeJSONBodiesAreNotChanged replays issue 11, item 14: a JSON body
// with a string that is not UTF-8 was stored with U+FFFD in its place, and
// one with a key given twice was taken with the last value. Both are
// refused, naming the field, and nothing is stored.
func TestProbeJSONBodiesAreNotChanged(t *testing.T) {
	p := newProbeNode(t)
	for _, c := range []struct {
		name, path, body, field, detail string
	}{
		{"invalid UTF-8", "/api/v1/entities", "{\"schema\":\"Person\",\"statements\":[{\"property\":\"name\",\"value\":\"Zebul\xf3n Quartermaine\"}]}",
			"statements[0].value", "invalid UTF-8"},
		{"duplicate key", "/api/v1/entities", `{"schema":"Person","statements":[{"property":"name","value":"Zebulon Quartermaine","value":"Zebulon Quartermaine"}]}`,
			"statements[0].value", `duplicate key "value"`},
		{"duplicate key in a screening", "/api/v1/screen", `{"name":"Zebulon Quartermaine","name":"Someone Else"}`, "name", `duplicate key "name"`},
	} {
		var prob problemReply
		p.API(t, "analyst.de", "POST", c.path, c.body, "Ctis-Purpose: probe").Want(t, http.StatusBadRequest).JSON(t, &prob)
		if prob.Code != "invalid" || prob.Field != c.field || prob.Detail != c.detail {
			t.Errorf("%s: %+v", c.name, prob)
		}
	}
	if found := p.API(t, "analyst.de", "GET", "/api/v1/search?name=Zebulon+Quartermaine", nil, "Ctis-Purpose: probe").Want(t, http.StatusOK); strings.Contains(found.Body, "Quartermaine") {
		t.Errorf("a refused entity was stored: %s", found.Body)
	}
}
