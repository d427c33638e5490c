package peer_test

import (
	"errors"
	"testing"
	"time"

	"ctis"
	"ctis/ctistest"
	"ctis/peer"
	"ctis/taxii"
)

// TestReadCutAndResumed reads A's collection for DE-BKA a page of one
// object at a time, and stops where the caller says: the error is the
// page's and says why, and a second read from the last page's
// X-TAXII-Date-Added-Last reads every statement the first did not, each
// once.
func TestReadCutAndResumed(t *testing.T) {
	a, _, p := twoNodes(t)
	toDE := ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{de}}
	for _, name := range []string{"Abu Zqone al-Test", "Abu Zqtwo al-Test", "Abu Zqthree al-Test"} {
		person(t, a, fr, name, toDE)
	}
	c, err := peer.NewClient(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctistest.System
	d, err := c.Discover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	root, collection := d.Root(), taxii.ReleasedCollectionID(de)
	seen := map[string]int{}
	var cursor time.Time // the X-TAXII-Date-Added-Last of the last page taken
	take := func(page *taxii.Page, entities []ctis.Entity) {
		for _, e := range entities {
			for _, s := range e.Statements {
				seen[s.ID]++
			}
		}
		cursor = page.AddedLast
	}
	cut := errors.New("cut here")
	pages, err := peer.Read(ctx, c, root, collection, taxii.Query{Limit: 1}, func(page *taxii.Page, entities []ctis.Entity) error {
		if len(entities) > 0 && len(seen) > 0 {
			return cut // the first page with statements after the first such
		}
		take(page, entities)
		return nil
	})
	var pe *peer.PageError
	if !errors.As(err, &pe) || !errors.Is(err, cut) || pe.Page != pages || pages < 2 {
		t.Fatalf("cut: %d pages, %v", pages, err)
	}
	first := len(seen)
	_, err = peer.Read(ctx, c, root, collection, taxii.Query{Limit: 1, AddedAfter: cursor}, func(page *taxii.Page, entities []ctis.Entity) error {
		take(page, entities)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := a.statements(ctistest.As(de, ctis.RoleAnalyst))
	for id, n := range seen {
		if n != 1 {
			t.Errorf("statement %s read %d times", id, n)
		}
	}
	if first == 0 || len(seen) != len(want) {
		t.Errorf("read %d statements, then %d in all; DE-BKA may read %d", first, len(seen), len(want))
	}
}
