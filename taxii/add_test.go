package taxii

import (
	"testing"

	"ctis"
	"ctis/stix"
)

// FuzzEnvelope feeds posted bodies to the envelope reader and the STIX
// reader behind it: neither may panic, and an envelope read must make a
// bundle that holds exactly its objects.
func FuzzEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"objects": [{"type": "identity", "spec_version": "2.1", "id": "identity--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1", "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "ctis", "identity_class": "system"}]}`,
		`{"more": false, "objects": []}`,
		`{"objects": [1, "x", null]}`,
		`{"objects": [{"type": "malware"}], "objects": []}`,
		`{"objects": [{"type": "identity"}], "extra": 1}`,
		"{\"objects\": [\"\xff\"]}",
		`[]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bundle, objects, err := readEnvelope(data)
		if err != nil {
			if ctis.ErrorCode(err) == ctis.EINTERNAL {
				t.Fatalf("%q: %v", data, err)
			}
			return
		}
		if len(objects) == 0 {
			t.Fatalf("%q: an envelope of no objects read", data)
		}
		entities, err := stix.Decode(bundle)
		if err == nil {
			stix.NewEntities(entities, "FR-DGSI")
		}
	})
}
