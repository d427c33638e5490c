package paxlst_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"ctis/paxlst"
)

// BenchmarkParse300 reads a 300-passenger PAXLST, as carriers send for a
// wide-body flight, and reports messages per second.
//
//	go test -run '^$' -bench Parse300 ./paxlst/
func BenchmarkParse300(b *testing.B) {
	m := &paxlst.Manifest{Sender: "ZZAIR", Recipient: "XXPIU", Reference: "B300", Prepared: time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC),
		Legs: []paxlst.Leg{{Carrier: "ZZ", Flight: "ZZ300", From: "IST", To: "CDG", Departure: "2026-11-20T09:00", Arrival: "2026-11-20T12:30"}}}
	for i := range 300 {
		m.Travellers = append(m.Travellers, paxlst.Traveller{Role: "FL", Surname: fmt.Sprintf("SURNAME%03d", i), GivenNames: "GIVEN NAMES",
			Sex: "F", BirthDate: "1980-01-02", Nationality: "FRA", Embarkation: "IST", Debarkation: "CDG",
			References: map[string]string{"AVF": fmt.Sprintf("BK%04d", i)},
			Documents:  []paxlst.Document{{Type: "P", Number: fmt.Sprintf("P%08d", i), IssuingCountry: "FRA", Expiry: "2030-01-01"}}})
	}
	var buf bytes.Buffer
	if err := paxlst.Encode(&buf, m); err != nil {
		b.Fatal(err)
	}
	msg := buf.Bytes()
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	for range b.N {
		ms, err := paxlst.Parse(bytes.NewReader(msg))
		if err != nil || len(ms[0].Travellers) != 300 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}
