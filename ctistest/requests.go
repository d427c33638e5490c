package ctistest

import (
	"context"
	"slices"
	"testing"
	"time"

	"ctis"
)

// NewAuthority is a directory entry of agency's country for instrument,
// verified on the given day.
func NewAuthority(country string, instrument ctis.Instrument, verifiedOn string) ctis.Authority {
	return ctis.Authority{Country: country, Instrument: instrument, Name: "Central authority " + country + " " + string(instrument),
		Jurisdiction: "the whole territory", Languages: []string{"en"}, Channels: []string{"secure e-mail"}, Hours: "24/7", VerifiedOn: verifiedOn}
}

// requestMatrix has FR-DGSI's analyst link entities under every handling
// to a request addressed to DE-BKA's central authority, and keep another
// as a draft; then reads both, their entities and the figures, as every
// role of every agency, before and after the request is shared with
// JO-GID. A request is seen by its sender, by its receiver once sent and
// by the agencies added to it, and nobody else, to whom it reads as
// absent; of a linked entity a reader learns only the reference and what
// its own handling lets it see. The directory is read by every member and
// changed only by the agency keeping the entry.
func requestMatrix(t *testing.T, s ctis.Services) {
	fr, de, jo := As(FR, ctis.RoleAnalyst), As(DE, ctis.RoleAnalyst), As(JO, ctis.RoleAnalyst)
	today := time.Now().UTC().Format(time.DateOnly)
	auth, err := s.Authorities.CreateAuthority(de, NewAuthority("DE", ctis.InstrumentMLA, today))
	if err != nil {
		t.Fatal(err)
	}
	directoryMatrix(t, s, auth)

	handlings := ctis.EveryHandling(DE, Western)
	var linked []string
	handlingOf := map[string]ctis.Handling{}
	for i, h := range handlings {
		e, err := s.Entities.CreateEntity(fr, Person("Subject "+string(rune('A'+i)), h))
		if err != nil {
			t.Fatal(err)
		}
		linked = append(linked, e.ID)
		handlingOf[e.ID] = h
	}
	// An entity FR-DGSI may not see cannot be linked, and reads as one
	// that does not exist.
	hidden, err := s.Entities.CreateEntity(jo, Person("Subject hidden", ctis.Handling{}))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * 24 * time.Hour)
	draft := func(entities ...string) ctis.NewRequest {
		return ctis.NewRequest{Kind: ctis.KindMLA, Authority: auth.ID, LegalBasis: "bilateral treaty", Offence: "financing of terrorism",
			Description: "bank records", Entities: entities, Deadline: &deadline}
	}
	for _, e := range []string{hidden.ID, ctis.NewID()} {
		_, err := s.Cooperation.CreateRequest(fr, draft(e))
		if ctis.ErrorCode(err) != ctis.EINVALID || ctis.ErrorField(err) != "entities[0]" || ctis.ErrorMessage(err) != "no entity "+e+" that you may see" {
			t.Errorf("linking %s: %v", e, err)
		}
	}
	sent, err := s.Cooperation.CreateRequest(fr, draft(linked...))
	if err != nil {
		t.Fatal(err)
	}
	if sent, err = s.Cooperation.TakeStep(fr, sent.ID, ctis.Step{Action: ctis.ActionSend}); err != nil {
		t.Fatal(err)
	}
	kept, err := s.Cooperation.CreateRequest(fr, draft())
	if err != nil {
		t.Fatal(err)
	}
	// The draft is edited by its sender, its audit its own; the request
	// sent is edited by no one.
	if kept, err = s.Cooperation.EditRequest(fr, kept.ID, draft(linked[0])); err != nil || len(kept.Entities) != 1 || kept.Timeline[len(kept.Timeline)-1].Action != ctis.ActionEdit {
		t.Fatalf("editing the draft: %+v %v", kept, err)
	}
	if _, err := s.Cooperation.EditRequest(fr, sent.ID, draft()); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("editing a sent request: %v", err)
	}

	// readers maps each request to the agencies that may read it.
	check := func(stage string, readers map[string][]string) {
		t.Helper()
		for _, agency := range Codes {
			for _, role := range []ctis.Role{ctis.RoleAnalyst, ctis.RoleAuditor, ctis.RoleDPO, ctis.RoleFrontline} {
				ctx := As(agency, role)
				label := stage + ": " + agency + "/" + string(role)
				// Its analysts are told of a request sent or shown to
				// it; nobody else is, of no other request.
				var told []string
				if role == ctis.RoleAnalyst && agency != FR && slices.Contains(readers[sent.ID], agency) {
					told = []string{sent.ID}
				}
				if got := NoticeRefs(t, s, ctx, ctis.NoticeRequest); !slices.Equal(got, told) {
					t.Errorf("%s: told of requests %v, want %v", label, got, told)
				}
				list, err := s.Cooperation.Requests(ctx, ctis.RequestQuery{})
				if role == ctis.RoleFrontline {
					if ctis.ErrorCode(err) != ctis.EFORBIDDEN {
						t.Errorf("%s: list: %v, want forbidden", label, err)
					}
					if _, err := s.Cooperation.Request(ctx, sent.ID); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
						t.Errorf("%s: read: %v, want forbidden", label, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: list: %v", label, err)
				}
				var listed []string
				for _, r := range list {
					listed = append(listed, r.ID)
				}
				checkListed(t, label, listed, []string{sent.ID, kept.ID}, readers, agency)
				_, absent := s.Cooperation.Request(ctx, ctis.NewID())
				for _, id := range []string{sent.ID, kept.ID} {
					r, err := s.Cooperation.Request(ctx, id)
					if !slices.Contains(readers[id], agency) {
						if ctis.ErrorCode(err) != ctis.ENOTFOUND || err.Error() != absent.Error() {
							t.Errorf("%s: read of %s: %v, want it to read as absent (%v)", label, id, err, absent)
						}
						continue
					}
					if err != nil {
						t.Fatalf("%s: read of %s: %v", label, id, err)
					}
					if id != sent.ID {
						continue
					}
					v := ViewerOf(agency, ctis.RoleAnalyst)
					if len(r.Entities) != len(linked) {
						t.Fatalf("%s: %d entities, want the %d linked", label, len(r.Entities), len(linked))
					}
					for _, e := range r.Entities {
						visible := ctis.CanSee(v, FR, handlingOf[e.ID])
						if e.Visible != visible || (e.Schema != "") != visible {
							t.Errorf("%s: entity under %+v reads %+v; may see: %v", label, handlingOf[e.ID], e, visible)
						}
					}
				}
				figures, err := s.Cooperation.RequestFigures(ctx)
				if err != nil {
					t.Fatalf("%s: figures: %v", label, err)
				}
				wantSent := 0
				if agency == FR || agency == DE {
					wantSent = 1 // its own sent request; a draft is not counted, nor one it was only shown
				}
				if f := figures[slices.IndexFunc(figures, func(f ctis.RequestFigures) bool { return f.Kind == ctis.KindMLA })]; f.Sent != wantSent || f.Open != wantSent {
					t.Errorf("%s: figures %+v, want %d sent", label, f, wantSent)
				}
				// An agency's auditors see the events of the requests it
				// reads, and no other's.
				if role == ctis.RoleAuditor {
					for _, id := range []string{sent.ID, kept.ID} {
						page, err := s.Audit.Events(ctx, ctis.AuditFilter{Object: id, Limit: ctis.MaxLimit})
						if err != nil {
							t.Fatalf("%s: audit: %v", label, err)
						}
						if got := len(page.Events) > 0; got != slices.Contains(readers[id], agency) {
							t.Errorf("%s: audit of %s shows %d events", label, id, len(page.Events))
						}
					}
				}
			}
		}
		// An agency outside a request cannot act on it either, and is
		// told so as of an absent one.
		for _, id := range []string{sent.ID, kept.ID} {
			for _, agency := range Codes {
				if slices.Contains(readers[id], agency) {
					continue
				}
				_, err := s.Cooperation.TakeStep(As(agency, ctis.RoleAnalyst), id, ctis.Step{Action: ctis.ActionAcknowledge})
				if ctis.ErrorCode(err) != ctis.ENOTFOUND {
					t.Errorf("%s: %s acknowledging %s: %v", stage, agency, id, err)
				}
				_, err = s.Cooperation.ShareRequest(As(agency, ctis.RoleAnalyst), id, agency)
				if ctis.ErrorCode(err) != ctis.ENOTFOUND {
					t.Errorf("%s: %s sharing %s with itself: %v", stage, agency, id, err)
				}
				_, absent := s.Cooperation.EditRequest(As(agency, ctis.RoleAnalyst), ctis.NewID(), draft())
				if _, err = s.Cooperation.EditRequest(As(agency, ctis.RoleAnalyst), id, draft()); ctis.ErrorCode(err) != ctis.ENOTFOUND || err.Error() != absent.Error() {
					t.Errorf("%s: %s editing %s: %v, want it to read as absent (%v)", stage, agency, id, err, absent)
				}
			}
		}
	}
	check("sent", map[string][]string{sent.ID: {FR, DE}, kept.ID: {FR}})

	// The receiver adds JO-GID, which then reads the request, and what
	// its own handling lets it see of the entities, but may not act.
	if _, err := s.Cooperation.ShareRequest(de, sent.ID, JO); err != nil {
		t.Fatal(err)
	}
	check("shared", map[string][]string{sent.ID: {FR, DE, JO}, kept.ID: {FR}})
	if _, err := s.Cooperation.TakeStep(jo, sent.ID, ctis.Step{Action: ctis.ActionAcknowledge}); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("JO-GID, added, acknowledging: %v", err)
	}
	if _, err := s.Cooperation.ShareRequest(jo, sent.ID, DE); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("JO-GID, added, sharing further: %v", err)
	}
	if _, err := s.Cooperation.EditRequest(jo, sent.ID, draft()); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
		t.Errorf("JO-GID, added, editing: %v", err)
	}
	if _, err := s.Cooperation.EditRequest(de, sent.ID, draft()); ctis.ErrorCode(err) != ctis.ECONFLICT {
		t.Errorf("DE-BKA, the receiver, editing: %v", err)
	}
}

// directoryMatrix reads the directory as every role of every agency, and
// has each try to change DE-BKA's entry.
func directoryMatrix(t *testing.T, s ctis.Services, auth *ctis.Authority) {
	for _, agency := range Codes {
		for _, role := range []ctis.Role{ctis.RoleAnalyst, ctis.RoleFrontline, ctis.RoleAuditor, ctis.RoleAdmin} {
			ctx := As(agency, role)
			label := agency + "/" + string(role)
			list, err := s.Authorities.Authorities(ctx, ctis.AuthorityQuery{Country: "DE"})
			if err != nil || len(list) != 1 || list[0].ID != auth.ID {
				t.Errorf("%s: directory %+v, %v", label, list, err)
			}
			if _, err := s.Authorities.Authority(ctx, auth.ID); err != nil {
				t.Errorf("%s: entry: %v", label, err)
			}
			keeper := agency == DE && (role == ctis.RoleAnalyst || role == ctis.RoleAdmin)
			changed := *auth
			changed.Hours = "Mon-Fri"
			_, err = s.Authorities.UpdateAuthority(ctx, changed)
			if keeper != (err == nil) || !keeper && ctis.ErrorCode(err) != ctis.EFORBIDDEN {
				t.Errorf("%s: update of DE-BKA's entry: %v", label, err)
			}
			if !keeper {
				if err := s.Authorities.RemoveAuthority(ctx, auth.ID); ctis.ErrorCode(err) != ctis.EFORBIDDEN {
					t.Errorf("%s: removal of DE-BKA's entry: %v", label, err)
				}
			}
		}
	}
}

// NoticeRefs lists, sorted and once each, what the caller's notifications
// of kind are about.
func NoticeRefs(t testing.TB, s ctis.Services, ctx context.Context, kind ctis.NoticeKind) []string {
	t.Helper()
	list, _, err := s.Notifications.Notifications(ctx, ctis.NotificationQuery{})
	if err != nil {
		t.Fatalf("notifications: %v", err)
	}
	var out []string
	for _, n := range list {
		if n.Kind == kind {
			out = append(out, n.Ref)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkListed holds a listing of cases (listed, their IDs) to exactly
// those of ids whose readers include agency, in any order.
func checkListed(t *testing.T, label string, listed, ids []string, readers map[string][]string, agency string) {
	t.Helper()
	var want []string
	for _, id := range ids {
		if slices.Contains(readers[id], agency) {
			want = append(want, id)
		}
	}
	listed = slices.Sorted(slices.Values(listed))
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Errorf("%s: lists %v, want %v", label, listed, want)
	}
}
