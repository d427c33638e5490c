// Package interop checks ctis's TAXII 2.1 server and client side against
// the OASIS reference implementations: the taxii2-client library pulls
// from and posts to a ctis node, and ctis's TAXII client, reading pages
// as a peer's pull does (Puller), pulls a collection of the medallion
// server.
//
// The run itself (deploy/interop/run) needs Python and the two projects'
// sources, which CI has not; what it records — every HTTP exchange, as an
// Exchange — is kept in testdata and replayed by this package's tests:
// taxii2-client's requests are sent again to an in-process ctis, and
// medallion's answers are served again to ctis's client.
package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
)

// Exchange is one HTTP request and the response it got.
type Exchange struct {
	// Step is the step of the run that sent the request, as the driver
	// named it (the X-Interop-Step header, which is not forwarded).
	Step     string   `json:"step,omitempty"`
	Request  Request  `json:"request"`
	Response Response `json:"response"`
}

// Request is what an Exchange keeps of a request: its method, path and
// query, the headers a TAXII server reads, and its body.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	// Query is the query's parameters in the order sent.
	Query  [][2]string       `json:"query,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   json.RawMessage   `json:"body,omitempty"`
}

// Response is what an Exchange keeps of a response: its status, the
// headers a TAXII client reads, and its body (JSON as JSON, anything else
// as Text).
type Response struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	Body   json.RawMessage   `json:"body,omitempty"`
	Text   string            `json:"text,omitempty"`
}

// requestHeaders and responseHeaders are the headers an Exchange keeps:
// those TAXII gives a meaning, and ctis's purpose. Others (Date, Server,
// User-Agent, Content-Length) say nothing a peer relies on.
var (
	requestHeaders  = []string{"Accept", "Content-Type", "Authorization", "Ctis-Purpose"}
	responseHeaders = []string{"Content-Type", "X-TAXII-Date-Added-First", "X-TAXII-Date-Added-Last", "WWW-Authenticate", "Location"}
)

// StepHeader names the step of a run in a request to the Recorder.
const StepHeader = "X-Interop-Step"

func keep(h http.Header, names []string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		if v := h.Get(n); v != "" {
			out[n] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// jsonBody is b as JSON if it is JSON; ok is false otherwise.
func jsonBody(b []byte) (json.RawMessage, bool) {
	if len(bytes.TrimSpace(b)) == 0 || !json.Valid(b) {
		return nil, false
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// Recorder is a reverse proxy that records every exchange between a
// client and Target, appending each as a JSON line to Out. The Host
// header is forwarded as the client sent it, so that URLs a server builds
// from it (discovery's api_roots) lead back through the Recorder.
type Recorder struct {
	Target string // base URL, such as http://127.0.0.1:8080
	Out    io.Writer
	Client *http.Client

	mu sync.Mutex
}

func (rec *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, strings.TrimSuffix(rec.Target, "/")+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	out.Header.Del(StepHeader)
	out.Host = r.Host
	client := rec.Client
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := client.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	x := Exchange{Step: r.Header.Get(StepHeader)}
	x.Request = Request{Method: r.Method, Path: r.URL.Path, Header: keep(r.Header, requestHeaders)}
	x.Request.Query, err = orderedQuery(r.URL.RawQuery)
	if err != nil {
		x.Request.Query = [][2]string{{"?", r.URL.RawQuery}}
	}
	if j, ok := jsonBody(body); ok {
		x.Request.Body = j
	} else if len(body) > 0 {
		x.Request.Body, _ = json.Marshal(string(body))
	}
	x.Response = Response{Status: res.StatusCode, Header: keep(res.Header, responseHeaders)}
	if j, ok := jsonBody(resBody); ok {
		x.Response.Body = j
	} else {
		x.Response.Text = string(resBody)
	}
	line, _ := json.Marshal(x)
	rec.mu.Lock()
	rec.Out.Write(append(line, '\n'))
	rec.mu.Unlock()
	for k, vs := range res.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(res.StatusCode)
	w.Write(resBody)
}

// orderedQuery splits a raw query into its parameters, in order.
func orderedQuery(raw string) ([][2]string, error) {
	var out [][2]string
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// ReadLines reads exchanges written by a Recorder, one JSON object a line.
func ReadLines(r io.Reader) ([]Exchange, error) {
	var out []Exchange
	dec := json.NewDecoder(r)
	for {
		var x Exchange
		if err := dec.Decode(&x); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("exchange %d: %w", len(out)+1, err)
		}
		out = append(out, x)
	}
}

// Recording is a file of testdata: the exchanges of one part of a run,
// with what a replay needs to know of it.
type Recording struct {
	// About says what was recorded, between which programs, and how.
	About string `json:"about"`
	// User is the demo user whose token the client sent (as {{token}}).
	User      string     `json:"user,omitempty"`
	Exchanges []Exchange `json:"exchanges"`
}

// ReadRecording reads a Recording from a file.
func ReadRecording(path string) (*Recording, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Recording
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// WriteRecording writes r to path, indented, so that a change to a
// recording reads as a diff.
func WriteRecording(path string, r *Recording) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
