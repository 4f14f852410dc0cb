package neo4j

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/graph/storetest"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/importer"
	"github.com/twinning/twinning/internal/score"
)

// sharedData returns the folder of the open data (TWINNING_SHARED_DATA),
// or skips the test when it is not there.
func sharedData(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TWINNING_SHARED_DATA")
	if dir == "" {
		t.Skip("TWINNING_SHARED_DATA is not set: the open data (../shared/data) is needed for this test")
	}
	if _, err := os.Stat(filepath.Join(dir, "eu-lau")); err != nil {
		t.Skipf("TWINNING_SHARED_DATA=%s holds no eu-lau folder: %v", dir, err)
	}
	return dir
}

// TestFullDataRealData imports all of the open data, as the README's
// Open data commands do, into a new database on the project's Neo4j and
// into an embedded store, and holds the two to the same answer: every
// municipality (with its codes) and partnership, the graph's statistics,
// and the top ten suggestions of a sample of Ukrainian municipalities.
// It logs the time of each import on Neo4j, the figure the README gives.
func TestFullDataRealData(t *testing.T) {
	serverURI(t)
	dir := sharedData(t)
	ctx := context.Background()

	neo := openEmpty(t)
	emb, err := embedded.Open(filepath.Join(t.TempDir(), "full.db"))
	require.NoError(t, err)
	defer emb.Close()

	importAll := func(name string, s graph.Store) []*importer.Report {
		start := time.Now()
		reps, err := importer.New(s, importer.Options{}).ImportSharedData(ctx, dir,
			importer.SharedDataOptions{UnresolvedFile: filepath.Join(t.TempDir(), name+"-unresolved.csv")})
		require.NoError(t, err, "import into %s", name)
		t.Logf("%s: all imports in %v", name, time.Since(start).Round(100*time.Millisecond))
		for _, r := range reps {
			t.Logf("  %s: %d created, %d updated, %d merged, %d unchanged, %d partnerships created", r.Kind, r.Created, r.Updated, r.Merged, r.Unchanged, r.Partnerships.Created)
		}
		return reps
	}
	importAll("embedded", emb)
	importAll("neo4j", neo)
	for _, r := range importAll("neo4j, again", neo) {
		assert.Zero(t, r.Created+r.Updated+r.Merged+r.Localities+r.Partnerships.Created+r.Partnerships.Updated, "a second import of %s changes nothing", r.Kind)
	}

	// The same records: every municipality, codes included, and every
	// partnership.
	scan := func(s graph.Store) (map[string]graph.Municipality, map[[2]string]graph.Partnership) {
		ms := map[string]graph.Municipality{}
		ps := map[[2]string]graph.Partnership{}
		require.NoError(t, s.ScanMunicipalities(ctx, func(m graph.Municipality) error { ms[m.ID] = m; return nil }))
		require.NoError(t, s.ScanPartnerships(ctx, func(p graph.Partnership) error { ps[p.Key()] = p; return nil }))
		return ms, ps
	}
	wantM, wantP := scan(emb)
	gotM, gotP := scan(neo)
	require.Greater(t, len(wantM), 68000, "municipalities of the open data")
	require.Greater(t, len(wantP), 13000, "partnerships of the open data")
	assert.Equal(t, len(wantM), len(gotM), "municipalities")
	assert.Equal(t, len(wantP), len(gotP), "partnerships")
	codes := func(ms map[string]graph.Municipality) map[string]int {
		n := map[string]int{}
		for _, m := range ms {
			for _, name := range graph.CodeNames {
				if m.Codes.Get(name) != "" {
					n[name]++
				}
			}
		}
		return n
	}
	assert.Equal(t, codes(wantM), codes(gotM), "municipalities with each code")
	differ := 0
	for id, m := range wantM {
		if got, ok := gotM[id]; !ok || !assert.ObjectsAreEqual(m, got) {
			if differ++; differ <= 5 {
				t.Errorf("municipality %s differs:\n embedded %+v\n neo4j    %+v", id, m, got)
			}
		}
	}
	for k, p := range wantP {
		if got, ok := gotP[k]; !ok || !got.Equal(p) {
			if differ++; differ <= 10 {
				t.Errorf("partnership %v differs: embedded %+v, neo4j %+v", k, p, got)
			}
		}
	}
	require.Zero(t, differ, "records that differ between the stores")

	// The same statistics and suggestions.
	stats := func(s graph.Store) analytics.Stats {
		g, err := analytics.Build(ctx, s)
		require.NoError(t, err)
		return g.Stats()
	}
	assert.Equal(t, stats(emb), stats(neo), "graph statistics")

	// Search: the fixture's queries find the intended place first on both
	// stores, and the two give the same answers.
	fixture := filepath.Join("..", "..", "testdata", "search", "queries.csv")
	storetest.SearchCases(t, emb, fixture)
	storetest.SearchCases(t, neo, fixture)
	for _, text := range []string{"Lviv", "Kharkiw", "Zhytomyt", "Kyiv city", "Pereiaslav-Khmelnytskyi", "Lemberg", "Krak", "Gmina", "Nowa"} {
		for _, offset := range []int{0, 3} {
			q := graph.Query{Text: text, Limit: 5, Offset: offset}
			want, err := emb.Search(ctx, q)
			require.NoError(t, err)
			got, err := neo.Search(ctx, q)
			require.NoError(t, err)
			assert.Equal(t, want.Total, got.Total, "total for %q", text)
			assert.Equal(t, ids(want.Items), ids(got.Items), "page of %q at %d", text, offset)
		}
	}
	engine := func(s graph.Store) *score.Engine {
		e := score.NewEngine(score.DefaultModel())
		require.NoError(t, e.Load(ctx, s))
		return e
	}
	embE, neoE := engine(emb), engine(neo)
	var ukrainian []string
	for _, id := range slices.Sorted(maps.Keys(wantM)) {
		if wantM[id].Country == "UA" {
			ukrainian = append(ukrainian, id)
		}
	}
	const sources = 40 // spread evenly over the Ukrainian municipalities
	for i := range sources {
		id := ukrainian[i*len(ukrainian)/sources]
		want, err := embE.Suggest(ctx, id, score.Options{Limit: 10})
		require.NoError(t, err, id)
		got, err := neoE.Suggest(ctx, id, score.Options{Limit: 10})
		require.NoError(t, err, id)
		require.Len(t, want.Suggestions, 10, id)
		assert.Equal(t, suggestionIDs(want), suggestionIDs(got), "top ten of %s", id)
	}
}

// suggestionIDs returns the ids of r's suggestions, in order.
func suggestionIDs(r score.Result) []string {
	out := make([]string, len(r.Suggestions))
	for i, s := range r.Suggestions {
		out[i] = s.Municipality.ID
	}
	return out
}

func ids(ms []graph.Municipality) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
