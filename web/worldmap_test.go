package web

import "testing"

// TestWorldMap: the embedded outlines decode, and known countries are
// pinned where they are.
func TestWorldMap(t *testing.T) {
	world, err := worldMap()
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]country{}
	for _, c := range world {
		at[c.Code] = c
	}
	for code, want := range map[string][2]float64{"FR": {2.5, 46.5}, "TR": {35, 39}, "BR": {-52, -10}, "JO": {36.5, 31}} {
		c, ok := at[code]
		if !ok {
			t.Errorf("no %s on the map", code)
			continue
		}
		x, y := project(want[0], want[1])
		if d := (c.X-x)*(c.X-x) + (c.Y-y)*(c.Y-y); d > 12*12 {
			t.Errorf("%s pinned at %.0f,%.0f; want near %.0f,%.0f", code, c.X, c.Y, x, y)
		}
	}
}
