package analytics

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
)

// muni returns a municipality with an id, a country and a population.
func muni(id, country string, pop int64) graph.Municipality {
	return graph.Municipality{ID: id, Name: id, NameLatin: id, Country: country, Kind: graph.KindCity, Population: pop}
}

// edge returns an active twinning between a and b.
func edge(a, b string) graph.Partnership {
	return graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: graph.StatusActive}
}

// build returns the graph of nodes named by ids (all in PL) and edges
// given as pairs.
func build(t testing.TB, ids []string, pairs ...[2]string) *Graph {
	t.Helper()
	ms := make([]graph.Municipality, len(ids))
	for i, id := range ids {
		ms[i] = muni(id, "PL", 1000)
	}
	ps := make([]graph.Partnership, len(pairs))
	for i, p := range pairs {
		ps[i] = edge(p[0], p[1])
	}
	g, err := New(ms, ps)
	require.NoError(t, err)
	return g
}

func TestNewRejectsBadGraphs(t *testing.T) {
	tests := []struct {
		name string
		ms   []graph.Municipality
		ps   []graph.Partnership
		want string
	}{
		{"duplicate id", []graph.Municipality{muni("a", "PL", 0), muni("a", "PL", 0)}, nil, "appears twice"},
		{"unknown end", []graph.Municipality{muni("a", "PL", 0)}, []graph.Partnership{edge("a", "b")}, "unknown municipality"},
		{"self loop", []graph.Municipality{muni("a", "PL", 0)}, []graph.Partnership{edge("a", "a")}, "itself"},
		{"duplicate pair", []graph.Municipality{muni("a", "PL", 0), muni("b", "PL", 0)},
			[]graph.Partnership{edge("a", "b"), edge("b", "a")}, "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.ms, tt.ps)
			require.Error(t, err)
			assert.Equal(t, graph.EINTERNAL, graph.ErrorCode(err))
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestStatsOnKnownGraphs(t *testing.T) {
	t.Run("triangle", func(t *testing.T) {
		g := build(t, []string{"a", "b", "c"}, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"a", "c"})
		st := g.Stats()
		assert.Equal(t, 1.0, st.All.Clustering)
		assert.Equal(t, 1.0, st.Transitivity)
		assert.EqualValues(t, 1, st.Triangles)
		assert.Nil(t, st.Assortativity, "every edge joins equal degrees")
		assert.Equal(t, 2.0, st.All.MeanDegree)
		assert.Equal(t, []DegreeCount{{2, 3}}, st.All.Degrees)
	})
	t.Run("star", func(t *testing.T) {
		g := build(t, []string{"hub", "l1", "l2", "l3", "l4"},
			[2]string{"hub", "l1"}, [2]string{"hub", "l2"}, [2]string{"hub", "l3"}, [2]string{"hub", "l4"})
		st := g.Stats()
		require.NotNil(t, st.Assortativity)
		assert.InDelta(t, -1, *st.Assortativity, 1e-12)
		assert.Equal(t, 0.0, st.All.Clustering)
		assert.Equal(t, 0.0, st.Transitivity)
		assert.Equal(t, 4, st.All.MaxDegree)
		assert.Equal(t, 1.0, st.All.MedianDegree)
		assert.Equal(t, []DegreeCount{{1, 4}, {4, 1}}, st.All.Degrees)
	})
	t.Run("components and isolated nodes", func(t *testing.T) {
		// A triangle with a pendant (a,b,c + d), a pair (e,f), two
		// isolated municipalities (g, h).
		g := build(t, []string{"a", "b", "c", "d", "e", "f", "g", "h"},
			[2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"a", "c"}, [2]string{"c", "d"}, [2]string{"e", "f"})
		st := g.Stats()
		assert.Equal(t, 8, st.Municipalities)
		assert.Equal(t, 5, st.Partnerships)
		assert.Equal(t, 4, st.All.Components)
		assert.Equal(t, []int{4, 2, 1, 1}, st.All.TopComponents)
		assert.Equal(t, 2, st.Partnered.Components)
		assert.Equal(t, []int{4, 2}, st.Partnered.TopComponents)
		assert.Equal(t, 6, st.Partnered.Nodes)
		assert.InDelta(t, 10.0/6, st.Partnered.MeanDegree, 1e-12)
		assert.InDelta(t, 10.0/8, st.All.MeanDegree, 1e-12)
		// Local clustering: a 1, b 1, c 1/3, others 0.
		assert.InDelta(t, (2+1.0/3)/6, st.Partnered.Clustering, 1e-12)
		assert.InDelta(t, (2+1.0/3)/8, st.All.Clustering, 1e-12)
		// Transitivity: 3 triangles-at-corners / triples (1+1+3) = 3/5.
		assert.InDelta(t, 0.6, st.Transitivity, 1e-12)
		assert.Equal(t, 5, st.ByStatus[graph.StatusActive])
		assert.Equal(t, 5, st.ByKind[graph.KindTwinning])
	})
	t.Run("empty", func(t *testing.T) {
		st := build(t, nil).Stats()
		assert.Zero(t, st.All.Nodes)
		assert.Nil(t, st.Assortativity)
	})
}

func TestAssortativityMatchesNewmanFormula(t *testing.T) {
	// A path a-b-c-d: edge degree pairs (1,2), (2,2), (2,1). Over both
	// directions: x = 1,2,2,2,2,1 and y = 2,1,2,2,1,2; r = -1/2.
	g := build(t, []string{"a", "b", "c", "d"}, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "d"})
	r := g.Stats().Assortativity
	require.NotNil(t, r)
	assert.InDelta(t, -0.5, *r, 1e-12)
}

func TestPageRank(t *testing.T) {
	t.Run("cycle is uniform", func(t *testing.T) {
		ids := []string{"a", "b", "c", "d", "e"}
		g := build(t, ids, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "d"}, [2]string{"d", "e"}, [2]string{"e", "a"})
		pr := g.pageRank(PageRankDamping)
		for _, v := range pr {
			assert.InDelta(t, 0.2, v, 1e-9)
		}
	})
	t.Run("sums to one with dangling nodes", func(t *testing.T) {
		g := build(t, []string{"hub", "l1", "l2", "l3", "lone"},
			[2]string{"hub", "l1"}, [2]string{"hub", "l2"}, [2]string{"hub", "l3"})
		pr := g.pageRank(PageRankDamping)
		var sum float64
		for _, v := range pr {
			sum += v
		}
		assert.InDelta(t, 1, sum, 1e-9)
		assert.Greater(t, pr[g.index["hub"]], pr[g.index["l1"]])
		assert.InDelta(t, pr[g.index["l1"]], pr[g.index["l3"]], 1e-12, "leaves are symmetric")
	})
}

func TestBetweenness(t *testing.T) {
	// Path a-b-c-d-e: b lies on the paths a-c, a-d, a-e (3); c on a-d,
	// a-e, b-d, b-e (4).
	g := build(t, []string{"a", "b", "c", "d", "e"}, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "d"}, [2]string{"d", "e"})
	bc, exact, k := g.betweenness(100, 1)
	assert.True(t, exact)
	assert.Equal(t, 5, k)
	assert.InDelta(t, 0, bc[g.index["a"]], 1e-12)
	assert.InDelta(t, 3, bc[g.index["b"]], 1e-12)
	assert.InDelta(t, 4, bc[g.index["c"]], 1e-12)

	// A square a-b-c-d-a: two shortest paths between opposite corners,
	// so every corner gets 1/2.
	sq := build(t, []string{"a", "b", "c", "d"}, [2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "d"}, [2]string{"d", "a"})
	bc, _, _ = sq.betweenness(100, 1)
	for _, v := range bc {
		assert.InDelta(t, 0.5, v, 1e-12)
	}

	// Sampling: estimates are scaled, reproducible, and exact=false.
	big := syntheticGraph(t, 2000, 4000, 7)
	b1, exact, k := big.betweenness(64, 3)
	b2, _, _ := big.betweenness(64, 3)
	assert.False(t, exact)
	assert.Equal(t, 64, k)
	assert.Equal(t, b1, b2)
}

func TestCentral(t *testing.T) {
	ms := []graph.Municipality{muni("pl-a", "PL", 10), muni("pl-b", "PL", 10), muni("de-c", "DE", 10), muni("de-d", "DE", 10)}
	ps := []graph.Partnership{edge("pl-a", "pl-b"), edge("pl-b", "de-c"), edge("de-c", "de-d")}
	g, err := New(ms, ps)
	require.NoError(t, err)
	c, err := g.Central("de", 1)
	require.NoError(t, err)
	assert.Equal(t, "DE", c.Country)
	require.Len(t, c.ByDegree, 1)
	assert.Equal(t, "de-c", c.ByDegree[0].ID)
	assert.Equal(t, "de-c", c.ByBetweenness[0].ID)
	assert.InDelta(t, 2, c.ByBetweenness[0].Betweenness, 1e-12)
	assert.True(t, c.BetweennessExact)

	all, err := g.Central("", 0)
	require.NoError(t, err)
	assert.Len(t, all.ByPageRank, 4)
	assert.Equal(t, "de-c", all.ByPageRank[0].ID, "ties break by id: de-c before pl-b")

	for _, tt := range []struct {
		country string
		limit   int
		field   string
	}{{"POL", 5, "country"}, {"", -1, "limit"}, {"", MaxCentralLimit + 1, "limit"}} {
		_, err := g.Central(tt.country, tt.limit)
		assert.Equal(t, tt.field, graph.ErrorField(err))
	}
}

// pathStore returns an embedded store holding the municipalities ids
// joined by pairs: StorePaths answers from it with graph.ShortestPathIDs.
func pathStore(t *testing.T, ids []string, pairs ...[2]string) graph.Store {
	t.Helper()
	s, err := embedded.Open(filepath.Join(t.TempDir(), "paths.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	ms := make([]graph.Municipality, len(ids))
	for i, id := range ids {
		ms[i] = muni(id, "PL", 1000)
	}
	ps := make([]graph.Partnership, len(pairs))
	for i, p := range pairs {
		ps[i] = edge(p[0], p[1])
	}
	ctx := context.Background()
	_, err = s.UpsertMunicipalities(ctx, ms)
	require.NoError(t, err)
	_, err = s.UpsertPartnerships(ctx, ps)
	require.NoError(t, err)
	return s
}

func TestPaths(t *testing.T) {
	// A diamond a-{b,c}-d then d-e, and a separate f.
	s := pathStore(t, []string{"a", "b", "c", "d", "e", "f"},
		[2]string{"a", "b"}, [2]string{"a", "c"}, [2]string{"b", "d"}, [2]string{"c", "d"}, [2]string{"d", "e"})
	ctx := context.Background()

	res, err := StorePaths(ctx, s, "a", "e", 6)
	require.NoError(t, err)
	assert.True(t, res.Found)
	assert.Equal(t, 3, res.Hops)
	assert.Equal(t, 2.0, res.Count)
	require.Len(t, res.Paths, 2)
	ids := func(p Path) []string {
		var out []string
		for _, n := range p.Nodes {
			out = append(out, n.ID)
		}
		return out
	}
	assert.Equal(t, []string{"a", "b", "d", "e"}, ids(res.Paths[0]))
	assert.Equal(t, []string{"a", "c", "d", "e"}, ids(res.Paths[1]))
	require.Len(t, res.Paths[0].Links, 3)
	assert.Equal(t, Link{A: "b", B: "d", Kind: graph.KindTwinning, Status: graph.StatusActive}, res.Paths[0].Links[1])
	assert.Equal(t, 2, res.Paths[0].Nodes[1].Degree, "b's partnerships")
	assert.False(t, res.Truncated)

	res, err = StorePaths(ctx, s, "a", "e", 2)
	require.NoError(t, err)
	assert.False(t, res.Found, "e is 3 hops away")
	assert.Empty(t, res.Paths)
	assert.Equal(t, "e", res.To.ID, "the ends are named without a path")

	res, err = StorePaths(ctx, s, "a", "f", 6)
	require.NoError(t, err)
	assert.False(t, res.Found)

	for _, tt := range []struct {
		from, to string
		hops     int
		code     string
		field    string
	}{
		{"a", "e", 7, graph.EINVALID, "max_hops"},
		{"a", "e", -1, graph.EINVALID, "max_hops"},
		{"A B", "e", 3, graph.EINVALID, "from"},
		{"a", "", 3, graph.EINVALID, "to"},
		{"a", "a", 3, graph.EINVALID, "to"},
		{"zz", "a", 3, graph.ENOTFOUND, ""},
	} {
		_, err := StorePaths(ctx, s, tt.from, tt.to, tt.hops)
		assert.Equal(t, tt.code, graph.ErrorCode(err), "%+v", tt)
		assert.Equal(t, tt.field, graph.ErrorField(err), "%+v", tt)
	}
}

func TestPathsCapsTheirNumber(t *testing.T) {
	// s and t joined through 30 middle nodes: 30 shortest paths of 2 hops.
	ids := []string{"s", "t"}
	var pairs [][2]string
	for i := range 30 {
		m := fmt.Sprintf("m%02d", i)
		ids = append(ids, m)
		pairs = append(pairs, [2]string{"s", m}, [2]string{m, "t"})
	}
	res, err := StorePaths(context.Background(), pathStore(t, ids, pairs...), "s", "t", 6)
	require.NoError(t, err)
	assert.Equal(t, 30.0, res.Count)
	assert.Len(t, res.Paths, MaxPaths)
	assert.True(t, res.Truncated)
	assert.Equal(t, "m00", res.Paths[0].Nodes[1].ID)
}

func TestNeighbourhood(t *testing.T) {
	// A path a-b-c-d with a chord b-x.
	g := build(t, []string{"a", "b", "c", "d", "x"},
		[2]string{"a", "b"}, [2]string{"b", "c"}, [2]string{"c", "d"}, [2]string{"b", "x"})
	nb, err := g.Neighbourhood("b", 1, 0)
	require.NoError(t, err)
	assert.Equal(t, "b", nb.Center.ID)
	var got []string
	for _, n := range nb.Nodes {
		got = append(got, fmt.Sprintf("%s@%d", n.ID, n.Hop))
	}
	assert.Equal(t, []string{"b@0", "a@1", "c@1", "x@1"}, got)
	assert.Len(t, nb.Links, 3)
	assert.False(t, nb.Truncated)

	nb, err = g.Neighbourhood("a", 3, 0)
	require.NoError(t, err)
	assert.Len(t, nb.Nodes, 5)
	assert.Len(t, nb.Links, 4)

	nb, err = g.Neighbourhood("b", 2, 2)
	require.NoError(t, err)
	assert.True(t, nb.Truncated)
	require.Len(t, nb.Nodes, 2)
	assert.Equal(t, "a", nb.Nodes[1].ID)
	assert.Len(t, nb.Links, 1)

	_, err = g.Neighbourhood("b", 4, 0)
	assert.Equal(t, "hops", graph.ErrorField(err))
	_, err = g.Neighbourhood("b", 1, MaxNeighbourhoodNodes+1)
	assert.Equal(t, "max_nodes", graph.ErrorField(err))
	_, err = g.Neighbourhood("nope", 1, 0)
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
}

func TestCountryMatrix(t *testing.T) {
	ms := []graph.Municipality{
		muni("ua-a", "UA", 1_000_000), muni("ua-b", "UA", 500_000), muni("ua-c", "UA", 500_000),
		muni("pl-a", "PL", 100_000), muni("de-a", "DE", 200_000), muni("ru-a", "RU", 1_000_000),
	}
	ms[0].Region = graph.Region{Code: "UA-46", Name: "Lviv Oblast"}
	ms[1].Region = graph.Region{Code: "UA-46", Name: "Lviv Oblast"}
	ms[2].Region = graph.Region{Code: "UA-30", Name: "Kyiv"}
	suspended := edge("ru-a", "ua-c")
	suspended.Status = graph.StatusSuspended
	ps := []graph.Partnership{edge("ua-a", "pl-a"), edge("ua-b", "pl-a"), edge("ua-a", "de-a"), edge("ua-c", "pl-a"),
		edge("ua-a", "ua-b"), suspended, edge("pl-a", "de-a")}
	g, err := New(ms, ps)
	require.NoError(t, err)

	m, err := g.CountryMatrix("ua", nil, "")
	require.NoError(t, err)
	assert.Equal(t, "UA", m.From)
	require.Len(t, m.Rows, 1)
	row := m.Rows[0]
	assert.Equal(t, 3, row.Municipalities)
	assert.EqualValues(t, 2_000_000, row.Population)
	assert.Equal(t, 6, row.Partnerships)
	assert.Equal(t, 6, m.Total)
	assert.InDelta(t, 3, row.PerMillion, 1e-12)
	assert.Equal(t, []CountryCell{{"DE", 1, 0.5}, {"PL", 3, 1.5}, {"RU", 1, 0.5}, {"UA", 1, 0.5}}, row.Cells)
	assert.Equal(t, []string{"DE", "PL", "RU", "UA"}, m.Countries)

	m, err = g.CountryMatrix("UA", []graph.Status{graph.StatusActive}, "UA-46")
	require.NoError(t, err)
	require.Len(t, m.Rows, 1)
	assert.EqualValues(t, 1_500_000, m.Rows[0].Population)
	// ua-a-pl-a, ua-b-pl-a, ua-a-de-a, ua-a-ua-b (counted once in the row).
	assert.Equal(t, []CountryCell{{"DE", 1, 1 / 1.5}, {"PL", 2, 2 / 1.5}, {"UA", 1, 1 / 1.5}}, m.Rows[0].Cells)

	all, err := g.CountryMatrix("", nil, "")
	require.NoError(t, err)
	assert.Len(t, all.Rows, 4)
	assert.Equal(t, 7, all.Total)

	for _, tt := range []struct {
		from     string
		statuses []graph.Status
		field    string
	}{{"UKR", nil, "from"}, {"UA", []graph.Status{"gone"}, "status"}} {
		_, err := g.CountryMatrix(tt.from, tt.statuses, "")
		assert.Equal(t, tt.field, graph.ErrorField(err))
	}
}

func TestGaps(t *testing.T) {
	loc := func(m graph.Municipality, lat, lon float64) graph.Municipality {
		m.Location = &graph.Point{Lat: lat, Lon: lon}
		return m
	}
	region := func(m graph.Municipality, code, name string) graph.Municipality {
		m.Region = graph.Region{Code: code, Name: name}
		return m
	}
	ms := []graph.Municipality{
		region(loc(muni("ua-lviv", "UA", 720_000), 49.84, 24.03), "UA-46", "Lviv Oblast"),
		region(loc(muni("ua-kharkiv", "UA", 1_400_000), 49.99, 36.23), "UA-63", "Kharkiv Oblast"),
		region(loc(muni("ua-uzhhorod", "UA", 115_000), 48.62, 22.29), "UA-21", "Zakarpattia Oblast"),
		region(muni("ua-nowhere", "UA", 1_000), "UA-21", "Zakarpattia Oblast"),
		region(loc(muni("ua-sumy", "UA", 260_000), 50.91, 34.80), "UA-59", "Sumy Oblast"),
		muni("pl-krakow", "PL", 800_000), muni("ru-x", "RU", 1), muni("ua-kyiv", "UA", 2_900_000),
	}
	dormant := edge("pl-krakow", "ua-sumy")
	dormant.Status = graph.StatusDormant
	ps := []graph.Partnership{
		edge("pl-krakow", "ua-lviv"),                              // active European partner: not a gap
		edge("ru-x", "ua-kharkiv"), edge("ua-kharkiv", "ua-kyiv"), // not European
		dormant, // not active
	}
	ps[0].Normalize()
	g, err := New(ms, ps)
	require.NoError(t, err)

	res, err := g.Gaps(context.Background(), GapOptions{})
	require.NoError(t, err)
	assert.Equal(t, 5, res.Total)
	var ids []string
	for _, it := range res.Items {
		ids = append(ids, it.ID)
	}
	assert.Equal(t, []string{"ua-kyiv", "ua-kharkiv", "ua-sumy", "ua-uzhhorod", "ua-nowhere"}, ids)
	assert.Equal(t, OblastGaps{Region: "UA-21", RegionName: "Zakarpattia Oblast", Municipalities: 2, Gaps: 2, Population: 116_000}, res.ByOblast[0])

	calls := 0
	res, err = g.Gaps(context.Background(), GapOptions{Sort: "border", Limit: 3, Suggest: func(_ context.Context, id string, limit int) ([]Suggested, error) {
		calls++
		assert.Equal(t, DefaultGapSuggestions, limit)
		return []Suggested{{ID: "pl-krakow", Name: "Krakow", Country: "PL", Score: 0.5}}, nil
	}})
	require.NoError(t, err)
	ids = ids[:0]
	for _, it := range res.Items {
		ids = append(ids, it.ID)
	}
	assert.Equal(t, []string{"ua-uzhhorod", "ua-sumy", "ua-kharkiv"}, ids)
	assert.Equal(t, 3, calls)
	assert.Len(t, res.Items[0].Suggestions, 1)
	require.NotNil(t, res.Items[0].BorderKm)
	assert.Less(t, *res.Items[0].BorderKm, 10.0, "Uzhhorod lies on the Slovak border")
	assert.Equal(t, 5, res.Total, "the limit caps the items, not the totals")

	res, err = g.Gaps(context.Background(), GapOptions{Oblast: "zakarpattia oblast"})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Total)

	_, err = g.Gaps(context.Background(), GapOptions{Suggest: func(context.Context, string, int) ([]Suggested, error) {
		return nil, graph.Errorf(graph.EUNAVAILABLE, "engine loading")
	}})
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))

	for _, tt := range []struct {
		opts  GapOptions
		field string
	}{
		{GapOptions{Sort: "name"}, "sort"},
		{GapOptions{Limit: MaxGapsLimit + 1}, "limit"},
		{GapOptions{Oblast: "UA-99"}, "oblast"},
		{GapOptions{Suggestions: 11}, "suggestions"},
	} {
		_, err := g.Gaps(context.Background(), tt.opts)
		assert.Equal(t, tt.field, graph.ErrorField(err), "%+v", tt.opts)
	}
}

func TestBorderDistance(t *testing.T) {
	tests := []struct {
		name     string
		p        graph.Point
		min, max float64
	}{
		{"Uzhhorod, on the Slovak border", graph.Point{Lat: 48.62, Lon: 22.29}, 0, 10},
		{"Lviv", graph.Point{Lat: 49.84, Lon: 24.03}, 55, 80},
		{"Kyiv, nearest the Romanian border by Chernivtsi", graph.Point{Lat: 50.45, Lon: 30.52}, 340, 420},
		{"Kharkiv", graph.Point{Lat: 49.99, Lon: 36.23}, 650, 760},
		{"Izmail, on the Danube", graph.Point{Lat: 45.35, Lon: 28.84}, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := BorderDistanceKm(tt.p)
			assert.GreaterOrEqual(t, d, tt.min)
			assert.LessOrEqual(t, d, tt.max)
		})
	}
}

func TestSnapshotKeepsOldGraphOnError(t *testing.T) {
	var s Snapshot
	assert.Nil(t, s.Graph())
	g := build(t, []string{"a"})
	s.Set(g)
	err := s.Load(context.Background(), failingStore{})
	require.Error(t, err)
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err))
	assert.Same(t, g, s.Graph())
}

// failingStore is a graph.Store whose scans fail as an unreachable
// database does.
type failingStore struct{ graph.Store }

func (failingStore) ScanMunicipalities(context.Context, func(graph.Municipality) error) error {
	return graph.Wrap(graph.EUNAVAILABLE, errors.New("dial tcp: connection refused"), "database unreachable")
}

// syntheticGraph returns a random graph of n municipalities in a few
// countries and m partnerships, reproducible from seed.
func syntheticGraph(t testing.TB, n, m int, seed uint64) *Graph {
	t.Helper()
	ms, ps := synthetic(n, m, seed)
	g, err := New(ms, ps)
	require.NoError(t, err)
	return g
}

// TestGapsWar lists the hromadas that can sign today first, then those in
// the war zone at the last date, then those occupied before 2022, each
// group by population, and counts the last two.
func TestGapsWar(t *testing.T) {
	war := func(m graph.Municipality, w *graph.WarStatus) graph.Municipality {
		m.War = w
		return m
	}
	ms := []graph.Municipality{
		war(muni("ua-donetsk", "UA", 900_000), &graph.WarStatus{OccupiedBefore2022: true}),
		war(muni("ua-mariupol", "UA", 430_000), &graph.WarStatus{WarZone: graph.WarZoneDates}),
		war(muni("ua-sumy", "UA", 260_000), &graph.WarStatus{WarZone: graph.WarZoneDates[:2]}), // out of the war zone by the last date
		muni("ua-uzhhorod", "UA", 115_000),
	}
	g, err := New(ms, nil)
	require.NoError(t, err)
	gaps, err := g.Gaps(context.Background(), GapOptions{})
	require.NoError(t, err)
	var ids []string
	for _, it := range gaps.Items {
		ids = append(ids, it.ID)
	}
	assert.Equal(t, []string{"ua-sumy", "ua-uzhhorod", "ua-mariupol", "ua-donetsk"}, ids)
	assert.Equal(t, 1, gaps.WarZone)
	assert.Equal(t, 1, gaps.Occupied)
	assert.Equal(t, &graph.WarStatus{OccupiedBefore2022: true}, gaps.Items[3].War)
	assert.Nil(t, gaps.Items[1].War)

	for f, want := range map[graph.WarFilter][]string{
		graph.WarFree:     {"ua-sumy", "ua-uzhhorod"},
		graph.WarZoneLast: {"ua-mariupol"},
		graph.WarOccupied: {"ua-donetsk"},
		graph.WarAffected: {"ua-sumy", "ua-mariupol", "ua-donetsk"},
	} {
		gaps, err := g.Gaps(context.Background(), GapOptions{War: f})
		require.NoError(t, err)
		var got []string
		for _, it := range gaps.Items {
			got = append(got, it.ID)
		}
		assert.Equal(t, want, got, f)
		assert.Equal(t, len(want), gaps.Total, f)
	}
	_, err = g.Gaps(context.Background(), GapOptions{War: "peace"})
	assert.Equal(t, "war", graph.ErrorField(err))
}
