package stix_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaBase is where the OASIS schemas place themselves ($id); the
// copies in testdata/oasis are registered under it, so that no schema is
// fetched.
const schemaBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/"

type validator struct {
	c       *jsonschema.Compiler
	schemas map[string]*jsonschema.Schema
}

func newValidator(t *testing.T) *validator {
	t.Helper()
	c := jsonschema.NewCompiler()
	root := filepath.Join("testdata", "oasis")
	err := filepath.WalkDir(filepath.Join(root, "schemas"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		return c.AddResource(schemaBase+filepath.ToSlash(rel), doc)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &validator{c: c, schemas: map[string]*jsonschema.Schema{}}
}

func (v *validator) schema(path string) (*jsonschema.Schema, error) {
	if s, ok := v.schemas[path]; ok {
		return s, nil
	}
	s, err := v.c.Compile(schemaBase + path)
	if err != nil {
		return nil, err
	}
	v.schemas[path] = s
	return s, nil
}

// object validates one object against the schema of its type; a custom
// object (x-…) against the common properties.
func (v *validator) object(typ string, raw []byte) error {
	path := "schemas/sdos/" + typ + ".json"
	switch {
	case typ == "relationship" || typ == "sighting":
		path = "schemas/sros/" + typ + ".json"
	case typ == "marking-definition" || typ == "extension-definition" || typ == "bundle":
		path = "schemas/common/" + typ + ".json"
	case strings.HasPrefix(typ, "x-"):
		path = "schemas/common/core.json"
	}
	s, err := v.schema(path)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

func (v *validator) bundle(raw []byte) error { return v.object("bundle", raw) }
