package web

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

// TestBarChart: the chart is well-formed SVG named by its caption, a bar
// per value with the value as its title, bars scaled to the largest, and a
// legend naming every series; hostile labels are escaped; nothing to show
// draws nothing.
func TestBarChart(t *testing.T) {
	num := func(v any) string { return fmt.Sprint(v) }
	got := string(barChart("c1", "Requests <by kind>", []string{"mla", "extradition"},
		[]series{{"sent", []float64{4, 2}}, {"answered", []float64{3, 0}}, {`"><script>`, []float64{1, 1}}}, num))
	if strings.Contains(got, "<script>") {
		t.Fatalf("a label is not escaped:\n%s", got)
	}
	inner := got[strings.Index(got, "<svg") : strings.Index(got, "</svg>")+6]
	if err := xml.Unmarshal([]byte(inner), new(struct{})); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, inner)
	}
	for _, want := range []string{`role="img"`, `aria-labelledby="c1-title"`, "<title id=\"c1-title\">Requests &lt;by kind&gt;</title>",
		"<title>mla — sent: 4</title>", "<title>extradition — answered: 0</title>", ">answered</text>", "<figcaption>"} {
		if !strings.Contains(got, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if n := strings.Count(got, "<rect x="); n != 6+3 { // six bars, three legend keys
		t.Errorf("%d rects", n)
	}
	// The tallest bar fills the plot up to a nice top: 4 of 5.
	if !strings.Contains(got, `height="134.4"`) {
		t.Errorf("the bar of 4 is not scaled to a top of 5:\n%s", got)
	}
	if barChart("c2", "empty", []string{"mla"}, []series{{"sent", []float64{0}}}, num) != "" {
		t.Error("a chart of zeros is drawn")
	}
	for v, want := range map[float64]float64{3: 5, 4: 5, 7: 10, 12: 20, 0.3: 0.5, 100: 100} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
}

// TestFeedWords: the live feed's script writes an alert's severity and
// handling in the page's language.
func TestFeedWords(t *testing.T) {
	var w map[string]string
	if err := json.Unmarshal([]byte(feedWords(newLocale("fr"))), &w); err != nil {
		t.Fatal(err)
	}
	if w["severity.high"] != "élevée" || w["badge.frontline"] != "première ligne" || !strings.Contains(w["badge.agencies"], "%s") || len(w) != 10 {
		t.Errorf("French words for the feed: %v", w)
	}
}
