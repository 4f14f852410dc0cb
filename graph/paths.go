package graph

import (
	"context"
	"iter"
	"slices"
)

// ShortestPathIDs finds the shortest chains of at most maxHops links from
// the node from to the node to, in a graph whose links neighbours gives
// (a node's neighbours, in any order). It returns how many shortest chains
// there are (0 when to is not within maxHops) and the first limit of them
// in lexicographic order of their ids, each from from to to. It stops with
// ctx's error when ctx ends.
//
// It is the one path algorithm of the project: a store that keeps its
// graph in memory answers ShortestPaths with it (the embedded store), and
// Neo4j's allShortestPaths is held to its answers by a test.
func ShortestPathIDs(ctx context.Context, from, to string, maxHops, limit int, neighbours func(id string) iter.Seq[string]) (count int, paths [][]string, err error) {
	if from == to {
		return 0, nil, nil
	}
	// Breadth-first search from from, level by level, until to's level:
	// dist and sigma (the number of shortest chains) for every node seen.
	dist := map[string]int{from: 0}
	sigma := map[string]int{from: 1}
	frontier := []string{from}
	found := false
	for level := 1; level <= maxHops && len(frontier) > 0 && !found; level++ {
		var next []string
		for k, u := range frontier {
			if k%1024 == 0 && ctx.Err() != nil {
				return 0, nil, ctx.Err()
			}
			for v := range neighbours(u) {
				d, seen := dist[v]
				if !seen {
					dist[v] = level
					next = append(next, v)
					d = level
				}
				if d == level {
					sigma[v] += sigma[u]
				}
				found = found || v == to
			}
		}
		frontier = next
	}
	if !found {
		return 0, nil, nil
	}
	hops := dist[to]

	// The nodes on a shortest chain: walking back from to, one level
	// closer each step.
	onPath := map[string]bool{to: true}
	level := []string{to}
	for d := hops; d > 1; d-- {
		var prev []string
		for _, w := range level {
			for v := range neighbours(w) {
				if dv, ok := dist[v]; ok && dv == d-1 && !onPath[v] {
					onPath[v] = true
					prev = append(prev, v)
				}
			}
		}
		level = prev
	}
	// Walk forward from from along them, the next nodes of each step in id
	// order, so that chains come out sorted.
	chain := []string{from}
	var walk func(u string)
	walk = func(u string) {
		if len(paths) == limit {
			return
		}
		if u == to {
			paths = append(paths, append([]string(nil), chain...))
			return
		}
		var next []string
		for v := range neighbours(u) {
			if dv, ok := dist[v]; ok && dv == dist[u]+1 && onPath[v] {
				next = append(next, v)
			}
		}
		slices.Sort(next)
		for _, v := range next {
			chain = append(chain, v)
			walk(v)
			chain = chain[:len(chain)-1]
		}
	}
	walk(from)
	return sigma[to], paths, nil
}

// MaxPathHops is the longest chain that ShortestPaths looks for.
const MaxPathHops = 6

// CheckPathBounds returns the EINVALID error of ShortestPaths' bounds: a
// maxHops of 1 to MaxPathHops, a limit of 0 or more.
func CheckPathBounds(maxHops, limit int) error {
	if maxHops < 1 || maxHops > MaxPathHops {
		return FieldErrorf("max_hops", "must be between 1 and %d, got %d", MaxPathHops, maxHops)
	}
	if limit < 0 {
		return FieldErrorf("limit", "must not be negative, got %d", limit)
	}
	return nil
}
