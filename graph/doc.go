// Package graph is the domain of twinning: municipalities, the partnerships
// between them, the contract every graph store implements, and the one
// application error type whose codes the HTTP layer maps to status codes.
//
// The package has no dependencies outside the standard library. Stores live
// in sub-packages named after what they depend on (graph/embedded,
// graph/neo4j); graph/storetest holds the contract suite that every store
// must pass.
package graph
