package matcher

import (
	"fmt"
	"testing"
)

// TestKeepIsolatesRecords queries an index holding many rejected records
// that match better than the accepted ones; the answer must be the one an
// index of the accepted records alone gives.
func TestKeepIsolatesRecords(t *testing.T) {
	full, alone := NewIndex(), NewIndex()
	add := func(ix *Index, r Record) {
		if err := ix.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5000 {
		r := Record{ID: fmt.Sprintf("hidden-%d", i), Names: []string{fmt.Sprintf("Abdallah Azzam %d", i)}, Documents: []string{"X1234567"}, Class: 2}
		add(full, r)
	}
	for i, n := range []string{"Abdullah Yusuf Azzam", "Abdallah Azam", "Abdulla Azzam Khan"} {
		r := Record{ID: fmt.Sprintf("visible-%d", i), Names: []string{n}, Class: 1}
		add(full, r)
		add(alone, r)
	}
	visible := func(class uint32) bool { return class == 1 }
	for _, q := range []Query{
		{Name: "Abdallah Azzam"},
		{Name: "Abdallah Azzam", Document: "X1234567"},
		{Name: "عبد الله عزام"},
	} {
		want := alone.Query(q, 10)
		q.Keep = visible
		got := full.Query(q, 10)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%+v:\n got %v\nwant %v", q.Name, got, want)
		}
		if len(want) == 0 {
			t.Errorf("%q finds nothing; the test tests nothing", q.Name)
		}
	}
}
