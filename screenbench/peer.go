package screenbench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"ctis"
	"ctis/demo"
)

// Peer drives another screener over a pipe, so that the same queries run
// through both in one process's run. The peer is started as
//
//	COMMAND... LIST.xml
//
// with the UN consolidated list (original-script names removed) as its
// watchlist, reads one JSON request per line on stdin and answers each
// with one JSON line on stdout:
//
//	{"op":"screen","name":"…","birth_date":"…","schema":"Person"} → {"matches":[{"reference":"QDi.299","score":0.93}, …]}  best first
//	{"op":"pair","name1":"…","name2":"…","schema":"Person"}        → {"score":0.87}
type Peer struct {
	// Name labels the peer in reports.
	Name string
	// Threshold is the peer's own score from which it reports a match.
	Threshold float64
	cmd       *exec.Cmd
	in        io.WriteCloser
	out       *bufio.Scanner
	list      string
	// Latency accumulates the time of each screen request.
	Latency []time.Duration
}

// originalScript matches the list's original-script names, which the peer
// does not get, as ctis does not in the cross-script measurements.
var originalScript = regexp.MustCompile(`(?s)<NAME_ORIGINAL_SCRIPT>.*?</NAME_ORIGINAL_SCRIPT>`)

// PeerMatch is one match a peer reports.
type PeerMatch struct {
	Reference string  `json:"reference"`
	Score     float64 `json:"score"`
}

// StartPeer starts a peer command with the UN list.
func StartPeer(command, name string, threshold float64, dir string) (*Peer, error) {
	f, err := os.CreateTemp(dir, "un-list-*.xml")
	if err != nil {
		return nil, err
	}
	_, err = f.Write(originalScript.ReplaceAll(demo.UNList, nil))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	args := strings.Fields(command)
	cmd := exec.Command(args[0], append(args[1:], f.Name())...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting peer %q: %w", command, err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	return &Peer{Name: name, Threshold: threshold, cmd: cmd, in: in, out: sc, list: f.Name()}, nil
}

func (p *Peer) call(req, resp any) error {
	b, _ := json.Marshal(req)
	if _, err := p.in.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("peer %s: %w", p.Name, err)
	}
	if !p.out.Scan() {
		return fmt.Errorf("peer %s stopped answering: %v", p.Name, p.out.Err())
	}
	return json.Unmarshal(p.out.Bytes(), resp)
}

// Screen asks the peer to screen a subject.
func (p *Peer) Screen(s ctis.Subject) ([]PeerMatch, error) {
	var resp struct {
		Matches []PeerMatch `json:"matches"`
	}
	t0 := time.Now()
	err := p.call(map[string]string{"op": "screen", "name": s.Name, "birth_date": s.BirthDate, "schema": s.Schema}, &resp)
	p.Latency = append(p.Latency, time.Since(t0))
	return resp.Matches, err
}

// Pair asks the peer to score two names.
func (p *Peer) Pair(name1, name2, schema string) (float64, error) {
	var resp struct {
		Score float64 `json:"score"`
	}
	err := p.call(map[string]string{"op": "pair", "name1": name1, "name2": name2, "schema": schema}, &resp)
	return resp.Score, err
}

// Close stops the peer.
func (p *Peer) Close() error {
	p.in.Close()
	err := p.cmd.Wait()
	os.Remove(p.list)
	return err
}
