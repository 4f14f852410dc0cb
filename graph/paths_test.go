package graph

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"testing"
)

// TestShortestPathIDs: counts and lists the shortest chains in id order,
// within maxHops and limit.
func TestShortestPathIDs(t *testing.T) {
	adj := map[string][]string{}
	link := func(a, b string) { adj[a] = append(adj[a], b); adj[b] = append(adj[b], a) }
	// A diamond a-{b,c}-d then d-e, and f alone; s and t joined by 30 m's.
	for _, p := range [][2]string{{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}, {"d", "e"}} {
		link(p[0], p[1])
	}
	for i := range 30 {
		m := fmt.Sprintf("m%02d", i)
		link("s", m)
		link(m, "t")
	}
	neighbours := func(id string) iter.Seq[string] { return slices.Values(adj[id]) }
	for _, tc := range []struct {
		from, to      string
		hops, limit   int
		count         int
		first, length string
	}{
		{"a", "e", 6, 10, 2, "[a b d e]", "2"},
		{"e", "a", 6, 10, 2, "[e d b a]", "2"},
		{"a", "e", 2, 10, 0, "[]", "0"},
		{"a", "f", 6, 10, 0, "[]", "0"},
		{"a", "a", 6, 10, 0, "[]", "0"},
		{"s", "t", 6, 20, 30, "[s m00 t]", "20"},
		{"s", "t", 6, 0, 30, "[]", "0"},
	} {
		count, paths, err := ShortestPathIDs(context.Background(), tc.from, tc.to, tc.hops, tc.limit, neighbours)
		if err != nil {
			t.Fatal(err)
		}
		first := "[]"
		if len(paths) > 0 {
			first = fmt.Sprint(paths[0])
		}
		if count != tc.count || first != tc.first || fmt.Sprint(len(paths)) != tc.length {
			t.Errorf("%s to %s in %d, limit %d: %d paths, first %s, %d listed; want %d, %s, %s",
				tc.from, tc.to, tc.hops, tc.limit, count, first, len(paths), tc.count, tc.first, tc.length)
		}
	}
	_, paths, _ := ShortestPathIDs(context.Background(), "a", "e", 6, 10, neighbours)
	if fmt.Sprint(paths) != "[[a b d e] [a c d e]]" {
		t.Errorf("paths in id order: %v", paths)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := ShortestPathIDs(ctx, "s", "t", 6, 10, neighbours); err != context.Canceled {
		t.Errorf("a cancelled search: %v", err)
	}
}
