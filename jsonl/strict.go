package jsonl

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"ctis"
)

// Check refuses JSON that encoding/json would read otherwise than it was
// written: a string that is not valid UTF-8, which the decoder turns into
// U+FFFD, and a key given twice in one object, of which it keeps the last
// — also when the two differ only in case, since a key matches a struct
// field whatever its case. Either would change what a person sent
// without telling them. The error names the field by its path, such as
// statements[1].value ("(root)" for the value itself).
//
// Check says nothing of malformed JSON: it stops there and returns nil,
// and the decoder that runs after it reports the offset.
func Check(b []byte) error {
	validUTF8 := utf8.Valid(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	var stack []*container
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or malformed: the decoder will say where
		}
		end := dec.InputOffset()
		// The bytes between two tokens are the token and the separators
		// and white space before it, all ASCII but the token's own.
		raw := b[prev:end]
		prev = end
		var top *container
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				stack = append(stack, &container{object: d == '{', path: top.next()})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		s, isString := tok.(string)
		if top != nil && top.object && !top.inValue {
			// A key.
			if !validUTF8 && !utf8.Valid(raw) {
				return ctis.Invalid(field(top.path), "a key is not valid UTF-8")
			}
			if err := top.key(s); err != nil {
				return err
			}
			continue
		}
		path := top.next()
		if isString && !validUTF8 && !utf8.Valid(raw) {
			return ctis.Invalid(field(path), "invalid UTF-8")
		}
	}
}

// container is an object or array being walked, with the path to it.
type container struct {
	object bool
	path   string
	// Of an object: the keys given so far, by their folded form; the
	// current key; and whether its value is what comes next.
	keys    map[string]string
	current string
	inValue bool
	// Of an array: the index of the next element.
	index int
}

// key records an object's next key, refusing one given before.
func (c *container) key(k string) error {
	folded := strings.ToLower(strings.ToUpper(k))
	if c.keys == nil {
		c.keys = map[string]string{}
	}
	if before, dup := c.keys[folded]; dup {
		if before == k {
			return ctis.Invalid(c.join(k), "duplicate key %q", k)
		}
		return ctis.Invalid(c.join(k), "duplicate key %q (also given as %q)", k, before)
	}
	c.keys[folded] = k
	c.current, c.inValue = k, true
	return nil
}

// next returns the path of the value that comes next in c, and moves past
// it; c is nil at the top level.
func (c *container) next() string {
	switch {
	case c == nil:
		return ""
	case c.object:
		c.inValue = false
		return c.join(c.current)
	default:
		c.index++
		return c.path + "[" + strconv.Itoa(c.index-1) + "]"
	}
}

func (c *container) join(key string) string {
	if c.path == "" {
		return key
	}
	return c.path + "." + key
}

// field names a path in an error, the top level as "(root)", as the
// decoder's type errors do.
func field(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}
