// Package ctis holds the domain of the counter-terrorism information space:
// agencies and their users, entities described by statements with
// provenance, the handling rules that decide who may see a statement, and
// the hash-chained audit trail.
//
// The root package imports nothing of the project. Storage engines, the HTTP
// API and file formats live in packages of their own that implement or use
// the service interfaces declared here; cmd/ctis wires them together.
package ctis

// Services are the services of one node, built once by its assembler
// (cmd/ctis) and shared by every face of it: the API, the pages and the
// commands. Rules checks that a rule compiles before the store keeps it.
type Services struct {
	Directory DirectoryService
	Auth      AuthService
	Entities  EntityService
	Audit     AuditLog
	Screener  Screener
	Review    ReviewService
	Travel    TravelService
	Rules     RuleService
	// Targeting is the queue of travellers the targeting rules referred.
	Targeting ReferralQueue
	Documents DocumentService
	Hashes    HashService
	Requests  RequestKeys
	Statuses  PostStatuses
	Events    EventService
	// Authorities is the directory of competent authorities, and
	// Cooperation the formal requests addressed to them.
	Authorities AuthorityService
	Cooperation CooperationService
	// Referrals are the referrals of terrorist content to platforms.
	ContentReferrals ContentReferralService
	// Notifications is what needs the caller's attention.
	Notifications NotificationService
}
