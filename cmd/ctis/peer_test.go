package main

import (
	"context"
	"strings"
	"testing"

	"ctis"
)

// appliedPages is a store that takes every page, reporting each
// statement added.
type appliedPages struct{ ctis.PeerService }

func (appliedPages) ApplyPeerPage(_ context.Context, page ctis.PeerPage) (*ctis.PeerReport, error) {
	n := 0
	for _, e := range page.Entities {
		n += len(e.Statements)
	}
	return &ctis.PeerReport{Added: n}, nil
}

// TestPullShowsProgress: away from a terminal, a pull from the command
// line says each page it stored.
func TestPullShowsProgress(t *testing.T) {
	var out strings.Builder
	s := &pagesShown{PeerService: appliedPages{}, w: &out}
	page := ctis.PeerPage{Entities: []ctis.Entity{{Statements: make([]ctis.Statement, 3)}, {Statements: make([]ctis.Statement, 2)}}}
	for range 2 {
		if _, err := s.ApplyPeerPage(context.Background(), page); err != nil {
			t.Fatal(err)
		}
	}
	if want := "page 1 stored: 5 statements, 5 added, 0 withdrawn\npage 2 stored: 5 statements, 5 added, 0 withdrawn\n"; out.String() != want {
		t.Errorf("progress:\n%s\nwant:\n%s", out.String(), want)
	}
}
