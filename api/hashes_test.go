package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"

	"ctis"
)

// hashCalls exercises every hash-sharing route once, successfully: a bank
// of the French service matched by the German one, from hashes and from
// an uploaded photograph, with feedback, an appeal and the figures.
func hashCalls(t *testing.T, f *fixture) {
	t.Helper()
	photo, err := os.ReadFile("../pdq/testdata/images/square-256x256.jpg")
	if err != nil {
		t.Fatal(err)
	}
	var bank ctis.HashBank
	f.post("fr.analyst", "/api/v1/hashbanks", map[string]any{"name": "Daesh media", "handling": map[string]any{"distribution": "all", "frontline": true}}).
		want(t, http.StatusCreated).decode(t, &bank)
	f.do(call{method: "GET", path: "/api/v1/hashbanks", as: "fr.border"}).want(t, http.StatusOK)

	// The photograph's hash, as the reference tools print it.
	const photoPDQ = "d8f8f0cec4f4a84f0637022a078f67f0b36e2ee5b6621e1d33e6239c4e9c9b22"
	csv := "type,value,entity,behaviours,content_type\npdq," + photoPDQ + ",Daesh,branded_propaganda|recruitment,image\nurl,https://www.example.org/watch?v=1&utm_source=x,Daesh,recruitment,video\n"
	var stored struct{ Stored int }
	f.do(call{method: "POST", path: "/api/v1/hashbanks/" + bank.ID + "/entries", as: "fr.analyst", contentType: "text/csv", body: csv}).want(t, http.StatusOK).decode(t, &stored)
	f.post("fr.analyst", "/api/v1/hashbanks/"+bank.ID+"/entries", map[string]any{"entries": []map[string]any{{"type": "md5", "value": strings.Repeat("a", 32)}}}).want(t, http.StatusOK)
	var entries struct{ Entries []ctis.HashEntry }
	f.do(call{method: "GET", path: "/api/v1/hashbanks/" + bank.ID + "/entries?type=md5", as: "de.analyst"}).want(t, http.StatusOK).decode(t, &entries)
	if stored.Stored != 2 || len(entries.Entries) != 1 {
		t.Fatalf("stored %d; md5 entries %+v", stored.Stored, entries.Entries)
	}
	f.post("fr.analyst", "/api/v1/hashes/"+entries.Entries[0].ID+"/disable", map[string]string{"reason": "a duplicate"}).want(t, http.StatusOK)
	f.post("fr.analyst", "/api/v1/hashes/"+entries.Entries[0].ID+"/enable", map[string]string{"reason": "not a duplicate"}).want(t, http.StatusOK)
	r := f.do(call{method: "GET", path: "/api/v1/hashbanks/" + bank.ID + "/export?format=csv", as: "de.analyst"}).want(t, http.StatusOK)
	if n := strings.Count(string(r.body), "\n"); n != 4 || !strings.HasPrefix(string(r.body), "type,value,") {
		t.Errorf("export: %d lines:\n%s", n, r.body)
	}

	var res struct {
		Matches []ctis.HashMatch
		Image   struct{ PDQ string }
	}
	f.post("de.analyst", "/api/v1/hashes/match", map[string]any{"hashes": []map[string]string{{"type": "url", "value": "http://example.org/watch?v=1"}}}).want(t, http.StatusOK).decode(t, &res)
	if len(res.Matches) != 1 || res.Matches[0].Entry.Type != ctis.HashURL {
		t.Fatalf("URL match: %+v", res.Matches)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	part, _ := mw.CreateFormFile("image", "upload.jpg")
	part.Write(photo)
	mw.WriteField("variants", "true")
	mw.Close()
	f.do(call{method: "POST", path: "/api/v1/hashes/match", as: "de.analyst", contentType: mw.FormDataContentType(), body: form.String()}).want(t, http.StatusOK).decode(t, &res)
	if res.Image.PDQ != photoPDQ || len(res.Matches) != 1 || res.Matches[0].Distance != 0 {
		t.Fatalf("image match: %s, %+v", res.Image.PDQ, res.Matches)
	}
	match := res.Matches[0].ID
	f.post("de.analyst", "/api/v1/hashes/matches/"+match+"/feedback", map[string]string{"verdict": "disputed", "reason": "news footage"}).want(t, http.StatusOK)
	var appeal ctis.Appeal
	f.post("de.analyst", "/api/v1/appeals", map[string]string{"match": match, "reference": "ticket 5521"}).want(t, http.StatusCreated).decode(t, &appeal)
	f.post("de.analyst", "/api/v1/appeals/"+appeal.ID+"/decision", map[string]string{"outcome": "upheld", "reason": "reporting, not propaganda"}).want(t, http.StatusOK)
	f.do(call{method: "GET", path: "/api/v1/appeals", as: "de.analyst"}).want(t, http.StatusOK)
	var tr struct{ Months []ctis.TransparencyMonth }
	f.do(call{method: "GET", path: "/api/v1/hashes/transparency", as: "fr.auditor"}).want(t, http.StatusOK).decode(t, &tr)
	last := tr.Months[len(tr.Months)-1]
	if last.EntriesAdded != 3 || last.Matches != 2 || last.Disputes != 1 || last.AppealsUpheld != 1 {
		t.Errorf("transparency %+v", last)
	}
	// One member disputed and upheld an appeal: one dispute, not yet a flag.
	f.do(call{method: "GET", path: "/api/v1/hashbanks/" + bank.ID + "/entries?type=pdq", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &entries)
	if e := entries.Entries[0]; e.Disputes != 1 || e.Flagged {
		t.Errorf("disputes %d, flagged %v", e.Disputes, e.Flagged)
	}
	f.do(call{method: "GET", path: "/api/v1/hashbanks/" + bank.ID + "/entries?flagged=true", as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &entries)
	if len(entries.Entries) != 0 {
		t.Errorf("flagged after one member's dispute")
	}
}

// TestHashBadInput: bad entry files and match requests are refused with
// the line or field named, and store nothing.
func TestHashBadInput(t *testing.T) {
	f := newFixture(t)
	var bank ctis.HashBank
	f.post("fr.analyst", "/api/v1/hashbanks", map[string]any{"name": "b", "handling": map[string]any{"distribution": "all"}}).want(t, http.StatusCreated).decode(t, &bank)
	entries := "/api/v1/hashbanks/" + bank.ID + "/entries"
	for _, c := range []struct {
		call  call
		code  int
		field string
	}{
		{call{method: "POST", path: entries, contentType: "text/csv", body: "type,value\nmd5," + strings.Repeat("0", 32) + "\npdq,xyz\n"}, 400, "line 3.value"},
		{call{method: "POST", path: entries, contentType: "text/csv", body: "type,valu\n"}, 400, "line 1.header"},
		{call{method: "POST", path: entries, contentType: "application/x-ndjson", body: `{"type":"md5","value":"` + strings.Repeat("0", 32) + `","labels":{"behaviours":["cats"]}}`}, 400, "line 1.labels.behaviours[0]"},
		{call{method: "POST", path: entries, contentType: "text/plain", body: "x"}, 415, "Content-Type"},
		{call{method: "POST", path: "/api/v1/hashes/match", contentType: "application/json", body: `{"hashes":[{"type":"pdq","value":"00"}]}`}, 400, "hashes[0].value"},
		{call{method: "POST", path: "/api/v1/hashes/match", contentType: "application/json", body: `{"hashes":[{"type":"md5","value":"` + strings.Repeat("0", 32) + `"}],"radius":99}`}, 400, "radius"},
		{call{method: "POST", path: "/api/v1/hashes/match", contentType: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nnot an image\r\n--x--\r\n"}, 400, "image"},
		{call{method: "POST", path: "/api/v1/hashes/match", contentType: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"colour\"\r\n\r\nred\r\n--x--\r\n"}, 400, "colour"},
	} {
		c.call.as = "fr.analyst"
		before := f.state()
		p := f.do(c.call).want(t, c.code).problem(t)
		if p.Field != c.field {
			t.Errorf("%s %.50q: field %q, want %q (%s)", c.call.path, c.call.body, p.Field, c.field, p.Detail)
		}
		if after := f.state(); !reflect.DeepEqual(after, before) {
			t.Errorf("%s %.50q changed the store", c.call.path, c.call.body)
		}
	}
	var list struct{ Entries []ctis.HashEntry }
	f.do(call{method: "GET", path: entries, as: "fr.analyst"}).want(t, http.StatusOK).decode(t, &list)
	if len(list.Entries) != 0 {
		t.Errorf("a refused file stored %d entries", len(list.Entries))
	}
}
