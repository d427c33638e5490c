package misp_test

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"ctis"
	"ctis/misp"
)

var (
	all   = ctis.Handling{Distribution: ctis.DistAll, Restriction: ctis.H0}
	allH2 = ctis.Handling{Distribution: ctis.DistAll, Restriction: ctis.H2}
	own   = ctis.Handling{Distribution: ctis.DistOriginator, Restriction: ctis.H0}
	ownH2 = ctis.Handling{Distribution: ctis.DistOriginator, Restriction: ctis.H2}
)

// TestReadFeed: the hand-written feed in testdata gives its hashes and
// URLs, in canonical form and each once, its suspect as a Person, each
// under the handling its distribution and TLP tags allow, and counts
// everything it leaves out.
func TestReadFeed(t *testing.T) {
	f, err := misp.ReadFeed(os.DirFS("testdata/feed"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Events != 2 {
		t.Errorf("%d events", f.Events)
	}
	var got []string
	for _, e := range f.Entries {
		got = append(got, fmt.Sprintf("%s %s %s/%s", e.Type, e.Value, e.Handling.Distribution, e.Handling.Restriction))
	}
	want := []string{
		"md5 d41d8cd98f00b204e9800998ecf8427e all/H0",
		"sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 all/H0",
		"url files.example/v/8812 all/H0",
		"sha256 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae all/H0",
		"md5 098f6bcd4621d373cade4e832627b4f6 all/H0",
		"url channel.example/join/4471 all/H2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("entries:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(f.Entities) != 1 {
		t.Fatalf("%d entities", len(f.Entities))
	}
	p := f.Entities[0]
	var stmts []string
	for _, s := range p.Statements {
		stmts = append(stmts, fmt.Sprintf("%s=%s %s/%s", s.Property, s.Value, s.Handling.Distribution, s.Handling.Restriction))
	}
	wantStmts := []string{"name=Abu Zqtestani all/H2", "alias=Abu Zq al-Fictivi all/H2", "birthDate=1990-04-02 originator/H2", "nationality=IQ all/H2"}
	if p.Schema != "Person" || p.ID != ctis.DerivedID("misp", "3e4f5061-7b8c-4d9e-8fa0-c1d2e3f40512") || !slices.Equal(stmts, wantStmts) {
		t.Errorf("person %s %s:\n%s", p.ID, p.Schema, strings.Join(stmts, "\n"))
	}
	if _, err := p.Validate("2026-03-01"); err != nil {
		t.Errorf("the person does not validate: %v", err)
	}
	wantSkipped := map[string]int{
		"attributes of type ip-dst": 1, "attributes of type domain": 1, "attributes of type sha1": 1, "attributes of type filename": 1,
		"attributes not for detection (to_ids false)": 1, "deleted attributes": 1, "persons not named as suspects (role)": 1,
		"person attributes phone-number": 1, "person attributes nationality that ctis cannot read as a country": 1,
	}
	if !maps.Equal(f.Skipped, wantSkipped) {
		t.Errorf("skipped %v\nwant %v", f.Skipped, wantSkipped)
	}
}

// event is an event file of one attribute, with the event's distribution
// (none when empty), the event's tags and the attribute's.
func event(distribution string, tags []string, attr string) []byte {
	d := ""
	if distribution != "" {
		d = `"distribution":` + distribution + `,`
	}
	return []byte(`{"Event":{"uuid":"5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11","info":"test",` + d + `"Tag":[` + tagList(tags) + `],"Attribute":[` + attr + `]}}`)
}

func tagList(tags []string) string {
	var out []string
	for _, t := range tags {
		out = append(out, `{"name":"`+t+`"}`)
	}
	return strings.Join(out, ",")
}

func md5Attr(extra string) string {
	return `{"uuid":"0b6e6d57-0b0a-4bde-9d0f-5e1a2f3c4d01","type":"md5","to_ids":true,"value":"d41d8cd98f00b204e9800998ecf8427e"` + extra + `}`
}

// TestHandling: the mapping table of the README, narrowest wins across
// the event's distribution, its TLP tags and the attribute's own.
func TestHandling(t *testing.T) {
	for _, tc := range []struct {
		distribution string
		tags         []string
		attr         string
		want         ctis.Handling
	}{
		{`"0"`, nil, "", own},
		{`"1"`, nil, "", allH2},
		{`"2"`, nil, "", all},
		{`"3"`, nil, "", all},
		{`3`, nil, "", all}, // a number, as some tools write it
		{`"4"`, nil, "", own},
		{"", nil, "", own}, // nothing says how far: the importer alone
		{"", []string{"tlp:clear"}, "", all},
		{"", []string{"tlp:white"}, "", all},
		{"", []string{"TLP:GREEN"}, "", all},
		{"", []string{"tlp:amber"}, "", own},
		{"", []string{"tlp:amber+strict"}, "", own},
		{"", []string{"tlp:red"}, "", ownH2},
		{`"3"`, []string{"tlp:green", "tlp:red"}, "", ownH2},
		{`"1"`, []string{"tlp:amber"}, "", ownH2},
		{`"3"`, []string{"tlp:white", "type:OSINT"}, "", all},
		{`"3"`, nil, `,"distribution":"5"`, all},
		{`"3"`, nil, `,"distribution":"0"`, own},
		{`"3"`, nil, `,"distribution":"1"`, allH2},
		{`"0"`, nil, `,"distribution":"3"`, own}, // an attribute never widens its event
		{`"3"`, nil, `,"Tag":[{"name":"tlp:amber"}]`, own},
	} {
		name := fmt.Sprintf("%s %v %s", tc.distribution, tc.tags, tc.attr)
		f, err := misp.ReadEvent(event(tc.distribution, tc.tags, md5Attr(tc.attr)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Entries) != 1 || f.Entries[0].Handling.Distribution != tc.want.Distribution || f.Entries[0].Handling.Restriction != tc.want.Restriction {
			t.Errorf("%s: %+v, want %+v", name, f.Entries, tc.want)
		}
	}
}

// feed is a feed of one event file, named after its uuid.
func feed(manifest string, files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{"manifest.json": {Data: []byte(manifest)}}
	for name, data := range files {
		fs[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fs
}

const manifest = `{"5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11":{"info":"test","Tag":[]}}`
const eventFile = "5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11.json"

// TestReadFeedRefusesBadInput: malformed JSON, an unknown distribution
// or TLP tag, a value that is not what its type says, a manifest naming
// what is not an event file, an event that is not the one listed, and an
// oversized file are refused with the file and the field, and nothing is
// read.
func TestReadFeedRefusesBadInput(t *testing.T) {
	ok := string(event(`"3"`, nil, md5Attr("")))
	for _, tc := range []struct {
		name     string
		manifest string
		event    string
		want     string
	}{
		{"malformed event", manifest, ok[:40], eventFile + ": malformed JSON"},
		{"malformed manifest", `{"5f0c8a1e`, ok, "manifest.json: malformed JSON"},
		{"unknown distribution", manifest, string(event(`"7"`, nil, md5Attr(""))), eventFile + ": Event.distribution: unknown distribution 7 (known: 0 to 4)"},
		{"inherit at event level", manifest, string(event(`"5"`, nil, md5Attr(""))), "Event.distribution: unknown distribution 5"},
		{"distribution not a number", manifest, string(event(`"all"`, nil, md5Attr(""))), "Event.distribution"},
		{"unknown attribute distribution", manifest, string(event(`"3"`, nil, md5Attr(`,"distribution":"9"`))),
			eventFile + ": Event.Attribute[0].distribution: unknown distribution 9 (known: 0 to 5)"},
		{"unknown TLP", manifest, string(event(`"3"`, []string{"tlp:ex:chr"}, md5Attr(""))), `Event.Tag[0].name: unknown TLP tag "tlp:ex:chr"`},
		{"unknown TLP in the manifest", `{"5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11":{"info":"test","Tag":[{"name":"tlp:purple"}]}}`, ok, `unknown TLP tag "tlp:purple"`},
		{"bad md5", manifest, string(event(`"3"`, nil, `{"type":"md5","to_ids":true,"value":"zz"}`)), eventFile + ": Event.Attribute[0].value: a md5 hash is 32 hex digits"},
		{"attribute without type", manifest, string(event(`"3"`, nil, `{"value":"x"}`)), "Event.Attribute[0].type: missing"},
		{"to_ids a string", manifest, string(event(`"3"`, nil, `{"type":"md5","to_ids":"yes","value":"x"}`)), "Event.Attribute.to_ids: expected bool"},
		{"key twice", manifest, `{"Event":{"uuid":"5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11","info":"a","info":"b"}}`, `Event.info: duplicate key`},
		{"no Event", manifest, `{"Events":{}}`, "Event: missing"},
		{"manifest key not a uuid", `{"../secrets":{"info":"x"}}`, ok, `manifest.json: ../secrets: "../secrets" is not an event uuid`},
		{"event file missing", `{"00000000-0000-4000-8000-000000000000":{"info":"test"}}`, ok, "00000000-0000-4000-8000-000000000000.json: cannot open it"},
		{"another event", manifest, strings.Replace(ok, "5f0c8a1e-3b7d", "6f0c8a1e-3b7d", 1), "Event.uuid: 6f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11, but the manifest lists"},
		{"info unlike the manifest's", `{"5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11":{"info":"other"}}`, ok, "Event.info: differs from the manifest's"},
		{"oversized", manifest, ok + strings.Repeat(" ", 4096), eventFile + ": larger than 4096 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := misp.ReadFeed(feed(tc.manifest, map[string]string{eventFile: tc.event}), 4096)
			if err == nil || got != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			var fe *misp.FileError
			if !errors.As(err, &fe) || fe.File == "" {
				t.Errorf("the error names no file: %v", err)
			}
		})
	}
}

// TestCheckBank: entries go only into a bank that releases them no
// further than MISP lets them go.
func TestCheckBank(t *testing.T) {
	f, err := misp.ReadFeed(feed(manifest, map[string]string{eventFile: string(event(`"3"`, nil,
		md5Attr("")+`,{"uuid":"0b6e6d57-0b0a-4bde-9d0f-5e1a2f3c4d02","type":"url","to_ids":true,"value":"a.example/x","Tag":[{"name":"tlp:amber"}]}`))}), 0)
	if err != nil {
		t.Fatal(err)
	}
	bank := func(h ctis.Handling) ctis.HashBank {
		return ctis.HashBank{ID: ctis.DerivedID("bank", "b"), Name: "b", Handling: h}
	}
	err = f.CheckBank(bank(all))
	if ctis.ErrorCode(err) != ctis.EFORBIDDEN || !strings.Contains(err.Error(), eventFile+": Event.Attribute[1] (0b6e6d57-0b0a-4bde-9d0f-5e1a2f3c4d02)") {
		t.Errorf("an amber URL into a bank for all: %v", err)
	}
	if err := f.CheckBank(bank(ctis.Handling{Distribution: ctis.DistOriginator, HitNotice: true, Restriction: ctis.H0})); err == nil {
		t.Error("an amber URL into a bank with hit notices")
	}
	if err := f.CheckBank(bank(own)); err != nil {
		t.Errorf("into a bank for the agency alone: %v", err)
	}
	g, _ := misp.ReadEvent(event(`"1"`, nil, md5Attr("")))
	if err := g.CheckBank(bank(all)); err == nil || !strings.Contains(err.Error(), "import into a bank under H2") {
		t.Errorf("This Community Only into a bank without H2: %v", err)
	}
	if err := g.CheckBank(bank(allH2)); err != nil {
		t.Errorf("into a bank under H2: %v", err)
	}
}

// FuzzReadEvent: the event reader never panics, every error says
// something, and everything it gives is what ctis accepts.
func FuzzReadEvent(f *testing.F) {
	for _, name := range []string{"5f0c8a1e-3b7d-4c2a-9e61-0d4f2b8a7c11.json", "7a41d2b9-6c0e-4f85-b3a2-8e19c5d04f62.json"} {
		data, err := os.ReadFile("testdata/feed/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add(event(`"9"`, []string{"tlp:red"}, md5Attr("")))
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := misp.ReadEvent(data)
		if err != nil {
			if err.Error() == "" || feed != nil {
				t.Fatalf("error %q with a feed", err)
			}
			return
		}
		for _, e := range feed.Entries {
			x := e.HashEntry
			if err := x.Validate(); err != nil || x.Value != e.Value {
				t.Fatalf("entry %+v: %v", e, err)
			}
			if err := e.Handling.Normalize(); err != nil {
				t.Fatalf("handling %+v: %v", e.Handling, err)
			}
		}
		for i := range feed.Entities {
			if _, err := feed.Entities[i].Validate("2026-03-01"); err != nil {
				t.Fatalf("entity %+v: %v", feed.Entities[i], err)
			}
		}
	})
}

// TestReadFeedOverHTTP: a feed published at a URL reads as the same feed
// in a directory; a file the server does not have is named.
func TestReadFeedOverHTTP(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir("testdata/feed")))
	defer srv.Close()
	got, err := misp.ReadFeed(misp.HTTPFS(t.Context(), srv.Client(), srv.URL), 0)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := misp.ReadFeed(os.DirFS("testdata/feed"), 0)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("over HTTP:\n%+v\nfrom the directory:\n%+v", got, want)
	}
	_, err = misp.ReadFeed(misp.HTTPFS(t.Context(), srv.Client(), srv.URL+"/missing/"), 0)
	if err == nil || !strings.Contains(err.Error(), "manifest.json: cannot open it: "+srv.URL+"/missing/manifest.json answered 404") {
		t.Errorf("a missing feed: %v", err)
	}
}
