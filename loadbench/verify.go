package loadbench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"ctis"
	"ctis/store"
)

// durability is the count of acknowledged writes and of those found.
type durability struct {
	Hits, HitsFound             int
	Statements, StatementsFound int
	// Missing names a few lost writes, for the error message.
	Missing []string
}

// Acknowledged is every write the API acknowledged.
func (d durability) Acknowledged() int { return d.Hits + d.Statements }

// Found is how many of them are in the store.
func (d durability) Found() int { return d.HitsFound + d.StatementsFound }

// Lost is how many are not.
func (d durability) Lost() int { return d.Acknowledged() - d.Found() }

// chain is what the audit chain's verification found, by the store's own
// Verify, the one `ctis audit verify` runs.
type chain struct {
	*ctis.AuditReport
	// Writers is how many serve processes acknowledged a write, each of
	// which appended to the chain.
	Writers int
}

// verify looks up in the store, once every process has stopped, each
// write the API acknowledged: each hit a screening returned (it is in the
// border agency's review queue) and each statement a creation returned.
// It then verifies the audit chain that every process appended to.
func verify(ctx context.Context, o *Options, dsn string, out []outcome) (durability, chain, error) {
	var d durability
	var c chain
	writers := map[string]bool{}
	hits := map[string]bool{}
	type created struct {
		entity     string
		statements []string
	}
	var writes []created
	for _, r := range out {
		if r.fail != "" {
			continue
		}
		for _, h := range r.hits {
			hits[h] = false
		}
		if r.entity != "" {
			if r.server != "" {
				writers[r.server] = true
			}
			writes = append(writes, created{r.entity, r.statements})
			d.Statements += len(r.statements)
		}
	}
	d.Hits = len(hits)
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return d, c, fmt.Errorf("opening the store to check the acknowledged writes: %w", err)
	}
	defer db.Close()
	as := ctis.WithPurpose(ctis.NewContext(ctx, ctis.Identity{Username: "load-bench", Agency: borderAgency,
		Roles: []ctis.Role{ctis.RoleAnalyst}}), purpose)

	t0 := time.Now()
	o.progressf("checking %d acknowledged hits and %d acknowledged statements in the store", d.Hits, d.Statements)
	f := ctis.HitFilter{Limit: ctis.MaxLimit}
	for {
		page, err := db.Hits(as, f)
		if err != nil {
			return d, c, fmt.Errorf("listing the review queue: %w", err)
		}
		for _, h := range page.Hits {
			if seen, ok := hits[h.ID]; ok && !seen {
				hits[h.ID] = true
				d.HitsFound++
			}
		}
		if page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	for id, seen := range hits {
		if !seen && len(d.Missing) < 5 {
			d.Missing = append(d.Missing, "hit "+id)
		}
	}
	for _, w := range writes {
		e, err := db.Entity(as, w.entity)
		if err != nil && ctis.ErrorCode(err) != ctis.ENOTFOUND {
			return d, c, fmt.Errorf("reading a written entity: %w", err)
		}
		for _, s := range w.statements {
			if e != nil && slices.ContainsFunc(e.Statements, func(st ctis.Statement) bool { return st.ID == s }) {
				d.StatementsFound++
			} else if len(d.Missing) < 10 {
				d.Missing = append(d.Missing, "statement "+s)
			}
		}
	}
	o.progressf("checked in %s", since(t0))

	t0 = time.Now()
	o.progressf("verifying the audit chain")
	c.Writers = len(writers)
	if c.AuditReport, err = db.Verify(ctis.NewContext(ctx, ctis.SystemIdentity("load-bench")), nil); err != nil {
		return d, c, fmt.Errorf("verifying the audit chain: %w", err)
	}
	o.progressf("verified in %s", since(t0))
	return d, c, nil
}
