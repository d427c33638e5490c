// Package screenbench measures screening: precision and recall on labelled
// name pairs, recall across scripts on the UN list, the false-hit rate on
// people who are not listed, and speed on a generated watchlist of a
// million persons. With a peer — another screener driven over a pipe — it
// runs the same queries through both and prints the two side by side.
//
// It drives the whole engine (store, index, handling, review queue), as a
// frontline officer's screening would, in a temporary directory.
package screenbench

import (
	"bytes"
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"ctis"
	"ctis/demo"
	"ctis/screen"
	"ctis/store"
	"ctis/unlist"
)

//go:embed testdata/*.csv testdata/*.txt testdata/wd_*
var data embed.FS

// Options tune a run.
type Options struct {
	// Records is the size of the generated watchlist; 0 skips the speed test.
	Records int
	// Seed makes the generated people repeatable.
	Seed uint64
	// Peer, when set, is a command line of another screener speaking the
	// peer protocol (see Peer).
	Peer string
	// Dir holds the temporary databases; "" means the system's.
	Dir string
	// Reps is how many times the watchlist's screening figures are
	// measured; the report gives the least, the median and the greatest.
	Reps int
	// CPUProfile, when set, receives a CPU profile of the watchlist's
	// screenings (go tool pprof).
	CPUProfile io.Writer
	// Progress receives a line as each stage starts, and Log the details:
	// each miss, false hit and UN name not found first. nil means none.
	Progress, Log io.Writer
}

func (o *Options) progressf(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format+"\n", args...)
	}
}

// node is a fresh store with the screening engine over it.
type node struct {
	db  *store.DB
	svc *screen.Service
	dir string
}

var operator = ctis.NewContext(context.Background(), ctis.SystemIdentity("bench"))

// screener is the identity the benchmark screens as: a frontline officer,
// as at a border.
var screener = ctis.WithPurpose(ctis.NewContext(context.Background(),
	ctis.Identity{Username: "bench", Agency: "XX-BENCH", Roles: []ctis.Role{ctis.RoleFrontline}}), "screening benchmark")

// contributorAgency originates the benchmark's records.
const contributorAgency = "XX-LIST"

var contributor = ctis.NewContext(context.Background(),
	ctis.Identity{Username: "bench", Agency: contributorAgency, Roles: []ctis.Role{ctis.RoleAnalyst}})

func newNode(o *Options) (*node, error) {
	dir, err := os.MkdirTemp(o.Dir, "ctis-bench-")
	if err != nil {
		return nil, err
	}
	db, err := store.Open(context.Background(), filepath.Join(dir, "bench.db"), store.Options{})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for _, a := range []ctis.Agency{{Code: "XX-BENCH", Name: "Benchmark border service", Country: "UN"}, {Code: "XX-LIST", Name: "Benchmark watchlist", Country: "UN"}} {
		if _, err := db.CreateAgency(operator, a); err != nil {
			db.Close()
			os.RemoveAll(dir)
			return nil, err
		}
	}
	svc, err := screen.New(context.Background(), db)
	if err != nil {
		db.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	return &node{db: db, svc: svc, dir: dir}, nil
}

func (n *node) close() {
	n.db.Close()
	os.RemoveAll(n.dir)
}

// released is how benchmark watchlist entries are shared: with everyone,
// for frontline use.
var released = ctis.Handling{Distribution: ctis.DistAll, Frontline: true}

func readCSV(name string) ([][]string, error) {
	b, err := data.ReadFile("testdata/" + name)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(bytes.NewReader(b))
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rows[1:], nil
}

// unList returns the embedded UN list with its original-script names
// removed, so that they must be found across scripts.
func unList() (*unlist.List, error) {
	l, err := unlist.Parse(bytes.NewReader(demo.UNList))
	if err != nil {
		return nil, err
	}
	for i := range l.Entries {
		l.Entries[i].NameOriginalScript = ""
	}
	return l, nil
}

// schemaOf maps the name benchmark's schemas onto the two that screen.
func schemaOf(s string) string {
	if s == "Person" {
		return "Person"
	}
	return "Organization"
}

// Metrics are a confusion matrix.
type Metrics struct{ TP, FP, FN, TN int }

// Precision is TP / (TP + FP).
func (m Metrics) Precision() float64 { return ratio(m.TP, m.TP+m.FP) }

// Recall is TP / (TP + FN).
func (m Metrics) Recall() float64 { return ratio(m.TP, m.TP+m.FN) }

// F1 is the harmonic mean of precision and recall.
func (m Metrics) F1() float64 {
	p, r := m.Precision(), m.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func (m *Metrics) add(predicted, actual bool) {
	switch {
	case predicted && actual:
		m.TP++
	case predicted:
		m.FP++
	case actual:
		m.FN++
	default:
		m.TN++
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func clean(s string) string { return strings.TrimSpace(s) }

// unStore lets the UN list import add its agency to the store and sync
// its entries through the engine, which indexes them.
type unStore struct {
	*store.DB
	svc *screen.Service
}

func (u unStore) Sync(ctx context.Context, batch []ctis.NewEntity, complete bool, reason string) (*ctis.SyncReport, error) {
	return u.svc.Sync(ctx, batch, complete, reason)
}

func (n *node) unStore() unStore { return unStore{n.db, n.svc} }
