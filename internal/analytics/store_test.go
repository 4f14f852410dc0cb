package analytics

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/internal/sample"
)

// sampleStore returns a fresh embedded store holding the bundled sample.
func sampleStore(t *testing.T) graph.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "twinning.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	loaded, err := sample.LoadIfEmpty(context.Background(), s)
	require.NoError(t, err)
	require.True(t, loaded)
	return s
}

func TestOnSample(t *testing.T) {
	ctx := context.Background()
	s := sampleStore(t)
	g, err := Build(ctx, s)
	require.NoError(t, err)

	counts, err := s.Counts(ctx)
	require.NoError(t, err)
	st := g.Stats()
	assert.Equal(t, counts.Municipalities, st.Municipalities)
	assert.Equal(t, counts.Partnerships, st.Partnerships)
	for status, n := range counts.ByStatus {
		assert.Equal(t, n, st.ByStatus[status], "status %s", status)
	}
	assert.Equal(t, st.Partnerships*2, func() int {
		sum := 0
		for _, b := range st.All.Degrees {
			sum += b.Degree * b.Count
		}
		return sum
	}(), "degrees add up to twice the partnerships")
	js, err := json.MarshalIndent(struct {
		Municipalities, Partnerships int
		ByStatus                     map[graph.Status]int
		Assortativity                *float64
		Transitivity                 float64
		Partnered, All               Network
	}{st.Municipalities, st.Partnerships, st.ByStatus, st.Assortativity, st.Transitivity, withoutHistogram(st.Partnered), withoutHistogram(st.All)}, "", "  ")
	require.NoError(t, err)
	t.Logf("stats of the sample:\n%s", js)

	// Every partner the store lists is a neighbour in the snapshot.
	ps, err := s.Partners(ctx, "ua-lviv")
	require.NoError(t, err)
	nb, err := g.Neighbourhood("ua-lviv", 1, 0)
	require.NoError(t, err)
	assert.Len(t, nb.Nodes, len(ps)+1)
	require.NotEmpty(t, ps)
	res, err := StorePaths(ctx, s, "ua-lviv", ps[0].Municipality.ID, 3)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Hops)

	gaps, err := g.Gaps(ctx, GapOptions{Sort: SortBorder, Limit: 5})
	require.NoError(t, err)
	t.Logf("gaps: %d Ukrainian municipalities (%d inhabitants) without an active European partner; nearest the border: %s", gaps.Total, gaps.Population, gaps.Items[0].ID)
	for _, it := range gaps.Items {
		partners, err := s.Partners(ctx, it.ID)
		require.NoError(t, err)
		for _, p := range partners {
			european := p.Municipality.Country != "UA" && p.Municipality.Country != "RU" && p.Municipality.Country != "BY"
			assert.False(t, european && p.Partnership.Status == graph.StatusActive, "%s has an active European partner %s", it.ID, p.Municipality.ID)
		}
	}

	m, err := g.CountryMatrix("UA", []graph.Status{graph.StatusActive}, "")
	require.NoError(t, err)
	require.Len(t, m.Rows, 1)
	t.Logf("UA active partnerships: %d, %.2f per million inhabitants of the sample's UA municipalities", m.Rows[0].Partnerships, m.Rows[0].PerMillion)

	c, err := g.Central("", 3)
	require.NoError(t, err)
	t.Logf("most central by degree %s, by PageRank %s, by betweenness %s", c.ByDegree[0].ID, c.ByPageRank[0].ID, c.ByBetweenness[0].ID)
}

// withoutHistogram drops the degree histogram, to keep logs short.
func withoutHistogram(n Network) Network {
	n.Degrees = nil
	return n
}

// benchStore is an embedded store holding the synthetic graph of
// benchmarks, built once per process.
var benchStore = struct {
	once  sync.Once
	store graph.Store
	err   error
}{}

// syntheticStore returns an embedded store with 100,000 municipalities
// and 26,000 partnerships.
func syntheticStore(b *testing.B) graph.Store {
	benchStore.once.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			benchStore.err = err
			return
		}
		s, err := embedded.Open(filepath.Join(dir, "bench.db"))
		if err != nil {
			benchStore.err = err
			return
		}
		ms, ps := synthetic(benchNodes, benchEdges, 42)
		ctx := context.Background()
		for start := 0; start < len(ms) && err == nil; start += 10_000 {
			_, err = s.UpsertMunicipalities(ctx, ms[start:min(start+10_000, len(ms))])
		}
		for start := 0; start < len(ps) && err == nil; start += 10_000 {
			_, err = s.UpsertPartnerships(ctx, ps[start:min(start+10_000, len(ps))])
		}
		benchStore.store, benchStore.err = s, err
	})
	require.NoError(b, benchStore.err)
	return benchStore.store
}
