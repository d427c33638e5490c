package api

import (
	"bytes"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"ctis"
)

// FuzzDecodeEntity feeds arbitrary bodies to the decoder of entity
// creation. It must not panic; it must refuse with an application error
// that a client can act on (never an internal one), or return an entity
// that is valid: validating it again changes nothing and finds nothing.
func FuzzDecodeEntity(f *testing.F) {
	for _, seed := range []string{
		`{"schema":"Person","statements":[{"property":"name","value":"Абу Мухаммад","handling":{"distribution":"all","frontline":true},"grading":"B2"}]}`,
		`{"schema":"Person","statements":[{"property":"birthDate","value":"1971-02-30"}]}`,
		`{"schema":"Person","statements":[{"property":"birthDate","value":"1970~/1973?"}]}`,
		`{"schema":"Document","statements":[{"property":"issuingCountry","value":"iq"},{"property":"holder","value":"01K00000000000000000000001"}]}`,
		`{"schema":"Organization","statements":[{"property":"name","value":" Front \u0007 X "}]}`,
		`{"schema":"Movement","statements":[{"property":"notes","value":"x","handling":{"distribution":"agencies","agencies":["de-bka"," fr-dgsi "]},"review_by":"2199-01-01"}]}`,
		`{"schema":"ModusOperandi","statements":[{"property":"category","value":"cyber","handling":{"restriction":"H3","restriction_text":"ask"}}]}`,
		`{"schema":"Person","statements":[{"property":"name","value":1}]}`,
		`{"id":"01K00000000000000000000001","schema":"Person","statements":[]}`,
		`{"schema":"Person"} {}`,
		`[{"schema":"Person"}]`,
		`{"schema":"Person",`,
		``,
	} {
		f.Add([]byte(seed))
	}
	h := (&Server{now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }}).Handler().(*handler)
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/entities", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		e, err := h.newEntity(httptest.NewRecorder(), r)
		if err != nil {
			if code := ctis.ErrorCode(err); code == ctis.EINTERNAL {
				t.Fatalf("refused with an internal error: %v", err)
			}
			return
		}
		again := e
		again.Statements = append([]ctis.NewStatement(nil), e.Statements...)
		for i := range again.Statements {
			again.Statements[i].Handling.Agencies = append([]string(nil), e.Statements[i].Handling.Agencies...)
		}
		if _, err := again.Validate(h.today()); err != nil {
			t.Fatalf("accepted an entity that does not validate again: %v\n%+v", err, e)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("normalising twice changes the entity:\n%+v\n%+v", e, again)
		}
	})
}
