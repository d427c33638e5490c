// Package node assembles a node's services over its SQLite store and its
// match indexes, once: serve, the commands and the test kit share it, so
// that no face of a node wires a use case its own way.
package node

import (
	"ctis"
	"ctis/rules"
	"ctis/screen"
	"ctis/store"
)

// Services builds a node's services. Entity writes go through the
// screening service, which keeps its index in step; rules are checked to
// compile and to stay within their cost bound before the store keeps
// them. hashes may be nil for a command that does not match hashes.
func Services(db *store.DB, sc *screen.Service, hashes ctis.HashService) ctis.Services {
	return ctis.Services{Directory: db, Auth: db, Requests: db, Entities: sc, Audit: db, Screener: sc, Review: db, Travel: db,
		Rules: rules.Service{Store: db}, Targeting: db, Documents: db, Hashes: hashes, Statuses: db, Events: db, Authorities: db, Cooperation: db, Notifications: db,
		ContentReferrals: db}
}
