package matcher

import (
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"
)

type benchCase struct {
	group, schema, a, b, quality, category, notes string
	match                                        bool
}

func loadNameBench(t testing.TB) []benchCase {
	f, err := os.Open("testdata/name_bench_cases.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []benchCase
	for _, r := range rows[1:] {
		out = append(out, benchCase{group: r[0], schema: r[1], a: r[2], b: r[3], match: r[4] == "true", quality: r[5], category: r[6], notes: r[7]})
	}
	return out
}

func benchScore(c benchCase) (float64, string) {
	q := Query{Name: c.a, Schema: c.schema}
	r := Record{ID: "x", Names: []string{c.b}, Schema: c.schema}
	m := Compare(q, r)
	return m.Score, m.Components[0].Detail
}

func TestNameBenchDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	cases := loadNameBench(t)
	for _, th := range []float64{0.65, 0.7, 0.75, 0.8, 0.85} {
		tp, fp, fn, tn := 0, 0, 0, 0
		for _, c := range cases {
			s, _ := benchScore(c)
			switch {
			case s >= th && c.match:
				tp++
			case s >= th:
				fp++
			case c.match:
				fn++
			default:
				tn++
			}
		}
		p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
		fmt.Printf("th=%.2f P=%.3f R=%.3f F1=%.3f tp=%d fp=%d fn=%d tn=%d\n", th, p, r, 2*p*r/(p+r), tp, fp, fn, tn)
	}
	th := DefaultThreshold
	for _, c := range cases {
		s, d := benchScore(c)
		if (s >= th) != c.match {
			fmt.Printf("%-5v %.3f %-8s %-40q %-40q | %s | %s\n", c.match, s, c.schema, c.a, c.b, c.notes, d)
		}
	}
}

func loadCSV(t testing.TB, name string) [][]string {
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func splitBar(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// unIndex indexes the UN list's Latin names (no original-script names).
func unIndex(t testing.TB) *Index {
	ix := NewIndex()
	for _, r := range loadCSV(t, "un_list.csv") {
		schema := "Person"
		if r[2] == "entity" {
			schema = "Organization"
		}
		if err := ix.Add(Record{ID: r[0], Tag: r[1], Schema: schema, Names: splitBar(r[3]), BirthDates: splitBar(r[4]), Gender: r[5], Documents: splitBar(r[6])}); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

func TestUNOriginalScriptDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	ix := unIndex(t)
	type stat struct{ n, top1, any int }
	st := map[string]*stat{}
	for _, r := range loadCSV(t, "un_original_script_pairs.csv") {
		script := r[6]
		if st[script] == nil {
			st[script] = &stat{}
		}
		s := st[script]
		s.n++
		schema := "Person"
		if r[0] == "entity" {
			schema = "Organization"
		}
		ms := ix.Query(Query{Name: r[5], Schema: schema, MinScore: 0.01}, 5)
		hit := false
		for _, m := range ms {
			if m.Score < ms[0].Score || m.Score < DefaultThreshold {
				break
			}
			hit = hit || m.ID == r[1] // rank 1, ties included
		}
		if hit {
			s.top1++
		} else {
			for _, m := range ms {
				if m.ID == r[1] {
					fmt.Printf("   true record at %.2f: %s\n", m.Score, m.Components[0].Detail)
				}
			}
			got := "-"
			if len(ms) > 0 {
				got = fmt.Sprintf("%s %.2f %s", ms[0].Tag, ms[0].Score, ms[0].Components[0].Detail)
			}
			fmt.Printf("MISS %s %s %q want %s %q got %s\n", script, r[0], r[5], r[2], r[4], got)
		}
	}
	for k, s := range st {
		fmt.Printf("%s: %d/%d = %.3f\n", k, s.top1, s.n, float64(s.top1)/float64(s.n))
	}
}
