package web

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCatalogue: English and French hold every message the templates and
// code use; Arabic and Russian hold every message of the login, search and
// screening pages.
func TestCatalogue(t *testing.T) {
	used := map[string]bool{}
	key := regexp.MustCompile(`\{\{t "([a-z.]+)"|translate\(p\.lang, "([a-z.]+)"\)`)
	var frontline []string
	files, _ := filepath.Glob("templates/*.html")
	code, _ := filepath.Glob("*.go")
	for _, f := range append(files, code...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			k := m[1] + m[2]
			used[k] = true
			if slices.Contains([]string{"templates/login.html", "templates/search.html", "templates/screen.html"}, f) {
				frontline = append(frontline, k)
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d message keys; is the pattern right?", len(used))
	}
	for k := range used {
		for _, l := range []string{"en", "fr"} {
			if _, ok := catalogue[l][k]; !ok {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
	// The frontline pages in Arabic and Russian; a file upload and a
	// downloaded CSV may stay in English there.
	for _, k := range frontline {
		if slices.Contains([]string{"screen.file", "upload", "download", "mrz", "demo.title", "demo.intro", "login.throttled", "agency", "roles"}, k) {
			continue
		}
		for _, l := range []string{"ar", "ru"} {
			if _, ok := catalogue[l][k]; !ok {
				t.Errorf("%s lacks %q, used on a frontline page", l, k)
			}
		}
	}
	for l, msgs := range catalogue {
		for k := range msgs {
			if _, ok := catalogue["en"][k]; !ok {
				t.Errorf("%s has %q, which English lacks", l, k)
			}
		}
	}
}
