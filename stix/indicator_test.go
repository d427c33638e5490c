package stix_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/stix"
)

// banks are a bank under every handling, each with an entry of every
// type, labelled or not, one disabled.
func banks() ([]ctis.HashBank, [][]ctis.HashEntry) {
	var bs []ctis.HashBank
	var es [][]ctis.HashEntry
	quality := 87
	for i, h := range handlings() {
		b := ctis.HashBank{ID: ctis.DerivedID("bank", fmt.Sprint(i)), Name: fmt.Sprintf("bank %d", i), Agency: "FR-DGSI", Handling: h}
		at := t0.Add(time.Duration(i) * time.Hour)
		entry := func(n int, t ctis.HashType, v string) ctis.HashEntry {
			return ctis.HashEntry{ID: ctis.DerivedID("entry", fmt.Sprint(i, n)), Bank: b.ID, Type: t, Value: v, Contributor: []string{"FR-DGSI", "JO-GID"}[n%2],
				AddedAt: at.Add(time.Duration(n) * time.Minute), UpdatedAt: at.Add(time.Duration(n)*time.Minute + 1500*time.Millisecond)}
		}
		pdq := entry(0, ctis.HashPDQ, strings.Repeat("f0e1d2c3", 8))
		pdq.Quality = &quality
		pdq.Labels = ctis.HashLabels{Entity: "Front Test", Behaviours: []ctis.Behaviour{"attack_footage", "glorification"}, ContentType: "image"}
		md5 := entry(1, ctis.HashMD5, "d41d8cd98f00b204e9800998ecf8427e")
		md5.Disabled = true
		sha := entry(2, ctis.HashSHA256, strings.Repeat("0123456789abcdef", 4))
		sha.Labels.Behaviours = []ctis.Behaviour{"manifesto"}
		url := entry(3, ctis.HashURL, `example.org/it's/a%5Cb?q=%27x%27`)
		url.Labels.ContentType = "video"
		bs = append(bs, b)
		es = append(es, []ctis.HashEntry{pdq, md5, sha, url})
	}
	return bs, es
}

func encodeBank(t testing.TB, b ctis.HashBank, es []ctis.HashEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := stix.WriteIndicators(&buf, b, es); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestIndicatorRoundTrip: every kind of entry of a bank under every
// handling, to STIX indicators and back, gives the same entries with the
// bank's handling, and a second export the same bytes.
func TestIndicatorRoundTrip(t *testing.T) {
	bs, es := banks()
	for i, b := range bs {
		data := encodeBank(t, b, es[i])
		got, err := stix.ReadIndicators(bytes.NewReader(data), 0)
		if err != nil {
			t.Fatalf("bank %d: %v", i, err)
		}
		slices.SortFunc(es[i], func(a, b ctis.HashEntry) int { return strings.Compare(a.ID, b.ID) })
		if len(got) != len(es[i]) {
			t.Fatalf("bank %d: %d entries, want %d", i, len(got), len(es[i]))
		}
		var back []ctis.HashEntry
		for j, in := range got {
			if !reflect.DeepEqual(in.Handling, b.Handling) {
				t.Errorf("bank %d entry %d: handling %+v, want %+v", i, j, in.Handling, b.Handling)
			}
			if !reflect.DeepEqual(in.Entry, es[i][j]) {
				t.Errorf("bank %d entry %d:\n got %+v\nwant %+v", i, j, in.Entry, es[i][j])
			}
			back = append(back, in.Entry)
		}
		if again := encodeBank(t, b, back); !bytes.Equal(again, data) {
			t.Errorf("bank %d: re-exporting what was read gives other bytes", i)
		}
	}
}

// TestIndicatorObjects: the patterns, types, labels and validity each
// entry gets, and every object validating against the OASIS schemas.
func TestIndicatorObjects(t *testing.T) {
	bs, es := banks()
	raws, err := stix.IndicatorObjects(bs[0], es[0])
	if err != nil {
		t.Fatal(err)
	}
	v := newValidator(t)
	var inds []map[string]any
	for _, raw := range raws {
		var o map[string]any
		json.Unmarshal(raw, &o)
		if err := v.object(o["type"].(string), raw); err != nil {
			t.Errorf("%s: %v\n%s", o["id"], err, raw)
		}
		if o["type"] == "indicator" {
			inds = append(inds, o)
		}
	}
	want := []string{
		"[file:hashes.x_pdq = '" + strings.Repeat("f0e1d2c3", 8) + "']",
		"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
		"[file:hashes.'SHA-256' = '" + strings.Repeat("0123456789abcdef", 4) + "']",
		`[url:value = 'https://example.org/it\'s/a%5Cb?q=%27x%27']`,
	}
	if len(inds) != len(want) {
		t.Fatalf("%d indicators", len(inds))
	}
	// Indicators come in entry ID order; here in the order of want.
	byType := map[string]map[string]any{}
	for _, o := range inds {
		typ, _, _ := strings.Cut(o["name"].(string), " ")
		byType[typ] = o
	}
	for i, typ := range []string{"pdq", "md5", "sha256", "url"} {
		o := byType[typ]
		if o["pattern"] != want[i] || o["pattern_type"] != "stix" || o["valid_from"] == nil {
			t.Errorf("%s: %v", typ, o)
		}
	}
	if types := fmt.Sprint(byType["pdq"]["indicator_types"], byType["pdq"]["labels"]); types != "[malicious-activity attribution] [attack_footage glorification]" {
		t.Errorf("types and labels: %s", types)
	}
	if byType["md5"]["valid_until"] == nil || byType["pdq"]["valid_until"] != nil {
		t.Error("only the disabled entry has valid_until")
	}
	var b struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	json.Unmarshal(encodeBank(t, bs[0], es[0]), &b)
	var kept []json.RawMessage
	for _, raw := range b.Objects {
		if !bytes.Contains(raw, []byte(`"type":"extension-definition"`)) {
			kept = append(kept, raw)
		}
	}
	b.Objects = kept
	envelope, _ := json.Marshal(b)
	if err := v.bundle(envelope); err != nil {
		t.Errorf("bundle: %v", err)
	}
}

// TestReadIndicatorsRefusesBadInput: what is not an entry as ctis writes
// one is refused whole, naming the object and the field.
func TestReadIndicatorsRefusesBadInput(t *testing.T) {
	bs, es := banks()
	base := encodeBank(t, bs[5], es[5])
	change := func(fn func(ind, marking map[string]any, b map[string]any)) []byte {
		var b map[string]any
		json.Unmarshal(base, &b)
		var ind, marking map[string]any
		for _, o := range b["objects"].([]any) {
			o := o.(map[string]any)
			if o["type"] == "indicator" && strings.Contains(o["pattern"].(string), "x_pdq") {
				ind = o
			}
			if exts, _ := o["extensions"].(map[string]any); exts[stix.ExtHandling] != nil {
				marking = o
			}
		}
		fn(ind, marking, b)
		out, _ := json.Marshal(b)
		return out
	}
	ext := func(ind map[string]any) map[string]any {
		return ind["extensions"].(map[string]any)[stix.ExtHashEntry].(map[string]any)
	}
	for _, tc := range []struct {
		name, want string
		in         []byte
	}{
		{"malformed", "malformed JSON", base[:len(base)/2]},
		{"other path", "file:hashes.SHA-1 is not a path ctis reads", change(func(ind, _, _ map[string]any) {
			ind["pattern"] = "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']"
		})},
		{"two comparisons", "expected \"]\"", change(func(ind, _, _ map[string]any) {
			ind["pattern"] = "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' OR file:hashes.MD5 = 'x']"
		})},
		{"bad escape", "a backslash in a string escapes", change(func(ind, _, _ map[string]any) { ind["pattern"] = `[url:value = 'https://a.org/\x']` })},
		{"short hash", "pattern.value: a pdq hash is 64 hex digits", change(func(ind, _, _ map[string]any) { ind["pattern"] = "[file:hashes.x_pdq = 'abc']" })},
		{"upper-case hash", "is not in canonical form", change(func(ind, _, _ map[string]any) {
			ind["pattern"] = "[file:hashes.x_pdq = '" + strings.Repeat("F0E1D2C3", 8) + "']"
		})},
		{"URL without scheme", "canonical form after https://", change(func(ind, _, _ map[string]any) { ind["pattern"] = "[url:value = 'example.org']" })},
		{"sigma pattern", `ctis reads STIX patterns, not "sigma"`, change(func(ind, _, _ map[string]any) { ind["pattern_type"] = "sigma" })},
		{"no pattern", "pattern: missing", change(func(ind, _, _ map[string]any) { delete(ind, "pattern") })},
		{"no extension", "without the ctis hash entry extension", change(func(ind, _, _ map[string]any) { delete(ind, "extensions") })},
		{"unknown behaviour", "unknown behaviour", change(func(ind, _, _ map[string]any) { ext(ind)["behaviours"] = []any{"memes"} })},
		{"unsorted behaviours", "canonical form", change(func(ind, _, _ map[string]any) { ext(ind)["behaviours"] = []any{"glorification", "attack_footage"} })},
		{"quality of a URL", "only PDQ hashes have a quality", change(func(ind, _, _ map[string]any) {
			ind["pattern"] = "[url:value = 'https://example.org']"
		})},
		{"unknown field", `unknown field "seen_by"`, change(func(ind, _, _ map[string]any) { ext(ind)["seen_by"] = "x" })},
		{"identifier not of the entry", "the identifier of entry", change(func(ind, _, _ map[string]any) { ext(ind)["id"] = ctis.DerivedID("other", "x") })},
		{"graded bank", "a grading or a review date", change(func(_, m, b map[string]any) {
			h := m["extensions"].(map[string]any)[stix.ExtHandling].(map[string]any)
			h["grading"] = "B2"
			renamed := rehandle(t, m)
			for _, o := range b["objects"].([]any) {
				o := o.(map[string]any)
				if refs, ok := o["object_marking_refs"].([]any); ok {
					refs[1] = renamed
				}
			}
		})},
		{"no handling", "no ctis handling marking applies to entry", change(func(ind, _, _ map[string]any) {
			ind["object_marking_refs"] = []any{ind["object_marking_refs"].([]any)[0]}
		})},
		{"an entity among entries", "holds indicators, not entities", encode(t, small())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := stix.ReadIndicators(bytes.NewReader(tc.in), 0)
			if err == nil || got != nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	// An entity bundle does not take indicators.
	var b map[string]any
	json.Unmarshal(encode(t, small()), &b)
	var ib map[string]any
	json.Unmarshal(base, &ib)
	for _, o := range ib["objects"].([]any) {
		if o.(map[string]any)["type"] == "indicator" {
			b["objects"] = append(b["objects"].([]any), o)
			break
		}
	}
	mixed, _ := json.Marshal(b)
	if _, err := stix.Read(bytes.NewReader(mixed), 0); err == nil || !strings.Contains(err.Error(), "an indicator is a hash-bank entry") {
		t.Errorf("an indicator among entities: %v", err)
	}
}

// rehandle gives a changed handling marking the identifier its content
// derives from, as a forger would, and returns it.
func rehandle(t *testing.T, m map[string]any) string {
	t.Helper()
	raw, _ := json.Marshal(m["extensions"].(map[string]any)[stix.ExtHandling])
	id := stix.HandlingMarkingID(raw)
	m["id"] = id
	return id
}

func TestPatterns(t *testing.T) {
	for _, tc := range []struct {
		in      string
		typ     ctis.HashType
		literal string
	}{
		{"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']", ctis.HashMD5, "d41d8cd98f00b204e9800998ecf8427e"},
		{"[file:hashes.'MD5'='abc']", ctis.HashMD5, "abc"},
		{" [ file:hashes.'SHA-256'\t=  'x' ] ", ctis.HashSHA256, "x"},
		{"[file:hashes.x_pdq = '']", ctis.HashPDQ, ""},
		{`[url:value = 'a\'b\\c']`, ctis.HashURL, `a'b\c`},
	} {
		typ, lit, err := stix.ParsePattern(tc.in)
		if err != nil || typ != tc.typ || lit != tc.literal {
			t.Errorf("%s: %s %q %v", tc.in, typ, lit, err)
		}
	}
	for _, bad := range []string{"", "[", "[file:hashes.MD5 = 'x'", "[file :hashes.MD5 = 'x']", "[file:hashes. MD5 = 'x']",
		"[file:hashes.MD5 != 'x']", "[file:hashes.MD5 = 'x'] AND [url:value = 'y']", "[file:name = 'x']", "[url:value = 'x]",
		"[url:value = \"x\"]", "[file:hashes.SHA-256 = 'x']", `[url:value = 'x\']`} {
		if typ, lit, err := stix.ParsePattern(bad); err == nil || ctis.ErrorField(err) != "pattern" {
			t.Errorf("%q: accepted as %s %q (%v)", bad, typ, lit, err)
		}
	}
}

// FuzzParsePattern: the pattern reader never panics, and what it accepts
// is written back as a pattern that reads as the same; a literal of any
// bytes survives being written and read.
func FuzzParsePattern(f *testing.F) {
	f.Add("[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']", "x")
	f.Add(`[url:value = 'https://a.org/it\'s']`, `a'\`)
	f.Add("[file:hashes.'SHA-256' = '']", "")
	f.Add("[file:hashes.x_pdq = 'a'] ", "\x00'")
	f.Fuzz(func(t *testing.T, pattern, literal string) {
		typ, lit, err := stix.ParsePattern(pattern)
		if err == nil {
			again, lit2, err := stix.ParsePattern(stix.FormatPattern(typ, lit))
			if err != nil || again != typ || lit2 != lit {
				t.Fatalf("%q read as %s %q, written and read again as %s %q (%v)", pattern, typ, lit, again, lit2, err)
			}
		} else if err.Error() == "" {
			t.Fatal("an error that says nothing")
		}
		for _, typ := range ctis.HashTypes {
			got, lit2, err := stix.ParsePattern(stix.FormatPattern(typ, literal))
			if err != nil || got != typ || lit2 != literal {
				t.Fatalf("%s %q: read back as %s %q (%v)", typ, literal, got, lit2, err)
			}
		}
	})
}

// FuzzReadIndicators feeds arbitrary bundles to the indicator reader: it
// must never panic, every error must say something, and what it accepts
// must export and read back as the same entries.
func FuzzReadIndicators(f *testing.F) {
	bs, es := banks()
	f.Add(string(encodeBank(f, bs[0], es[0])))
	f.Add(`{"type":"bundle","id":"bundle--e7b4b72a-b7c9-56b4-b35b-43a8679b73d1","objects":[{"type":"indicator"}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		got, err := stix.ReadIndicators(strings.NewReader(in), 1<<20)
		if err != nil {
			if err.Error() == "" || got != nil {
				t.Fatalf("error %q with %d entries", err, len(got))
			}
			return
		}
		// Every entry of one bank and handling is written back as it was.
		byBank := map[string][]stix.Indicator{}
		for _, in := range got {
			byBank[in.Entry.Bank] = append(byBank[in.Entry.Bank], in)
		}
		for id, ins := range byBank {
			b := ctis.HashBank{ID: id, Handling: ins[0].Handling}
			var entries []ctis.HashEntry
			for _, in := range ins {
				if !reflect.DeepEqual(in.Handling, b.Handling) {
					return // entries of one bank under two handlings: no one bank writes them
				}
				entries = append(entries, in.Entry)
			}
			var out bytes.Buffer
			if err := stix.WriteIndicators(&out, b, entries); err != nil {
				t.Fatalf("accepted entries do not export: %v", err)
			}
			again, err := stix.ReadIndicators(&out, 0)
			if err != nil || !reflect.DeepEqual(again, ins) {
				t.Fatalf("round trip changed the entries: %v\n%+v\n%+v", err, ins, again)
			}
		}
	})
}
