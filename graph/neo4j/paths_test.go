package neo4j

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
)

// pathGraph returns a graph built to exercise shortest paths: s joined to t
// through three layers of three municipalities, fully linked layer to
// layer (27 shortest paths of 4 hops, more than analytics.MaxPaths), a
// shortcut making s to l2b 2 hops, a chain of three beyond t (paths of 5 to
// 7 hops), and an isolated pair.
func pathGraph() ([]graph.Municipality, []graph.Partnership) {
	var ms []graph.Municipality
	add := func(id string, pop int64) {
		ms = append(ms, graph.Municipality{ID: id, Name: "Place " + id, NameLatin: "Place " + id,
			Country: "PL", Region: graph.Region{Code: "PL22", Name: "Śląskie"}, Kind: graph.KindCity, Population: pop})
	}
	var ps []graph.Partnership
	link := func(a, b string, since int) {
		ps = append(ps, graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: graph.StatusActive, Since: since})
	}
	add("pl-s", 100000)
	add("pl-t", 90000)
	layers := [][]string{}
	for l := 1; l <= 3; l++ {
		var layer []string
		for _, x := range []string{"a", "b", "c"} {
			id := fmt.Sprintf("pl-l%d%s", l, x)
			add(id, int64(1000*l))
			layer = append(layer, id)
		}
		layers = append(layers, layer)
	}
	for _, id := range layers[0] {
		link("pl-s", id, 1990)
	}
	for l := 0; l < 2; l++ {
		for _, a := range layers[l] {
			for _, b := range layers[l+1] {
				link(a, b, 2000+l)
			}
		}
	}
	for _, id := range layers[2] {
		link(id, "pl-t", 2010)
	}
	add("pl-short", 500)
	link("pl-s", "pl-short", 0)
	link("pl-short", "pl-l2b", 0)
	for i := 1; i <= 3; i++ {
		add(fmt.Sprintf("pl-c%d", i), 700)
	}
	link("pl-t", "pl-c1", 2020)
	link("pl-c1", "pl-c2", 2021)
	link("pl-c2", "pl-c3", 2022)
	add("pl-x", 1)
	add("pl-y", 2)
	link("pl-x", "pl-y", 1999)
	return ms, ps
}

// TestShortestPathsMatchEmbedded loads the same graph into Neo4j and into
// the embedded store, and checks that Neo4j's allShortestPaths gives the
// answer that the embedded store's graph.ShortestPathIDs gives: the
// same hops, number of paths, truncation, listed paths in the same order,
// and the same municipalities (with their degrees) and partnerships on them.
func TestShortestPathsMatchEmbedded(t *testing.T) {
	serverURI(t)
	ctx := context.Background()
	ms, ps := pathGraph()

	neo := openEmpty(t)
	_, err := neo.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err)
	_, err = neo.UpsertPartnerships(ctx, ps)
	require.NoError(t, err)

	emb := embeddedWith(t, ms, ps)

	for _, tc := range []struct {
		from, to  string
		maxHops   int
		hops      int // of the in-memory answer; 0 for no path
		truncated bool
	}{
		{"pl-s", "pl-l1a", 1, 1, false},
		{"pl-s", "pl-l2b", 6, 2, false},  // via l1a, l1b, l1c and the shortcut
		{"pl-s", "pl-l3c", 6, 3, false},  // 9 paths, plus 3 through the shortcut
		{"pl-s", "pl-t", 6, 4, true},     // 27 paths, and 3 through the shortcut
		{"pl-t", "pl-s", 4, 4, true},     // the other way round, reversed paths
		{"pl-s", "pl-t", 3, 0, false},    // beyond max_hops
		{"pl-s", "pl-c3", 6, 0, false},   // 7 hops, beyond any max_hops
		{"pl-l1a", "pl-c2", 6, 5, false}, // 9 paths
		{"pl-short", "pl-c3", 6, 6, false},
		{"pl-s", "pl-x", 6, 0, false}, // another component
		{"pl-x", "pl-y", 2, 1, false},
	} {
		name := fmt.Sprintf("%s-%s-%d", tc.from, tc.to, tc.maxHops)
		want, err := analytics.StorePaths(ctx, emb, tc.from, tc.to, tc.maxHops)
		require.NoError(t, err, name)
		require.Equal(t, tc.hops, want.Hops, "%s: the in-memory answer is not the one the case expects", name)
		require.Equal(t, tc.truncated, want.Truncated, name)
		got, err := analytics.StorePaths(ctx, neo, tc.from, tc.to, tc.maxHops)
		require.NoError(t, err, name)
		assert.Equal(t, want, got, name)
	}

	// Errors are the in-memory graph's.
	_, err = analytics.StorePaths(ctx, neo, "pl-s", "xx-nowhere", 3)
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err), "unknown id: %v", err)
	_, err = analytics.StorePaths(ctx, neo, "pl-s", "pl-t", analytics.MaxHops+1)
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "too many hops: %v", err)
	_, _, err = neo.ShortestPaths(ctx, "pl-s", "pl-t", maxPathHops+1, 1)
	assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "too many hops in the store: %v", err)
}
