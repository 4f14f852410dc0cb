package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb/geojson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/sample"
	"github.com/twinning/twinning/internal/score"
)

// graphAPI serves the API over a real embedded store loaded with the
// sample; its graph snapshot is empty until the test loads it.
func graphAPI(t *testing.T) (http.Handler, *analytics.Snapshot, graph.Store) {
	t.Helper()
	ctx := context.Background()
	store, err := embedded.Open(filepath.Join(t.TempDir(), "twinning.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	_, err = sample.LoadIfEmpty(ctx, store)
	require.NoError(t, err)
	engine := score.NewEngine(score.DefaultModel())
	require.NoError(t, engine.Load(ctx, store))
	snap := &analytics.Snapshot{}
	srv, err := api.New(api.Config{Store: store, Engine: engine, Graph: snap})
	require.NoError(t, err)
	return srv, snap, store
}

// serveGraph serves one GET, checked against the OpenAPI contract (serve).
func serveGraph(tb testing.TB, h http.Handler, target string) *httptest.ResponseRecorder {
	tb.Helper()
	return serve(tb, h, httptest.NewRequest(http.MethodGet, target, nil))
}

func TestGraphRoutes(t *testing.T) {
	h, snap, store := graphAPI(t)

	rec := serveGraph(t, h, "/v1/graph/stats")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, "no snapshot yet")
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))

	require.NoError(t, snap.Load(context.Background(), store))
	counts, err := store.Counts(context.Background())
	require.NoError(t, err)

	var st analytics.Stats
	getGraphJSON(t, h, "/v1/graph/stats", &st)
	assert.Equal(t, counts.Municipalities, st.Municipalities)
	assert.Equal(t, counts.Partnerships, st.Partnerships)

	var q analytics.Quality
	getGraphJSON(t, h, "/v1/graph/quality", &q)
	assert.Equal(t, counts.Municipalities, q.Municipalities)
	assert.NotEmpty(t, q.Duplicates.Description)
	rec = serveGraph(t, h, "/v1/graph/quality?x=1")
	assert.Equal(t, http.StatusBadRequest, rec.Code, "no parameters")

	var m analytics.CountryMatrix
	getGraphJSON(t, h, "/v1/graph/countries?from=ua&status=active", &m)
	require.Len(t, m.Rows, 1)
	assert.Equal(t, "UA", m.Rows[0].Country)
	assert.Positive(t, m.Rows[0].Partnerships)

	partners, err := store.Partners(context.Background(), "ua-lviv")
	require.NoError(t, err)
	require.NotEmpty(t, partners)
	var path analytics.PathResult
	getGraphJSON(t, h, "/v1/graph/path?from=ua-lviv&to="+partners[0].Municipality.ID, &path)
	assert.True(t, path.Found)
	assert.Equal(t, 1, path.Hops)

	var nb analytics.Neighbourhood
	getGraphJSON(t, h, "/v1/municipalities/ua-lviv/neighbourhood?hops=1", &nb)
	assert.Len(t, nb.Nodes, len(partners)+1)

	var gaps analytics.Gaps
	getGraphJSON(t, h, "/v1/graph/gaps?sort=border&limit=2", &gaps)
	require.Len(t, gaps.Items, 2)
	for _, it := range gaps.Items {
		assert.NotEmpty(t, it.Suggestions, "the engine suggests partners for %s", it.ID)
		assert.LessOrEqual(t, len(it.Suggestions), 3)
	}
	var bare analytics.Gaps
	getGraphJSON(t, h, "/v1/graph/gaps?limit=1&suggestions=0", &bare)
	require.Len(t, bare.Items, 1)
	assert.Empty(t, bare.Items[0].Suggestions)

	var c analytics.Central
	getGraphJSON(t, h, "/v1/graph/central?country=UA&limit=3", &c)
	require.Len(t, c.ByDegree, 3)
	assert.Equal(t, "UA", c.ByDegree[0].Country)
}

func TestGraphRoutesProblems(t *testing.T) {
	h, snap, store := graphAPI(t)
	require.NoError(t, snap.Load(context.Background(), store))
	tests := []struct {
		target string
		status int
		param  string
	}{
		{"/v1/graph/stats?x=1", 400, "x"},
		{"/v1/graph/countries?from=Ukraine", 400, "from"},
		{"/v1/graph/countries?status=gone", 400, "status"},
		{"/v1/graph/path?to=ua-lviv", 400, "from"},
		{"/v1/graph/path?from=ua-lviv&to=ua-kyiv&max_hops=7", 400, "max_hops"},
		{"/v1/graph/path?from=ua-lviv&to=xx-nowhere", 404, ""},
		{"/v1/municipalities/ua-lviv/neighbourhood?hops=4", 400, "hops"},
		{"/v1/municipalities/xx-nowhere/neighbourhood", 404, ""},
		{"/v1/graph/gaps?sort=name", 400, "sort"},
		{"/v1/graph/gaps?oblast=UA-99", 400, "oblast"},
		{"/v1/graph/central?limit=0", 400, "limit"},
		{"/v1/export", 400, "format"},
		{"/v1/export?format=pdf", 400, "format"},
		{"/v1/export?format=csv&limit=10", 400, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := serveGraph(t, h, tt.target)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/problem+json; charset=utf-8", rec.Header().Get("Content-Type"))
			var p api.Problem
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			assert.Equal(t, tt.param, p.Param)
		})
	}
}

func TestGraphExport(t *testing.T) {
	h, snap, store := graphAPI(t)
	require.NoError(t, snap.Load(context.Background(), store))

	rec := serveGraph(t, h, "/v1/export?format=geojson&country=UA&status=active")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/geo+json", rec.Header().Get("Content-Type"))
	fc, err := geojson.UnmarshalFeatureCollection(rec.Body.Bytes())
	require.NoError(t, err)
	assert.NotEmpty(t, fc.Features)

	rec = serveGraph(t, h, "/v1/export?format=graphml&region=UA-46")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var doc struct {
		Graph struct {
			EdgeDefault string     `xml:"edgedefault,attr"`
			Nodes       []struct{} `xml:"node"`
			Edges       []struct{} `xml:"edge"`
		} `xml:"graph"`
	}
	require.NoError(t, xml.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Equal(t, "undirected", doc.Graph.EdgeDefault)
	assert.NotEmpty(t, doc.Graph.Edges)

	rec = serveGraph(t, h, "/v1/export?format=csv")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Content-Disposition"), "twinning.csv")
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	require.NoError(t, err)
	counts, err := store.Counts(context.Background())
	require.NoError(t, err)
	assert.Len(t, rows, counts.Partnerships+1, "a header and one row per partnership")
}

func TestGraphSnapshotRefreshWhileServing(t *testing.T) {
	h, snap, store := graphAPI(t)
	require.NoError(t, snap.Load(context.Background(), store))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				rec := serveGraph(t, h, "/v1/graph/central?limit=2")
				assert.Equal(t, http.StatusOK, rec.Code)
			}
		})
	}
	wg.Go(func() { assert.NoError(t, snap.Load(context.Background(), store)) })
	wg.Wait()
}

// getGraphJSON serves a GET, requires 200 and decodes the JSON body.
func getGraphJSON(t *testing.T, h http.Handler, target string, v any) {
	t.Helper()
	rec := serveGraph(t, h, target)
	require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", target, rec.Body)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), v), "GET %s", target)
}
