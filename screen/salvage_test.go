package screen_test

import (
	"os"
	"strings"
	"testing"

	"ctis"
	"ctis/screen"
	"ctis/unlist"
)

// TestBatchScreensMalformedFields: a detail that does not pass is left out
// with a warning in that subject's result, and the subject is screened on
// the rest; only a subject with nothing to screen by fails, in its own
// result, and the others of the batch are screened all the same.
func TestBatchScreensMalformedFields(t *testing.T) {
	_, svc := node(t)
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	e, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all,
		"name", "Abdullah Yusuf Azzam", "birthDate", "1941-11-14", "nationality", "PS", "passportNumber", "X1234567")})
	if err != nil {
		t.Fatal(err)
	}
	de := as("DE-BKA", ctis.RoleAnalyst)
	subjects := []ctis.Subject{
		{Name: "Abdullah Azzam", BirthDate: "1969-7-16"},
		{Name: "Abdullah Azzam", BirthDate: "1974-01-32", Nationality: "Atlantis"},
		{Name: "Abdullah Azzam", BirthDate: "1968-13-30", Gender: "m"},
		{Name: "Abdullah Azzam", DocumentNumber: strings.Repeat("9", 200)},
		{Name: strings.Repeat("N", 400)},           // no usable name, nothing else
		{Name: "", DocumentNumber: "X 123-4567"},   // a document alone
		{Name: "Abdullah Azzam", Schema: "Vessel"}, // a schema screening does not take
		{Name: "Abdullah Azzam", BirthDate: "1941-11-14"},
	}
	res, err := svc.ScreenBatch(de, subjects)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(subjects) {
		t.Fatalf("%d results for %d subjects", len(res), len(subjects))
	}
	for i, want := range []struct {
		warnings []string // each a substring of one warning, in order
		hit      bool
		err      string // the field of the error
	}{
		{warnings: []string{"screened without birth_date"}, hit: true},
		{warnings: []string{"screened without birth_date", "screened without nationality"}, hit: true},
		{warnings: []string{"screened without birth_date", "screened without gender"}, hit: true},
		{warnings: []string{"screened without document_number"}, hit: true},
		{err: "subjects[4].name"},
		{warnings: []string{"no name to screen against the database (none given); screened by document number alone"}, hit: true},
		{err: "subjects[6].schema"},
		{hit: true},
	} {
		r := res[i]
		if r.Warnings == nil || r.Hits == nil || r.Notices == nil {
			t.Errorf("subject %d: nil lists in %+v", i, r)
		}
		if len(r.Warnings) != len(want.warnings) {
			t.Errorf("subject %d: warnings %q, want %q", i, r.Warnings, want.warnings)
		} else {
			for k, w := range want.warnings {
				if !strings.Contains(r.Warnings[k], w) {
					t.Errorf("subject %d: warning %q, want %q", i, r.Warnings[k], w)
				}
			}
		}
		if got := len(r.Hits) == 1 && r.Hits[0].EntityID == e.ID; got != want.hit {
			t.Errorf("subject %d: hits %+v, want a hit %v", i, r.Hits, want.hit)
		}
		switch {
		case want.err == "" && r.Error != nil:
			t.Errorf("subject %d: error %v", i, r.Error)
		case want.err != "" && (r.Error == nil || r.Error.Field != want.err || r.Error.Code != ctis.EINVALID):
			t.Errorf("subject %d: error %v, want one about %s", i, r.Error, want.err)
		}
	}
	if s := res[1].Subject; s.BirthDate != "" || s.Nationality != "" || s.Name != "Abdullah Azzam" {
		t.Errorf("the dropped fields are still in the subject: %+v", s)
	}
	if h := res[5].Hits; len(h) == 1 && (h[0].Subject.Name != "" || h[0].Subject.DocumentNumber != "X 123-4567") {
		t.Errorf("document-only hit recorded for %+v", h[0].Subject)
	}

	// One subject alone: screened without the bad field, or an error.
	one, err := svc.Screen(de, ctis.Subject{Name: "Abdullah Azzam", BirthDate: "1969-7-16"})
	if err != nil || len(one.Hits) != 1 || len(one.Warnings) != 1 {
		t.Errorf("single subject with a bad birth date: %+v, %v", one, err)
	}
	if _, err := svc.Screen(de, ctis.Subject{Name: strings.Repeat("N", 400), BirthDate: "1941"}); ctis.ErrorField(err) != "name" {
		t.Errorf("single subject without a usable name: %v", err)
	}
}

// TestDocumentOnlyScreening: a subject without a name is screened by its
// document number when it is long enough to point at one person, and then
// only the same number makes a hit; a short number, or one a letter off,
// does not.
func TestDocumentOnlyScreening(t *testing.T) {
	_, svc := node(t)
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	if _, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all,
		"name", "Abdullah Yusuf Azzam", "birthDate", "1941-11-14", "passportNumber", "X1234567", "idNumber", "12345")}); err != nil {
		t.Fatal(err)
	}
	// Someone else entirely, with no document: never a document-only hit.
	if _, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all, "name", "X")}); err != nil {
		t.Fatal(err)
	}
	de := as("DE-BKA", ctis.RoleFrontline)
	for _, c := range []struct {
		s    ctis.Subject
		hits int
		err  bool
	}{
		{s: ctis.Subject{DocumentNumber: "x1234567"}, hits: 1},
		{s: ctis.Subject{DocumentNumber: "X1234567", BirthDate: "1941-11-14"}, hits: 1},
		{s: ctis.Subject{DocumentNumber: "X1234567", BirthDate: "1990-01-01"}}, // the number alone is outweighed
		{s: ctis.Subject{DocumentNumber: "X1234568"}},                          // a character apart
		{s: ctis.Subject{DocumentNumber: "Y7654321"}},
		{s: ctis.Subject{DocumentNumber: "12345"}, err: true}, // too short to screen by alone
		{s: ctis.Subject{}, err: true},
	} {
		res, err := svc.Screen(de, c.s)
		if c.err {
			if ctis.ErrorField(err) != "name" {
				t.Errorf("%+v: %v, want an error about the name", c.s, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%+v: %v", c.s, err)
			continue
		}
		if len(res.Hits) != c.hits {
			t.Errorf("%+v: %d hits, want %d: %+v", c.s, len(res.Hits), c.hits, res.Hits)
		}
	}
}

// TestMinScore: a screening may ask for the hits just under the threshold,
// down to ctis.LowestMinScore and no lower.
func TestMinScore(t *testing.T) {
	_, svc := node(t)
	fr := as("FR-DGSI", ctis.RoleAnalyst)
	all := ctis.Handling{Distribution: ctis.DistAll, Frontline: true}
	if _, err := svc.CreateEntity(fr, ctis.NewEntity{Schema: "Person", Statements: statements(all,
		"name", "Abdullah Yusuf Azzam", "birthDate", "1941-11-14")}); err != nil {
		t.Fatal(err)
	}
	de := as("DE-BKA", ctis.RoleAnalyst)
	// The right name, a birth date decades off: under the threshold.
	s := ctis.Subject{Name: "Abdullah Yusuf Azzam", BirthDate: "1990-06-01"}
	res, err := svc.Screen(de, s)
	if err != nil || len(res.Hits) != 0 {
		t.Fatalf("at the default threshold: %+v, %v", res, err)
	}
	res, err = svc.Screen(ctis.WithMinScore(de, 0.5), s)
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Score >= screen.DefaultThreshold || res.Hits[0].Score < 0.5 {
		t.Fatalf("at 0.5: %+v, %v", res, err)
	}
	for _, bad := range []float64{0.3, -1, 1.5} {
		if _, err := svc.Screen(ctis.WithMinScore(de, bad), s); ctis.ErrorField(err) != "min_score" {
			t.Errorf("min score %v: %v", bad, err)
		}
	}
}

// TestPackedUNAliasScreens: the names the UN list packs into one alias
// field of QDe.137 each find the entry.
func TestPackedUNAliasScreens(t *testing.T) {
	db, svc := node(t)
	f, err := os.Open("../unlist/testdata/qde137-packed-aliases.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	list, err := unlist.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := unlist.Import(system, db, list); err != nil {
		t.Fatal(err)
	}
	if err := svc.Refresh(system); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Hayat Tahrir al-Sham", "Assembly for the Liberation of Syria", "Liberation of al-Sham Commission", "هيئة تحرير الشام"} {
		res, err := svc.Screen(as("DE-BKA", ctis.RoleFrontline), ctis.Subject{Name: name, Schema: "Organization"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Reference != "QDe.137" {
			t.Errorf("%s: %+v", name, res.Hits)
		}
	}
}
