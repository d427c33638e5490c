package main

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ctis"
)

// Issue 12: a subject with a malformed birth date, an unknown nationality
// or a bad gender was refused, and with it the whole batch or file it came
// in. Each such detail is now left out with a warning in the subject's
// result, and the subject screened on the rest; only a subject with
// nothing to screen by fails, in its own result.
func TestProbeBatchMalformedFieldsAreScreened(t *testing.T) {
	p := newProbeNode(t)

	var got struct{ Results []ctis.ScreenResult }
	p.API(t, "border.de", "POST", "/api/v1/screen/batch", map[string]any{"subjects": []map[string]string{
		{"name": "Eric Badege", "birth_date": "1969-7-16"},
		{"name": "Eric Badege", "birth_date": "1974-01-32", "nationality": "Atlantis"},
		{"name": "Eric Badege", "birth_date": "1968-13-30", "gender": "M"},
		{"name": "", "nationality": "CD"},
	}}, "Ctis-Purpose: probe").Want(t, http.StatusOK).JSON(t, &got)
	if len(got.Results) != 4 {
		t.Fatalf("%d results", len(got.Results))
	}
	for i, r := range got.Results[:3] {
		if len(r.Hits) == 0 || r.Hits[0].Reference != "CDi.001" || len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "screened without birth_date") {
			t.Errorf("subject %d: %+v", i+1, r)
		}
	}
	if r := got.Results[3]; r.Error == nil || r.Error.Field != "subjects[3].name" || len(r.Hits) != 0 {
		t.Errorf("nameless subject: %+v", r)
	}

	b := p.Browser(t, "border.de")
	file := "name,birth_date,nationality,gender,document_number\n" +
		"Eric Badege,1969-7-16,,,\n" +
		"Eric Badege,1971,Atlantis,,\n" +
		",,,,\n"
	page := b.PostFile(t, "/screen", "/screen/file", url.Values{"purpose": {"probe"}}, "file", "people.csv", []byte(file))
	if page.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", page.Status, page.Body)
	}
	for _, want := range []string{"screened without birth_date", "screened without nationality", "CDi.001", "Not screened: no name given"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the results page does not say %q", want)
		}
	}
	download := b.PostFile(t, "/screen", "/screen/file", url.Values{"purpose": {"probe"}, "download": {"on"}}, "file", "people.csv", []byte(file))
	rows, err := csv.NewReader(strings.NewReader(download.Body)).ReadAll()
	if download.Status != http.StatusOK || err != nil || len(rows) < 4 {
		t.Fatalf("download: %d %v\n%s", download.Status, err, download.Body)
	}
	if rows[0][len(rows[0])-1] != "warnings" {
		t.Errorf("header %q", rows[0])
	}
	results := map[string][]string{}
	for _, r := range rows[1:] {
		results[r[0]] = r
	}
	if r := results["1"]; r[5] != "hit" || !strings.Contains(r[11], "screened without birth_date") {
		t.Errorf("row of subject 1: %q", r)
	}
	if r := results["2"]; r[5] != "hit" || !strings.Contains(r[11], "screened without nationality") {
		t.Errorf("row of subject 2: %q", r)
	}
	if r := results["3"]; !strings.HasPrefix(r[5], "not screened: no name given") {
		t.Errorf("row of subject 3: %q", r)
	}
}
