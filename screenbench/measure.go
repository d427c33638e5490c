package screenbench

import (
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/unlist"
)

// NameBench screens the first name of each labelled pair against a
// watchlist of the second names and counts a match when the pair's own
// entry is a hit. Peer, if not nil, scores the same pairs.
func NameBench(o *Options, peer *Peer) (ours, theirs Metrics, err error) {
	rows, err := readCSV("name_bench_cases.csv")
	if err != nil {
		return ours, theirs, err
	}
	n, err := newNode(o)
	if err != nil {
		return ours, theirs, err
	}
	defer n.close()
	batch := make([]ctis.NewEntity, len(rows))
	for i, r := range rows {
		batch[i] = ctis.NewEntity{ID: ctis.DerivedID("name-bench", strconv.Itoa(i)), Schema: schemaOf(r[1]),
			Statements: []ctis.NewStatement{{Property: "name", Value: clean(r[3]), Handling: released}}}
	}
	if _, err := n.svc.Import(contributor, batch); err != nil {
		return ours, theirs, err
	}
	subjects := make([]ctis.Subject, len(rows))
	for i, r := range rows {
		subjects[i] = ctis.Subject{Name: clean(r[2]), Schema: schemaOf(r[1])}
	}
	results, err := screenAll(n, subjects)
	if err != nil {
		return ours, theirs, err
	}
	for i, r := range rows {
		// The store keeps an imported entity under the ID scoped to the
		// importing agency.
		id := ctis.ScopedID(contributorAgency, batch[i].ID)
		hit := false
		for _, h := range results[i].Hits {
			hit = hit || h.EntityID == id
		}
		ours.add(hit, r[4] == "true")
		if want := r[4] == "true"; hit != want {
			o.logf("name pair %s: %q ~ %q (%d hits)", map[bool]string{true: "missed", false: "false hit"}[want], clean(r[2]), clean(r[3]), len(results[i].Hits))
		}
		if peer != nil {
			score, err := peer.Pair(clean(r[2]), clean(r[3]), schemaOf(r[1]))
			if err != nil {
				return ours, theirs, err
			}
			theirs.add(score >= peer.Threshold, r[4] == "true")
		}
	}
	return ours, theirs, nil
}

// screenAll screens subjects in batches.
func screenAll(n *node, subjects []ctis.Subject) ([]ctis.ScreenResult, error) {
	var out []ctis.ScreenResult
	for len(subjects) > 0 {
		chunk := subjects[:min(len(subjects), ctis.MaxBatch)]
		subjects = subjects[len(chunk):]
		res, err := n.svc.ScreenBatch(screener, chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

// Recall counts, per script, how often the listed entry comes first.
type Recall struct {
	Script   string
	Queries  int
	AtRank1  int
	Theirs   int // the peer's count at rank 1
	NotFound []string
}

// Rate is the recall at rank 1.
func (r Recall) Rate() float64 { return ratio(r.AtRank1, r.Queries) }

// UNRecall imports the UN list without its original-script names, screens
// every original-script name of the labelled pairs, and counts how often
// the entry it belongs to is the first hit.
func UNRecall(o *Options, peer *Peer) ([]Recall, error) {
	rows, err := readCSV("un_original_script_pairs.csv")
	if err != nil {
		return nil, err
	}
	n, err := newNode(o)
	if err != nil {
		return nil, err
	}
	defer n.close()
	list, err := unList()
	if err != nil {
		return nil, err
	}
	if _, _, err := unlist.Import(operator, n.unStore(), list); err != nil {
		return nil, err
	}
	byScript := map[string]*Recall{}
	var order []string
	var subjects []ctis.Subject
	var wanted, scripts []string
	for _, r := range rows {
		script := r[6]
		if script != "ARABIC" && script != "CYRILLIC" {
			continue
		}
		schema := "Person"
		if r[0] == "entity" {
			schema = "Organization"
		}
		subjects = append(subjects, ctis.Subject{Name: r[5], Schema: schema})
		wanted, scripts = append(wanted, r[2]), append(scripts, script)
	}
	results, err := screenAll(n, subjects)
	if err != nil {
		return nil, err
	}
	for i, res := range results {
		rc := byScript[scripts[i]]
		if rc == nil {
			rc = &Recall{Script: strings.ToLower(scripts[i])}
			byScript[scripts[i]] = rc
			order = append(order, scripts[i])
		}
		rc.Queries++
		if len(res.Hits) > 0 && res.Hits[0].Reference == wanted[i] {
			rc.AtRank1++
		} else {
			rc.NotFound = append(rc.NotFound, subjects[i].Name+" ("+wanted[i]+")")
		}
		if peer != nil {
			ms, err := peer.Screen(subjects[i])
			if err != nil {
				return nil, err
			}
			if len(ms) > 0 && ms[0].Reference == wanted[i] && ms[0].Score >= peer.Threshold {
				rc.Theirs++
			}
		}
	}
	var out []Recall
	for _, s := range order {
		out = append(out, *byScript[s])
	}
	return out, nil
}

// FalseHits screens count generated people, none of them listed, against
// the UN list and counts those with any hit, ours and the peer's. It also
// times the first thousand screened one at a time, as at a border desk.
func FalseHits(o *Options, peer *Peer, count int) (ours, theirs int, latency []time.Duration, err error) {
	n, err := newNode(o)
	if err != nil {
		return 0, 0, nil, err
	}
	defer n.close()
	list, err := unList()
	if err != nil {
		return 0, 0, nil, err
	}
	if _, _, err := unlist.Import(operator, n.unStore(), list); err != nil {
		return 0, 0, nil, err
	}
	g, err := newGenerator(o.Seed + 1)
	if err != nil {
		return 0, 0, nil, err
	}
	subjects := make([]ctis.Subject, count)
	for i := range subjects {
		p := g.person()
		subjects[i] = ctis.Subject{Name: p.name, BirthDate: p.birthDate, Nationality: p.nationality, Gender: p.gender}
	}
	results, err := screenAll(n, subjects)
	if err != nil {
		return 0, 0, nil, err
	}
	for _, s := range subjects[:min(1000, len(subjects))] {
		t0 := time.Now()
		if _, err := n.svc.Screen(screener, s); err != nil {
			return 0, 0, nil, err
		}
		latency = append(latency, time.Since(t0))
	}
	for i, r := range results {
		if len(r.Hits) > 0 {
			ours++
			o.logf("false hit: %q ~ %q (%.2f)", subjects[i].Name, r.Hits[0].Matched, r.Hits[0].Score)
		}
		if peer != nil {
			ms, err := peer.Screen(subjects[i])
			if err != nil {
				return 0, 0, nil, err
			}
			if len(ms) > 0 && ms[0].Score >= peer.Threshold {
				theirs++
			}
		}
	}
	return ours, theirs, latency, nil
}
