package loadbench

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ctis"
	"ctis/demo"
	"ctis/screenbench"
	"ctis/store"
	"ctis/unlist"
)

// The bench's agencies: a border service that screens travellers and
// writes statements, and a watchlist that originates the generated
// persons. Their codes cannot be a member's (XX is no country).
const (
	borderAgency = "XX-BORDER"
	listAgency   = "XX-LIST"
)

// released is how the generated persons are shared: with every member and
// for frontline use, as the UN list is, so that a border officer's
// screening can hit them.
var released = ctis.Handling{Distribution: ctis.DistAll, Frontline: true}

// purpose is the purpose the bench gives each read of personal data.
const purpose = "load benchmark"

// fixture is what the prepared store gives the load: the API tokens of a
// frontline officer (who screens) and an analyst (who writes), both of
// the border agency, and listed people as an officer would meet them.
type fixture struct {
	screenToken, writeToken string
	listed                  []ctis.Subject
}

// prepare fills the empty store at dsn: the bench's agencies and users,
// the UN list, and o.Persons generated persons.
func prepare(ctx context.Context, o *Options, dsn string) (*fixture, error) {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return nil, fmt.Errorf("opening the bench's database: %w", err)
	}
	defer db.Close()
	op := ctis.NewContext(ctx, ctis.SystemIdentity("load-bench"))
	agencies, err := db.Agencies(op)
	if err != nil {
		return nil, err
	}
	if len(agencies) > 0 {
		return nil, fmt.Errorf("the database already holds %d agencies: the bench fills a database of its own, so give it an empty one (for PostgreSQL, createdb a new database) or leave out --db for a temporary SQLite file", len(agencies))
	}
	for _, a := range []ctis.Agency{
		{Code: borderAgency, Name: "Load benchmark border service", Country: "UN"},
		{Code: listAgency, Name: "Load benchmark watchlist", Country: "UN"},
	} {
		if _, err := db.CreateAgency(op, a); err != nil {
			return nil, err
		}
	}
	f := &fixture{}
	_, f.screenToken, err = db.CreateUser(op, ctis.NewUser{Username: "load.border", Agency: borderAgency, Roles: []ctis.Role{ctis.RoleFrontline}})
	if err != nil {
		return nil, err
	}
	_, f.writeToken, err = db.CreateUser(op, ctis.NewUser{Username: "load.analyst", Agency: borderAgency, Roles: []ctis.Role{ctis.RoleAnalyst}})
	if err != nil {
		return nil, err
	}

	t0 := time.Now()
	o.progressf("loading the UN consolidated list")
	list, err := unlist.Parse(bytes.NewReader(demo.UNList))
	if err != nil {
		return nil, err
	}
	if _, _, err := unlist.Import(op, db, list); err != nil {
		return nil, fmt.Errorf("loading the UN list: %w", err)
	}
	for _, e := range list.Entries {
		if e.Kind != unlist.Individual || e.Name == "" {
			continue
		}
		s := ctis.Subject{Name: e.Name}
		if len(e.BirthDates) > 0 && len(e.BirthDates[0].Date) >= 4 {
			s.BirthDate = e.BirthDates[0].Date[:4]
		}
		f.listed = append(f.listed, s)
	}
	o.progressf("UN list loaded: %d entries, %d individuals to screen (%s)", len(list.Entries), len(f.listed), since(t0))

	// The generated persons; one in a hundred, up to as many as the UN
	// list's individuals, is also met at the border, written as an
	// officer would type it: family name first, year of birth only.
	people, err := screenbench.NewPeople(o.Seed)
	if err != nil {
		return nil, err
	}
	contributor := ctis.NewContext(ctx, ctis.Identity{Username: "load-bench", Agency: listAgency, Roles: []ctis.Role{ctis.RoleAnalyst}})
	want := len(f.listed)
	t0 = time.Now()
	const batchSize = 2000
	for done := 0; done < o.Persons; {
		batch := make([]ctis.NewEntity, 0, batchSize)
		for ; len(batch) < batchSize && done < o.Persons; done++ {
			p := people.Next()
			if done%100 == 0 && want > 0 {
				f.listed = append(f.listed, ctis.Subject{Name: familyFirst(p.Name), BirthDate: p.BirthDate[:4], Nationality: p.Nationality})
				want--
			}
			batch = append(batch, ctis.NewEntity{ID: ctis.DerivedID("load-bench", strconv.Itoa(done)), Schema: "Person", Statements: []ctis.NewStatement{
				{Property: "name", Value: p.Name, Handling: released, Grading: "B2"},
				{Property: "birthDate", Value: p.BirthDate, Handling: released, Grading: "B2"},
				{Property: "nationality", Value: p.Nationality, Handling: released, Grading: "B2"},
				{Property: "gender", Value: p.Gender, Handling: released, Grading: "B2"},
			}})
		}
		if _, err := db.Import(contributor, batch); err != nil {
			return nil, fmt.Errorf("storing the generated persons: %w", err)
		}
		if done%20000 == 0 || done == o.Persons {
			o.progressf("stored %d of %d generated persons (%s)", done, o.Persons, since(t0))
		}
	}
	// As after any bulk load: else the database's own statistics run
	// (PostgreSQL's autovacuum) would fall in the first seconds of the
	// load and be measured as the node's.
	t1 := time.Now()
	if err := db.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("analysing the bench's database: %w", err)
	}
	o.progressf("analysed the database after the fill (%s)", since(t1))
	return f, nil
}

// familyFirst moves the last word of a name to its front. Chinese names,
// written family name first and unspaced, stay as they are.
func familyFirst(name string) string {
	if i := strings.LastIndexByte(name, ' '); i > 0 {
		return name[i+1:] + " " + name[:i]
	}
	return name
}

func since(t time.Time) time.Duration { return time.Since(t).Round(100 * time.Millisecond) }
