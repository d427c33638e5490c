package screenbench

import (
	"testing"

	"ctis"
)

func TestGeneratorRepeatsAndValidates(t *testing.T) {
	a, err := newGenerator(7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := newGenerator(7)
	for range 2000 {
		p, q := a.person(), b.person()
		if p != q {
			t.Fatalf("the same seed gave %+v and %+v", p, q)
		}
		s := ctis.Subject{Name: p.name, BirthDate: p.birthDate, Nationality: p.nationality, Gender: p.gender}
		if err := s.Validate(); err != nil {
			t.Fatalf("%+v: %v", p, err)
		}
	}
}

func TestMetrics(t *testing.T) {
	var m Metrics
	for _, c := range [][2]bool{{true, true}, {true, true}, {true, false}, {false, true}, {false, false}} {
		m.add(c[0], c[1])
	}
	if m.Precision() != 2.0/3 || m.Recall() != 2.0/3 || m.F1() != 2.0/3 {
		t.Fatalf("%+v: P %v R %v F1 %v", m, m.Precision(), m.Recall(), m.F1())
	}
}

// TestSpeedTestRuns drives the speed test on a small watchlist: the whole
// pipeline, store to review queue, must work at any size.
func TestSpeedTestRuns(t *testing.T) {
	sp, err := SpeedTest(&Options{Records: 3000, Seed: 1, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if sp.P50 <= 0 || sp.Batch300 <= 0 || sp.BytesPerRecord <= 0 {
		t.Fatalf("%+v", sp)
	}
}

func TestPeopleAreTheGeneratorsPersons(t *testing.T) {
	p, err := NewPeople(11)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := newGenerator(11)
	for range 100 {
		got, want := p.Next(), g.person()
		if got != (Person{Name: want.name, BirthDate: want.birthDate, Nationality: want.nationality, Gender: want.gender}) {
			t.Fatalf("People gave %+v, the generator %+v", got, want)
		}
	}
}
