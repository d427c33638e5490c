package hashfile

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"ctis"
)

func entries() []ctis.HashEntry {
	q := 93
	return []ctis.HashEntry{
		{Type: ctis.HashPDQ, Value: strings.Repeat("ab", 32), Quality: &q, Labels: ctis.HashLabels{Entity: "=HYPERLINK(\"x\")", Behaviours: []ctis.Behaviour{"manifesto", "attack_footage"}, ContentType: "image"}},
		{Type: ctis.HashMD5, Value: strings.Repeat("0F", 16)},
		{Type: ctis.HashURL, Value: "https://www.example.org/a/../b/?utm_source=t&z=1&a=2#frag", Labels: ctis.HashLabels{Entity: "Daesh, \"Amaq\""}},
	}
}

// TestRoundTrip writes entries in each format and reads them back.
func TestRoundTrip(t *testing.T) {
	for _, f := range []Format{CSV, JSONL} {
		var buf bytes.Buffer
		w := NewWriter(&buf, f)
		want := entries()
		for i := range want {
			if err := want[i].Validate(); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(want[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if f == CSV && !strings.Contains(buf.String(), `'=HYPERLINK`) {
			t.Errorf("a formula went out unguarded:\n%s", buf.String())
		}
		r, err := NewReader(&buf, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadAll(r, 10)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries back, want %d", f, len(got), len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Type != w.Type || g.Value != w.Value || g.Labels.Entity != w.Labels.Entity || strings.Join(bs(g), ",") != strings.Join(bs(w), ",") ||
				(g.Quality == nil) != (w.Quality == nil) {
				t.Errorf("%s entry %d: got %+v, want %+v", f, i, g, w)
			}
		}
		if got[2].Value != "example.org/b?a=2&z=1" {
			t.Errorf("URL normalised to %q", got[2].Value)
		}
	}
}

func bs(e ctis.HashEntry) []string {
	var out []string
	for _, b := range e.Labels.Behaviours {
		out = append(out, string(b))
	}
	return out
}

// TestErrorsNameLineAndField: each bad input gives an error naming where.
func TestErrorsNameLineAndField(t *testing.T) {
	for _, c := range []struct {
		f        Format
		in, want string
	}{
		{CSV, "", "line 1: the file is empty"},
		{CSV, "type,value,colour\n", "line 1: header: unknown column \"colour\""},
		{CSV, "value\n", "line 1: header: the header has no \"type\" column"},
		{CSV, "type,value\npdq,abc\n", "line 2: value: a pdq hash is 64 hex digits"},
		{CSV, "type,value\nmd5," + strings.Repeat("0", 32) + "\nsha1,00\n", "line 3: type: unknown hash type \"sha1\""},
		{CSV, "type,value,behaviours\nmd5," + strings.Repeat("0", 32) + ",manifesto|cats\n", "line 2: labels.behaviours[1]: unknown behaviour \"cats\""},
		{CSV, "type,value,quality\npdq," + strings.Repeat("0", 64) + ",high\n", "line 2: quality: \"high\" is not a whole number"},
		{CSV, "type,value\n\"md5,x\n", "line 2: "},
		{JSONL, `{"type":"md5","value":"` + strings.Repeat("0", 32) + `"}` + "\n{\"type\":\"url\",\"value\":\"javascript:alert(1)\"}\n", "line 2: value: only http and https URLs"},
		{JSONL, `{"type":"md5","value":"x","colour":1}`, "line 1: not a JSON object: unknown field \"colour\""},
		{JSONL, `{"type":"md5","value":7}`, "line 1: value: want string"},
		{JSONL, `{"type":"pdq","value":"` + strings.Repeat("0", 64) + `","quality":101}`, "line 1: quality: a PDQ quality is between 0 and 100"},
		{JSONL, strings.Repeat(" ", MaxLine+1), "line 1: the line is longer than"},
	} {
		r, err := NewReader(strings.NewReader(c.in), c.f)
		if err == nil {
			_, err = ReadAll(r, 100)
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s %.40q: got %v, want %q…", c.f, c.in, err, c.want)
		}
	}
}

func TestReadAllLimit(t *testing.T) {
	in := "type,value\n" + strings.Repeat("md5,"+strings.Repeat("0", 32)+"\n", 3)
	r, _ := NewReader(strings.NewReader(in), CSV)
	if _, err := ReadAll(r, 2); ctis.ErrorCode(err) != ctis.ETOOLARGE {
		t.Fatalf("got %v", err)
	}
}

func fuzz(f *testing.F, format Format, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewReader(strings.NewReader(in), format)
		if err != nil {
			return
		}
		for range 1000 {
			e, err := r.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var le *LineError
				if !errors.As(err, &le) || le.Line < 1 {
					t.Fatalf("an error without its line: %v", err)
				}
				return
			}
			// What is read is valid, and valid again after a round trip.
			if err := e.Validate(); err != nil {
				t.Fatalf("read an invalid entry %+v: %v", e, err)
			}
		}
	})
}

func FuzzCSV(f *testing.F) {
	fuzz(f, CSV, "type,value,entity,behaviours\nmd5,"+strings.Repeat("a", 32)+",Daesh,manifesto|recruitment\n", "type,value\nurl,example.org/x?b=1&a=2\n", "\ufefftype,value\n\"pdq\",\"0\"\n")
}

func FuzzJSONL(f *testing.F) {
	fuzz(f, JSONL, `{"type":"md5","value":"`+strings.Repeat("a", 32)+`","labels":{"entity":"x","behaviours":["manifesto"]}}`, "{}\n[]", `{"type":"url","value":"http://[::1]:80/a"}`)
}
