package unlist_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"ctis/unlist"
)

// unList reads the real UN list that the demo ships.
func unList(t *testing.T) *unlist.List {
	t.Helper()
	f, err := os.Open("../demo/testdata/un-consolidated.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := unlist.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseConsolidatedList(t *testing.T) {
	l := unList(t)
	var individuals, entities, original, aliases, between, approx, docs int
	byRef := map[string]unlist.Entry{}
	for _, e := range l.Entries {
		byRef[e.Reference] = e
		if e.Kind == unlist.Individual {
			individuals++
		} else {
			entities++
		}
		if e.NameOriginalScript != "" {
			original++
		}
		aliases += len(e.Aliases)
		docs += len(e.Documents)
		for _, b := range e.BirthDates {
			switch b.Kind {
			case unlist.Between:
				between++
			case unlist.Approximately:
				approx++
			}
		}
	}
	if individuals != 730 || entities != 273 {
		t.Fatalf("%d individuals, %d entities; want 730 and 273", individuals, entities)
	}
	if l.Generated.Format("2006-01-02") != "2026-02-27" {
		t.Errorf("generated %v", l.Generated)
	}
	t.Logf("%d original-script names, %d aliases, %d documents, %d between, %d approximate dates", original, aliases, docs, between, approx)
	if original != 378 || between != 31 || approx == 0 || docs < 400 {
		t.Errorf("original %d (want 378), between %d (want 31), approximate %d, documents %d", original, between, approx, docs)
	}
	e, ok := byRef["CDi.001"]
	if !ok || e.Name != "ERIC BADEGE" || e.Regime != "DRC" || e.ListedOn != "2012-12-31" || e.Gender != "Male" ||
		len(e.BirthDates) != 1 || e.BirthDates[0].Date != "1971" || e.BirthDates[0].Kind != unlist.Exact ||
		len(e.Nationalities) != 1 || e.Nationalities[0] != "Democratic Republic of the Congo" || len(e.Aliases) != 0 {
		t.Errorf("CDi.001: %+v", e)
	}
	for _, e := range l.Entries {
		for _, a := range e.Aliases {
			switch a.Quality {
			case unlist.Good, unlist.Low, unlist.AKA, unlist.FKA, "":
			default:
				t.Errorf("%s: alias quality %q", e.Reference, a.Quality)
			}
		}
	}
}

func TestParseRejects(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "",
		"not xml":        "hello",
		"other document": `<?xml version="1.0"?><FEED></FEED>`,
		"truncated":      `<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>`,
		"no name":        `<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`,
		"duplicate": `<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><REFERENCE_NUMBER>QDe.1</REFERENCE_NUMBER><FIRST_NAME>A</FIRST_NAME></ENTITY>` +
			`<ENTITY><DATAID>1</DATAID><REFERENCE_NUMBER>QDe.2</REFERENCE_NUMBER><FIRST_NAME>B</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>`,
		"bad date": `<CONSOLIDATED_LIST dateGenerated="yesterday"></CONSOLIDATED_LIST>`,
	} {
		_, err := unlist.Parse(strings.NewReader(in))
		var ue *unlist.Error
		if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), "line ") {
			t.Errorf("%s: %v, want an error naming line and element", name, err)
		}
		t.Logf("%s: %v", name, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><FIRST_NAME>A</FIRST_NAME>` +
		`<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1970</FROM_YEAR><TO_YEAR>1971</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`)
	f.Add(`<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z"/>`)
	f.Fuzz(func(t *testing.T, in string) {
		l, err := unlist.Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, e := range l.Entries {
			if e.DataID == "" || e.Reference == "" || e.Name == "" {
				t.Fatalf("accepted an entry without DATAID, reference or name: %+v", e)
			}
		}
	})
}

func TestEntities(t *testing.T) {
	l := unList(t)
	entities, warnings := l.Entities()
	for _, w := range warnings {
		t.Log(w)
	}
	if len(warnings) > 5 {
		t.Errorf("%d warnings", len(warnings))
	}
	counts := map[string]int{}
	for _, e := range entities {
		if _, err := e.Validate("2026-01-01"); err != nil {
			t.Fatalf("%s does not validate: %v", e.ID, err)
		}
		for _, s := range e.Statements {
			counts[s.Property]++
		}
	}
	t.Logf("statements by property: %v", counts)
	if counts["listReference"] != 1003 || counts["nationality"] < 600 || counts["birthDate"] < 850 || counts["passportNumber"] < 100 {
		t.Errorf("counts %v", counts)
	}
}

// TestPackedAliases reads QDe.137 as the 2026-02-27 list gives it: one
// alias field packs nine names of Hay'at Tahrir al-Sham, over 300
// characters, and others pack an original-script name with its
// spellings. Each name is an alias of its own, none left out.
func TestPackedAliases(t *testing.T) {
	f, err := os.Open("testdata/qde137-packed-aliases.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := unlist.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 1 || l.Entries[0].Reference != "QDe.137" {
		t.Fatalf("entries %+v", l.Entries)
	}
	e := l.Entries[0]
	var names []string
	for _, a := range e.Aliases {
		names = append(names, a.Name)
		if a.Quality != unlist.AKA {
			t.Errorf("%q: quality %q", a.Name, a.Quality)
		}
		if strings.ContainsAny(a.Name, ";") || strings.Contains(a.Name, "original script") || strings.Count(a.Name, "(") != strings.Count(a.Name, ")") {
			t.Errorf("alias %q is not one name", a.Name)
		}
	}
	for _, want := range []string{
		"Hay’at Tahrir al-Sham (HTS)", "هيئة تحرير الشام", "Hay’at Tahrir al-Sham", "Hay’et Tahrir al-Sham", "Hayat Tahrir al-Sham",
		"Assembly for the Liberation of Syria", "Assembly for the Liberation of the Levant", "Liberation of al-Sham Commission",
		"Liberation of the Levant Organisation Tahrir al-Sham", "Tahrir al-Sham Hay’at",
		"جبهة النصرة", "the Victory Front", "Al-Nusra Front", "جبهة فتح الشام", "Fateh al-Sham Front",
		"Front for the Conquest of Syria/the Levant", "شبكة أنصار المجاهدين (Ansar al-Mujahideen Network - sub-unit name)",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("no alias %q in %q", want, names)
		}
	}
	entities, warnings := l.Entities()
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	aliases := 0
	for _, s := range entities[0].Statements {
		if s.Property == "alias" {
			aliases++
		}
	}
	if aliases != len(names) {
		t.Errorf("%d alias statements for %d aliases", aliases, len(names))
	}
}

func TestSplitPackedForms(t *testing.T) {
	for in, want := range map[string][]string{
		"Javad Rahigi; Jawad Rahigi; Jawad Rahiqi":   {"Javad Rahigi", "Jawad Rahigi", "Jawad Rahiqi"},
		"حسن غول (Hassan Ghul; Hassan Gul)":          {"حسن غول", "Hassan Ghul", "Hassan Gul"},
		"Encep Nurjaman (birth name)":                {"Encep Nurjaman (birth name)"},
		"Mohammed Sabet; Mohammad Sabet b) M. Javad": {"Mohammed Sabet", "Mohammad Sabet", "M. Javad"},
		"A; B)":    {"A", "B)"},
		"(A; B)":   {"A", "B"},
		"X; X; ;":  {"X"},
		"Abu Omar": {"Abu Omar"},
	} {
		if got := unlist.SplitPacked(in); !slices.Equal(got, want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
