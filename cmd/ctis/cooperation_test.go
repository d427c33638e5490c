package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ctis"
)

// TestAuthorityImportAndOverdueRequests imports a directory from CSV, all
// or none, and lists the requests an agency has to chase.
func TestAuthorityImportAndOverdueRequests(t *testing.T) {
	db := newNode(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	today := time.Now().UTC().Format(time.DateOnly)
	bad := write("bad.csv", "name,country,instrument,jurisdiction,languages,channels,hours,verified_on\n"+
		"Bundesamt für Justiz,DE,mla,federal,de;en,secure e-mail;phone,office hours,"+today+"\n"+
		"Nowhere,XX,mla,all,en,fax,24/7,"+today+"\n")
	_, _, err := run(t, "", "--db", db, "authority", "import", "--agency", "de-bka", bad)
	if err == nil || !strings.Contains(err.Error(), "line 3: country:") || !strings.Contains(err.Error(), "nothing was added") {
		t.Fatalf("a bad country on line 3: %v", err)
	}
	if out := mustRun(t, "--db", db, "authority", "list"); strings.Contains(out, "Justiz") {
		t.Errorf("a refused import added entries:\n%s", out)
	}
	good := write("good.csv", "country,instrument,name,jurisdiction,languages,channels,hours,verified_on\n"+
		"DE,mla,Bundesamt für Justiz,federal,de;en,secure e-mail;phone,office hours,"+today+"\n"+
		"DE,network_24_7,BKA 24/7 point of contact,federal,de;en,phone,24/7,2024-01-15\n")
	if out := mustRun(t, "--db", db, "authority", "import", "--agency", "DE-BKA", good); !strings.Contains(out, "added 2 directory entries for DE-BKA") {
		t.Errorf("import: %s", out)
	}
	out := mustRun(t, "--db", db, "authority", "list", "--agency", "de-bka", "--stale")
	if !strings.Contains(out, "BKA 24/7 point of contact") || !strings.Contains(out, "2024-01-15 (stale)") || strings.Contains(out, "Justiz") {
		t.Errorf("stale entries:\n%s", out)
	}

	// A request whose deadline passed while it was open is listed as
	// overdue to both parties, and to nobody else.
	st := openStore(t, db)
	auth := ""
	for _, line := range strings.Split(mustRun(t, "--db", db, "authority", "list", "--instrument", "mla"), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			auth = f[0]
		}
	}
	fr := asAgency(t.Context(), "FR-DGSI", "")
	soon := time.Now().Add(2 * time.Second)
	r, err := st.CreateRequest(fr, ctis.NewRequest{Kind: ctis.KindUrgent, Authority: auth, LegalBasis: "art. 35 Budapest Convention",
		Offence: "imminent attack", Description: "subscriber data", Deadline: &soon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.TakeStep(fr, r.ID, ctis.Step{Action: ctis.ActionSend}); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "--db", db, "request", "list", "--agency", "DE-BKA", "--overdue"); strings.Contains(out, r.ID) {
		t.Errorf("overdue before the deadline:\n%s", out)
	}
	time.Sleep(time.Until(soon) + 50*time.Millisecond)
	for _, agency := range []string{"DE-BKA", "fr-dgsi"} {
		if out := mustRun(t, "--db", db, "request", "list", "--agency", agency, "--overdue"); !strings.Contains(out, r.ID) || !strings.Contains(out, "imminent attack") {
			t.Errorf("%s, overdue:\n%s", agency, out)
		}
	}
	mustRun(t, "--db", db, "agency", "add", "--code", "JO-GID", "--name", "GID", "--country", "JO", "--kind", "security")
	if out := mustRun(t, "--db", db, "request", "list", "--agency", "JO-GID", "--overdue"); strings.Contains(out, r.ID) {
		t.Errorf("an agency outside the request:\n%s", out)
	}
}
