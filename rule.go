package ctis

import (
	"context"
	"time"
)

// Rule is one version of a targeting rule: an expression over the facts
// of a traveller's booking and journey that, when it holds, refers the
// traveller to a person for a look. Saving a rule again makes a new
// version; every version is kept.
type Rule struct {
	ID          string    `json:"id"`
	Version     int       `json:"version"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Expression  string    `json:"expression"`
	Score       float64   `json:"score"`
	Agency      string    `json:"agency"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	Disabled    bool      `json:"disabled,omitempty"`
}

// Referral is a rule that held for a traveller: scored and explained, for
// a person to review; never a decision.
type Referral struct {
	RuleID      string  `json:"rule_id"`
	RuleVersion int     `json:"rule_version"`
	RuleName    string  `json:"rule_name"`
	Score       float64 `json:"score"`
	Subject     string  `json:"subject"`
	Explanation string  `json:"explanation"`
	// Expression is the rule's expression at that version, and Facts the
	// traveller's facts it reads, by their names in the expression: why
	// the rule held.
	Expression string         `json:"expression,omitempty"`
	Facts      map[string]any `json:"facts,omitempty"`
}

// RuleService keeps an agency's targeting rules.
type RuleService interface {
	// SaveRule stores a new rule (empty ID) or a new version of one. The
	// caller checks the rule compiles and uses no sensitive data; the
	// store refuses what it cannot keep. Needs RoleAnalyst; audited.
	SaveRule(ctx context.Context, r Rule) (*Rule, error)
	// Rules lists the latest version of each of the agency's rules.
	// Needs RoleAnalyst or RoleFrontline.
	Rules(ctx context.Context) ([]Rule, error)
	// RuleVersions lists every version of a rule, newest first.
	RuleVersions(ctx context.Context, id string) ([]Rule, error)
}

// ActRuleSave is the audit action of saving a rule version.
const ActRuleSave = "rule.save"
