package syncbench

import (
	"fmt"
	"io"
	"time"

	"ctis/benchhost"
)

// report is what the bench measured.
type report struct {
	o                  Options
	store              string
	fill               filled
	pulls              []pulled
	pollLags, pushLags []time.Duration
	host               benchhost.Host
}

func (r report) write(w io.Writer) {
	f := r.fill
	fmt.Fprintf(w, "ctis bench sync: node A (%s) holds %d statements on %d entities (%d references, which travel as relationships);\n",
		r.store, f.statements, f.entities, f.references)
	fmt.Fprintf(w, "node B (a new SQLite file each run) pulls it through the TAXII 2.1 client over mutual TLS on loopback, %d objects a page\n", r.o.Page)
	fmt.Fprintf(w, "fill of node A: %s (%.0f statements/s)\n", f.took.Round(100*time.Millisecond), float64(f.statements)/f.took.Seconds())
	var took, objects, statements []time.Duration
	for _, p := range r.pulls {
		took = append(took, p.took)
		// Rates as durations per unit are ordered like the times; they
		// are turned back into rates below.
		objects = append(objects, p.took/time.Duration(max(1, f.entities+f.references)))
		statements = append(statements, p.took/time.Duration(max(1, p.statements)))
	}
	if lo, mid, hi, err := spread(took); err == nil {
		fmt.Fprintf(w, "full pull, %d runs: total time min %s, median %s, max %s\n", len(took), lo.Round(time.Millisecond), mid.Round(time.Millisecond), hi.Round(time.Millisecond))
		rate := func(d time.Duration) float64 { return float64(time.Second) / float64(d) }
		lo, mid, hi, _ = spread(objects)
		fmt.Fprintf(w, "  objects/s (entities and relationships): min %.0f, median %.0f, max %.0f\n", rate(hi), rate(mid), rate(lo))
		lo, mid, hi, _ = spread(statements)
		fmt.Fprintf(w, "  statements/s: min %.0f, median %.0f, max %.0f\n", rate(hi), rate(mid), rate(lo))
		fmt.Fprintf(w, "  pages: %d a run\n", r.pulls[0].pages)
	}
	if lo, mid, hi, err := spread(r.pollLags); err == nil {
		fmt.Fprintf(w, "lag of one new statement A→B, B polling every %s, %d statements written at random points of the interval: min %s, median %s, max %s\n",
			r.o.Poll, len(r.pollLags), lo.Round(time.Millisecond), mid.Round(time.Millisecond), hi.Round(time.Millisecond))
	}
	if lo, mid, hi, err := spread(r.pushLags); err == nil {
		fmt.Fprintf(w, "lag of one new statement A→B with the push trigger (B still polling every %s), %d statements: min %s, median %s, max %s\n",
			r.o.Poll, len(r.pushLags), lo.Round(time.Millisecond), mid.Round(time.Millisecond), hi.Round(time.Millisecond))
	}
	fmt.Fprintf(w, "machine: %s\n", r.host)
}
