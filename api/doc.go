// Package api serves the twinning graph and its partner suggestions over
// HTTP as JSON.
//
// Every route is listed in one function (Server.routes). Handlers are plain
// net/http; each middleware lives in a file of its own. Every error is an
// RFC 9457 problem (application/problem+json) and graph error codes map to
// HTTP status codes in one place, writeError, which logs internal details
// and never shows them.
package api
