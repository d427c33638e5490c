package interop

import (
	"encoding/json"
	"time"

	"ctis"
	"ctis/stix"
)

// PostedEntity is the entity whose STIX objects the run posts to an
// agency's own collection: a person of the run's own, with fixed IDs and
// times, so that the posted envelope is the same on every run.
func PostedEntity(agency string) ctis.Entity {
	at := time.Date(2026, 2, 2, 10, 0, 0, 0, time.UTC)
	id := ctis.DerivedID("interop", "taxii2-client post")
	h := ctis.Handling{Distribution: ctis.DistGroup, Group: "euro-ct", Restriction: ctis.H0}
	st := func(key, property, value string) ctis.Statement {
		return ctis.Statement{ID: ctis.DerivedID("interop", key), EntityID: id, Property: property, Value: value,
			Originator: agency, Handling: h, Grading: "B2", RecordedAt: at}
	}
	return ctis.Entity{ID: id, Schema: "Person", Statements: []ctis.Statement{
		st("name", "name", "Interop Testperson"),
		st("birthDate", "birthDate", "1980-02-29"),
		st("nationality", "nationality", "DE"),
	}}
}

// PostedEnvelope is the TAXII envelope of PostedEntity's objects.
func PostedEnvelope(agency string) ([]byte, error) {
	objects, err := stix.Objects([]ctis.Entity{PostedEntity(agency)})
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(map[string]any{"objects": objects}, "", "  ")
}
