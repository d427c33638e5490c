package screen_test

import (
	"context"
	"testing"

	"ctis"
	"ctis/ctistest"
	"ctis/matcher"
	"ctis/store"
	_ "modernc.org/sqlite"
)

// foldCases are names written two ways that are one name: search and
// screening must both read them alike.
var foldCases = []struct{ kind, stored, query string }{
	{"apostrophe", "Tanzim Qa'idat al-Jihad", "Tanzim Qaidat al Jihad"},
	{"modifier letter ayn", "Qaʿidat Bilad", "Qaidat Bilad"},
	{"hyphen", "Abu-Bakr Zawahiri", "Abu Bakr Zawahiri"},
	{"й kept", "Йемен Салих", "ЙЕМЕН салих"},
	{"ё kept", "Фёдор Мельников", "ФЁДОР мельников"},
	{"hamza kept", "أسامة بن لادن", "أسامة بن لادن"},
	{"ta marbuta under tatweel", "جماعـة الأنصار", "جماعة الأنصار"},
	{"Persian ye and kaf", "علی کریمی", "علي كريمي"},
}

// TestSearchAndScreeningFoldAlike: the store's search keys and the
// matcher read a name through the one fold, so a name that folds to the
// same string is found by search and by screening alike.
func TestSearchAndScreeningFoldAlike(t *testing.T) {
	n := ctistest.SeededStore(t, engine, store.Options{})
	analyst := ctistest.As("FR-DGSI", ctis.RoleAnalyst)
	for _, c := range foldCases {
		if ctis.Fold(c.stored) != matcher.Normalize(c.stored) || ctis.Fold(c.stored) != ctis.Fold(c.query) {
			t.Errorf("%s: store folds %q, matcher %q, query %q", c.kind, ctis.Fold(c.stored), matcher.Normalize(c.stored), ctis.Fold(c.query))
			continue
		}
		e, err := n.Entities.CreateEntity(analyst, ctistest.Person(c.stored, ctis.Handling{Distribution: ctis.DistOriginator}))
		if err != nil {
			t.Fatal(err)
		}
		found, err := n.Entities.Search(analyst, ctis.SearchQuery{Name: c.query})
		if err != nil {
			t.Fatal(err)
		}
		searched := false
		for _, f := range found.Entities {
			searched = searched || f.ID == e.ID
		}
		res, err := n.Screener.Screen(analyst, ctis.Subject{Name: c.query})
		if err != nil {
			t.Fatal(err)
		}
		screened := false
		for _, h := range res.Hits {
			screened = screened || h.EntityID == e.ID
		}
		if !searched || !screened {
			t.Errorf("%s: %q for %q: found by search %v, by screening %v", c.kind, c.query, c.stored, searched, screened)
		}
	}
}

// TestStoreFoldsAgain: a store whose keys were folded by an earlier fold
// (Qa'ida as "qa ida") folds them again on opening, so search finds what
// screening finds.
func TestStoreFoldsAgain(t *testing.T) {
	path := ctistest.TempStore(t, engine)
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := ctis.Services{Directory: db, Entities: db}
	ctistest.Seed(t, s)
	analyst := ctistest.As("FR-DGSI", ctis.RoleAnalyst)
	e, err := db.CreateEntity(analyst, ctistest.Person("Tanzim Qa'idat al-Jihad", ctis.Handling{Distribution: ctis.DistOriginator}))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// The keys as the earlier fold made them.
	raw := ctistest.RawStore(t, path)
	q := []string{`UPDATE statements SET key = 'tanzim qa idat al jihad'`, `DELETE FROM name_tokens`}
	for _, token := range []string{"tanzim", "qa", "idat", "al", "jihad"} {
		q = append(q, `INSERT INTO name_tokens SELECT '`+token+`', seq FROM statements`)
	}
	for _, q := range append(q, `UPDATE store_meta SET value = '1' WHERE name = 'fold'`) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err = store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	found, err := db.Search(analyst, ctis.SearchQuery{Name: "Qaidat"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Entities) != 1 || found.Entities[0].ID != e.ID {
		t.Errorf("after folding again, a search for Qaidat finds %+v", found.Entities)
	}
}
