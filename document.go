package ctis

import (
	"context"
	"strings"
)

// DocumentQuery asks whether a travel document is known as stolen, lost,
// revoked or otherwise not to be honoured: its number, as written, and
// where known the issuing state and the document's type.
type DocumentQuery struct {
	Number         string `json:"number"`
	IssuingCountry string `json:"issuing_country,omitempty"`
	Type           string `json:"type,omitempty"`
}

// Validate normalises q and checks it.
func (q *DocumentQuery) Validate() error {
	if DocumentKey(q.Number) == "" || len(q.Number) > MaxIDLen {
		return Invalid("number", "give the document number, of at most %d bytes", MaxIDLen)
	}
	if q.IssuingCountry != "" {
		c, ok := CountryCode(q.IssuingCountry)
		if !ok {
			return Invalid("issuing_country", "%q is not a country", q.IssuingCountry)
		}
		q.IssuingCountry = c
	}
	return nil
}

// DocumentKey is how document numbers are compared: letters and digits
// only, upper case, and the letter O read as the digit 0, the commonest
// misreading of a document number.
func DocumentKey(number string) string {
	return strings.ReplaceAll(FoldIdentifier(number), "O", "0")
}

// DocumentCheck answers a document query the frontline way: a hit with
// the document's status and the entries the officer may see, or "hit —
// contact agency X" for entries the officer may not see that carry a hit
// notice.
type DocumentCheck struct {
	Hit bool `json:"hit"`
	// Status is the most serious status of the matching entries: stolen,
	// stolen_blank, lost, revoked or invalidated.
	Status    string      `json:"status,omitempty"`
	Documents []Entity    `json:"documents"`
	Notices   []HitNotice `json:"notices"`
}

// DocumentService checks travel documents against the document lists
// members share.
type DocumentService interface {
	// CheckDocument checks one document. Needs RoleFrontline or
	// RoleAnalyst and a purpose; audited, with notices to the originators
	// of hidden matches.
	CheckDocument(ctx context.Context, q DocumentQuery) (*DocumentCheck, error)
	// CheckDocuments checks up to MaxBatch documents, answering in order.
	CheckDocuments(ctx context.Context, qs []DocumentQuery) ([]DocumentCheck, error)
}

// ActDocumentCheck is the audit action of a document check.
const ActDocumentCheck = "document.check"

// badStatus ranks the statuses of documents not to be honoured, the most
// serious first.
var badStatus = []string{"stolen", "stolen_blank", "lost", "revoked", "invalidated"}

// WorseStatus returns the more serious of two document statuses; a
// status not on the list counts as none.
func WorseStatus(a, b string) string {
	rank := func(s string) int {
		for i, x := range badStatus {
			if x == s {
				return i
			}
		}
		return len(badStatus)
	}
	if rank(b) < rank(a) {
		return b
	}
	if rank(a) == len(badStatus) {
		return ""
	}
	return a
}
