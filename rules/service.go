package rules

import (
	"context"

	"ctis"
)

// Service is a rule store with compilation in front of it: a rule that
// does not compile, or that uses a sensitive characteristic, is refused
// before anything is stored.
type Service struct {
	Store ctis.RuleService
}

// SaveRule compiles r and stores it as a new version.
func (s Service) SaveRule(ctx context.Context, r ctis.Rule) (*ctis.Rule, error) {
	if _, err := Compile(r); err != nil {
		return nil, err
	}
	return s.Store.SaveRule(ctx, r)
}

// Rules lists the latest version of each of the agency's rules.
func (s Service) Rules(ctx context.Context) ([]ctis.Rule, error) { return s.Store.Rules(ctx) }

// RuleVersions lists every version of a rule, newest first.
func (s Service) RuleVersions(ctx context.Context, id string) ([]ctis.Rule, error) {
	return s.Store.RuleVersions(ctx, id)
}

// Active compiles the agency's rules in force: the latest version of
// each, unless disabled.
func (s Service) Active(ctx context.Context) ([]*Compiled, error) {
	rs, err := s.Store.Rules(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Compiled
	for _, r := range rs {
		if r.Disabled {
			continue
		}
		c, err := Compile(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
