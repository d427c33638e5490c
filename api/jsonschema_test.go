package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// openAPI is the embedded document, parsed for the tests that hold it to
// the code.
type openAPI struct {
	root map[string]any
	// mux matches a request to the document's path templates, with the
	// same rules the server's mux applies to the route table.
	mux *http.ServeMux
}

func loadOpenAPI(t testing.TB) *openAPI {
	t.Helper()
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(openAPIDocument))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	d := &openAPI{root: root, mux: http.NewServeMux()}
	for path, item := range object(root["paths"]) {
		for method := range object(item) {
			d.mux.Handle(strings.ToUpper(method)+" "+path, http.NotFoundHandler())
		}
	}
	return d
}

func object(v any) map[string]any { m, _ := v.(map[string]any); return m }

// resolve follows a node's $ref, if it has one, within the document.
func (d *openAPI) resolve(node map[string]any) map[string]any {
	for {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		node = d.pointer(ref)
		if node == nil {
			return nil
		}
	}
}

// pointer returns the object a local reference such as
// "#/components/schemas/Entity" names, or nil.
func (d *openAPI) pointer(ref string) map[string]any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	node := d.root
	for _, part := range strings.Split(ref[2:], "/") {
		node = object(node[strings.NewReplacer("~1", "/", "~0", "~").Replace(part)])
		if node == nil {
			return nil
		}
	}
	return node
}

// operation returns the documented operation that takes a request, with
// its method and path template, or nil when the document has none.
func (d *openAPI) operation(method, target string) (map[string]any, string) {
	r, _ := http.NewRequest(method, target, nil)
	_, pattern := d.mux.Handler(r)
	m, path, ok := strings.Cut(pattern, " ")
	if !ok {
		return nil, ""
	}
	return object(object(object(d.root["paths"])[path])[strings.ToLower(m)]), pattern
}

// conform reports how a reply departs from what the document promises
// for the request that drew it: the status must be documented for the
// operation (a request no operation takes must be a 404 or 405 problem),
// the media type must be the documented one, the body must validate
// against the documented schema (each line, for NDJSON), and the headers
// documented or promised for every response must be there.
func (d *openAPI) conform(method, target string, status int, header http.Header, body []byte) []string {
	var errs []string
	if header.Get("Cache-Control") != "no-store" || header.Get("X-Content-Type-Options") != "nosniff" {
		errs = append(errs, "missing Cache-Control: no-store or X-Content-Type-Options: nosniff")
	}
	op, _ := d.operation(method, target)
	var resp map[string]any
	if op == nil {
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return append(errs, fmt.Sprintf("no documented operation, yet status %d", status))
		}
		resp = map[string]any{"content": map[string]any{"application/problem+json": map[string]any{
			"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}}
	} else {
		resp = d.resolve(object(object(op["responses"])[fmt.Sprint(status)]))
		if resp == nil {
			return append(errs, fmt.Sprintf("status %d is not documented", status))
		}
	}
	for name := range object(resp["headers"]) {
		if header.Get(name) == "" {
			errs = append(errs, "missing documented header "+name)
		}
	}
	content := object(resp["content"])
	if len(content) == 0 {
		if len(body) > 0 {
			errs = append(errs, "a body where none is documented")
		}
		return errs
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	media := object(content[mt])
	if media == nil {
		return append(errs, fmt.Sprintf("Content-Type %q is not documented for status %d", mt, status))
	}
	schema := object(media["schema"])
	if strings.HasPrefix(mt, "text/") {
		if schema["type"] != "string" || !utf8.Valid(body) {
			return append(errs, fmt.Sprintf("a %s body must be documented as a string and be UTF-8 text", mt))
		}
		return errs
	}
	if mt == "application/x-ndjson" {
		for i, line := range bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n")) {
			if len(line) > 0 {
				errs = append(errs, prefixAll(fmt.Sprintf("line %d: ", i+1), d.validateJSON(schema, line))...)
			}
		}
		return errs
	}
	return append(errs, d.validateJSON(schema, body)...)
}

// requestConforms reports how an accepted request body departs from the
// operation's documented request schema, so the document cannot refuse
// what the server takes.
func (d *openAPI) requestConforms(method, target, contentType string, body []byte) []string {
	op, _ := d.operation(method, target)
	rb := d.resolve(object(op["requestBody"]))
	if rb == nil {
		if len(body) > 0 {
			return []string{"a request body where none is documented"}
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	media := object(object(rb["content"])[mt])
	if media == nil {
		return []string{fmt.Sprintf("request Content-Type %q is not documented", mt)}
	}
	schema := object(media["schema"])
	if mt == "application/x-ndjson" {
		var errs []string
		for i, line := range bytes.Split(body, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				errs = append(errs, prefixAll(fmt.Sprintf("request line %d: ", i+1), d.validateJSON(schema, line))...)
			}
		}
		return errs
	}
	if mt == "multipart/form-data" {
		return d.formConforms(schema, contentType, body)
	}
	if mt != "application/json" {
		// A text body, such as an EDIFACT interchange, is documented as a string.
		if schema["type"] != "string" || !utf8.Valid(body) {
			return []string{fmt.Sprintf("request: a %s body must be documented as a string and be UTF-8 text", mt)}
		}
		return nil
	}
	return prefixAll("request: ", d.validateJSON(schema, body))
}

// formConforms checks a multipart form against an object schema: every
// field documented, every required one there; a binary field may hold
// anything, another must read as its documented type.
func (d *openAPI) formConforms(schema map[string]any, contentType string, body []byte) []string {
	_, params, _ := mime.ParseMediaType(contentType)
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	if ref, ok := schema["$ref"].(string); ok {
		schema = d.pointer(ref)
	}
	props := object(schema["properties"])
	seen := map[string]bool{}
	var errs []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(errs, "request: not a multipart form: "+err.Error())
		}
		name := part.FormName()
		value, _ := io.ReadAll(part)
		seen[name] = true
		p := object(props[name])
		switch {
		case p == nil:
			errs = append(errs, fmt.Sprintf("request: form field %q is not documented", name))
		case p["format"] == "binary":
		case p["type"] == "string":
			errs = append(errs, d.validate(p, string(value), "request."+name)...)
		default:
			errs = append(errs, prefixAll("request."+name+": ", d.validateJSON(p, value))...)
		}
	}
	for _, r := range asSlice(schema["required"]) {
		if !seen[r.(string)] {
			errs = append(errs, fmt.Sprintf("request: required form field %q is missing", r))
		}
	}
	return errs
}

func prefixAll(p string, errs []string) []string {
	for i := range errs {
		errs[i] = p + errs[i]
	}
	return errs
}

func (d *openAPI) validateJSON(schema map[string]any, b []byte) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{"body is not JSON: " + err.Error()}
	}
	return d.validate(schema, v, "$")
}

// schemaKeywords is the subset of JSON Schema that validate implements.
// Annotations are allowed too; any other keyword in the document is an
// error, so that the document cannot promise what no test checks.
var schemaKeywords = []string{"$ref", "type", "properties", "required", "additionalProperties", "items", "enum",
	"pattern", "format", "minimum", "maximum", "minItems", "maxItems", "maxLength", "description", "default"}

// validate checks value against schema and returns what is wrong, each
// with the JSON path where it is.
func (d *openAPI) validate(schema map[string]any, value any, at string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range schema {
		if !slices.Contains(schemaKeywords, k) {
			fail("schema uses %q, which the test validator does not check", k)
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		target := d.pointer(ref)
		if target == nil {
			fail("unresolved $ref %s", ref)
		} else {
			errs = append(errs, d.validate(target, value, at)...)
		}
	}
	if t, ok := schema["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return hasType(value, t) }) {
			fail("want type %v, got %s", types, jsonType(value))
			return errs
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(value) && jsonType(e) == jsonType(value) }) {
		fail("%v is not one of %v", value, enum)
	}
	switch v := value.(type) {
	case string:
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
			fail("%q does not match %s", v, p)
		}
		if f, ok := schema["format"].(string); ok && !hasFormat(v, f) {
			fail("%q is not a %s", v, f)
		}
		if m, ok := schema["maxLength"].(json.Number); ok && int64(utf8.RuneCountInString(v)) > must(m.Int64()) {
			fail("%d characters, more than %v", utf8.RuneCountInString(v), m)
		}
	case json.Number:
		n, _ := v.Float64()
		if m, ok := schema["minimum"].(json.Number); ok && n < must(m.Float64()) {
			fail("%v is below the minimum %v", v, m)
		}
		if m, ok := schema["maximum"].(json.Number); ok && n > must(m.Float64()) {
			fail("%v is above the maximum %v", v, m)
		}
	case []any:
		if m, ok := schema["minItems"].(json.Number); ok && int64(len(v)) < must(m.Int64()) {
			fail("%d items, fewer than %v", len(v), m)
		}
		if m, ok := schema["maxItems"].(json.Number); ok && int64(len(v)) > must(m.Int64()) {
			fail("%d items, more than %v", len(v), m)
		}
		if items := object(schema["items"]); items != nil {
			for i, x := range v {
				errs = append(errs, d.validate(items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	case map[string]any:
		props := object(schema["properties"])
		for _, r := range asSlice(schema["required"]) {
			if _, ok := v[r.(string)]; !ok {
				fail("required property %q is missing", r)
			}
		}
		for k, x := range v {
			switch p, extra := props[k], schema["additionalProperties"]; {
			case p != nil:
				errs = append(errs, d.validate(object(p), x, at+"."+k)...)
			case extra == false:
				fail("property %q is not documented", k)
			case object(extra) != nil:
				errs = append(errs, d.validate(object(extra), x, at+"."+k)...)
			}
		}
	}
	return errs
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

func must[T any](f T, err error) T {
	if err != nil {
		panic(err)
	}
	return f
}

func hasType(v any, t string) bool {
	switch t {
	case "integer":
		n, ok := v.(json.Number)
		return ok && !strings.ContainsAny(n.String(), ".eE")
	case "number":
		_, ok := v.(json.Number)
		return ok
	}
	return jsonType(v) == t
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func hasFormat(s, format string) bool {
	switch format {
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, s)
		return err == nil
	case "date":
		_, err := time.Parse("2006-01-02", s)
		return err == nil
	}
	return false
}

// TestValidator checks the validator itself on what it must refuse, so
// that a passing conformance test means something.
func TestValidator(t *testing.T) {
	d := &openAPI{root: map[string]any{"components": map[string]any{"schemas": map[string]any{
		"Thing": map[string]any{
			"type": "object", "additionalProperties": false, "required": []any{"id"},
			"properties": map[string]any{
				"id":    map[string]any{"type": "string", "pattern": "^[A-Z]+$"},
				"n":     map[string]any{"type": "integer", "minimum": json.Number("1")},
				"kind":  map[string]any{"enum": []any{"a", "b"}},
				"at":    map[string]any{"type": "string", "format": "date-time"},
				"maybe": map[string]any{"type": []any{"string", "null"}},
				"tags":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			},
		},
	}}}}
	ref := map[string]any{"$ref": "#/components/schemas/Thing"}
	for _, c := range []struct {
		in   string
		errs int
	}{
		{`{"id":"AB","n":2,"kind":"a","at":"2026-01-02T03:04:05Z","maybe":null,"tags":["x"]}`, 0},
		{`{"id":"AB","maybe":"x"}`, 0},
		{`{}`, 1},                       // required
		{`{"id":"ab"}`, 1},              // pattern
		{`{"id":"AB","n":1.5}`, 1},      // integer
		{`{"id":"AB","n":0}`, 1},        // minimum
		{`{"id":"AB","kind":"c"}`, 1},   // enum
		{`{"id":"AB","at":"today"}`, 1}, // format
		{`{"id":"AB","maybe":1}`, 1},    // type list
		{`{"id":"AB","tags":[1]}`, 1},   // items
		{`{"id":"AB","other":1}`, 1},    // additionalProperties false
		{`[]`, 1},                       // type
	} {
		if errs := d.validateJSON(ref, []byte(c.in)); len(errs) != c.errs {
			t.Errorf("%s: want %d errors, got %q", c.in, c.errs, errs)
		}
	}
	if errs := d.validate(map[string]any{"oneOf": []any{}}, "x", "$"); len(errs) != 1 {
		t.Errorf("an unsupported keyword passed: %q", errs)
	}
}
