package ctistest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"ctis"
	"ctis/stix"
)

// entityMatrix checks every (viewer, statement) pair: a statement is
// visible through get, list, search, export (JSON lines, a STIX bundle,
// the TAXII server's collections) and the audit view exactly
// when ctis.CanSee allows, and a hidden one never shows through counts,
// pagination, errors or notices beyond "hit — contact agency X" (at
// node, when the statements came from that peer node).
func entityMatrix(t *testing.T, s ctis.Services, node string) {
	type stmt struct {
		entity, id, marker string
		h                  ctis.Handling
	}
	var all []stmt
	analystFR := As(FR, ctis.RoleAnalyst)
	for _, h := range ctis.EveryHandling(DE, Western) {
		marker := fmt.Sprintf("zq%s%t%t", h.Distribution, h.Frontline, h.HitNotice)
		e, err := s.Entities.CreateEntity(analystFR, Person("Abu "+marker+" al-Test", h))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, stmt{e.ID, e.Statements[0].ID, marker, h})
	}
	// One entity with statements from two agencies: counts must show only
	// what each viewer may see.
	mixed, err := s.Entities.CreateEntity(As(JO, ctis.RoleAnalyst), Person("Mixed Zqmixed Entity", ctis.Handling{Distribution: ctis.DistAll, Frontline: true}))
	if err != nil {
		t.Fatal(err)
	}
	secret, err := s.Entities.AddStatements(analystFR, mixed.ID, []ctis.NewStatement{{Property: "birthDate", Value: "1980-03", Handling: ctis.Handling{Distribution: ctis.DistOriginator}}})
	if err != nil {
		t.Fatal(err)
	}

	absentID := ctis.NewID()
	_, absentErr := s.Entities.Entity(As(DE, ctis.RoleAnalyst), absentID)
	if ctis.ErrorCode(absentErr) != ctis.ENOTFOUND {
		t.Fatalf("absent entity: %v", absentErr)
	}

	// The TAXII collections of the viewers so far: another viewer's
	// collection reads as an absent one.
	taxiiCollections := map[string]bool{}
	for _, agency := range Codes {
		for _, role := range Readers {
			ctx := As(agency, role)
			viewer := ViewerOf(agency, role)
			name := agency + "/" + string(role)
			var exported, stixExported, listing map[string]bool
			var bundle string
			if role == ctis.RoleAnalyst {
				exported = exportIDs(t, ctx, s.Entities)
				listing = listingIDs(t, ctx, s.Entities)
				stixExported, bundle = stixExportIDs(t, ctx, s.Entities)
				if got := strings.Contains(bundle, secret[0].ID); got != (agency == FR) {
					t.Errorf("STIX export: %s shows the mixed entity's secret statement: %v", name, got)
				}
			}
			listed := listAll(t, ctx, s.Entities)
			if role != ctis.RoleAnalyst {
				if _, err := s.Entities.Listing(ctx, ctis.ListingQuery{Limit: 1}); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
					t.Errorf("listing: %s may read it: %v", name, err)
				}
				if _, err := s.Entities.ListedBefore(ctx, ctis.Scope{}, nil, ctis.ListingKey{At: time.Now()}, ctis.HandlingMatch{}); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
					t.Errorf("listing: %s may ask where something is listed: %v", name, err)
				}
			}
			// TAXII reads go through the export, closed to frontline
			// officers: for them every TAXII read is refused, and
			// refused alike whatever it names.
			viaTAXII := readTAXII(t, ctx, s)
			if wantStatus := map[bool]int{true: 200, false: 403}[role == ctis.RoleAnalyst]; viaTAXII.status != wantStatus {
				t.Errorf("TAXII collections: %s gets %d, want %d", name, viaTAXII.status, wantStatus)
			}
			if viaTAXII.statements[secret[0].ID] != (agency == FR && role == ctis.RoleAnalyst) || strings.Contains(viaTAXII.text, secret[0].ID) != (agency == FR && role == ctis.RoleAnalyst) {
				t.Errorf("TAXII: %s reads the mixed entity's secret statement: %v", name, viaTAXII.statements[secret[0].ID])
			}
			absentCode, absentBody := viaTAXII.get(taxiiObjectPath(agency, "identity", absentID))
			absentCollCode, absentColl := viaTAXII.get("collections/" + absentID + "/manifest/")
			for id := range taxiiCollections {
				if slices.Contains(viaTAXII.collections, id) {
					continue
				}
				for _, path := range []string{"/", "/objects/", "/manifest/"} {
					if code, body := viaTAXII.get("collections/" + id + path); code != absentCollCode || body != absentColl {
						t.Errorf("TAXII: %s reads another's collection %s%s: %d %s; absent reads %d %s", name, id, path, code, body, absentCollCode, absentColl)
					}
				}
			}
			for _, id := range viaTAXII.collections {
				taxiiCollections[id] = true
			}
			for _, st := range all {
				want := ctis.CanSee(viewer, FR, st.h)
				label := fmt.Sprintf("%s sees %s: want %v", name, st.marker, want)

				e, err := s.Entities.Entity(ctx, st.entity)
				if want != (err == nil) {
					t.Errorf("get: %s, got err %v", label, err)
				}
				if err != nil && (ctis.ErrorMessage(err) != ctis.ErrorMessage(absentErr) || ctis.ErrorCode(err) != ctis.ENOTFOUND) {
					t.Errorf("get: %s: hidden reads %q, absent reads %q", label, err, absentErr)
				}
				if err == nil && (len(e.Statements) != 1 || e.Statements[0].ID != st.id || len(e.Notices) != 0) {
					t.Errorf("get: %s: got %+v", label, e)
				}

				res, err := s.Entities.Search(ctx, ctis.SearchQuery{Name: "al test ABU " + st.marker})
				if err != nil {
					t.Fatal(err)
				}
				found := len(res.Entities) == 1 && res.Entities[0].ID == st.entity
				if found != want || len(res.Entities) > 1 {
					t.Errorf("search: %s, got %d entities", label, len(res.Entities))
				}
				wantNotice := !want && st.h.HitNotice
				if gotNotice := len(res.Notices) == 1 && res.Notices[0].Agency == FR && res.Notices[0].Node == node && res.Notices[0].Reference != ""; gotNotice != wantNotice || len(res.Notices) > 1 {
					t.Errorf("search: %s: notices %+v, want notice %v", label, res.Notices, wantNotice)
				}

				if role == ctis.RoleAnalyst {
					if listed[st.entity] != want {
						t.Errorf("list: %s", label)
					}
					if exported[st.id] != want {
						t.Errorf("export: %s", label)
					}
					if listing[st.id] != want {
						t.Errorf("listing: %s", label)
					}
					if stixExported[st.id] != want || strings.Contains(bundle, st.marker) != want {
						t.Errorf("STIX export: %s", label)
					}
				}

				wantTAXII := want && role == ctis.RoleAnalyst
				if viaTAXII.statements[st.id] != wantTAXII || strings.Contains(viaTAXII.text, st.marker) != wantTAXII {
					t.Errorf("TAXII: %s, reads it: %v", label, viaTAXII.statements[st.id])
				}
				code, body := viaTAXII.get(taxiiObjectPath(agency, "identity", st.entity))
				if (code == 200) != wantTAXII || (!wantTAXII && (code != absentCode || body != absentBody)) {
					t.Errorf("TAXII object: %s: %d %s; absent reads %d %s", label, code, body, absentCode, absentBody)
				}

				if agency != FR {
					_, err = s.Entities.WithdrawStatement(As(agency, ctis.RoleAnalyst), st.id, "test")
					wantCode := ctis.ENOTFOUND
					if ctis.CanSee(ViewerOf(agency, ctis.RoleAnalyst), FR, st.h) {
						wantCode = ctis.EFORBIDDEN
					}
					if ctis.ErrorCode(err) != wantCode {
						t.Errorf("withdraw by %s of %s: %v, want %s", agency, st.marker, err, wantCode)
					}
				}
			}

			// Counts on the mixed entity.
			e, err := s.Entities.Entity(ctx, mixed.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantCount := 1
			if agency == FR && role == ctis.RoleAnalyst {
				wantCount = 2
			}
			if len(e.Statements) != wantCount {
				t.Errorf("%s: mixed entity shows %d statements, want %d", name, len(e.Statements), wantCount)
			}
		}
		// The audit view of each agency names a statement exactly when
		// that agency may see it.
		view := AuditText(t, s.Audit, agency)
		for _, st := range all {
			want := ctis.CanSee(ViewerOf(agency, ctis.RoleAnalyst), FR, st.h)
			if got := strings.Contains(view, st.id); got != want {
				t.Errorf("audit view of %s shows %s: %v, want %v", agency, st.marker, got, want)
			}
		}
		if got := strings.Contains(view, secret[0].ID); got != (agency == FR) {
			t.Errorf("audit view of %s shows the mixed entity's secret statement: %v", agency, got)
		}
	}
}

// listAll lists every entity ctx may list, a few at a time, checking that
// the pages have no gaps and no repeats. A frontline officer may not list.
func listAll(t *testing.T, ctx context.Context, s ctis.EntityService) map[string]bool {
	t.Helper()
	if _, err := ctis.Require(ctx, ctis.RoleAnalyst); err != nil {
		_, err := s.Entities(ctx, ctis.EntityFilter{})
		if ctis.ErrorCode(err) != ctis.EFORBIDDEN {
			t.Errorf("frontline listing: %v", err)
		}
		return nil
	}
	seen := map[string]bool{}
	cursor := ""
	for {
		page, err := s.Entities(ctx, ctis.EntityFilter{Cursor: cursor, Limit: 3})
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

// exportIDs returns the IDs of the statements an export by ctx holds.
func exportIDs(t *testing.T, ctx context.Context, s ctis.EntityService) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	err := s.Export(ctx, func(e *ctis.Entity) error {
		for _, st := range e.Statements {
			ids[st.ID] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// listingIDs returns the IDs of the statements the listing of everything
// ctx may see holds, read two items a page; a frontline officer, who may
// not export, may not read it, nor ask where anything is listed.
func listingIDs(t *testing.T, ctx context.Context, s ctis.EntityService) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	q := ctis.ListingQuery{Limit: 2}
	for {
		page, err := s.Listing(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			e := page.Entities[it.Entity]
			if e == nil {
				t.Fatalf("listing: item %+v without its entity", it)
			}
			for _, st := range e.Statements {
				ids[st.ID] = true
			}
			q.After = it.Key
		}
		if !page.More {
			return ids
		}
	}
}

// stixExportIDs exports what ctx may see as a STIX bundle, as the export
// command does, and returns the IDs of the statements it holds, read
// back, and the bundle's text.
func stixExportIDs(t *testing.T, ctx context.Context, s ctis.EntityService) (map[string]bool, string) {
	t.Helper()
	var entities []ctis.Entity
	if err := s.Export(ctx, func(e *ctis.Entity) error { entities = append(entities, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := stix.Write(&b, entities); err != nil {
		t.Fatal(err)
	}
	read, err := stix.Read(bytes.NewReader(b.Bytes()), 0)
	if err != nil {
		t.Fatalf("the STIX export does not read back: %v", err)
	}
	ids := map[string]bool{}
	for _, e := range read {
		for _, st := range e.Statements {
			ids[st.ID] = true
		}
	}
	return ids, b.String()
}

// AuditText returns everything agency's auditor can read of the trail,
// one event a line, and fails t if the auditor is shown an event outside
// the agency's scope that does not affect it.
func AuditText(t testing.TB, log ctis.AuditLog, agency string) string {
	t.Helper()
	ctx := As(agency, ctis.RoleAuditor)
	var b strings.Builder
	cursor := ""
	for {
		page, err := log.Events(ctx, ctis.AuditFilter{Cursor: cursor, Limit: ctis.MaxLimit})
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
