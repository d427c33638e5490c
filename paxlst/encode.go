package paxlst

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Encode writes m as one PAXLST message (of m.Version, D:05B if unset) in an interchange
// with the default delimiters, one segment a line: the form carriers send,
// and what Parse reads back. Manifests in several parts are written whole.
func Encode(w io.Writer, m *Manifest) error {
	// The message is written first, so that the UNB can declare the
	// repertoire it needs: UNOA when it is all level A, UNOY (UTF-8)
	// otherwise.
	var body bytes.Buffer
	n := 0 // segments from UNH to UNT
	seg := func(tag string, elements ...string) {
		body.WriteString(tag)
		for _, e := range elements {
			body.WriteByte('+')
			body.WriteString(e)
		}
		body.WriteString("'\n")
		n++
	}
	ref := m.Reference
	if ref == "" {
		ref = "1"
	}
	prepared := m.Prepared
	if prepared.IsZero() {
		prepared = time.Now().UTC()
	}
	n = 0
	version := m.Version
	if version == "" {
		version = "D:05B"
	}
	seg("UNH", esc(ref), "PAXLST:"+version+":UN:IATA")
	if m.Crew {
		seg("BGM", "250")
	} else {
		seg("BGM", "745")
	}
	if m.Transaction != "" {
		seg("RFF", "TN:"+esc(m.Transaction))
	}
	if m.Contact != "" {
		seg("NAD", "MS", "", "", esc(m.Contact))
	}
	for _, l := range m.Legs {
		seg("TDT", "20", esc(l.Flight), "", "", esc(l.Carrier))
		seg("LOC", "125", esc(l.From))
		if l.Departure != "" {
			seg("DTM", "189:"+stamp(l.Departure)+":201")
		}
		seg("LOC", "87", esc(l.To))
		if l.Arrival != "" {
			seg("DTM", "232:"+stamp(l.Arrival)+":201")
		}
	}
	for i := range m.Travellers {
		t := &m.Travellers[i]
		role := t.Role
		if role == "" {
			role = "FL"
		}
		seg("NAD", role, "", "", esc(t.Surname)+":"+esc(t.GivenNames))
		if t.Sex != "" {
			seg("ATT", "2", "", esc(t.Sex))
		}
		if t.BirthDate != "" {
			seg("DTM", "329:"+yymmdd(t.BirthDate))
		}
		for _, l := range []struct{ q, v string }{{"22", t.Clearance}, {"174", t.Residence}, {"178", t.Embarkation}, {"179", t.Debarkation}, {"180", t.BirthPlace}} {
			if l.v != "" {
				seg("LOC", l.q, esc(l.v))
			}
		}
		if t.Nationality != "" {
			seg("NAT", "2", esc(t.Nationality))
		}
		if t.BagWeight != "" {
			seg("MEA", "WT", "", esc(t.BagWeightUnit)+":"+esc(t.BagWeight))
		}
		if t.Bags > 0 {
			seg("MEA", "CT", "", fmt.Sprintf(":%d", t.Bags))
		}
		for _, b := range t.BagTags {
			seg("FTX", "BAG", "", "", fmt.Sprintf("%s:%d", esc(b.Tag), b.Count))
		}
		for _, q := range slices.Sorted(maps.Keys(t.References)) {
			seg("RFF", esc(q)+":"+esc(t.References[q]))
		}
		for _, d := range t.Documents {
			seg("DOC", esc(d.Type), esc(d.Number))
			if d.Expiry != "" {
				seg("DTM", "36:"+yymmdd(d.Expiry))
			}
			if d.Issued != "" {
				seg("DTM", "182:"+yymmdd(d.Issued))
			}
			if d.IssuingCountry != "" {
				seg("LOC", "91", esc(d.IssuingCountry))
			}
		}
	}
	seg("CNT", fmt.Sprintf("42:%d", len(m.Travellers)))
	seg("UNT", fmt.Sprint(n+1), esc(ref))
	seg("UNZ", "1", esc(ref))
	syntax := "UNOA"
	for _, c := range []byte(m.Sender + m.Recipient + body.String()) {
		if c != '\n' && !strings.ContainsRune(levelA, rune(c)) {
			syntax = "UNOY"
			break
		}
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "UNB+%s:4+%s+%s+%s+%s'\n", syntax, esc(m.Sender), esc(m.Recipient), prepared.Format("060102:1504"), esc(ref))
	bw.Write(body.Bytes())
	return bw.Flush()
}

// levelA is the repertoire of UNOA, the level A of ISO 9735.
const levelA = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-()/='+:?!\"%&*;<>"

// esc puts the release character before the service characters.
var esc = strings.NewReplacer("?", "??", "+", "?+", ":", "?:", "'", "?'").Replace

// yymmdd turns YYYY-MM-DD into YYMMDD; other text is kept.
func yymmdd(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return esc(d)
	}
	return t.Format("060102")
}

// stamp turns YYYY-MM-DDTHH:MM into YYMMDDHHMM; other text is kept.
func stamp(v string) string {
	t, err := time.Parse("2006-01-02T15:04", v)
	if err != nil {
		return esc(v)
	}
	return t.Format("0601021504")
}
