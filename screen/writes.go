package screen

import (
	"context"

	"ctis"
)

// The write methods pass to the store and then reindex what they touched,
// so the next screening sees the change.

// CreateEntity creates an entity and indexes it.
func (s *Service) CreateEntity(ctx context.Context, e ctis.NewEntity) (*ctis.Entity, error) {
	out, err := s.Store.CreateEntity(ctx, e)
	if err != nil {
		return nil, err
	}
	return out, s.reindex(ctx, []string{out.ID})
}

// AddStatements adds statements and reindexes their entity.
func (s *Service) AddStatements(ctx context.Context, entityID string, st []ctis.NewStatement) ([]ctis.Statement, error) {
	out, err := s.Store.AddStatements(ctx, entityID, st)
	if err != nil {
		return nil, err
	}
	return out, s.reindex(ctx, []string{entityID})
}

// WithdrawStatement withdraws a statement and reindexes its entity.
func (s *Service) WithdrawStatement(ctx context.Context, statementID, reason string) (*ctis.Statement, error) {
	out, err := s.Store.WithdrawStatement(ctx, statementID, reason)
	if err != nil {
		return nil, err
	}
	return out, s.reindex(ctx, []string{out.EntityID})
}

// Import imports a batch and indexes the entities it stored, by their
// stored IDs (an imported ID is the importer's key, not the stored one).
func (s *Service) Import(ctx context.Context, batch []ctis.NewEntity) (*ctis.ImportReport, error) {
	rep, err := s.Store.Import(ctx, batch)
	if err != nil {
		return nil, err
	}
	return rep, s.reindex(ctx, rep.IDs)
}

// Sync syncs a feed and rebuilds the index: a complete feed may withdraw
// entities the batch does not name, and the batch's IDs are the feed's
// keys, not the stored IDs.
func (s *Service) Sync(ctx context.Context, batch []ctis.NewEntity, complete bool, reason string) (*ctis.SyncReport, error) {
	rep, err := s.Store.Sync(ctx, batch, complete, reason)
	if err != nil {
		return nil, err
	}
	return rep, s.Refresh(ctx)
}

// PurgeExpired purges and rebuilds the index.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	n, err := s.Store.PurgeExpired(ctx)
	if err != nil {
		return 0, err
	}
	return n, s.Refresh(ctx)
}

// SetReview sets a review date and reindexes the statement's entity, which
// the review policy may have hidden from screening.
func (s *Service) SetReview(ctx context.Context, statementID, reviewBy string) (*ctis.Statement, error) {
	out, err := s.Store.SetReview(ctx, statementID, reviewBy)
	if err != nil {
		return nil, err
	}
	return out, s.reindex(ctx, []string{out.EntityID})
}
