package peer_test

import (
	"context"
	"slices"
	"testing"

	"ctis"
	"ctis/ctistest"
)

// TestHandlingMatrixOverPeer runs the handling matrix on node B over data
// that came from node A: every agency and group the suite seeds is made
// at A, and spoken for by A at B under an agreement that maps each to
// itself; every statement the suite writes is written at A and pulled
// into B before the suite reads it at B, through every read path, as
// each agency's analyst and frontline officer. So a statement that
// crossed a node shows at B exactly what ctis.CanSee allows of it at A —
// no hop widens it — and B's own TAXII server passes it on no further. Event
// channels are skipped: B's agencies are A's, and their channels are at A.
func TestHandlingMatrixOverPeer(t *testing.T) {
	ctistest.RunHandlingMatrix(t, ctistest.Backend{Node: "node-a", Open: func(t *testing.T) ctis.Services {
		a, b := newNode(t, "node-a"), newNode(t, "node-b")
		a.serve(b)
		f := &federation{t: t, a: a, b: b}
		s := b.Services
		s.Directory = &fedDirectory{DirectoryService: b.Directory, f: f}
		s.Entities = &fedEntities{EntityService: b.Entities, f: f}
		return s
	}, NoEvents: "the agencies are node A's, spoken for at node B: their people, and the channels they would open, are at A"})
}

// federation is node A, where the suite writes, and node B, where it
// reads what B pulled from A.
type federation struct {
	t        *testing.T
	a, b     *node
	agencies []ctis.Agency
	groups   []string
	token    string // the file of the token of FR-DGSI's account at A, which B pulls as
	peer     *ctis.Peer
}

// agree puts A's peer record at B: A speaks for every agency made so
// far, and each of A's agencies and groups maps to the same at B.
func (f *federation) agree() {
	f.t.Helper()
	if f.token == "" {
		return
	}
	a := ctis.Agreement{SpeaksFor: f.agencies, Recipients: map[string][]string{}}
	for _, ag := range f.agencies {
		a.Recipients[ag.Code] = []string{ag.Code}
	}
	for _, g := range f.groups {
		a.Recipients[ctis.GroupPrefix+g] = []string{ctis.GroupPrefix + g}
	}
	p, err := f.b.DB.PutPeer(ctistest.System, ctis.Peer{Name: f.a.name, URL: f.a.url, Fingerprint: f.a.id.fingerprint,
		ClientCert: f.b.id.certFile, ClientKey: f.b.id.keyFile, TokenFile: f.token, Agreement: a})
	if err != nil {
		f.t.Fatal(err)
	}
	f.peer = p
}

// sync pulls A into B.
func (f *federation) sync() {
	f.t.Helper()
	if f.peer != nil {
		f.b.mustPull(*f.peer, 0)
	}
}

// fedDirectory makes agencies and groups at A, and has B take them from
// A under the agreement.
type fedDirectory struct {
	ctis.DirectoryService
	f *federation
}

func (d *fedDirectory) CreateAgency(ctx context.Context, a ctis.Agency) (*ctis.Agency, error) {
	made, err := d.f.a.Directory.CreateAgency(ctx, a)
	if err != nil {
		return nil, err
	}
	d.f.agencies = append(d.f.agencies, *made)
	if made.Code == ctistest.FR {
		d.f.token = d.f.a.token(ctistest.FR)
	}
	d.f.agree()
	return made, nil
}

func (d *fedDirectory) PutGroup(ctx context.Context, g ctis.SharingGroup) (*ctis.SharingGroup, error) {
	if _, err := d.f.a.Directory.PutGroup(ctx, g); err != nil {
		return nil, err
	}
	put, err := d.DirectoryService.PutGroup(ctx, g)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(d.f.groups, g.Name) {
		d.f.groups = append(d.f.groups, g.Name)
	}
	d.f.agree()
	return put, nil
}

// fedEntities writes at A, then pulls A into B; it reads at B.
type fedEntities struct {
	ctis.EntityService
	f *federation
}

func (e *fedEntities) CreateEntity(ctx context.Context, n ctis.NewEntity) (*ctis.Entity, error) {
	out, err := e.f.a.Entities.CreateEntity(ctx, n)
	e.f.sync()
	return out, err
}

func (e *fedEntities) AddStatements(ctx context.Context, id string, st []ctis.NewStatement) ([]ctis.Statement, error) {
	out, err := e.f.a.Entities.AddStatements(ctx, id, st)
	e.f.sync()
	return out, err
}

func (e *fedEntities) WithdrawStatement(ctx context.Context, id, reason string) (*ctis.Statement, error) {
	out, err := e.f.a.Entities.WithdrawStatement(ctx, id, reason)
	e.f.sync()
	return out, err
}

func (e *fedEntities) SetReview(ctx context.Context, id, reviewBy string) (*ctis.Statement, error) {
	out, err := e.f.a.Entities.SetReview(ctx, id, reviewBy)
	e.f.sync()
	return out, err
}

func (e *fedEntities) Import(ctx context.Context, batch []ctis.NewEntity) (*ctis.ImportReport, error) {
	out, err := e.f.a.Entities.Import(ctx, batch)
	e.f.sync()
	return out, err
}

func (e *fedEntities) Sync(ctx context.Context, batch []ctis.NewEntity, complete bool, reason string) (*ctis.SyncReport, error) {
	out, err := e.f.a.Entities.Sync(ctx, batch, complete, reason)
	e.f.sync()
	return out, err
}
