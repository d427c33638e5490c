package ctistest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"ctis"
	"ctis/stix"
	"ctis/taxii"
)

// taxiiRead is what a requester reads through the TAXII server.
type taxiiRead struct {
	// status is the status of the collections listing.
	status int
	// statements are the IDs of the statements in any collection's
	// objects; text is every response body, errors included.
	statements map[string]bool
	text       string
	// collections are the IDs of the requester's collections.
	collections []string
	// get fetches a path of the API root as the requester.
	get func(path string) (int, string)
}

// readTAXII reads everything ctx may read through the TAXII server over
// s: every collection, a few objects a page, and its manifest, checking
// that the pages have no gaps and no repeats and that the manifest lists
// exactly the objects.
func readTAXII(t *testing.T, ctx context.Context, s ctis.Services) taxiiRead {
	t.Helper()
	h := (&taxii.Server{Services: s, Authenticate: func(*http.Request) (context.Context, error) { return ctx, nil }}).Handler()
	var all strings.Builder
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", taxii.APIRootPath+path, nil))
		b, _ := io.ReadAll(rec.Body)
		all.Write(b)
		all.WriteByte('\n')
		return rec.Code, string(b)
	}
	out := taxiiRead{statements: map[string]bool{}, get: get}
	code, body := get("collections/")
	out.status = code
	if code != http.StatusOK {
		out.text = all.String()
		return out
	}
	var list struct {
		Collections []struct {
			ID string `json:"id"`
		} `json:"collections"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Collections {
		out.collections = append(out.collections, c.ID)
		objects := map[string]bool{}
		next := ""
		for {
			q := url.Values{"limit": {"3"}}
			if next != "" {
				q.Set("next", next)
			}
			code, body := get("collections/" + c.ID + "/objects/?" + q.Encode())
			if code != http.StatusOK {
				t.Fatalf("TAXII objects of %s: %d %s", c.ID, code, body)
			}
			var env struct {
				More    bool              `json:"more"`
				Next    string            `json:"next"`
				Objects []json.RawMessage `json:"objects"`
			}
			if err := json.Unmarshal([]byte(body), &env); err != nil {
				t.Fatal(err)
			}
			if env.More && len(env.Objects) != 3 {
				t.Errorf("TAXII: a page before the last holds %d objects: hidden objects leave gaps", len(env.Objects))
			}
			for _, raw := range env.Objects {
				var o struct {
					ID         string                     `json:"id"`
					Extensions map[string]json.RawMessage `json:"extensions"`
				}
				if err := json.Unmarshal(raw, &o); err != nil {
					t.Fatal(err)
				}
				if objects[o.ID] {
					t.Errorf("TAXII: object %s listed twice", o.ID)
				}
				objects[o.ID] = true
				var ext struct {
					Statements []struct {
						ID string `json:"id"`
					} `json:"statements"`
				}
				if b, ok := o.Extensions[stix.ExtStatements]; ok {
					if err := json.Unmarshal(b, &ext); err != nil {
						t.Fatal(err)
					}
				}
				for _, st := range ext.Statements {
					out.statements[st.ID] = true
				}
			}
			if !env.More {
				break
			}
			next = env.Next
		}
		code, body := get("collections/" + c.ID + "/manifest/?limit=500")
		var manifest struct {
			More    bool `json:"more"`
			Objects []struct {
				ID string `json:"id"`
			} `json:"objects"`
		}
		if err := json.Unmarshal([]byte(body), &manifest); code != http.StatusOK || err != nil {
			t.Fatalf("TAXII manifest of %s: %d %s", c.ID, code, body)
		}
		if len(manifest.Objects) != len(objects) || manifest.More {
			t.Errorf("TAXII manifest of %s lists %d objects, the collection holds %d", c.ID, len(manifest.Objects), len(objects))
		}
		for _, m := range manifest.Objects {
			if !objects[m.ID] {
				t.Errorf("TAXII manifest of %s lists %s, which the collection does not hold", c.ID, m.ID)
			}
		}
	}
	out.text = all.String()
	return out
}

// taxiiObjectPath is the path, under the API root, of an entity's object
// in the requester's collection of everything released to it.
func taxiiObjectPath(agency, schemaType, entityID string) string {
	return "collections/" + taxii.ReleasedCollectionID(agency) + "/objects/" + schemaType + "--" + stix.EntityUUID(entityID) + "/"
}
