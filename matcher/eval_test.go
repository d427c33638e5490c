package matcher

import (
	"bufio"
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

// Evaluation on labelled data. Run with -v to see the figures:
//
//	go test -v -run 'TestNameBench|TestUNOriginalScript|TestTransliterationAgreement|TestFalseHitRate|TestVariantRecall' ./matcher/
//	go test -run '^$' -bench 'NameBench|UNOriginal' -benchtime 1x ./matcher/

type benchCase struct {
	schema, a, b string
	match        bool
}

func loadNameBench(t testing.TB) []benchCase {
	var out []benchCase
	for _, r := range loadCSV(t, "name_bench_cases.csv") {
		out = append(out, benchCase{schema: r[1], a: r[2], b: r[3], match: r[4] == "true"})
	}
	return out
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

type prf struct{ tp, fp, fn, tn int }

func (c prf) precision() float64 { return float64(c.tp) / float64(max(1, c.tp+c.fp)) }
func (c prf) recall() float64    { return float64(c.tp) / float64(max(1, c.tp+c.fn)) }
func (c prf) f1() float64 {
	p, r := c.precision(), c.recall()
	return 2 * p * r / max(1e-9, p+r)
}

// nameBench scores name_bench_cases.csv: name1 as the query, name2 as
// the record, at a threshold.
func nameBench(t testing.TB, threshold float64) prf {
	var c prf
	for _, bc := range loadNameBench(t) {
		m := Compare(Query{Name: bc.a, Schema: bc.schema}, Record{ID: "x", Schema: bc.schema, Names: []string{bc.b}})
		switch hit := m.Score >= threshold; {
		case hit && bc.match:
			c.tp++
		case hit:
			c.fp++
		case bc.match:
			c.fn++
		default:
			c.tn++
		}
	}
	return c
}

func TestNameBench(t *testing.T) {
	for _, th := range []float64{0.70, DefaultThreshold, 0.85} {
		c := nameBench(t, th)
		t.Logf("name_bench_cases.csv at %.2f: precision %.3f recall %.3f F1 %.3f (tp %d fp %d fn %d tn %d)",
			th, c.precision(), c.recall(), c.f1(), c.tp, c.fp, c.fn, c.tn)
		if th == DefaultThreshold && (c.precision() < 0.9 || c.recall() < 0.8) {
			t.Errorf("precision %.3f recall %.3f at the default threshold, want ≥ 0.90 and ≥ 0.80", c.precision(), c.recall())
		}
	}
}

// BenchmarkNameBench reports precision, recall and F1 on
// name_bench_cases.csv at the default threshold.
func BenchmarkNameBench(b *testing.B) {
	var c prf
	for i := 0; i < b.N; i++ {
		c = nameBench(b, DefaultThreshold)
	}
	b.ReportMetric(c.precision(), "precision")
	b.ReportMetric(c.recall(), "recall")
	b.ReportMetric(c.f1(), "F1")
}

// unIndex indexes the UN list's Latin names, without its original-script
// names.
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

// unRecall screens each original-script name of the UN list against the
// list's Latin names and returns, per script, how many found their own
// entry at rank 1 (ties included) with at least the default threshold.
func unRecall(t testing.TB) (found, total map[string]int) {
	ix := unIndex(t)
	found, total = map[string]int{}, map[string]int{}
	for _, r := range loadCSV(t, "un_original_script_pairs.csv") {
		schema := "Person"
		if r[0] == "entity" {
			schema = "Organization"
		}
		script := r[6]
		total[script]++
		ms := ix.Query(Query{Name: r[5], Schema: schema}, 5)
		for _, m := range ms {
			if m.Score < ms[0].Score {
				break
			}
			if m.ID == r[1] {
				found[script]++
				break
			}
		}
	}
	return found, total
}

func TestUNOriginalScript(t *testing.T) {
	found, total := unRecall(t)
	for _, s := range []string{"ARABIC", "CYRILLIC"} {
		r := float64(found[s]) / float64(total[s])
		t.Logf("UN original-script names, %s: recall at rank 1 %.3f (%d of %d)", s, r, found[s], total[s])
		if r < 0.9 {
			t.Errorf("%s recall at rank 1 %.3f, want ≥ 0.90", s, r)
		}
	}
}

// BenchmarkUNOriginalScript reports recall at rank 1 of the UN list's
// Arabic and Cyrillic names against its Latin ones.
func BenchmarkUNOriginalScript(b *testing.B) {
	var found, total map[string]int
	for i := 0; i < b.N; i++ {
		found, total = unRecall(b)
	}
	b.ReportMetric(float64(found["ARABIC"])/float64(total["ARABIC"]), "arabic-recall@1")
	b.ReportMetric(float64(found["CYRILLIC"])/float64(total["CYRILLIC"]), "cyrillic-recall@1")
}

// agreement reads pairs of a Latin word and its form in another script
// and returns the share the matcher takes for the same word.
func agreement(t testing.TB, file string, parse func(line string) (latin, other string, ok bool)) (float64, int) {
	f, err := os.Open("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, agree := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		latin, other, ok := parse(sc.Text())
		if !ok {
			continue
		}
		n++
		a, b := analyzeTerm(normalize(latin, true)), analyzeTerm(normalize(other, true))
		if s, _ := termSim(a, b, false, false); s >= tokenThreshold {
			agree++
		}
	}
	return float64(agree) / float64(max(1, n)), n
}

func wikidata(line string) (string, string, bool) {
	f := strings.Split(line, "\t")
	if len(f) < 2 {
		return "", "", false
	}
	return f[0], strings.ReplaceAll(f[1], " ", ""), true
}

func TestTransliterationAgreement(t *testing.T) {
	sets := []struct {
		file  string
		parse func(string) (string, string, bool)
		floor float64
	}{
		{"ar2en-test.txt", func(l string) (string, string, bool) {
			f := strings.Split(l, "\t")
			return f[len(f)-1], f[0], len(f) == 2
		}, 0.6},
		{"wd_arabic_sample.tsv", wikidata, 0.5},
		{"wd_russian_sample.tsv", wikidata, 0.6},
	}
	for _, s := range sets {
		r, n := agreement(t, s.file, s.parse)
		t.Logf("transliteration agreement on %s: %.3f of %d pairs", s.file, r, n)
		if r < s.floor {
			t.Errorf("%s: agreement %.3f, want ≥ %.2f", s.file, r, s.floor)
		}
	}
}

// TestFalseHitRate screens 10,000 generated people, none of them listed,
// against the UN list.
func TestFalseHitRate(t *testing.T) {
	if testing.Short() {
		t.Skip("screens 10,000 names")
	}
	ix := unIndex(t)
	g := newGenerator(7)
	hits := 0
	const n = 10000
	for i := 0; i < n; i++ {
		p := g.person("q")
		if ms := ix.Query(Query{Name: p.Names[0], BirthDate: p.BirthDates[0]}, 1); len(ms) > 0 {
			hits++
		}
	}
	rate := float64(hits) / n
	t.Logf("false-hit rate of %d generated people against the UN list: %.4f", n, rate)
	if rate > 0.01 {
		t.Errorf("false-hit rate %.4f, want ≤ 0.01", rate)
	}
}
