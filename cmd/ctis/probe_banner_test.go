package main

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ctis"
	"ctis/web"
)

// TestBannerNamesWhatIsShown renders the signed-in pages for the analysts
// and frontline officers of three agencies against a person recorded
// under every handling: the banner of the search, entity and screening
// pages names exactly the handling of what they show, or says nothing
// shared is shown; the review queue and the dashboard name the most
// restrictive handling among the hits they list.
func TestBannerNamesWhatIsShown(t *testing.T) {
	p := newProbeNode(t)
	groups := map[string][]string{"FR-DGSI": {"euro-ct"}, "DE-BKA": {"euro-ct"}}
	users := map[string]ctis.Viewer{}
	browsers := map[string]*browser{}
	for _, u := range []struct {
		name, agency string
		frontline    bool
	}{{"analyst.fr", "FR-DGSI", false}, {"border.fr", "FR-DGSI", true}, {"analyst.de", "DE-BKA", false},
		{"border.de", "DE-BKA", true}, {"analyst.jo", "JO-GID", false}, {"border.jo", "JO-GID", true}} {
		users[u.name] = ctis.Viewer{Agency: u.agency, FrontlineOnly: u.frontline, Groups: groups[u.agency]}
		browsers[u.name] = p.Browser(t, u.name)
	}
	names := strings.Fields(`Mirzakhanov Oyelaran Brzezinska Thorvaldsen Quispehuaman Nakashima Fitzgerald Abernathy
		Kowalczyk Papadimitriou Szczepanik Vandersloot Oyarzabal Haverkamp Lindqvist Castellanos`)
	for i, h := range ctis.EveryHandling("DE-BKA", "euro-ct") {
		name := names[i] + " " + names[15-i][:4] + "ka"
		entity := p.create(t, "analyst.fr", ctis.NewEntity{Schema: "Person", Statements: newStatements(h, "name", name)})
		for user, v := range users {
			b := browsers[user]
			want := "no shared data shown"
			if ctis.CanSee(v, "FR-DGSI", h) {
				want = "most restrictive: " + web.Badge(h)
			}
			label := fmt.Sprintf("%s, %s/frontline=%v/notice=%v", user, h.Distribution, h.Frontline, h.HitNotice)
			pages := map[string]probeReply{
				"search": b.PostForm(t, "/search", "/search", url.Values{"name": {name}, "purpose": {"probe"}}),
				"screen": b.PostForm(t, "/screen", "/screen", url.Values{"name": {name}}),
			}
			if !v.FrontlineOnly || h.Frontline {
				pages["entity"] = b.Get(t, "/entities/"+entity+"?purpose=probe")
			}
			for page, reply := range pages {
				if reply.Status == http.StatusOK || page == "entity" && reply.Status == http.StatusNotFound {
					if got := banner(reply.Body); got != want {
						t.Errorf("%s: %s page's banner %q, want %q", label, page, got, want)
					}
				} else {
					t.Errorf("%s: %s page: %d", label, page, reply.Status)
				}
			}
			// The queue: its banner names one of the handlings of the hits
			// the API lists for the same reader, or none when it lists none.
			var queue ctis.HitPage
			p.API(t, user, "GET", "/api/v1/hits?status=open&limit=100", nil, purposeHeader).Want(t, http.StatusOK).JSON(t, &queue)
			listed := map[string]bool{}
			for _, hit := range queue.Hits {
				for _, s := range hit.Sources {
					listed["most restrictive: "+web.Badge(s.Handling)] = true
				}
			}
			for _, path := range []string{"/review?status=open&purpose=probe", "/?purpose=probe"} {
				got := banner(b.Get(t, path).Body)
				if len(listed) == 0 && got != "no shared data shown" || len(listed) > 0 && !listed[got] {
					t.Errorf("%s: %s banner %q; the queue's handlings are %v", label, path, got, listed)
				}
			}
		}
	}
	// The hash page names the narrowest handling of the banks it lists;
	// the travel page shows the agency's own data only.
	for user, b := range browsers {
		var banks []ctis.HashBank
		p.API(t, user, "GET", "/api/v1/hashbanks", nil, purposeHeader).Want(t, http.StatusOK).JSON(t, &struct {
			Banks *[]ctis.HashBank `json:"banks"`
		}{&banks})
		handlings := map[string]bool{}
		for _, bank := range banks {
			handlings["most restrictive: "+web.Badge(bank.Handling)] = true
		}
		if got := banner(b.Get(t, "/hashes").Body); len(banks) == 0 && got != "no shared data shown" || len(banks) > 0 && !handlings[got] {
			t.Errorf("%s: hash page banner %q; the banks' handlings are %v", user, got, handlings)
		}
		if got := banner(b.Get(t, "/travel?purpose=probe").Body); got != "no shared data shown" {
			t.Errorf("%s: travel page banner %q", user, got)
		}
	}
}

// banner is the text of a page's handling banner after "Handling:".
func banner(page string) string {
	_, after, ok := strings.Cut(page, `id="banner">`)
	if !ok {
		return ""
	}
	after, _, _ = strings.Cut(after, " — <strong>")
	_, after, _ = strings.Cut(after, "</strong>")
	return html.UnescapeString(strings.TrimSpace(after))
}
