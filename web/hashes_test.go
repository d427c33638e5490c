package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"ctis"
)

// TestHashPage: banks under every handling, viewed by analysts and
// frontline officers of two agencies. The page lists, matches and counts
// only what ctis.CanSee allows, a hidden bank with a hit notice shows
// only its agency; a match gets feedback, which the figures count.
func TestHashPage(t *testing.T) {
	srv, db, _, hashes := serveNode(t)
	base := srv.URL
	if _, err := db.PutGroup(system, ctis.SharingGroup{Name: "western", Agencies: []string{"FR-DGSI", "DE-BKA"}}); err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile("../pdq/testdata/images/square-256x256.jpg")
	if err != nil {
		t.Fatal(err)
	}
	const photoPDQ = "d8f8f0cec4f4a84f0637022a078f67f0b36e2ee5b6621e1d33e6239c4e9c9b22"
	fr := ctis.NewContext(context.Background(), ctis.Identity{Username: "fr.analyst", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}})
	type bank struct {
		name string
		h    ctis.Handling
	}
	var banks []bank
	for i, h := range ctis.EveryHandling("DE-BKA", "western") {
		b, err := hashes.CreateHashBank(fr, ctis.HashBank{Name: fmt.Sprintf("Bank-%02d", i), Handling: h})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hashes.AddHashes(fr, b.ID, []ctis.HashEntry{{Type: ctis.HashPDQ, Value: photoPDQ}}); err != nil {
			t.Fatal(err)
		}
		banks = append(banks, bank{b.Name, h})
	}
	groups := map[string][]string{"FR-DGSI": {"western"}, "DE-BKA": {"western"}}
	for _, user := range []struct {
		name, agency string
		frontline    bool
	}{{"fr.analyst", "FR-DGSI", false}, {"de.analyst", "DE-BKA", false}, {"de.border", "DE-BKA", true}} {
		c := signIn(t, base, user.name)
		v := ctis.Viewer{Agency: user.agency, FrontlineOnly: user.frontline, Groups: groups[user.agency]}
		_, page := get(t, c, base+"/hashes")
		result := match(t, c, base, photo)
		seen, notices := 0, 0
		for _, b := range banks {
			sees := ctis.CanSee(v, "FR-DGSI", b.h)
			if strings.Contains(page, b.name) != sees || strings.Contains(result, "<strong>"+b.name+"</strong>") != sees {
				t.Errorf("%s, %s under %+v: listed %v, matched %v; may see %v", user.name, b.name, b.h,
					strings.Contains(page, b.name), strings.Contains(result, b.name), sees)
			}
			if sees {
				seen++
			} else if b.h.HitNotice {
				notices++
			}
		}
		if n := strings.Count(result, `action="/hashes/matches/`); n != seen {
			t.Errorf("%s: %d matches shown, may see %d", user.name, n, seen)
		}
		if got := strings.Count(result, "contact FR-DGSI"); (got > 0) != (notices > 0) || got > 1 {
			t.Errorf("%s: %d notices shown, %d hidden banks ask for one", user.name, got, notices)
		}
		// This month's row counts the entries of the banks the user sees.
		if row := regexp.MustCompile(`<tr><td>\d{4}-\d{2}</td><td>(\d+)</td>`).FindAllStringSubmatch(page, -1); len(row) == 0 || row[len(row)-1][1] != fmt.Sprint(seen) {
			t.Errorf("%s: transparency rows %v, want %d entries added", user.name, row, seen)
		}
	}

	c := signIn(t, base, "de.analyst")
	result := match(t, c, base, photo)
	id := regexp.MustCompile(`action="/hashes/matches/([^/]+)/feedback"`).FindStringSubmatch(result)[1]
	res, err := c.PostForm(base+"/hashes/matches/"+id+"/feedback", url.Values{"csrf": {csrfOf(t, c, base)}, "verdict": {"false_positive"}, "reason": {"a different picture"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "Feedback recorded.") {
		t.Fatalf("feedback: %d\n%s", res.StatusCode, b)
	}

	// The user whose content was removed appeals; the appeal is upheld.
	res, err = c.PostForm(base+"/hashes/appeals", url.Values{"csrf": {csrfOf(t, c, base)}, "match": {id}, "reference": {"ticket 4471"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	appeal := regexp.MustCompile(`action="/hashes/appeals/([^"]+)"`).FindStringSubmatch(string(b))
	if !strings.Contains(string(b), "Appeal recorded.") || appeal == nil {
		t.Fatalf("appeal: %d\n%s", res.StatusCode, section(string(b), `id="appeals"`))
	}
	res, err = c.PostForm(base+"/hashes/appeals/"+appeal[1], url.Values{"csrf": {csrfOf(t, c, base)}, "outcome": {"upheld"}, "reason": {"news reporting"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "Upheld: content restored: news reporting") {
		t.Fatalf("decision: %d\n%s", res.StatusCode, b)
	}
	// Another agency cannot decide it.
	other := signIn(t, base, "fr.analyst")
	res, err = other.PostForm(base+"/hashes/appeals/"+appeal[1], url.Values{"csrf": {csrfOf(t, other, base)}, "outcome": {"rejected"}, "reason": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("another agency deciding the appeal: %d", res.StatusCode)
	}
}

// match uploads an image on the hash page and returns the matches shown.
func match(t *testing.T, c *http.Client, base string, image []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrfOf(t, c, base))
	mw.WriteField("variants", "on")
	fw, _ := mw.CreateFormFile("image", "upload.jpg")
	fw.Write(image)
	mw.Close()
	res, err := c.Post(base+"/hashes/match", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("match: %d\n%s", res.StatusCode, b)
	}
	return section(string(b), `id="matches"`)
}
