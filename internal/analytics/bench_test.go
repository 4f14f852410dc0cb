package analytics

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// The size of the benchmarks' synthetic graph: about the real data's
// municipalities and twin-city pairs.
const (
	benchNodes = 100_000
	benchEdges = 26_000
)

// osMkdirTemp makes a directory for the benchmarks' store; it outlives
// the benchmark, in the system's temporary directory.
func osMkdirTemp() (string, error) { return os.MkdirTemp("", "twinning-analytics-bench-") }

// benchGraph is the snapshot of the synthetic store, built once.
var benchGraph = struct {
	once sync.Once
	g    *Graph
	err  error
}{}

func syntheticSnapshot(b *testing.B) *Graph {
	s := syntheticStore(b)
	benchGraph.once.Do(func() { benchGraph.g, benchGraph.err = Build(context.Background(), s) })
	require.NoError(b, benchGraph.err)
	return benchGraph.g
}

func BenchmarkBuild(b *testing.B) {
	s := syntheticStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Build(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStats(b *testing.B) {
	g := syntheticSnapshot(b)
	b.ResetTimer()
	for b.Loop() {
		g.Stats()
	}
}

func BenchmarkGaps(b *testing.B) {
	g := syntheticSnapshot(b)
	suggest := func(_ context.Context, id string, limit int) ([]Suggested, error) {
		return []Suggested{{ID: id, Score: 1}}, nil
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.Gaps(ctx, GapOptions{Sort: SortBorder, Limit: 50, Suggest: suggest}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCountryMatrix(b *testing.B) {
	g := syntheticSnapshot(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.CountryMatrix("", []graph.Status{graph.StatusActive}, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCentrality(b *testing.B) {
	g := syntheticSnapshot(b)
	b.ResetTimer()
	for b.Loop() {
		g.pageRank(PageRankDamping)
		g.betweenness(BetweennessSamples, betweennessSeed)
	}
}

// BenchmarkPaths times StorePaths on the embedded store, which finds the
// paths with graph.ShortestPathIDs on the graph it holds in memory.
func BenchmarkPaths(b *testing.B) {
	g := syntheticSnapshot(b)
	s := syntheticStore(b)
	from, to := g.ms[0].ID, g.ms[g.adj[g.off[len(g.ms)-1]-1]].ID
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := StorePaths(ctx, s, from, to, MaxHops); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExportGraphML(b *testing.B) {
	g := syntheticSnapshot(b)
	b.ResetTimer()
	for b.Loop() {
		if err := g.Export(io.Discard, ExportOptions{Format: FormatGraphML, Limit: MaxExportLimit}); err != nil {
			b.Fatal(err)
		}
	}
}
