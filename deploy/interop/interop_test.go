package interop

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRecorder proxies a request and records it: the step header is
// kept in the record and not forwarded, the Host is the client's, and
// only the headers that matter are kept.
func TestRecorder(t *testing.T) {
	var gotStep, gotHost string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotStep, gotHost = r.Header.Get(StepHeader), r.Host
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/taxii+json;version=2.1")
		w.Header().Set("X-TAXII-Date-Added-First", "2026-01-01T00:00:00.000Z")
		w.Header().Set("X-Other", "dropped")
		w.WriteHeader(http.StatusAccepted)
		w.Write(b)
	}))
	defer target.Close()
	var out bytes.Buffer
	proxy := httptest.NewServer(&Recorder{Target: target.URL, Out: &out})
	defer proxy.Close()
	req, _ := http.NewRequest("POST", proxy.URL+"/taxii2/api/?b=2&a=x%2Cy", strings.NewReader(`{"objects": [1]}`))
	req.Header.Set(StepHeader, "post")
	req.Header.Set("Authorization", "Bearer secret")
	req.Header.Set("User-Agent", "dropped")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 202 || string(body) != `{"objects": [1]}` || res.Header.Get("X-Other") != "dropped" {
		t.Fatalf("proxied: %d %s %v", res.StatusCode, body, res.Header)
	}
	if gotStep != "" || gotHost != strings.TrimPrefix(proxy.URL, "http://") {
		t.Errorf("forwarded step %q, host %q", gotStep, gotHost)
	}
	xs, err := ReadLines(&out)
	if err != nil || len(xs) != 1 {
		t.Fatalf("%v: %d exchanges", err, len(xs))
	}
	x := xs[0]
	if x.Step != "post" || x.Request.Method != "POST" || x.Request.Path != "/taxii2/api/" ||
		len(x.Request.Query) != 2 || x.Request.Query[0] != [2]string{"b", "2"} || x.Request.Query[1] != [2]string{"a", "x,y"} ||
		x.Request.Header["Authorization"] != "Bearer secret" || x.Request.Header["User-Agent"] != "" ||
		string(x.Request.Body) != `{"objects":[1]}` {
		t.Errorf("request %+v", x.Request)
	}
	if x.Response.Status != 202 || x.Response.Header["X-TAXII-Date-Added-First"] == "" || x.Response.Header["X-Other"] != "" ||
		string(x.Response.Body) != `{"objects":[1]}` {
		t.Errorf("response %+v", x.Response)
	}
}

// TestNormalise replaces the token, the base URL and what a client
// learned from a response, there and where a later request sent it, and
// leaves what the client sent of its own.
func TestNormalise(t *testing.T) {
	xs := []Exchange{
		{Request: Request{Method: "GET", Path: "/taxii2/", Header: map[string]string{"Authorization": "Bearer tok"}},
			Response: Response{Status: 200, Body: []byte(`{"api_roots":["http://127.0.0.1:1/taxii2/api/"]}`)}},
		{Request: Request{Method: "GET", Path: "/taxii2/api/collections/c1/manifest/", Query: [][2]string{{"limit", "3"}}},
			Response: Response{Status: 200, Header: map[string]string{"X-TAXII-Date-Added-Last": "2026-01-02T00:00:00.000Z"},
				Body: []byte(`{"more":true,"next":"abc","objects":[{"id":"identity--1","date_added":"2026-01-01T00:00:00.000Z","version":"2026-01-01T00:00:00.000Z"}]}`)}},
		{Request: Request{Method: "GET", Path: "/taxii2/api/collections/c1/objects/identity--1/",
			Query: [][2]string{{"next", "abc"}, {"added_after", "2026-01-01T00:00:00.000Z"}, {"limit", "3"}}},
			Response: Response{Status: 200, Body: []byte(`{"objects":[{"id":"identity--1","type":"identity","created":"2026-01-01T00:00:00.000Z"}]}`)}},
		{Request: Request{Method: "POST", Path: "/taxii2/api/collections/c1/objects/", Body: []byte(`{"objects":[{"id":"identity--2"}]}`)},
			Response: Response{Status: 202, Body: []byte(`{"id":"s1","status":"complete","total_count":1}`)}},
		{Request: Request{Method: "GET", Path: "/taxii2/api/status/s1/"}, Response: Response{Status: 200}},
	}
	got, err := Normalise(xs, "http://127.0.0.1:1", "tok")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ what, have, want string }{
		{"token", got[0].Request.Header["Authorization"], "Bearer {{token}}"},
		{"base", string(got[0].Response.Body), `{"api_roots":["{{base}}/taxii2/api/"]}`},
		{"header", got[1].Response.Header["X-TAXII-Date-Added-Last"], "{{time.1}}"},
		{"manifest", string(got[1].Response.Body), `{"more":true,"next":"{{next.1}}","objects":[{"date_added":"{{time.2}}","id":"{{object.1}}","version":"{{time.2}}"}]}`},
		{"path", got[2].Request.Path, "/taxii2/api/collections/c1/objects/{{object.1}}/"},
		{"next", got[2].Request.Query[0][1], "{{next.1}}"},
		{"added_after", got[2].Request.Query[1][1], "{{time.2}}"},
		{"limit", got[2].Request.Query[2][1], "3"},
		{"envelope", string(got[2].Response.Body), `{"objects":[{"created":"2026-01-01T00:00:00.000Z","id":"{{object.1}}","type":"identity"}]}`},
		{"posted", string(got[3].Request.Body), `{"objects":[{"id":"identity--2"}]}`},
		{"status", got[4].Request.Path, "/taxii2/api/status/{{status.1}}/"},
	} {
		if c.have != c.want {
			t.Errorf("%s: %s, want %s", c.what, c.have, c.want)
		}
	}
	if !Placeholder("{{object.12}}") || Placeholder("{{token}}") || Placeholder("x{{time.1}}") {
		t.Error("Placeholder")
	}
}

// TestMedallionDataAddedApart gives objects that share a version each a
// date_added of its own, in the order of their versions, and keeps their
// versions.
func TestMedallionDataAddedApart(t *testing.T) {
	bundle := `{"type":"bundle","id":"bundle--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061","objects":[
		{"type":"identity","id":"identity--00000000-0000-4000-8000-000000000003","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-02T00:00:00.000Z"},
		{"type":"identity","id":"identity--00000000-0000-4000-8000-000000000001","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z"},
		{"type":"marking-definition","id":"marking-definition--00000000-0000-4000-8000-000000000002","created":"2026-01-01T00:00:00.000Z"}]}`
	b, n, err := MedallionData([]byte(bundle), "http://127.0.0.1:1/ctis/", 0)
	if err != nil || n != 3 {
		t.Fatalf("%d objects: %v", n, err)
	}
	var data map[string]struct {
		Collections []struct {
			Manifest []map[string]string `json:"manifest"`
		} `json:"collections"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range data["ctis"].Collections[0].Manifest {
		got = append(got, m["id"][len(m["id"])-1:]+" "+m["version"]+" "+m["date_added"])
	}
	want := []string{
		"3 2026-01-02T00:00:00.000Z 2026-01-02T00:00:00.000Z",
		"1 2026-01-01T00:00:00.000Z 2026-01-01T00:00:00.000Z",
		"2 2026-01-01T00:00:00.000Z 2026-01-01T00:00:00.001Z",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("manifest:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
