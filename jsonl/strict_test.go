package jsonl_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"ctis"
	"ctis/jsonl"
)

// TestCheck holds Check to what encoding/json would change silently:
// strings that are not UTF-8 and keys given twice, each named by its path.
func TestCheck(t *testing.T) {
	for _, c := range []struct {
		in, field, says string
	}{
		{`{"name":"Abu Example","birth_date":"1971"}`, "", ""},
		{`{"a":{"name":"x"},"b":{"name":"y"}}`, "", ""}, // the same key in two objects
		{`[{"name":"x"},{"name":"y"}]`, "", ""},
		{`{"name":"x",`, "", ""}, // malformed: left to the decoder
		{"{\"name\":\"Jos\xe9\"}", "name", "invalid UTF-8"},
		{"{\"statements\":[{\"property\":\"name\",\"value\":\"ok\"},{\"property\":\"name\",\"value\":\"\xff\"}]}", "statements[1].value", "invalid UTF-8"},
		{"{\"tags\":[\"a\",\"b\xc3\"]}", "tags[1]", "invalid UTF-8"},
		{"\"\xff\"", "(root)", "invalid UTF-8"},
		{"{\"n\xffme\":\"x\"}", "(root)", "a key is not valid UTF-8"},
		{`{"name":"a","name":"b"}`, "name", `duplicate key "name"`},
		{`{"name":"a","NAME":"b"}`, "NAME", `duplicate key "NAME" (also given as "name")`},
		{`{"handling":{"distribution":"all","frontline":true,"distribution":"originator"}}`, "handling.distribution", `duplicate key "distribution"`},
		{`{"s":[{"a":1},{"b":[1,{"c":2,"c":3}]}]}`, "s[1].b[1].c", `duplicate key "c"`},
	} {
		err := jsonl.Check([]byte(c.in))
		if c.field == "" {
			if err != nil {
				t.Errorf("%q: %v", c.in, err)
			}
			continue
		}
		if ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) != c.field || ctis.ErrorMessage(err) != c.says {
			t.Errorf("%q: field %q, %q; want %q, %q", c.in, ctis.ErrorField(err), ctis.ErrorMessage(err), c.field, c.says)
		}
	}
}

// FuzzCheck feeds Check arbitrary input. It must not panic, must refuse
// only with EINVALID, and what it lets through as valid JSON must be
// UTF-8 with no object holding a key twice: decoding it loses nothing.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Абу Мухаммад","statements":[{"property":"name","value":"x"}]}`,
		`{"a":1,"A":2}`, `{"a":{"a":{"a":[]}},"b":[{},{"a":1,"a":1}]}`, "{\"a\":\"\xff\"}", "[\"\xc3\x28\"]", `"x"`, `[]`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := jsonl.Check(b)
		if err != nil {
			if ctis.ErrorCode(err) != ctis.EINVALID {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if !json.Valid(b) {
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("let through invalid UTF-8: %q", b)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if keys, kept := countKeys(b), countMapKeys(v); keys != kept {
			t.Fatalf("let through %d keys of which decoding keeps %d: %q", keys, kept, b)
		}
	})
}

// countKeys counts the keys in a JSON text by its tokens.
func countKeys(b []byte) int {
	n := 0
	var walk func([]byte)
	walk = func(raw []byte) {
		var obj map[string]json.RawMessage
		var arr []json.RawMessage
		switch {
		case json.Unmarshal(raw, &arr) == nil:
			for _, e := range arr {
				walk(e)
			}
		case json.Unmarshal(raw, &obj) == nil:
			// A map keeps one entry per key; count the key tokens instead.
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.Token() // {
			for dec.More() {
				dec.Token() // key
				n++
				var e json.RawMessage
				dec.Decode(&e)
				walk(e)
			}
		}
	}
	walk(b)
	return n
}

// countMapKeys counts the entries of the maps in a decoded value.
func countMapKeys(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := len(x)
		for _, e := range x {
			n += countMapKeys(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += countMapKeys(e)
		}
		return n
	}
	return 0
}
