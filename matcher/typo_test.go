package matcher

import "testing"

func TestEdits(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"cook", "cook", 0}, {"tim", "tom", 1}, {"apple", "appel", 1}, {"sechin", "sechev", 2},
		{"lavrov", "lavrova", 1}, {"abc", "", 3}, {"starmer", "starkey", 2}, {"ab", "ba", 1}, {"abcdef", "fedcba", 3},
	} {
		if got := edits(tt.a, tt.b, 2); got != min(tt.want, 3) {
			t.Errorf("edits(%q, %q) = %d, want %d", tt.a, tt.b, got, min(tt.want, 3))
		}
	}
	if !oneEdit("A1234567", "A1234576") || oneEdit("A1", "A1") || oneEdit("A1", "B2") {
		t.Error("oneEdit")
	}
}

// TestTypos: a letter or two off in one word is a typo when the rest of
// the name agrees, and not when the word is a common name, written in
// characters, or alone.
func TestTypos(t *testing.T) {
	for _, tt := range []struct {
		schema, q, r string
		match        bool
	}{
		{"Person", "Tim Cook", "Tom Cook", true},
		{"Person", "Igor Sechev", "Igor Sechin", true},
		{"Person", "Angela Merkur", "Angela Merkel", true},
		{"Company", "Appel Inc.", "Apple Inc.", true},
		{"Person", "Jang Yong-chol", "Kang Yong-chol", false}, // common Korean family names
		{"Person", "Kim Yong-chol", "Kim Song-chol", false},
		{"Person", "习近朋", "习近平", false},
		{"Person", "Amir Nabil al-Hashimi", "Amir Rahimi", false}, // words left over
		{"Person", "Sechev", "Sechin", false},                     // alone
		{"Person", "Tim Cool", "Tom Cook", false},                 // two typos
	} {
		m := Compare(Query{Name: tt.q, Schema: tt.schema}, Record{ID: "x", Schema: tt.schema, Names: []string{tt.r}})
		if got := m.Score >= DefaultThreshold; got != tt.match {
			t.Errorf("%q ~ %q: %.2f (%s)", tt.q, tt.r, m.Score, m.Components[0].Detail)
		}
	}
}

func TestCutShortAndAcronyms(t *testing.T) {
	for _, tt := range []struct {
		schema, q, r string
		match        bool
	}{
		// A long name cut by a fixed-width field.
		{"Person", "NOUREDDINE BEN ALI BEN BELKASSEM DR", "Noureddine Ben Ali Ben Belkassem DRISSI", true},
		{"Person", "Thomas A. Lind", "Thomas Lindemann", false}, // too short to have been cut
		{"Organization", "PLA", "People’s Liberation Army", true},
		{"Person", "Cho Ji-ho", "Joza Industrial", false},
	} {
		m := Compare(Query{Name: tt.q, Schema: tt.schema}, Record{ID: "x", Schema: tt.schema, Names: []string{tt.r}})
		if got := m.Score >= DefaultThreshold; got != tt.match {
			t.Errorf("%q ~ %q: %.2f (%s)", tt.q, tt.r, m.Score, m.Components[0].Detail)
		}
	}
}

// TestIndexFindsRunTogether finds names written as one word, and
// organisations by their initials, without scanning.
func TestIndexFindsRunTogether(t *testing.T) {
	ix := NewIndex()
	for id, r := range map[string]Record{
		"lavrov": {Schema: "Person", Names: []string{"Sergei Lavrov"}},
		"pol":    {Schema: "Person", Names: []string{"Pol Pot"}},
		"pla":    {Schema: "Organization", Names: []string{"People's Liberation Army"}},
		"other":  {Schema: "Person", Names: []string{"Sergei Ivanov"}},
	} {
		r.ID = id
		if err := ix.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string]string{"SergeiLavrov": "lavrov", "PolPot": "pol", "PLA": "pla"} {
		schema := "Person"
		if q == "PLA" {
			schema = "Organization"
		}
		ms := ix.Query(Query{Name: q, Schema: schema}, 3)
		if len(ms) == 0 || ms[0].ID != want {
			t.Errorf("%s: %+v", q, ms)
		}
	}
}
