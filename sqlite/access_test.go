package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ctis"
	"ctis/sqlite"
)

// TestHandlingMatrix checks every (viewer, statement) pair: a statement is
// visible through get, list, search, export and the audit view exactly when
// ctis.CanSee allows, and a hidden one never shows through counts,
// pagination, errors or notices beyond "hit — contact agency X".
func TestHandlingMatrix(t *testing.T) {
	db := openDB(t, sqlite.Options{})
	for _, a := range []struct{ code, country string }{{"FR-DGSI", "FR"}, {"DE-BKA", "DE"}, {"JO-GID", "JO"}, {"UN-CTED", "UN"}} {
		mustAgency(t, db, a.code, a.country)
	}
	if _, err := db.PutGroup(system, ctis.SharingGroup{Name: "western", Agencies: []string{"FR-DGSI", "DE-BKA"}}); err != nil {
		t.Fatal(err)
	}
	groups := map[string][]string{"FR-DGSI": {"western"}, "DE-BKA": {"western"}}

	type stmt struct {
		entity, id, marker string
		h                  ctis.Handling
	}
	var all []stmt
	analystFR := as("FR-DGSI", ctis.RoleAnalyst)
	for _, h := range ctis.EveryHandling("DE-BKA", "western") {
		marker := fmt.Sprintf("zq%s%t%t", h.Distribution, h.Frontline, h.HitNotice)
		e, err := db.CreateEntity(analystFR, person("Abu "+marker+" al-Test", h))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, stmt{e.ID, e.Statements[0].ID, marker, h})
	}
	// One entity with statements from two agencies: counts must show only
	// what each viewer may see.
	mixed, err := db.CreateEntity(as("JO-GID", ctis.RoleAnalyst), person("Mixed Zqmixed Entity", ctis.Handling{Distribution: ctis.DistAll, Frontline: true}))
	if err != nil {
		t.Fatal(err)
	}
	secret, err := db.AddStatements(analystFR, mixed.ID, []ctis.NewStatement{{Property: "birthDate", Value: "1980-03", Handling: ctis.Handling{Distribution: ctis.DistOriginator}}})
	if err != nil {
		t.Fatal(err)
	}

	absentID := ctis.NewID()
	_, absentErr := db.Entity(as("DE-BKA", ctis.RoleAnalyst), absentID)
	if ctis.ErrorCode(absentErr) != ctis.ENOTFOUND {
		t.Fatalf("absent entity: %v", absentErr)
	}

	for _, agency := range []string{"FR-DGSI", "DE-BKA", "JO-GID"} {
		for _, role := range []ctis.Role{ctis.RoleAnalyst, ctis.RoleFrontline} {
			ctx := as(agency, role)
			viewer := ctis.Viewer{Agency: agency, FrontlineOnly: role == ctis.RoleFrontline, Groups: groups[agency]}
			name := agency + "/" + string(role)
			var exported map[string]bool
			if role == ctis.RoleAnalyst {
				exported = exportIDs(t, ctx, db)
			}
			listed := listAll(t, ctx, db)
			for _, s := range all {
				want := ctis.CanSee(viewer, "FR-DGSI", s.h)
				label := fmt.Sprintf("%s sees %s: want %v", name, s.marker, want)

				e, err := db.Entity(ctx, s.entity)
				if want != (err == nil) {
					t.Errorf("get: %s, got err %v", label, err)
				}
				if err != nil && (ctis.ErrorMessage(err) != ctis.ErrorMessage(absentErr) || ctis.ErrorCode(err) != ctis.ENOTFOUND) {
					t.Errorf("get: %s: hidden reads %q, absent reads %q", label, err, absentErr)
				}
				if err == nil && (len(e.Statements) != 1 || e.Statements[0].ID != s.id || len(e.Notices) != 0) {
					t.Errorf("get: %s: got %+v", label, e)
				}

				res, err := db.Search(ctx, ctis.SearchQuery{Name: "al test ABU " + s.marker})
				if err != nil {
					t.Fatal(err)
				}
				found := len(res.Entities) == 1 && res.Entities[0].ID == s.entity
				if found != want || len(res.Entities) > 1 {
					t.Errorf("search: %s, got %d entities", label, len(res.Entities))
				}
				wantNotice := !want && s.h.HitNotice
				if gotNotice := len(res.Notices) == 1 && res.Notices[0].Agency == "FR-DGSI" && res.Notices[0].Reference != ""; gotNotice != wantNotice || len(res.Notices) > 1 {
					t.Errorf("search: %s: notices %+v, want notice %v", label, res.Notices, wantNotice)
				}

				if role == ctis.RoleAnalyst {
					if listed[s.entity] != want {
						t.Errorf("list: %s", label)
					}
					if exported[s.id] != want {
						t.Errorf("export: %s", label)
					}
				}

				if agency != "FR-DGSI" {
					_, err = db.WithdrawStatement(as(agency, ctis.RoleAnalyst), s.id, "test")
					wantCode := ctis.ENOTFOUND
					if ctis.CanSee(ctis.Viewer{Agency: agency, Groups: groups[agency]}, "FR-DGSI", s.h) {
						wantCode = ctis.EFORBIDDEN
					}
					if ctis.ErrorCode(err) != wantCode {
						t.Errorf("withdraw by %s of %s: %v, want %s", agency, s.marker, err, wantCode)
					}
				}
			}

			// Counts on the mixed entity.
			e, err := db.Entity(ctx, mixed.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantCount := 1
			if agency == "FR-DGSI" && role == ctis.RoleAnalyst {
				wantCount = 2
			}
			if len(e.Statements) != wantCount {
				t.Errorf("%s: mixed entity shows %d statements, want %d", name, len(e.Statements), wantCount)
			}
		}
		// The audit view of each agency names a statement exactly when
		// that agency may see it.
		view := auditText(t, db, agency)
		for _, s := range all {
			want := ctis.CanSee(ctis.Viewer{Agency: agency, Groups: groups[agency]}, "FR-DGSI", s.h)
			if got := strings.Contains(view, s.id); got != want {
				t.Errorf("audit view of %s shows %s: %v, want %v", agency, s.marker, got, want)
			}
		}
		if got := strings.Contains(view, secret[0].ID); got != (agency == "FR-DGSI") {
			t.Errorf("audit view of %s shows the mixed entity's secret statement: %v", agency, got)
		}
	}
}

func listAll(t *testing.T, ctx context.Context, db *sqlite.DB) map[string]bool {
	t.Helper()
	if _, err := ctis.Require(ctx, ctis.RoleAnalyst); err != nil {
		_, err := db.Entities(ctx, ctis.EntityFilter{})
		if ctis.ErrorCode(err) != ctis.EFORBIDDEN {
			t.Errorf("frontline listing: %v", err)
		}
		return nil
	}
	seen := map[string]bool{}
	cursor := ""
	for {
		page, err := db.Entities(ctx, ctis.EntityFilter{Cursor: cursor, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if page.Next != "" && len(page.Entities) != 3 {
			t.Errorf("a page before the last holds %d entities: hidden entities leave gaps", len(page.Entities))
		}
		for _, e := range page.Entities {
			if seen[e.ID] {
				t.Errorf("entity %s listed twice", e.ID)
			}
			seen[e.ID] = true
		}
		if page.Next == "" {
			return seen
		}
		cursor = page.Next
	}
}

func exportIDs(t *testing.T, ctx context.Context, db *sqlite.DB) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	err := db.Export(ctx, func(e *ctis.Entity) error {
		for _, s := range e.Statements {
			ids[s.ID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// auditText returns everything agency's auditor can read of the trail.
func auditText(t *testing.T, db *sqlite.DB, agency string) string {
	t.Helper()
	ctx := as(agency, ctis.RoleAuditor)
	var b strings.Builder
	cursor := ""
	for {
		page, err := db.Events(ctx, ctis.AuditFilter{Cursor: cursor, Limit: ctis.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			if e.Scope != agency && !slices.Contains(e.Affected, agency) {
				t.Errorf("auditor of %s sees an event in the scope of %q, affecting %v", agency, e.Scope, e.Affected)
			}
			fmt.Fprintf(&b, "%s %s %s\n", e.Action, e.Object, e.Detail)
		}
		if page.Next == "" {
			return b.String()
		}
		cursor = page.Next
	}
}
