package loadbench

import (
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"ctis"
)

func TestFiguresAndRatios(t *testing.T) {
	// 1..100 ms, shuffled: figuresOf sorts.
	var d []time.Duration
	for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(100) {
		d = append(d, time.Duration(i+1)*time.Millisecond)
	}
	f := figuresOf(d)
	want := figures{P50: 51 * time.Millisecond, P90: 91 * time.Millisecond, P99: 100 * time.Millisecond, Max: 100 * time.Millisecond}
	if f != want {
		t.Errorf("figuresOf = %+v, want %+v", f, want)
	}
	if got := ratio(3*time.Millisecond, 2*time.Millisecond); got != 1.5 {
		t.Errorf("ratio 3ms/2ms = %v", got)
	}
	if got := ratio(time.Millisecond, 0); got != 0 {
		t.Errorf("ratio over nothing = %v", got)
	}
}

func TestQueriesMixAndPerturb(t *testing.T) {
	o := &Options{Seed: 5, Listed: 0.5}
	f := &fixture{listed: []ctis.Subject{{Name: "Abdul Qadeer Basir", BirthDate: "1964"}}}
	qs, err := queries(o, f, 600)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := queries(o, f, 600)
	var listed, asListed, reordered, dropped int
	for i, q := range qs {
		if q.name != again[i].name {
			t.Fatalf("query %d differs between draws of the same seed: %q, %q", i, q.name, again[i].name)
		}
		if !strings.Contains(string(q.body), q.name) {
			t.Fatalf("the body does not carry the name %q: %s", q.name, q.body)
		}
		if q.kind != screenListed {
			continue
		}
		listed++
		switch q.name {
		case "Abdul Qadeer Basir":
			asListed++
		case "Basir Abdul Qadeer":
			reordered++
		default:
			if len(q.name) != len("Abdul Qadeer Basir")-1 {
				t.Errorf("a listed name perturbed beyond one letter: %q", q.name)
			}
			dropped++
		}
	}
	if listed < 250 || listed > 350 || asListed == 0 || reordered == 0 || dropped == 0 {
		t.Errorf("of 600 queries %d listed: %d as listed, %d reordered, %d with a letter dropped", listed, asListed, reordered, dropped)
	}
}

func TestSequentialOptionsRefused(t *testing.T) {
	ok := SequentialOptions{Command: func(args ...string) *exec.Cmd { return exec.Command("ctis", args...) }}
	for _, c := range []struct {
		change func(*SequentialOptions)
		want   string
	}{
		{func(o *SequentialOptions) { o.PeerCmd = "watchman" }, "--peer-url"},
		{func(o *SequentialOptions) { o.PeerURL = "http://127.0.0.1:8084/v2/search?name=x" }, "{name}"},
		{func(o *SequentialOptions) { o.DB = "ctis.db" }, "postgres://"},
		{func(o *SequentialOptions) { o.Rounds = -1 }, "--rounds"},
	} {
		o := ok
		c.change(&o)
		if err := o.defaults(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error saying %q", o, err, c.want)
		}
	}
	o := ok
	if err := o.defaults(); err != nil || o.Rounds != 5 || o.Queries != 1000 {
		t.Errorf("defaults: %v, %+v", err, o)
	}
}
