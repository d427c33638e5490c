package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ctis"
	"ctis/ctistest"
)

// Replays of the probe's review-queue faults (items 1, 3 and 4 of the
// issue) and the review queue's handling matrix, through the API and the
// pages of a served demo node.

const purposeHeader = "Ctis-Purpose: probe 2026/11"

// create makes a person through the API and returns its ID.
func (p *probeNode) create(t *testing.T, user string, e ctis.NewEntity) string {
	t.Helper()
	var made ctis.Entity
	p.API(t, user, "POST", "/api/v1/entities", e).Want(t, http.StatusCreated).JSON(t, &made)
	return made.ID
}

// screenOne screens one subject as user and returns the result.
func (p *probeNode) screenOne(t *testing.T, user string, s ctis.Subject) ctis.ScreenResult {
	t.Helper()
	var res ctis.ScreenResult
	p.API(t, user, "POST", "/api/v1/screen", s, purposeHeader).Want(t, http.StatusOK).JSON(t, &res)
	return res
}

// queue reads user's whole review queue through the API.
func (p *probeNode) queue(t *testing.T, user string) map[string]ctis.Hit {
	t.Helper()
	var page ctis.HitPage
	p.API(t, user, "GET", "/api/v1/hits?limit=500", nil, purposeHeader).Want(t, http.StatusOK).JSON(t, &page)
	out := map[string]ctis.Hit{}
	for _, h := range page.Hits {
		out[h.ID] = h
	}
	return out
}

func newStatements(h ctis.Handling, kv ...string) []ctis.NewStatement {
	var out []ctis.NewStatement
	for i := 0; i < len(kv); i += 2 {
		out = append(out, ctis.NewStatement{Property: kv[i], Value: kv[i+1], Handling: h, Grading: "B2"})
	}
	return out
}

// TestProbeFrontlineReadsQueue: DE-BKA's analyst screens a name that
// matches a statement released to DE-BKA but not to frontline officers;
// DE-BKA's frontline officer must learn nothing of it from the API, the
// review page or the dashboard, and the analyst's pages must name the
// handling of what they show.
func TestProbeFrontlineReadsQueue(t *testing.T) {
	p := newProbeNode(t)
	entity := p.create(t, "analyst.fr", ctis.NewEntity{Schema: "Person", Statements: newStatements(
		ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA"}}, "name", "Kamaludin Wercheski", "passportNumber", "K7730219")})
	res := p.screenOne(t, "analyst.de", ctis.Subject{Name: "Kamaludin Wercheski", DocumentNumber: "K7730219"})
	if len(res.Hits) != 1 {
		t.Fatalf("the analyst's screening: %+v", res)
	}
	hit := res.Hits[0].ID
	leaks := []string{"Wercheski", "K7730219", entity, "same document"}

	list := p.API(t, "border.de", "GET", "/api/v1/hits", nil, purposeHeader).Want(t, http.StatusOK)
	one := p.API(t, "border.de", "GET", "/api/v1/hits/"+hit, nil, purposeHeader).Want(t, http.StatusNotFound)
	b := p.Browser(t, "border.de")
	review := b.Get(t, "/review?purpose=probe")
	dashboard := b.Get(t, "/?purpose=probe")
	for what, body := range map[string]string{"GET /api/v1/hits": list.Body, "GET /api/v1/hits/{id}": one.Body, "/review": review.Body, "dashboard": dashboard.Body} {
		for _, leak := range leaks {
			if strings.Contains(body, leak) {
				t.Errorf("the frontline officer reads %q in %s", leak, what)
			}
		}
	}
	if review.Status != http.StatusOK || dashboard.Status != http.StatusOK {
		t.Errorf("frontline pages: review %d, dashboard %d", review.Status, dashboard.Status)
	}

	// The analyst's pages show the hit, under a banner naming its handling.
	a := p.Browser(t, "analyst.de")
	for _, path := range []string{"/review?purpose=probe", "/?purpose=probe"} {
		page := a.Get(t, path)
		if !strings.Contains(page.Body, "Wercheski") || !strings.Contains(page.Body, "most restrictive: agencies: DE-BKA") {
			t.Errorf("%s: the analyst's page lacks the hit or its handling banner:\n%s", path, page.Body)
		}
	}
	screened := a.PostForm(t, "/screen", "/screen", url.Values{"name": {"Kamaludin Wercheski"}})
	if !strings.Contains(screened.Body, "most restrictive: agencies: DE-BKA") {
		t.Errorf("the screening page's banner does not name the handling of its hit:\n%s", screened.Body)
	}
}

// TestProbeHitReadsNeedPurpose: `GET /hits?limit=1` without a purpose
// answered 200 with names and wrote no audit event.
func TestProbeHitReadsNeedPurpose(t *testing.T) {
	p := newProbeNode(t)
	res := p.screenOne(t, "analyst.de", ctis.Subject{Name: "Abou Moussa al-Faransi"})
	if len(res.Hits) == 0 {
		t.Fatal("the demo person gave no hit")
	}
	r := p.API(t, "analyst.de", "GET", "/api/v1/hits?limit=1", nil).Want(t, http.StatusBadRequest)
	if strings.Contains(r.Body, "Moussa") || !strings.Contains(r.Body, "purpose") {
		t.Errorf("a read without a purpose: %s", r.Body)
	}
	p.API(t, "analyst.de", "GET", "/api/v1/hits/"+res.Hits[0].ID, nil).Want(t, http.StatusBadRequest)
	p.API(t, "analyst.de", "GET", "/api/v1/hits?limit=1", nil, purposeHeader).Want(t, http.StatusOK)
	var audit ctis.AuditPage
	p.API(t, "auditor.de", "GET", "/api/v1/audit?action=hit.read", nil).Want(t, http.StatusOK).JSON(t, &audit)
	if len(audit.Events) != 1 || audit.Events[0].Purpose != "probe 2026/11" || !strings.Contains(audit.Events[0].Detail, res.Hits[0].ID) {
		t.Errorf("hit reads in DE-BKA's audit trail: %+v", audit.Events)
	}
}

// TestProbeEscalationRevealsNothingMore: FR-DGSI holds a person shared
// with all; KZ-KNB adds a passport number released to DE-BKA only; DE-BKA
// screens that number and escalates. FR-DGSI's queue must not show it.
func TestProbeEscalationRevealsNothingMore(t *testing.T) {
	p := newProbeNode(t)
	entity := p.create(t, "analyst.fr", ctis.NewEntity{Schema: "Person", Statements: newStatements(
		ctis.Handling{Distribution: ctis.DistAll, Frontline: true}, "name", "Ilyas Qaderov")})
	p.API(t, "analyst.kz", "POST", "/api/v1/entities/"+entity+"/statements", map[string]any{"statements": newStatements(
		ctis.Handling{Distribution: ctis.DistAgencies, Agencies: []string{"DE-BKA"}}, "passportNumber", "N09113344")}).Want(t, http.StatusCreated)
	res := p.screenOne(t, "analyst.de", ctis.Subject{Name: "Ilyas Qaderov", DocumentNumber: "N09113344"})
	if len(res.Hits) != 1 {
		t.Fatalf("screening: %+v", res)
	}
	p.API(t, "analyst.de", "POST", "/api/v1/hits/"+res.Hits[0].ID+"/decision", map[string]string{"status": "escalated", "reason": "ask"}).Want(t, http.StatusOK)
	for _, user := range []string{"analyst.fr", "border.fr"} {
		list := p.API(t, user, "GET", "/api/v1/hits", nil, purposeHeader).Want(t, http.StatusOK)
		if strings.Contains(list.Body, "N09113344") {
			t.Errorf("%s reads KZ-KNB's number in its queue: %s", user, list.Body)
		}
		page := p.Browser(t, user).Get(t, "/review?status=escalated&purpose=probe")
		if strings.Contains(page.Body, "N09113344") {
			t.Errorf("%s reads KZ-KNB's number on its review page", user)
		}
	}
	var kz ctis.Hit
	p.API(t, "analyst.kz", "GET", "/api/v1/hits/"+res.Hits[0].ID, nil, purposeHeader).Want(t, http.StatusOK).JSON(t, &kz)
	if kz.Subject.DocumentNumber != "N09113344" {
		t.Errorf("KZ-KNB, whose statement matched, does not see the number: %+v", kz)
	}
}

// TestReviewQueueHandlingMatrixServed is the review queue's handling
// matrix through the API and the pages: FR-DGSI records a person under
// every handling, the analysts of FR-DGSI, DE-BKA and JO-GID screen each,
// DE-BKA and JO-GID escalate what they found, and the analysts and
// frontline officers of the three agencies read the queue (list, one hit,
// review pages, dashboard) and try to decide.
func TestReviewQueueHandlingMatrixServed(t *testing.T) {
	p := newProbeNode(t)
	groups := map[string][]string{"FR-DGSI": {"euro-ct"}, "DE-BKA": {"euro-ct"}}
	names := strings.Fields(`Mirzakhanov Oyelaran Brzezinska Thorvaldsen Quispehuaman Nakashima Fitzgerald Abernathy
		Kowalczyk Papadimitriou Szczepanik Vandersloot Oyarzabal Haverkamp Lindqvist Castellanos`)
	type person struct {
		name, doc, entity string
		h                 ctis.Handling
		hits              map[string]string // screening agency → hit ID
	}
	var people []*person
	for i, h := range ctis.EveryHandling("DE-BKA", "euro-ct") {
		pp := &person{name: names[i] + " " + names[15-i][:4] + "ka", doc: fmt.Sprintf("QX%d%07d", i, 4711*(i+3)), h: h, hits: map[string]string{}}
		pp.entity = p.create(t, "analyst.fr", ctis.NewEntity{Schema: "Person", Statements: newStatements(h, "name", pp.name, "passportNumber", pp.doc)})
		people = append(people, pp)
	}
	analysts := map[string]string{"FR-DGSI": "analyst.fr", "DE-BKA": "analyst.de", "JO-GID": "analyst.jo"}
	frontline := map[string]string{"FR-DGSI": "border.fr", "DE-BKA": "border.de", "JO-GID": "border.jo"}
	for agency, user := range analysts {
		for _, pp := range people {
			res := p.screenOne(t, user, ctis.Subject{Name: pp.name, DocumentNumber: pp.doc})
			if len(res.Hits) == 1 {
				pp.hits[agency] = res.Hits[0].ID
				if agency != "FR-DGSI" {
					p.API(t, user, "POST", "/api/v1/hits/"+res.Hits[0].ID+"/decision", map[string]string{"status": "escalated", "reason": "ask"}).Want(t, http.StatusOK)
				}
			}
		}
	}
	for agency := range analysts {
		for _, user := range []string{analysts[agency], frontline[agency]} {
			v := ctis.Viewer{Agency: agency, FrontlineOnly: user == frontline[agency], Groups: groups[agency]}
			listed := p.queue(t, user)
			b := p.Browser(t, user)
			// The screening page's CSV download answers each person as the
			// reader may see it.
			file := "name,document_number\n"
			for _, pp := range people {
				file += pp.name + "," + pp.doc + "\n"
			}
			download := b.PostFile(t, "/screen", "/screen/file", url.Values{"download": {"on"}, "purpose": {"probe"}}, "file", "people.csv", []byte(file))
			if download.Status != http.StatusOK {
				t.Fatalf("%s: CSV download: %d %s", user, download.Status, download.Body)
			}
			for _, pp := range people {
				var row string
				for _, line := range strings.Split(download.Body, "\n") {
					if strings.Contains(line, pp.name) {
						row = line
					}
				}
				result := "no hit"
				switch {
				case ctis.CanSee(v, "FR-DGSI", pp.h):
					result = "hit"
				case pp.h.HitNotice:
					result = "hit notice: contact FR-DGSI"
				}
				if fields := strings.Split(row, ","); len(fields) < 6 || fields[5] != result {
					t.Errorf("%s: CSV row for %s: %q, want %q", user, pp.name, row, result)
				}
			}
			pages := b.Get(t, "/review?status=open&purpose=probe").Body + b.Get(t, "/review?status=escalated").Body
			dashboard := b.Get(t, "/?purpose=probe").Body
			want := 0
			for _, pp := range people {
				for screener, hit := range pp.hits {
					label := fmt.Sprintf("%s reads %s's hit on %s/%s/frontline=%v/notice=%v", user, screener, pp.name, pp.h.Distribution, pp.h.Frontline, pp.h.HitNotice)
					how := ctistest.EscalatedView(v, screener, pp.h)
					got, inList := listed[hit]
					one := p.API(t, user, "GET", "/api/v1/hits/"+hit, nil, purposeHeader)
					section := pageSection(pages, `id="hit-`+hit+`"`)
					if how == ctis.HitHidden {
						if inList || one.Status != http.StatusNotFound || section != "" {
							t.Errorf("%s: want nothing; listed %v, one-hit read %d, on the page %v", label, inList, one.Status, section != "")
						}
						if !v.FrontlineOnly {
							p.API(t, user, "POST", "/api/v1/hits/"+hit+"/decision", map[string]string{"status": "confirmed", "reason": "x"}).Want(t, http.StatusNotFound)
						}
						continue
					}
					want++
					text, _ := json.Marshal(got)
					if !inList || one.Status != http.StatusOK || section == "" {
						t.Errorf("%s: want view %d; listed %v, one-hit read %d, on the page %v", label, how, inList, one.Status, section != "")
						continue
					}
					switch how {
					case ctis.HitFull:
						if got.EntityID != pp.entity || got.Subject.DocumentNumber != pp.doc || got.Matched == "" || !strings.Contains(section, "%") {
							t.Errorf("%s: want it whole: %s", label, text)
						}
					case ctis.HitPartial:
						if got.EntityID != pp.entity || got.Matched != "" || len(got.Explanation) != 0 || got.Score != 0 {
							t.Errorf("%s: want it in part: %s", label, text)
						}
					case ctis.HitNoticed:
						if got.EntityID != "" || len(got.Notice) != 1 || got.Notice[0] != "FR-DGSI" || strings.Contains(string(text), pp.doc) ||
							!strings.Contains(section, "contact FR-DGSI") || strings.Contains(section, "%") {
							t.Errorf("%s: want the notice form: %s\n%s", label, text, section)
						}
					}
					// The dashboard shows the agency's own open hits: FR-DGSI's,
					// since the others escalated theirs.
					if screener == agency && agency == "FR-DGSI" && !strings.Contains(dashboard, pp.name) {
						t.Errorf("%s: not on the dashboard", label)
					}
				}
				if !strings.Contains(pages+dashboard, pp.name) {
					continue
				}
				if seen := anyVisible(v, pp.hits, pp.h); !seen {
					t.Errorf("%s's pages name %s, whose hits it may not see", user, pp.name)
				}
			}
			if len(listed) < want {
				t.Errorf("%s: %d hits listed, want at least %d", user, len(listed), want)
			}
		}
	}
}

func anyVisible(v ctis.Viewer, hits map[string]string, h ctis.Handling) bool {
	for screener := range hits {
		if ctistest.EscalatedView(v, screener, h) != ctis.HitHidden {
			return true
		}
	}
	return false
}

// pageSection returns the HTML section of a page holding attr, "" when
// there is none.
func pageSection(page, attr string) string {
	i := strings.Index(page, attr)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], "<section")
	end := strings.Index(page[i:], "</section>")
	if start < 0 || end < 0 {
		return ""
	}
	return page[start : i+end]
}
