// Package score ranks candidate twinning partners for a municipality and
// explains every score factor by factor.
//
// The work is split in two so that a trainer can reuse the first half:
//
//   - An Index is an immutable, in-memory snapshot of the graph laid out for
//     speed (struct-of-arrays: unit vectors, log-populations, country and
//     region indices, theme bitmasks, adjacency lists). Index.Features
//     computes the factor values of (source, candidate) pairs, in the order
//     of FactorNames, without any weights.
//   - A Model holds one weight per factor and a version. The Engine combines
//     the current Index with its Model: Score = Σ Weight × Value, and every
//     Suggestion carries its factors with their contributions and a sentence
//     a person can read.
//
// Engine.Load builds a new Index from a graph.Store and swaps it in
// atomically, so requests in flight finish on the index they started with.
package score
