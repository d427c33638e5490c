package loadbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"ctis"
	"ctis/screenbench"
)

// kind is what a request does.
type kind uint8

const (
	screenListed   kind = iota // screen a listed person: expect hits
	screenUnlisted             // screen a generated person who is not listed
	write                      // create an entity with one statement
	kinds
)

var kindNames = [kinds]string{"screen (listed)", "screen (not listed)", "write"}

// outcome is what became of one scheduled request.
type outcome struct {
	kind kind
	// at is when the request was due, from the start of the load; sent is
	// how late the sender was in sending it (the client's own lag).
	at, sent time.Duration
	// latency runs from when the request was due to the end of its answer,
	// so that a stall delays every request due during it, not only the
	// one in flight (no coordinated omission).
	latency time.Duration
	status  int
	// fail is the kind of failure; "" for a 2xx answer read whole.
	fail string
	// hits are the IDs of the hits a screening returned: each is in the
	// review queue, acknowledged. entity and statements are what a write
	// returned as created.
	hits       []string
	entity     string
	statements []string
	// server is the serve process that answered, as the balancer names it.
	server string
}

// mix draws the requests: a share of writes, and screenings of listed
// people (some hit) and of people who are not listed (most do not).
type mix struct {
	rng            *rand.Rand
	people         *screenbench.People
	listed         []ctis.Subject
	listedShare    float64
	writeShare     float64
	written, runID int
}

func newMix(o *Options, f *fixture) (*mix, error) {
	// Another seed than the stored persons': these people are not listed,
	// though a few may share a listed person's name and year.
	people, err := screenbench.NewPeople(o.Seed + 1_000_003)
	if err != nil {
		return nil, err
	}
	return &mix{rng: rand.New(rand.NewPCG(o.Seed, 0x10ad)), people: people, listed: f.listed,
		listedShare: o.Listed, writeShare: o.Writes, runID: int(time.Now().Unix())}, nil
}

// screenBody is POST /screen's body.
type screenBody struct {
	ctis.Subject
	Purpose string `json:"purpose"`
}

func (m *mix) next() (kind, []byte) {
	if m.rng.Float64() < m.writeShare {
		m.written++
		// No personal data: a modus operandi, released to its originator.
		b, _ := json.Marshal(ctis.NewEntity{Schema: "ModusOperandi", Statements: []ctis.NewStatement{
			{Property: "title", Value: "Load benchmark statement " + strconv.Itoa(m.runID) + "-" + strconv.Itoa(m.written), Grading: "C3"},
		}})
		return write, b
	}
	k, s := m.subject()
	b, _ := json.Marshal(screenBody{Subject: s, Purpose: purpose})
	return k, b
}

// subject draws a person to screen: a listed one (a listedShare of them)
// or one who is not listed.
func (m *mix) subject() (kind, ctis.Subject) {
	if len(m.listed) > 0 && m.rng.Float64() < m.listedShare {
		return screenListed, m.listed[m.rng.IntN(len(m.listed))]
	}
	p := m.people.Next()
	return screenUnlisted, ctis.Subject{Name: p.Name, BirthDate: p.BirthDate, Nationality: p.Nationality, Gender: p.Gender}
}

// driver sends the scheduled requests to the balancer.
type driver struct {
	url                     string
	client                  *http.Client
	screenToken, writeToken string
	keys                    bool // send an Idempotency-Key with each request
	// answered and failed count the outcomes so far, for progress lines.
	answered, failed atomic.Int64
	// start is when the schedule began, once run has begun it.
	start time.Time
}

func newDriver(o *Options, url string, f *fixture) *driver {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.Connections,
		MaxIdleConnsPerHost: o.Connections,
		// Requests beyond the cap wait for a connection: that wait counts in
		// their latency, measured from when they were due.
		MaxConnsPerHost:    o.Connections,
		IdleConnTimeout:    90 * time.Second,
		DisableCompression: true,
	}
	return &driver{url: url, client: &http.Client{Transport: tr, Timeout: o.Timeout}, screenToken: f.screenToken, writeToken: f.writeToken, keys: !o.NoKeys}
}

// run sends o.Rate requests a second for o.Duration on a fixed schedule,
// whatever the answers' latency, calls tick as each second of the
// schedule begins with the counts so far, and returns every request's
// outcome once all are answered or timed out. Cancelling ctx stops the
// schedule early.
//
// kill, if not nil, is called o.KillAfter into the schedule.
func (d *driver) run(ctx context.Context, o *Options, m *mix, tick func(second, sent, answered, failed int), kill func()) []outcome {
	n := int(o.Rate * o.Duration.Seconds())
	out := make([]outcome, n)
	interval := float64(time.Second) / o.Rate
	var wg sync.WaitGroup
	start := time.Now().Add(50 * time.Millisecond)
	d.start = start
	if kill != nil {
		t := time.AfterFunc(time.Until(start.Add(o.KillAfter)), kill)
		defer t.Stop()
	}
	timer := time.NewTimer(0)
	<-timer.C
	second := 1
	for i := range n {
		at := time.Duration(float64(i) * interval)
		if d := time.Until(start.Add(at)); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				out = out[:i]
				wg.Wait()
				return out
			}
		} else if ctx.Err() != nil {
			out = out[:i]
			break
		}
		if at >= time.Duration(second)*time.Second {
			tick(second, i, int(d.answered.Load()), int(d.failed.Load()))
			second++
		}
		k, body := m.next()
		out[i] = outcome{kind: k, at: at}
		wg.Add(1)
		go func(o *outcome) {
			defer wg.Done()
			d.send(start, o, body)
			if o.fail == "" {
				d.answered.Add(1)
			} else {
				d.failed.Add(1)
			}
		}(&out[i])
	}
	wg.Wait()
	return out
}

// send sends one request due at start+o.at and records its outcome.
func (d *driver) send(start time.Time, o *outcome, body []byte) {
	due := start.Add(o.at)
	o.sent = time.Since(due)
	path, token := "/api/v1/screen", d.screenToken
	if o.kind == write {
		path, token = "/api/v1/entities", d.writeToken
	}
	req, err := http.NewRequest(http.MethodPost, d.url+path, bytes.NewReader(body))
	if err != nil {
		o.fail = err.Error()
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if d.keys {
		// Safe to send again: if the process that takes it dies, the
		// balancer sends it to another, which does it once.
		req.Header.Set("Idempotency-Key", ctis.NewID())
	}
	res, err := d.client.Do(req)
	if err != nil {
		o.latency, o.fail = time.Since(due), failure(err)
		return
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	o.latency, o.status = time.Since(due), res.StatusCode
	o.server = res.Header.Get("X-Served-By")
	if err != nil {
		o.fail = "answer cut short: " + failure(err)
		return
	}
	if res.StatusCode/100 != 2 {
		o.fail = statusFailure(res, b)
		return
	}
	switch o.kind {
	case write:
		var e ctis.Entity
		if err := json.Unmarshal(b, &e); err != nil || e.ID == "" || len(e.Statements) == 0 {
			o.fail = "created entity not in the answer"
			return
		}
		o.entity = e.ID
		for _, s := range e.Statements {
			o.statements = append(o.statements, s.ID)
		}
	default:
		var r struct {
			Hits []struct {
				ID string `json:"id"`
			} `json:"hits"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			o.fail = "screening result not JSON"
			return
		}
		for _, h := range r.Hits {
			o.hits = append(o.hits, h.ID)
		}
	}
}

// failure names the kind of a transport error, without its addresses.
func failure(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(err, syscall.EMFILE):
		return "too many open files"
	}
	return "transport error"
}

// statusFailure names a non-2xx answer by its status, and by its problem
// code when ctis answered (the balancer's own answers are HTML).
func statusFailure(res *http.Response, body []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &p) == nil && p.Code != "" {
		return fmt.Sprintf("HTTP %d %s", res.StatusCode, p.Code)
	}
	return fmt.Sprintf("HTTP %d (from the balancer)", res.StatusCode)
}
