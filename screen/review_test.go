package screen_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"ctis"
	"ctis/ctistest"
)

// TestEscalationShowsOnlyVisibleContributions is the probe's case: FR-DGSI
// holds a person shared with all, KZ-KNB adds a passport number released
// to DE-BKA only, and DE-BKA screens the name with that number and
// escalates. FR-DGSI must not learn the number from its queue; KZ-KNB,
// whose statement matched it and who may see FR-DGSI's name, sees both.
func TestEscalationShowsOnlyVisibleContributions(t *testing.T) {
	db, svc := node(t)
	if _, err := db.CreateAgency(system, ctis.Agency{Code: "KZ-KNB", Name: "KZ-KNB", Country: "KZ"}); err != nil {
		t.Fatal(err)
	}
	e, err := svc.CreateEntity(as("FR-DGSI", ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
		Statements: statements(ctis.Handling{Distribution: ctis.DistAll, Frontline: true}, "name", "Ilyas Qaderov")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddStatements(as("KZ-KNB", ctis.RoleAnalyst), e.ID,
		statements(ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA"}}, "passportNumber", "N09113344")); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Screen(as("DE-BKA", ctis.RoleAnalyst), ctis.Subject{Name: "Ilyas Qaderov", DocumentNumber: "N09113344"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("screening: %v %+v", err, res)
	}
	if _, err := db.Decide(as("DE-BKA", ctis.RoleAnalyst), res.Hits[0].ID, ctis.HitEscalated, "ask the contributors"); err != nil {
		t.Fatal(err)
	}
	fr, err := db.Hit(as("FR-DGSI", ctis.RoleAnalyst), res.Hits[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := json.Marshal(fr)
	if strings.Contains(string(text), "N09113344") || fr.Subject.Name != "Ilyas Qaderov" || !slices.Equal(fr.Agencies, []string{"FR-DGSI"}) {
		t.Errorf("FR-DGSI's view of the escalated hit: %s", text)
	}
	kz, err := db.Hit(as("KZ-KNB", ctis.RoleAnalyst), res.Hits[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if kz.Subject.DocumentNumber != "N09113344" || kz.Subject.Name != "Ilyas Qaderov" || !slices.Equal(kz.Agencies, []string{"FR-DGSI", "KZ-KNB"}) {
		t.Errorf("KZ-KNB's view of the escalated hit: %+v", kz)
	}
	// The recipients' decision stands, and shows them no more.
	decided, err := db.Decide(as("FR-DGSI", ctis.RoleAnalyst), res.Hits[0].ID, ctis.HitConfirmed, "our man")
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := json.Marshal(decided); strings.Contains(string(text), "N09113344") {
		t.Errorf("the decision shows FR-DGSI the number: %s", text)
	}
}

// TestHitReadsNeedPurposeAndAreAudited: reading the queue is a read of
// personal data.
func TestHitReadsNeedPurposeAndAreAudited(t *testing.T) {
	db, svc := node(t)
	if _, err := svc.CreateEntity(as("DE-BKA", ctis.RoleAnalyst), ctis.NewEntity{Schema: "Person",
		Statements: statements(ctis.Handling{Distribution: ctis.DistOriginator}, "name", "Rashid Talbi")}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Screen(as("DE-BKA", ctis.RoleAnalyst), ctis.Subject{Name: "Rashid Talbi"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("screening: %v %+v", err, res)
	}
	noPurpose := ctis.WithPurpose(as("DE-BKA", ctis.RoleAnalyst), "")
	if _, err := db.Hits(noPurpose, ctis.HitFilter{}); ctis.ErrorField(err) != "purpose" {
		t.Errorf("hits without a purpose: %v", err)
	}
	if _, err := db.Hit(noPurpose, res.Hits[0].ID); ctis.ErrorField(err) != "purpose" {
		t.Errorf("one hit without a purpose: %v", err)
	}
	for _, read := range []func() error{
		func() error { _, err := db.Hits(as("DE-BKA", ctis.RoleAnalyst), ctis.HitFilter{}); return err },
		func() error { _, err := db.Hit(as("DE-BKA", ctis.RoleAnalyst), res.Hits[0].ID); return err },
	} {
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := db.Events(as("DE-BKA", ctis.RoleAuditor), ctis.AuditFilter{Action: ctis.ActHitRead})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Events) != 2 {
		t.Fatalf("%d hit.read events, want 2", len(ev.Events))
	}
	for _, e := range ev.Events {
		if e.Purpose != ctistest.Purpose || !strings.Contains(e.Detail, res.Hits[0].ID) {
			t.Errorf("audit event %+v", e)
		}
	}
}
