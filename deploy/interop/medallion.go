package interop

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"ctis/stix"
	"ctis/taxii"
)

// MedallionCollection is the ID of the collection MedallionData makes.
var MedallionCollection = stix.UUID5([16]byte{0x6c, 0x74, 0x69, 0x73, 0x2d, 0x69, 0x6e, 0x74, 0x65, 0x72, 0x6f, 0x70, 0x2d, 0x6d, 0x65, 0x64}, "ctis demo export")

// MedallionData wraps a STIX bundle (a ctis export) in the data file of
// medallion's memory backend: a discovery resource, one API root at
// root (a URL ending in /), and one read-only collection holding the
// bundle's objects, each with its manifest record: its version is the
// object's modified (or created), and it was added at that time, or a
// millisecond after the object added before it, so that no two objects
// share a date_added. An added_after query then splits the collection
// wherever a page ends, as the run's resumed pull needs; where objects
// share one, a client resuming from a page's X-TAXII-Date-Added-Last
// would miss those of the next page added at the same time (which is why
// a ctis pull resumes a while before its cursor; see peer.Overlap).
//
// The demo export holds the whole UN list (a thousand threat actors);
// keepUN of them are kept, with everything else, so that the recording
// stays small. Extension definitions are left out: medallion takes an
// object's "version" property, where it has one, for the timestamp of
// its version, and an extension-definition's "version" is the
// extension's own (such as "1.0.0"), so medallion refuses to load it.
func MedallionData(bundle []byte, root string, keepUN int) ([]byte, int, error) {
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		return nil, 0, err
	}
	type head struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Created    string `json:"created"`
		Modified   string `json:"modified"`
		Extensions map[string]struct {
			Statements []struct {
				Originator string `json:"originator"`
			} `json:"statements"`
		} `json:"extensions"`
	}
	var objects []json.RawMessage
	var manifest []map[string]string
	var added []time.Time
	un := 0
	for _, raw := range b.Objects {
		var h head
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, 0, err
		}
		if h.Type == "extension-definition" {
			continue
		}
		st := h.Extensions[stix.ExtStatements].Statements
		if len(st) > 0 && !slices.ContainsFunc(st, func(s struct {
			Originator string `json:"originator"`
		}) bool {
			return s.Originator != "UN"
		}) {
			if un >= keepUN {
				continue
			}
			un++
		}
		v := h.Modified
		if v == "" {
			v = h.Created
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, 0, fmt.Errorf("object %s: version %q: %w", h.ID, v, err)
		}
		objects = append(objects, raw)
		manifest = append(manifest, map[string]string{"id": h.ID, "version": v, "media_type": "application/stix+json;version=2.1"})
		added = append(added, t.Truncate(time.Millisecond))
	}
	order := make([]int, len(added))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return added[i].Compare(added[j]) })
	var last time.Time
	for k, i := range order {
		if k > 0 && !added[i].After(last) {
			added[i] = last.Add(time.Millisecond)
		}
		last = added[i]
		manifest[i]["date_added"] = last.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if !strings.HasSuffix(root, "/") {
		return nil, 0, fmt.Errorf("the API root %q must end in /", root)
	}
	data := map[string]any{
		"/discovery": map[string]any{
			"title":       "medallion, serving a ctis demo export",
			"description": "The OASIS reference TAXII 2.1 server, for ctis's interop run.",
			"default":     root,
			"api_roots":   []string{root},
		},
		apiRootName(root): map[string]any{
			"information": map[string]any{
				"title":              "ctis demo export",
				"description":        "What DE-BKA may see on a ctis demo node, exported as STIX 2.1.",
				"versions":           []string{taxii.MediaType},
				"max_content_length": 10 << 20,
			},
			"status": []any{},
			"collections": []any{map[string]any{
				"id":          MedallionCollection,
				"title":       "ctis demo export",
				"description": "A ctis export, as ctis writes STIX 2.1.",
				"can_read":    true,
				"can_write":   false,
				"media_types": []string{"application/stix+json;version=2.1"},
				"objects":     objects,
				"manifest":    manifest,
			}},
		},
	}
	out, err := json.MarshalIndent(data, "", " ")
	return out, len(objects), err
}

// apiRootName is the last path segment of an API root's URL, which names
// it in medallion's data file.
func apiRootName(root string) string {
	s := strings.TrimSuffix(root, "/")
	return s[strings.LastIndex(s, "/")+1:]
}
