// Package ctis holds the domain of the counter-terrorism information space:
// agencies and their users, entities described by statements with
// provenance, the handling rules that decide who may see a statement, and
// the hash-chained audit trail.
//
// The root package imports nothing of the project. Storage engines, the HTTP
// API and file formats live in packages of their own that implement or use
// the service interfaces declared here; cmd/ctis wires them together.
package ctis
