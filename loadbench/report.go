package loadbench

import (
	"ctis/benchhost"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"
)

// machine describes where the bench ran: a shared or busy machine's
// figures are not a quiet one's.
type machine struct {
	benchhost.Host
	HAProxy          string
	Database         string
	ServeProcesses   int
	GeneratedPersons int
}

// report is what a run measured.
type report struct {
	Machine  machine
	Rate     float64
	Duration time.Duration
	// Killed names the serve process killed mid-run and when, "" if none.
	Killed   string
	KilledAt time.Duration
	// Gone is how long the killed process took to end.
	Gone time.Duration
	// MarkedDown is how long after the kill the balancer took the killed
	// process out; 0 if it did not say.
	MarkedDown time.Duration
	Out        []outcome
	Durable    durability
	Chain      chain
}

// percentiles of sorted durations.
func percentiles(d []time.Duration) (p50, p90, p99, max time.Duration) {
	if len(d) == 0 {
		return
	}
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return at(0.50), at(0.90), at(0.99), d[len(d)-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// print writes the report.
func (r *report) print(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "machine:   %s\n", m.Host)
	fmt.Fprintf(w, "balancer:  %s\n", m.HAProxy)
	fmt.Fprintf(w, "node:      %d serve processes on %s, UN list and %d generated persons\n", m.ServeProcesses, m.Database, m.GeneratedPersons)
	fmt.Fprintf(w, "load:      open loop, %.0f requests/s for %s, latency from each request's scheduled time\n", r.Rate, r.Duration)
	if r.Killed != "" {
		fmt.Fprintf(w, "kill:      %s killed (SIGKILL) at %.3fs, gone %s later", r.Killed, r.KilledAt.Seconds(), ms(r.Gone))
		if r.MarkedDown > 0 {
			fmt.Fprintf(w, "; HAProxy took it out %s later", ms(r.MarkedDown))
		}
		fmt.Fprintln(w)
	}

	var answered int
	var lat, lag []time.Duration
	var byKind [kinds][]time.Duration
	var sentOf [kinds]int
	fails := map[string]int{}
	atKill := map[string]int{} // failures of requests in flight at the kill
	var last time.Duration
	for _, o := range r.Out {
		sentOf[o.kind]++
		lag = append(lag, o.sent)
		if o.fail != "" {
			fails[o.fail]++
			// Sent before the process was gone, ended after it was killed:
			// the balancer may have handed it to the dying process.
			if r.Killed != "" && o.at+o.sent <= r.KilledAt+r.Gone && r.KilledAt <= o.at+o.latency {
				atKill[o.fail]++
			}
			continue
		}
		answered++
		lat = append(lat, o.latency)
		byKind[o.kind] = append(byKind[o.kind], o.latency)
		last = max(last, o.at+o.latency)
	}
	sent := len(r.Out)
	fmt.Fprintf(w, "\nrequests:  %d sent, %d answered 2xx, %d failed\n", sent, answered, sent-answered)
	if last > 0 {
		fmt.Fprintf(w, "rate:      %.0f/s sent, %.0f/s answered (over %.1fs, to the last answer)\n",
			float64(sent)/r.Duration.Seconds(), float64(answered)/last.Seconds(), last.Seconds())
	}
	slices.Sort(lag)
	_, _, lag99, lagMax := percentiles(lag)
	fmt.Fprintf(w, "sender:    late on its schedule by %s at p99, %s at most (the client shares the machine)\n", ms(lag99), ms(lagMax))
	if len(fails) > 0 {
		fmt.Fprintf(w, "failures:\n")
		for _, k := range slices.Sorted(maps.Keys(fails)) {
			fmt.Fprintf(w, "  %6d  %s", fails[k], k)
			if n := atKill[k]; n > 0 {
				fmt.Fprintf(w, " (%d in flight at the kill)", n)
			}
			fmt.Fprintln(w)
		}
	}

	fmt.Fprintf(w, "\nlatency of the answered requests:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tsent\tanswered\tp50\tp90\tp99\tmax\t")
	row := func(name string, sent int, d []time.Duration) {
		slices.Sort(d)
		p50, p90, p99, mx := percentiles(d)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t\n", name, sent, len(d), ms(p50), ms(p90), ms(p99), ms(mx))
	}
	row("all", sent, lat)
	for k := range kinds {
		row(kindNames[k], sentOf[k], byKind[k])
	}
	tw.Flush()

	fmt.Fprintf(w, "\nper second of the schedule, from its start: requests due, answered 2xx in that second, failed of those due, their p99:\n")
	seconds := int(r.Duration / time.Second)
	due := make([]int, seconds+1)
	failed := make([]int, seconds+1)
	done := make([]int, seconds+int(time.Minute/time.Second)+1)
	each := make([][]time.Duration, seconds+1)
	for _, o := range r.Out {
		s := min(int(o.at/time.Second), seconds)
		due[s]++
		if o.fail != "" {
			failed[s]++
			continue
		}
		each[s] = append(each[s], o.latency)
		if c := int((o.at + o.latency) / time.Second); c < len(done) {
			done[c]++
		}
	}
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "from\tdue\tanswered\tfailed\tp99\t")
	for s := range seconds {
		slices.Sort(each[s])
		_, _, p99, _ := percentiles(each[s])
		mark := ""
		if r.Killed != "" && int(r.KilledAt/time.Second) == s {
			mark = "  ← " + r.Killed + " killed"
		}
		fmt.Fprintf(tw, "%ds\t%d\t%d\t%d\t%s\t%s\n", s, due[s], done[s], failed[s], ms(p99), mark)
	}
	tw.Flush()

	d := r.Durable
	fmt.Fprintf(w, "\nacknowledged writes: %d, found: %d, lost: %d (%d hits queued for review, %d statements)\n",
		d.Acknowledged(), d.Found(), d.Lost(), d.Hits, d.Statements)
	c := r.Chain
	if c.OK {
		fmt.Fprintf(w, "audit chain: %d records from %d processes, verified (head %d %s)\n", c.Events, c.Writers, c.Head.Seq, c.Head.Hash)
	} else {
		fmt.Fprintf(w, "audit chain: broken at record %d: %s (%d records before it verify)\n", c.Broken.Seq, c.Broken.Reason, c.Events)
	}
}
