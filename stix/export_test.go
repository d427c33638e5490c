package stix

import "encoding/json"

// HandlingMarkingID is the identifier a ctis handling marking of this
// extension content has, for tests that forge one.
func HandlingMarkingID(ext json.RawMessage) string {
	var x handlingExt
	if err := json.Unmarshal(ext, &x); err != nil {
		return ""
	}
	return x.markingID()
}
