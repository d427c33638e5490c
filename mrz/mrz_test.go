package mrz_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"ctis/mrz"
)

// samples reads testdata/mrz_samples.txt: each "## ID" heading followed by
// the MRZ lines of that specimen.
func samples(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("testdata/mrz_samples.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	id := ""
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(l, "## "):
			if f := strings.Fields(l); len(f[1]) == 2 && strings.ContainsAny(f[1][:1], "VN") {
				id = f[1]
			}
		case l == "" || strings.HasPrefix(l, "#"):
		case id != "":
			out[id] += l + "\n"
		}
	}
	return out
}

func TestSpecimens(t *testing.T) {
	s := samples(t)
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		id                                                      string
		format                                                  mrz.Format
		number, surname, given, birth, sex, expiry, nationality string
		optional                                                []string
	}{
		{"V1", mrz.TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", "1974-08-12", "F", "2012-04-15", "UTO", []string{"ZE184226B"}},
		{"V2", mrz.TD1, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", "F", "2012-04-15", "UTO", []string{"", ""}},
		{"V3", mrz.TD2, "D23145890", "ERIKSSON", "ANNA MARIA", "1974-08-12", "F", "2012-04-15", "UTO", []string{""}},
		{"V4", mrz.TD1, "D23145890734", "STEVENSON", "PETER JOHN", "1934-07-12", "M", "1995-07-12", "UTO", []string{"", ""}},
		{"V5", mrz.TD2, "D23145890734", "STEVENSON", "PETER JOHN", "1934-07-12", "M", "1995-07-12", "UTO", []string{""}},
		{"V6", mrz.MRVA, "L8988901C", "ERIKSSON", "ANNA MARIA", "1940-09-07", "F", "1996-12-10", "XXX", []string{"6ZE184226B"}},
		{"V7", mrz.MRVB, "L8988901C", "ERIKSSON", "ANNA MARIA", "1940-09-07", "F", "1996-12-10", "XXX", []string{""}},
	} {
		d, err := mrz.Parse(s[c.id])
		if err != nil {
			t.Errorf("%s: %v", c.id, err)
			continue
		}
		got := []string{string(d.Format), d.DocumentNumber, d.Surname, d.GivenNames, d.Birth(now), d.Sex, d.Expiry(now), d.Nationality, strings.Join(d.Optional, "|")}
		want := []string{string(c.format), c.number, c.surname, c.given, c.birth, c.sex, c.expiry, c.nationality, strings.Join(c.optional, "|")}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s:\n got %q\nwant %q", c.id, got, want)
		}
		if d.IssuingState != "UTO" || d.Truncated {
			t.Errorf("%s: issuing %q truncated %v", c.id, d.IssuingState, d.Truncated)
		}
		// The same zone pasted on one line reads the same.
		one, err := mrz.Parse(strings.ReplaceAll(s[c.id], "\n", ""))
		if err != nil || one.DocumentNumber != d.DocumentNumber {
			t.Errorf("%s on one line: %v", c.id, err)
		}
	}
}

func TestBadCheckDigitsAreNamed(t *testing.T) {
	s := samples(t)
	for id, fields := range map[string][]string{
		"N1": {"document_number", "composite"},
		"N2": {"composite"},
		"N3": {"composite"},
	} {
		d, err := mrz.Parse(s[id])
		if d == nil || err == nil {
			t.Errorf("%s: accepted", id)
			continue
		}
		var named []string
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var me *mrz.Error
			if errors.As(e, &me) {
				named = append(named, me.Field)
			}
		}
		if strings.Join(named, ",") != strings.Join(fields, ",") {
			t.Errorf("%s: %v names %v, want %v", id, err, named, fields)
		}
	}
}

func TestCheckDigit(t *testing.T) {
	for in, want := range map[string]byte{
		"520727": '3', "AB2134<<<": '5', "D23145890": '7', "740812": '2', "120415": '9', "L898902C3": '6',
		"ZE184226B<<<<<": '1', "D23145890734": '9', "HA672242<": '6', "HA672242<658022549601086<<<<<<<": '8',
		"D231458907<<<<<<<<<<<<<<<34071279507122<<<<<<<<<<<": '2',
	} {
		if got := mrz.CheckDigit(in); got != want {
			t.Errorf("CheckDigit(%q) = %c, want %c", in, got, want)
		}
	}
}

func TestMalformed(t *testing.T) {
	for in, want := range map[string]string{
		"":              "format: 0 lines",
		"P<UTOERIKSSON": "format: 1 lines of 13",
		"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1":  "format: 2 lines of 44, 43",
		"p<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10": "line 1, column 1",
	} {
		_, err := mrz.Parse(in)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func TestTruncatedName(t *testing.T) {
	line1 := "P<UTOABCDEFGHIJKLMNOPQRSTUVWXYZ<<ABCDEFGHIJK"
	line2 := "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	d, err := mrz.Parse(line1 + "\n" + line2)
	if err != nil || !d.Truncated || d.GivenNames != "ABCDEFGHIJK" {
		t.Fatalf("%+v %v", d, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
	f.Add("I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<")
	f.Add("I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<\nD23145890<UTO3407127M95071227349<<<8")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := mrz.Parse(in)
		if err == nil && d == nil {
			t.Fatal("no document and no error")
		}
		if d != nil {
			d.Birth(time.Now())
			d.Expiry(time.Now())
		}
	})
}
