// Package analytics explores the partnership graph: summary statistics,
// country-by-country matrices, shortest partnership paths, ego networks,
// the Ukrainian municipalities still without a European partner, the most
// central municipalities, and streamed exports as GeoJSON, GraphML and CSV.
//
// Everything is computed on a Graph, an immutable in-memory snapshot built
// once from a graph.Store with compact int-indexed adjacency (compressed
// sparse rows), so that a query costs no round trip to the store. A
// Snapshot holds the current Graph behind an atomic pointer and can be
// refreshed while queries run on the previous one.
//
// Partnerships are undirected: every measure treats the graph as a simple
// undirected graph with one edge per partnership, whatever its status,
// unless a function takes a status filter.
package analytics
