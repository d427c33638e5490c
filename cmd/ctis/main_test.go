package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ctis"
	"ctis/store"
	"ctis/vpdq"
)

// TestMain lets a test run the ctis command in a child process: the test
// binary re-executes itself with CTIS_TEST_ARGS set.
func TestMain(m *testing.M) {
	if args := os.Getenv("CTIS_TEST_ARGS"); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			panic(err)
		}
		os.Args = append([]string{"ctis"}, a...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// run runs ctis in-process and returns stdout, stderr and the error.
func run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(stdin))
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := run(t, "", args...)
	if err != nil {
		t.Fatalf("ctis %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// newNode makes a database with agencies FR-DGSI and DE-BKA.
func newNode(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "ctis.db")
	mustRun(t, "--db", db, "agency", "add", "--code", "FR-DGSI", "--name", "DGSI", "--country", "FR", "--kind", "security")
	mustRun(t, "--db", db, "agency", "add", "--code", "DE-BKA", "--name", "BKA", "--country", "DE", "--kind", "law_enforcement")
	return db
}

// writeSubjects writes n entities of per statements each, with stable IDs
// made from their line number, and returns the file and the IDs under
// which an import by FR-DGSI stores them.
func writeSubjects(t *testing.T, n, per int) (string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "subjects.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprintf("01K%023d", i)
		st := []ctis.NewStatement{{Property: "name", Value: fmt.Sprintf("Subject %d al-Test", i), Handling: ctis.Handling{Distribution: ctis.DistAll}}}
		for j := 1; j < per; j++ {
			st = append(st, ctis.NewStatement{Property: "alias", Value: fmt.Sprintf("Alias %d-%d", i, j), Grading: "B2"})
		}
		b, _ := json.Marshal(ctis.NewEntity{ID: ids[i], Schema: "Person", Statements: st})
		ids[i] = ctis.ScopedID("FR-DGSI", ids[i])
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path, ids
}

func openStore(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// statementsOf counts the statements FR-DGSI can see on each of ids.
func statementsOf(t *testing.T, db *store.DB, ids []string) map[string]int {
	t.Helper()
	got := map[string]int{}
	ctx := ctis.WithPurpose(ctis.NewContext(context.Background(), ctis.Identity{Username: "t", Agency: "FR-DGSI", Roles: []ctis.Role{ctis.RoleAnalyst}}), "test")
	err := db.Export(ctx, func(e *ctis.Entity) error {
		got[e.ID] = len(e.Statements)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

var ackLine = regexp.MustCompile(`^imported lines (\d+)-(\d+)$`)

// TestImportSurvivesKill kills an import of 100,000 statements with
// SIGKILL; every acknowledged batch must be there in full, no batch half,
// and the audit chain must verify.
func TestImportSurvivesKill(t *testing.T) {
	const entities, per, batch = 20000, 5, 400
	db := newNode(t)
	file, ids := writeSubjects(t, entities, per)

	args, _ := json.Marshal([]string{"--db", db, "import", "--format", "jsonl", "--agency", "FR-DGSI", "--batch", strconv.Itoa(batch), file})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CTIS_TEST_ARGS="+string(args))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := 0 // the last line acknowledged
	sc := bufio.NewScanner(stderr)
	deadline := time.Now().Add(2 * time.Minute)
	for sc.Scan() && time.Now().Before(deadline) {
		m := ackLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		acked, _ = strconv.Atoi(m[2])
		if acked >= 7*batch {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if acked < 7*batch {
		t.Fatalf("the import acknowledged only %d lines before the deadline", acked)
	}

	st := openStore(t, db)
	got := statementsOf(t, st, ids)
	present := 0
	for i, id := range ids {
		n := got[id]
		if n != 0 && n != per {
			t.Fatalf("entity on line %d has %d of %d statements: a half-applied batch", i+1, n, per)
		}
		if i < acked && n == 0 {
			t.Fatalf("entity on line %d was acknowledged and is lost", i+1)
		}
		if n == per {
			present++
		}
	}
	if present%batch != 0 {
		t.Fatalf("%d entities present: not a whole number of batches", present)
	}
	if present == entities {
		t.Fatalf("the import finished before it was killed; nothing was tested")
	}
	t.Logf("killed after %d acknowledged lines; %d entities (%d statements) present", acked, present, present*per)
	rep, err := st.Verify(ctis.NewContext(context.Background(), ctis.SystemIdentity("test")), nil)
	if err != nil || !rep.OK {
		t.Fatalf("audit after the kill: %+v %v", rep, err)
	}
}

// TestImportBadLineWritesNothingOfItsBatch spoils line 25 of 30, read in
// batches of 10 (the next batch is read while one is stored), three
// ways: a value the reader refuses, a line that is no JSON, and a
// reference only the store can refuse.
func TestImportBadLineWritesNothingOfItsBatch(t *testing.T) {
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"value", `"name"`, `"birthDate"`, "line 25: statements[0].value:"},
		{"json", `{`, `{{`, "line 25:"},
		{"agency", `"distribution":"all"`, `"distribution":"agencies","agencies":["XX-NONE"]`, "line 25: statements[0].handling.agencies[0]: no agency XX-NONE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := newNode(t)
			file, ids := writeSubjects(t, 30, 2)
			b, _ := os.ReadFile(file)
			lines := strings.Split(string(b), "\n")
			if !strings.Contains(lines[24], c.old) {
				t.Fatalf("line 25 has no %s: %s", c.old, lines[24])
			}
			lines[24] = strings.Replace(lines[24], c.old, c.new, 1)
			os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o600)

			_, _, err := run(t, "", "--db", db, "import", "--agency", "FR-DGSI", "--batch", "10", file)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "--from-line 21") {
				t.Fatalf("got %v", err)
			}
			got := statementsOf(t, openStore(t, db), ids)
			for i, id := range ids {
				if want := i < 20; (got[id] > 0) != want {
					t.Errorf("line %d present: %v, want %v", i+1, got[id] > 0, want)
				}
			}
		})
	}
}

func TestUserAddPrintsTokenAlone(t *testing.T) {
	db := newNode(t)
	out, errOut, err := run(t, "a long enough password\n", "--db", db, "user", "add", "--username", "border.de", "--agency", "DE-BKA", "--roles", "frontline", "--password-stdin")
	if err != nil {
		t.Fatal(err, errOut)
	}
	token := strings.TrimSpace(out)
	if !regexp.MustCompile(`^ctis_[A-Za-z0-9_-]{43}$`).MatchString(token) {
		t.Fatalf("stdout %q is not a token alone", out)
	}
	st := openStore(t, db)
	id, err := st.Authenticate(context.Background(), ctis.CredentialAPI, token)
	if err != nil || id.Agency != "DE-BKA" || !id.Has(ctis.RoleFrontline) {
		t.Fatalf("token resolves to %+v, %v", id, err)
	}
	if _, _, err := st.Login(context.Background(), ctis.CredentialAPI, "border.de", "a long enough password", time.Hour); err != nil {
		t.Fatalf("login with the password from stdin: %v", err)
	}
}

func TestAuditVerifyNamesTamperedEvent(t *testing.T) {
	db := newNode(t)
	mustRun(t, "--db", db, "user", "add", "--username", "a.fr", "--agency", "FR-DGSI", "--roles", "analyst")
	out := mustRun(t, "--db", db, "audit", "verify")
	if !strings.HasPrefix(out, "audit trail verified: 4 events") {
		t.Fatalf("got %q", out)
	}
	head := strings.TrimSpace(mustRun(t, "--db", db, "audit", "head"))
	mustRun(t, "--db", db, "audit", "verify", "--head", head)

	raw, err := sql.Open("sqlite", "file:"+db) // as an intruder with the file would
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_events_no_update`, `UPDATE audit_events SET username = 'nobody' WHERE seq = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	_, _, err = run(t, "", "--db", db, "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "audit trail broken at event 2:") {
		t.Fatalf("got %v", err)
	}
}

func TestImportUNList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ctis.db")
	const list = "../../demo/testdata/un-consolidated.xml"
	_, errOut, err := run(t, "", "--db", db, "import", "--format", "un-xml", list)
	if err != nil || !strings.Contains(errOut, "1003 entries; 1003 new") {
		t.Fatalf("%v\n%s", err, errOut)
	}
	b, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	// A newer list: one entry de-listed, one alias renamed.
	newer := string(b)
	start := strings.Index(newer, "<INDIVIDUAL>")
	end := strings.Index(newer, "</INDIVIDUAL>") + len("</INDIVIDUAL>")
	newer = newer[:start] + newer[end:]
	newer = strings.Replace(newer, "<ALIAS_NAME>\"GODANE\"</ALIAS_NAME>", "<ALIAS_NAME>\"GODAANE\"</ALIAS_NAME>", 1)
	newerPath := filepath.Join(t.TempDir(), "newer.xml")
	os.WriteFile(newerPath, []byte(newer), 0o600)
	_, errOut, err = run(t, "", "--db", db, "import", "--format", "un-xml", newerPath)
	if err != nil || !strings.Contains(errOut, "1002 entries; 0 new, 1 changed, 1001 unchanged, 1 de-listed; 1 statements added, 10 withdrawn") {
		t.Fatalf("%v\n%s", err, errOut)
	}

	// A malformed list is refused with its line and element, and changes nothing.
	before := mustRun(t, "--db", db, "audit", "head")
	broken := filepath.Join(t.TempDir(), "broken.xml")
	os.WriteFile(broken, []byte(strings.Replace(newer, "</DATAID>", "</DATA>", 7)), 0o600)
	_, _, err = run(t, "", "--db", db, "import", "--format", "un-xml", broken)
	if err == nil || !regexp.MustCompile(`line \d+: <INDIVIDUAL>: malformed XML`).MatchString(err.Error()) || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("got %v", err)
	}
	if after := mustRun(t, "--db", db, "audit", "head"); after != before {
		t.Fatal("a refused list changed the database")
	}
}

func TestParseCommands(t *testing.T) {
	out := mustRun(t, "parse", "paxlst", "../../paxlst/testdata/03_wco_guide_ex5_3_progressive_two_pax.edi")
	if !strings.Contains(out, "FL MARTINEZ, SORINA MARIA  F  born 1969-06-06") || !strings.Contains(out, "leg ZX877 (carrier XZ) IAD") {
		t.Errorf("paxlst:\n%s", out)
	}
	out = mustRun(t, "parse", "pnrgov", "../../pnrgov/testdata/02_gtas_pnrMessage_spec_example_DL324.edi")
	if !strings.Contains(out, "PNR MFN4TI (DL)") || !strings.Contains(out, "document P GBR 123456789, nationality GBR, born 1964-07-12") {
		t.Errorf("pnrgov:\n%s", out)
	}
	mrzFile := filepath.Join(t.TempDir(), "mrz.txt")
	os.WriteFile(mrzFile, []byte("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C35UTO7408122F1204159ZE184226B<<<<<10\n"), 0o600)
	out, _, err := run(t, "", "parse", "mrz", mrzFile)
	if err == nil || !strings.Contains(err.Error(), "document_number: check digit is 5") || !strings.Contains(out, "name: ERIKSSON, ANNA MARIA") {
		t.Errorf("mrz: %v\n%s", err, out)
	}
}

func TestScreenManifest(t *testing.T) {
	db := newNode(t)
	list := filepath.Join(t.TempDir(), "list.jsonl")
	os.WriteFile(list, []byte(`{"id":"`+ctis.DerivedID("test", "1")+`","schema":"Person","statements":[`+
		`{"property":"name","value":"Julio Martínez","handling":{"distribution":"all","frontline":true}},`+
		`{"property":"birthDate","value":"1968","handling":{"distribution":"all","frontline":true}}]}`+"\n"), 0o600)
	mustRun(t, "--db", db, "import", "--format", "jsonl", "--agency", "FR-DGSI", list)
	const manifest = "../../paxlst/testdata/03_wco_guide_ex5_3_progressive_two_pax.edi"
	out := mustRun(t, "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "flight XZ877", "--frontline", "--manifest", manifest)
	if !strings.Contains(out, "2 travellers screened, 1 with hits") || !strings.Contains(out, "traveller 1 (passenger)") || !strings.Contains(out, "Julio Martínez") {
		t.Errorf("manifest screening:\n%s", out)
	}
	var res ctis.ManifestScreening
	if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "flight XZ877", "--manifest", manifest, "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if j := res.Travellers[0].Result.Subject.Journey; j == nil || j.From != "BCN" || j.To != "SFO" || j.Flight != "XZ877" {
		t.Errorf("journey %+v", j)
	}
	// Both screenings kept the two travellers; a jurisdiction that masks
	// at once masks all four, and the hit each screening raised.
	if out := mustRun(t, "--db", db, "--travel-mask-months", "0", "travel", "retention"); out != "masked 4 travel records, deleted 0; of their referrals masked 0, deleted 0; of their hits masked 2, deleted 0\n" {
		t.Errorf("retention: %q", out)
	}
	if _, _, err := run(t, "", "--db", db, "--travel-mask-months", "9", "--travel-delete-months", "3", "travel", "retention"); err == nil || !strings.Contains(err.Error(), "masking must come first") {
		t.Errorf("a policy deleting before masking: %v", err)
	}
	docs := filepath.Join(t.TempDir(), "docs.jsonl")
	os.WriteFile(docs, []byte(`{"id":"`+ctis.DerivedID("test", "doc")+`","schema":"Document","statements":[`+
		`{"property":"number","value":"X0123456","handling":{"distribution":"all","frontline":true}},`+
		`{"property":"status","value":"stolen","handling":{"distribution":"all","frontline":true}}]}`+"\n"), 0o600)
	mustRun(t, "--db", db, "import", "--format", "jsonl", "--agency", "FR-DGSI", docs)
	if out := mustRun(t, "--db", db, "check-document", "--agency", "DE-BKA", "--purpose", "border", "--number", "xo12-3456"); out != "HIT: the document is recorded as stolen\n" {
		t.Errorf("check-document: %q", out)
	}
	broken := filepath.Join(t.TempDir(), "broken.edi")
	os.WriteFile(broken, []byte("UNB+UNOA:4+A+B+260101:0000+1'UNH+1+PAXLST:D:05B:UN'BGM+745'"), 0o600)
	if _, _, err := run(t, "", "--db", db, "screen", "--agency", "DE-BKA", "--purpose", "p", "--manifest", broken); err == nil || !strings.Contains(err.Error(), "no trailer UNT") || !strings.Contains(err.Error(), "ctis parse paxlst") {
		t.Errorf("broken manifest: %v", err)
	}
}

func TestHashCommand(t *testing.T) {
	out := mustRun(t, "hash", "../../pdq/testdata/images/wee.jpg")
	if !strings.Contains(out, "pdq ") || !strings.Contains(out, "quality 100") || !strings.Contains(out, "sha256 ") {
		t.Errorf("hash: %q", out)
	}
	notImage := filepath.Join(t.TempDir(), "x.jpg")
	os.WriteFile(notImage, []byte("hello"), 0o600)
	if _, errOut, err := run(t, "", "hash", notImage); err == nil || !strings.Contains(errOut, "not an image") {
		t.Errorf("a non-image: %v %q", err, errOut)
	}
}

// ctis hash prints a video's vPDQ lines in the reference's format, knows
// a video by its content under any name, and says why a file is refused.
func TestHashVideo(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil && os.Getenv("CTIS_VIDEO_TESTS") == "" {
		t.Skip("ffmpeg not installed")
	}
	data, err := os.ReadFile("../../vpdq/testdata/test-padded-dimensions.mp4")
	if err != nil {
		t.Fatal(err)
	}
	upload := filepath.Join(t.TempDir(), "upload.bin")
	os.WriteFile(upload, data, 0o600)
	out := mustRun(t, "hash", upload)
	fs, err := vpdq.Read(strings.NewReader(out), 0)
	if err != nil || len(fs) != 5 || fs[1].Frame != 30 || fs[1].Time != 1 {
		t.Errorf("hash of a video: %v, %+v", err, fs)
	}
	text := filepath.Join(t.TempDir(), "clip.mp4")
	os.WriteFile(text, []byte("not a video\n"), 0o600)
	if _, errOut, err := run(t, "", "hash", text); err == nil || !strings.Contains(errOut, "clip.mp4: vpdq: not a video") {
		t.Errorf("a text file named .mp4: %v %q", err, errOut)
	}
}
