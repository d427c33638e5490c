package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEExamplesRun runs the README's examples, so that they cannot
// rot: a fenced block whose info string names a file after its language
// ("```json subjects.jsonl") is written to that file, and every line of
// an sh block that starts with "ctis " is run in order, in-process,
// against a new database in the same directory. A "# comment" after a
// command is what it must print. Other lines (go run, go test) are left
// to the reader.
func TestREADMEExamplesRun(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("CTIS_DB", filepath.Join(dir, "readme.db"))
	ran := 0
	for _, block := range fencedBlocks(string(b)) {
		info := strings.Fields(block.info)
		switch {
		case len(info) == 2:
			if err := os.WriteFile(info[1], []byte(block.body), 0o600); err != nil {
				t.Fatal(err)
			}
		case len(info) == 1 && info[0] == "sh":
			for _, line := range strings.Split(block.body, "\n") {
				if !strings.HasPrefix(line, "ctis ") {
					continue
				}
				command, want, _ := strings.Cut(line, " #")
				args, err := shellWords(strings.TrimPrefix(command, "ctis "))
				if err != nil {
					t.Fatalf("%s: %v", line, err)
				}
				out, errOut, err := run(t, "", args...)
				if err != nil {
					t.Fatalf("README line %q fails: %v\n%s", line, err, errOut)
				}
				if want = strings.TrimSpace(want); !strings.Contains(out+errOut, want) {
					t.Errorf("README line %q printed %q, want %q", line, out+errOut, want)
				}
				ran++
			}
		}
	}
	if ran < 3 {
		t.Fatalf("ran %d README commands: the examples were not found", ran)
	}
}

type fencedBlock struct{ info, body string }

// fencedBlocks returns the ``` blocks of a Markdown text.
func fencedBlocks(md string) []fencedBlock {
	var out []fencedBlock
	var cur *fencedBlock
	for _, line := range strings.Split(md, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &fencedBlock{info: strings.TrimPrefix(line, "```")}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	return out
}

// shellWords splits a command line as sh would, for the quoting the
// README uses: words separated by blanks, single and double quotes.
func shellWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, os.ErrInvalid
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}
