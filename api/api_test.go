package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/sample"
	"github.com/twinning/twinning/internal/score"
)

// env is an API over the real embedded store loaded with the bundled
// sample, and a loaded engine.
type env struct {
	store  graph.Store
	engine *score.Engine
	logs   *bytes.Buffer
}

// newEnv opens a fresh embedded store in a temporary directory, loads the
// sample and the engine.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	store, err := embedded.Open(filepath.Join(tb.TempDir(), "twinning.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { assert.NoError(tb, store.Close()) })
	loaded, err := sample.LoadIfEmpty(ctx, store)
	require.NoError(tb, err)
	require.True(tb, loaded, "a new store is empty, so the sample must load")
	engine := score.NewEngine(score.DefaultModel())
	require.NoError(tb, engine.Load(ctx, store))
	return &env{store: store, engine: engine, logs: &bytes.Buffer{}}
}

// handler returns an API serving store (the env's own store when nil).
func (e *env) handler(tb testing.TB, store graph.Store) http.Handler {
	tb.Helper()
	if store == nil {
		store = e.store
	}
	return e.api(tb, api.Config{Store: store})
}

// api returns an API for cfg, with the env's store, engine and logger
// where cfg leaves them out.
func (e *env) api(tb testing.TB, cfg api.Config) http.Handler {
	tb.Helper()
	if cfg.Store == nil {
		cfg.Store = e.store
	}
	if cfg.Engine == nil {
		cfg.Engine = e.engine
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(e.logs, nil))
	}
	h, err := api.New(cfg)
	require.NoError(tb, err)
	return h
}

// do serves one request, checked against the OpenAPI contract (serve),
// and returns the recorder.
func do(tb testing.TB, h http.Handler, method, target string) *httptest.ResponseRecorder {
	tb.Helper()
	return serve(tb, h, httptest.NewRequest(method, target, nil))
}

// getJSON serves a GET, requires 200 JSON and decodes the body into v.
func getJSON(t *testing.T, h http.Handler, target string, v any) {
	t.Helper()
	rec := do(t, h, http.MethodGet, target)
	require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", target, rec.Body)
	requireMediaType(t, rec, "application/json")
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), v), "GET %s", target)
}

func requireMediaType(t *testing.T, rec *httptest.ResponseRecorder, want string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, want, mt)
	require.Equal(t, "utf-8", params["charset"])
}

// problem is the decoded RFC 9457 body.
type problem struct {
	Type          string `json:"type"`
	Title         string `json:"title"`
	Status        int    `json:"status"`
	Detail        string `json:"detail"`
	Instance      string `json:"instance"`
	Param         string `json:"param"`
	RequestID     string `json:"request_id"`
	InvalidParams []struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"invalid_params"`
}

// requireProblem checks that rec is a problem with the given status and
// returns it.
func requireProblem(t *testing.T, rec *httptest.ResponseRecorder, status int) problem {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	requireMediaType(t, rec, "application/problem+json")
	var p problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p), rec.Body.String())
	assert.Equal(t, status, p.Status)
	assert.True(t, strings.HasPrefix(p.Type, "https://twinning.dev/problems/"), p.Type)
	assert.NotEmpty(t, p.Title)
	assert.NotEmpty(t, p.Detail)
	assert.Equal(t, rec.Header().Get(api.RequestIDHeader), p.RequestID)
	return p
}

func TestHealthz(t *testing.T) {
	h := newEnv(t).handler(t, nil)
	var body map[string]string
	getJSON(t, h, "/healthz", &body)
	assert.Equal(t, "ok", body["status"])
}

func TestReadyz(t *testing.T) {
	e := newEnv(t)
	var body map[string]string
	getJSON(t, e.handler(t, nil), "/readyz", &body)
	assert.Equal(t, "ready", body["status"])
	assert.Equal(t, e.engine.ModelVersion(), body["model_version"])

	// An engine that has not loaded yet: not ready, and no suggestions.
	h, err := api.New(api.Config{Store: e.store, Engine: score.NewEngine(score.DefaultModel())})
	require.NoError(t, err)
	rec := do(t, h, http.MethodGet, "/readyz")
	p := requireProblem(t, rec, http.StatusServiceUnavailable)
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.Contains(t, p.Detail, "engine")
	rec = do(t, h, http.MethodGet, "/v1/municipalities/ua-lviv/suggestions")
	requireProblem(t, rec, http.StatusServiceUnavailable)
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
}

func TestNewRequiresStoreAndEngine(t *testing.T) {
	_, err := api.New(api.Config{Engine: score.NewEngine(score.DefaultModel())})
	assert.ErrorContains(t, err, "Store")
	_, err = api.New(api.Config{Store: newEnv(t).store})
	assert.ErrorContains(t, err, "Engine")
}

func TestSearchByName(t *testing.T) {
	h := newEnv(t).handler(t, nil)
	for _, q := range []string{"Львів", "lviv", "LVIV", "Lwów", "Lemberg"} {
		t.Run(q, func(t *testing.T) {
			var page graph.Page
			getJSON(t, h, "/v1/municipalities?q="+url.QueryEscape(q), &page)
			require.NotEmpty(t, page.Items)
			assert.Equal(t, "ua-lviv", page.Items[0].ID)
			assert.Equal(t, "Львів", page.Items[0].Name)
			assert.Equal(t, "Lviv", page.Items[0].NameLatin)
			assert.GreaterOrEqual(t, page.Total, 1)
			assert.Equal(t, graph.DefaultLimit, page.Limit)
		})
	}
}

// TestSearchForgives finds Lviv by spellings and typos, and says how.
func TestSearchForgives(t *testing.T) {
	h := newEnv(t).handler(t, nil)
	for _, tc := range []struct{ q, match, name string }{
		{"Lemberg", "alternative name", "Lemberg"},
		{"Lwiw", "spelling", "Lviv"},
		{"Lvov", "alternative name", "Lvov"},
		{"Lvow", "spelling", "Lviv"},
		{"Lviv city", "name", "Lviv"},
		{"Львов", "alternative name", "Lvov"},
		{"Львив", "spelling", "Львів"},
		{"Львівк", "typo", "Львів"},
		{"Lembreg", "typo", "Lemberg"},
	} {
		var page struct {
			graph.Page
			Matches []graph.SearchResult `json:"matches"`
		}
		getJSON(t, h, "/v1/municipalities?q="+url.QueryEscape(tc.q), &page)
		require.NotEmpty(t, page.Items, tc.q)
		assert.Equal(t, "ua-lviv", page.Items[0].ID, tc.q)
		require.Len(t, page.Matches, len(page.Items), tc.q)
		assert.Equal(t, tc.match, page.Matches[0].Match, tc.q)
		assert.Equal(t, tc.name, page.Matches[0].Name, tc.q)
		assert.Equal(t, "Lviv", page.Matches[0].Label, tc.q)
	}
	var plain map[string]any
	getJSON(t, h, "/v1/municipalities?country=UA", &plain)
	assert.NotContains(t, plain, "matches", "without a text, nothing to explain")
}

func TestSearchFilters(t *testing.T) {
	h := newEnv(t).handler(t, nil)
	tests := []struct {
		query string
		keep  func(graph.Municipality) bool
	}{
		{"country=PL", func(m graph.Municipality) bool { return m.Country == "PL" }},
		{"country=pl,de", func(m graph.Municipality) bool { return m.Country == "PL" || m.Country == "DE" }},
		{"country=PL&country=DE", func(m graph.Municipality) bool { return m.Country == "PL" || m.Country == "DE" }},
		{"region=UA-46", func(m graph.Municipality) bool { return m.Region.Code == "UA-46" }},
		{"kind=city&country=UA", func(m graph.Municipality) bool { return m.Kind == graph.KindCity && m.Country == "UA" }},
		{"theme=port", func(m graph.Municipality) bool { return slices.Contains(m.Themes, "port") }},
		{"min_population=100000&max_population=500000", func(m graph.Municipality) bool {
			return m.Population >= 100000 && m.Population <= 500000
		}},
		{"q=lviv&country=UA", func(m graph.Municipality) bool { return m.Country == "UA" }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var page graph.Page
			getJSON(t, h, "/v1/municipalities?limit=500&"+tt.query, &page)
			require.NotEmpty(t, page.Items, "the sample has matches for %s", tt.query)
			assert.Equal(t, len(page.Items), page.Total, "one page of 500 holds all matches")
			for _, m := range page.Items {
				assert.True(t, tt.keep(m), "%s does not pass %s", m.ID, tt.query)
			}
		})
	}

	// The filters narrow: Polish cities are fewer than all municipalities.
	var all, pl graph.Page
	getJSON(t, h, "/v1/municipalities?limit=1", &all)
	getJSON(t, h, "/v1/municipalities?limit=1&country=PL", &pl)
	assert.Less(t, pl.Total, all.Total)
}

func TestSearchPagination(t *testing.T) {
	h := newEnv(t).handler(t, nil)
	var whole, first, second graph.Page
	getJSON(t, h, "/v1/municipalities?country=UA&limit=6", &whole)
	getJSON(t, h, "/v1/municipalities?country=UA&limit=3", &first)
	getJSON(t, h, "/v1/municipalities?country=UA&limit=3&offset=3", &second)
	require.Len(t, whole.Items, 6)
	require.Len(t, first.Items, 3)
	require.Len(t, second.Items, 3)
	assert.Equal(t, whole.Total, first.Total)
	assert.Equal(t, whole.Total, second.Total)
	assert.Equal(t, 3, second.Offset)
	assert.Equal(t, 3, second.Limit)
	assert.Equal(t, whole.Items, append(first.Items, second.Items...))

	var beyond graph.Page
	getJSON(t, h, fmt.Sprintf("/v1/municipalities?country=UA&offset=%d", whole.Total), &beyond)
	assert.NotNil(t, beyond.Items, "an empty page has items: [], not null")
	assert.Empty(t, beyond.Items)
	assert.Equal(t, whole.Total, beyond.Total)
}

func TestMunicipality(t *testing.T) {
	h := newEnv(t).handler(t, nil)
	var m graph.Municipality
	getJSON(t, h, "/v1/municipalities/ua-lviv", &m)
	assert.Equal(t, "ua-lviv", m.ID)
	assert.Equal(t, "Львів", m.Name)
	assert.Equal(t, "UA", m.Country)
	assert.Equal(t, "UA-46", m.Region.Code)
	require.NotNil(t, m.Location)
	assert.Positive(t, m.Population)
}

// TestPartnersOfADistrict says which city a district belongs to: a place of
// Kyiv other than Kyiv is one of its districts.
func TestPartnersOfADistrict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	obolon := graph.Municipality{ID: "gn-703030", Name: "Оболонь", NameLatin: "Obolon", Country: "UA", Kind: graph.KindTown,
		Region: graph.Region{Code: "UA-30", Name: "Kyiv"}, Population: 317300, Location: &graph.Point{Lat: 50.5, Lon: 30.5},
		Codes: graph.Codes{GeoNames: "703030"}, Source: "geonames"}
	_, err := e.store.UpsertMunicipalities(ctx, []graph.Municipality{obolon})
	require.NoError(t, err)
	snap := &analytics.Snapshot{}
	require.NoError(t, snap.Load(ctx, e.store))
	h := e.api(t, api.Config{Graph: snap})
	var body map[string]any
	getJSON(t, h, "/v1/municipalities/gn-703030/partners", &body)
	require.Contains(t, body, "district_of")
	assert.Equal(t, "ua-kyiv", body["district_of"].(map[string]any)["id"])
	body = nil
	getJSON(t, h, "/v1/municipalities/ua-lviv/partners", &body)
	assert.NotContains(t, body, "district_of", "a municipality is no district")
}

func TestPartners(t *testing.T) {
	e := newEnv(t)
	h := e.handler(t, nil)
	var body struct {
		Municipality graph.Municipality `json:"municipality"`
		Partners     []graph.Partner    `json:"partners"`
		Count        int                `json:"count"`
	}
	getJSON(t, h, "/v1/municipalities/ua-lviv/partners", &body)
	assert.Equal(t, "ua-lviv", body.Municipality.ID)
	require.NotEmpty(t, body.Partners, "Lviv has partners in the sample")
	assert.Equal(t, len(body.Partners), body.Count)
	want, err := e.store.Partners(context.Background(), "ua-lviv")
	require.NoError(t, err)
	assert.Equal(t, want, body.Partners)
	for _, p := range body.Partners {
		assert.Contains(t, []string{p.Partnership.A, p.Partnership.B}, "ua-lviv")
		assert.Equal(t, p.Partnership.Other("ua-lviv"), p.Municipality.ID)
	}

	// A partnership that several sources list shows each of them, in the
	// document's PartnershipSource shape (serve checks the answer).
	cited := want[0].Partnership.Cite(graph.Reference{Source: "ulead"}).
		Cite(graph.Reference{Source: "register", Since: 2019, Agreement: "cbc_interterritorial", Themes: []string{"culture", "economy"}})
	_, err = e.store.UpsertPartnerships(context.Background(), []graph.Partnership{cited})
	require.NoError(t, err)
	getJSON(t, e.handler(t, nil), "/v1/municipalities/ua-lviv/partners", &body)
	var found bool
	for _, p := range body.Partners {
		if p.Partnership.Key() == cited.Key() {
			found = true
			assert.Equal(t, cited.Sources, p.Partnership.Sources)
			assert.Len(t, p.Partnership.Sources, 3, "the sample's own source, U-LEAD and the register")
		}
	}
	assert.True(t, found)
}

func TestSuggestions(t *testing.T) {
	e := newEnv(t)
	h := e.handler(t, nil)
	partners, err := e.store.Partners(context.Background(), "ua-lviv")
	require.NoError(t, err)
	partnerIDs := map[string]bool{}
	for _, p := range partners {
		partnerIDs[p.Municipality.ID] = true
	}

	var res score.Result
	getJSON(t, h, "/v1/municipalities/ua-lviv/suggestions?limit=10", &res)
	assert.Equal(t, "ua-lviv", res.For.ID)
	assert.Equal(t, e.engine.ModelVersion(), res.ModelVersion)
	assert.NotEmpty(t, res.ModelVersion)
	require.Len(t, res.Suggestions, 10)
	assert.GreaterOrEqual(t, res.Candidates, 10)
	for i, s := range res.Suggestions {
		m := s.Municipality
		assert.Equal(t, i+1, s.Rank)
		if i > 0 {
			assert.LessOrEqual(t, s.Score, res.Suggestions[i-1].Score, "ranked by score")
		}
		assert.NotEqual(t, "UA", m.Country, "%s is Ukrainian", m.ID)
		assert.NotContains(t, graph.SuspendedCountries, m.Country, "%s is in a suspended country", m.ID)
		assert.False(t, partnerIDs[m.ID], "%s is already a partner", m.ID)
		assert.NotEmpty(t, s.Reason, m.ID)
		require.NotEmpty(t, s.Factors, m.ID)
		sum := 0.0
		for _, f := range s.Factors {
			sum += f.Contribution
			assert.NotEmpty(t, f.Name)
			assert.NotEmpty(t, f.Reason, "%s factor %s", m.ID, f.Name)
			assert.InDelta(t, f.Weight*f.Value, f.Contribution, 1e-9, "%s factor %s", m.ID, f.Name)
		}
		assert.InDelta(t, s.Score, sum, 1e-9, "%s: contributions add up to the score", m.ID)
	}

	// Filters reach the engine.
	var pl score.Result
	getJSON(t, h, "/v1/municipalities/ua-lviv/suggestions?country=pl&limit=5&min_population=50000", &pl)
	require.NotEmpty(t, pl.Suggestions)
	for _, s := range pl.Suggestions {
		assert.Equal(t, "PL", s.Municipality.Country)
		assert.GreaterOrEqual(t, s.Municipality.Population, int64(50000))
	}

	// With include_partners, existing partners may come back; without it,
	// they never do (checked above).
	var withPartners score.Result
	getJSON(t, h, "/v1/municipalities/ua-lviv/suggestions?include_partners=true&limit=100", &withPartners)
	found := false
	for _, s := range withPartners.Suggestions {
		found = found || partnerIDs[s.Municipality.ID]
	}
	assert.True(t, found, "some partner of Lviv ranks in the top 100 once partners are included")
	assert.Greater(t, withPartners.Candidates, res.Candidates)

	// diversity re-ranks: more countries in the top 10, the same best
	// first, the knob in the answer; the cache keeps the two apart.
	var div score.Result
	getJSON(t, h, "/v1/municipalities/ua-lviv/suggestions?limit=10&diversity=0.5", &div)
	assert.Equal(t, 0.5, div.Diversity)
	countries := func(r score.Result) int {
		seen := map[string]bool{}
		for _, s := range r.Suggestions {
			seen[s.Municipality.Country] = true
		}
		return len(seen)
	}
	require.Len(t, div.Suggestions, 10)
	assert.Equal(t, res.Suggestions[0].Municipality.ID, div.Suggestions[0].Municipality.ID)
	assert.Greater(t, countries(div), countries(res), "diversified: %d countries against %d", countries(div), countries(res))
	var again score.Result
	getJSON(t, h, "/v1/municipalities/ua-lviv/suggestions?limit=10", &again)
	assert.Equal(t, res, again, "the plain answer, not the cached diversified one")

	// lang=uk: the same ranking with the reasons in Ukrainian.
	var uk score.Result
	getJSON(t, h, "/v1/municipalities/ua-lviv/suggestions?limit=10&lang=uk", &uk)
	require.Len(t, uk.Suggestions, len(res.Suggestions))
	for k, s := range uk.Suggestions {
		assert.Equal(t, res.Suggestions[k].Municipality.ID, s.Municipality.ID)
		assert.Equal(t, res.Suggestions[k].Score, s.Score)
		assert.True(t, strings.HasPrefix(s.Reason, "Основні переваги: ") || strings.HasPrefix(s.Reason, "Особливих переваг немає"), s.Reason)
	}
	getJSON(t, h, "/v1/municipalities/ua-lviv/suggestions?limit=10", &again)
	assert.Equal(t, res, again, "the English answer, not the cached Ukrainian one")
}

func TestErrors(t *testing.T) {
	h := newEnv(t).handler(t, nil)
	tests := []struct {
		name, method, target string
		status               int
		param                string
	}{
		{"limit too big", "GET", "/v1/municipalities?limit=900", 400, "limit"},
		{"limit zero", "GET", "/v1/municipalities?limit=0", 400, "limit"},
		{"limit not a number", "GET", "/v1/municipalities?limit=ten", 400, "limit"},
		{"offset negative", "GET", "/v1/municipalities?offset=-1", 400, "offset"},
		{"bad country", "GET", "/v1/municipalities?country=POL", 400, "country"},
		{"bad country in list", "GET", "/v1/municipalities?country=PL,1X", 400, "country"},
		{"bad kind", "GET", "/v1/municipalities?kind=castle", 400, "kind"},
		{"unknown theme", "GET", "/v1/municipalities?theme=spaceflight", 400, "theme"},
		{"min above max", "GET", "/v1/municipalities?min_population=500000&max_population=1000", 400, "max_population"},
		{"population not a number", "GET", "/v1/municipalities?min_population=lots", 400, "min_population"},
		{"population negative", "GET", "/v1/municipalities?max_population=-5", 400, "max_population"},
		{"q twice", "GET", "/v1/municipalities?q=a&q=b", 400, "q"},
		{"unknown parameter", "GET", "/v1/municipalities?limt=5", 400, "limt"},
		{"malformed id", "GET", "/v1/municipalities/UA%20Lviv", 400, "id"},
		{"unknown id", "GET", "/v1/municipalities/ua-atlantis", 404, ""},
		{"unknown id partners", "GET", "/v1/municipalities/ua-atlantis/partners", 404, ""},
		{"unknown id suggestions", "GET", "/v1/municipalities/ua-atlantis/suggestions", 404, ""},
		{"suggestions limit too big", "GET", "/v1/municipalities/ua-lviv/suggestions?limit=101", 400, "limit"},
		{"suggestions limit zero", "GET", "/v1/municipalities/ua-lviv/suggestions?limit=0", 400, "limit"},
		{"suggestions bad bool", "GET", "/v1/municipalities/ua-lviv/suggestions?include_partners=maybe", 400, "include_partners"},
		{"suggestions bad suspended bool", "GET", "/v1/municipalities/ua-lviv/suggestions?include_suspended=2", 400, "include_suspended"},
		{"suggestions bad country", "GET", "/v1/municipalities/ua-lviv/suggestions?country=Poland", 400, "country"},
		{"suggestions unknown theme", "GET", "/v1/municipalities/ua-lviv/suggestions?theme=spaceflight", 400, "theme"},
		{"suggestions min above max", "GET", "/v1/municipalities/ua-lviv/suggestions?min_population=9&max_population=1", 400, "max_population"},
		{"suggestions unknown parameter", "GET", "/v1/municipalities/ua-lviv/suggestions?q=x", 400, "q"},
		{"suggestions diversity too big", "GET", "/v1/municipalities/ua-lviv/suggestions?diversity=2", 400, "diversity"},
		{"suggestions diversity not a number", "GET", "/v1/municipalities/ua-lviv/suggestions?diversity=lots", 400, "diversity"},
		{"suggestions unknown language", "GET", "/v1/municipalities/ua-lviv/suggestions?lang=de", 400, "lang"},
		{"municipality takes no parameters", "GET", "/v1/municipalities/ua-lviv?limit=5", 400, "limit"},
		{"unknown route", "GET", "/v2/municipalities", 404, ""},
		{"unknown sub-route", "GET", "/v1/municipalities/ua-lviv/enemies", 404, ""},
		{"wrong method", "POST", "/v1/municipalities", 405, ""},
		{"wrong method on item", "DELETE", "/v1/municipalities/ua-lviv", 405, ""},
		{"wrong method on healthz", "PUT", "/healthz", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.target)
			p := requireProblem(t, rec, tt.status)
			assert.Equal(t, tt.param, p.Param)
			if tt.param != "" {
				require.Len(t, p.InvalidParams, 1)
				assert.Equal(t, tt.param, p.InvalidParams[0].Name)
				assert.NotEmpty(t, p.InvalidParams[0].Reason)
				assert.True(t, strings.HasPrefix(p.Detail, tt.param+": "), p.Detail)
				assert.Equal(t, "https://twinning.dev/problems/invalid", p.Type)
				assert.Equal(t, "Invalid parameter", p.Title)
			}
			if tt.status == http.StatusMethodNotAllowed {
				assert.Equal(t, "GET", rec.Header().Get("Allow"))
			}
			assert.Empty(t, rec.Header().Get("Retry-After"))
		})
	}

	rec := do(t, h, "GET", "/v1/municipalities?limit=900")
	p := requireProblem(t, rec, 400)
	assert.Equal(t, "limit: must be between 1 and 500, got 900", p.Detail)
}

// faultyStore is the real store with some methods replaced by failures
// (those methods pass through when err is nil).
type faultyStore struct {
	graph.Store
	err   error // returned by every replaced method
	panic bool  // Search panics instead
}

func (s faultyStore) Search(ctx context.Context, q graph.Query) (graph.Page, error) {
	if s.panic {
		panic("search exploded")
	}
	return graph.Page{}, s.err
}

func (s faultyStore) Municipality(ctx context.Context, id string) (graph.Municipality, error) {
	if s.err == nil {
		return s.Store.Municipality(ctx, id)
	}
	return graph.Municipality{}, s.err
}

func (s faultyStore) Partners(ctx context.Context, id string) ([]graph.Partner, error) {
	if s.err == nil {
		return s.Store.Partners(ctx, id)
	}
	return nil, s.err
}

func (s faultyStore) Ping(ctx context.Context) error { return s.err }

func TestUnavailableStore(t *testing.T) {
	e := newEnv(t)
	h := e.handler(t, faultyStore{Store: e.store, err: graph.Errorf(graph.EUNAVAILABLE, "the database cannot be reached")})
	for _, target := range []string{
		"/v1/municipalities?q=lviv",
		"/v1/municipalities/ua-lviv",
		"/v1/municipalities/ua-lviv/partners",
		"/readyz",
	} {
		t.Run(target, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, target)
			p := requireProblem(t, rec, http.StatusServiceUnavailable)
			assert.Equal(t, "5", rec.Header().Get("Retry-After"))
			assert.Equal(t, "https://twinning.dev/problems/unavailable", p.Type)
			assert.Contains(t, p.Detail, "cannot be reached")
		})
	}
	// The process itself is alive.
	assert.Equal(t, http.StatusOK, do(t, h, http.MethodGet, "/healthz").Code)
}

func TestConflictAndInternalErrors(t *testing.T) {
	e := newEnv(t)
	rec := do(t, e.handler(t, faultyStore{Store: e.store, err: graph.Errorf(graph.ECONFLICT, "two at once")}), "GET", "/v1/municipalities/ua-lviv")
	p := requireProblem(t, rec, http.StatusConflict)
	assert.Equal(t, "two at once", p.Detail)

	secret := errors.New("bbolt: page 42 corrupt at /var/secret/path")
	rec = do(t, e.handler(t, faultyStore{Store: e.store, err: fmt.Errorf("read municipality: %w", secret)}), "GET", "/v1/municipalities/ua-lviv")
	p = requireProblem(t, rec, http.StatusInternalServerError)
	assert.Equal(t, "https://twinning.dev/problems/internal", p.Type)
	assert.NotContains(t, rec.Body.String(), "secret", "internal details are never shown")
	assert.Contains(t, p.Detail, p.RequestID)
	assert.Contains(t, e.logs.String(), "/var/secret/path", "internal details are logged")
}

func TestPanicBecomesProblem(t *testing.T) {
	e := newEnv(t)
	h := e.handler(t, faultyStore{Store: e.store, panic: true})
	rec := do(t, h, http.MethodGet, "/v1/municipalities?q=lviv")
	p := requireProblem(t, rec, http.StatusInternalServerError)
	assert.NotContains(t, p.Detail, "exploded")
	assert.Contains(t, e.logs.String(), "search exploded")
	// The handler still serves.
	var m graph.Municipality
	getJSON(t, h, "/v1/municipalities/ua-lviv", &m)
}

func TestRequestIDAndAccessLog(t *testing.T) {
	e := newEnv(t)
	h := e.handler(t, nil)

	req := httptest.NewRequest(http.MethodGet, "/v1/municipalities/ua-atlantis", nil)
	req.Header.Set(api.RequestIDHeader, "trace-123")
	rec := serve(t, h, req)
	assert.Equal(t, "trace-123", rec.Header().Get(api.RequestIDHeader))
	p := requireProblem(t, rec, http.StatusNotFound)
	assert.Equal(t, "trace-123", p.RequestID)

	// A malformed incoming id is replaced by a fresh one.
	req = httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set(api.RequestIDHeader, "bad id\twith spaces")
	rec = serve(t, h, req)
	assert.Regexp(t, `^[0-9a-f]{32}$`, rec.Header().Get(api.RequestIDHeader))

	var line map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(e.logs.String()), "\n") {
		require.NoError(t, json.Unmarshal([]byte(l), &line))
		if line["msg"] == "request" && line["request_id"] == "trace-123" {
			break
		}
		line = nil
	}
	require.NotNil(t, line, "the access log has the request: %s", e.logs)
	assert.Equal(t, float64(404), line["status"])
	assert.Equal(t, "/v1/municipalities/ua-atlantis", line["path"])
	assert.Equal(t, "GET", line["method"])
}

func TestSearchMaxLimit(t *testing.T) {
	// The store's own validation agrees with the API's bounds: the largest
	// limit the API accepts is served.
	h := newEnv(t).handler(t, nil)
	var page graph.Page
	getJSON(t, h, fmt.Sprintf("/v1/municipalities?limit=%d", graph.MaxLimit), &page)
	assert.Equal(t, graph.MaxLimit, page.Limit)
	assert.LessOrEqual(t, len(page.Items), graph.MaxLimit)
}

// BenchmarkSuggestionsEndpoint serves one suggestion request through the
// whole handler: "cached" answers it from the cache of answers, as a
// repeated request is; "ranked" turns the cache off, so that every request
// ranks the candidates and encodes the answer; "-gzip" asks for a gzipped
// answer, as browsers do.
func BenchmarkSuggestionsEndpoint(b *testing.B) {
	e := newEnv(b)
	for _, bc := range []struct {
		name     string
		cache    int64
		encoding string
	}{{"cached", 0, ""}, {"cached-gzip", 0, "gzip"}, {"ranked", -1, ""}, {"ranked-gzip", -1, "gzip"}} {
		b.Run(bc.name, func(b *testing.B) {
			h := e.api(b, api.Config{SuggestionCacheBytes: bc.cache})
			req := httptest.NewRequest(http.MethodGet, "/v1/municipalities/ua-lviv/suggestions?limit=10", nil)
			if bc.encoding != "" {
				req.Header.Set("Accept-Encoding", bc.encoding)
			}
			serve(b, h, req) // the contract is checked once, outside the timed loop
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// TestWarFilter filters search, suggestions and gaps by what the war means
// for a hromada.
func TestWarFilter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	kharkiv, err := e.store.Municipality(ctx, "ua-kharkiv")
	require.NoError(t, err)
	kharkiv.War = &graph.WarStatus{WarZone: graph.WarZoneDates}
	_, err = e.store.UpsertMunicipalities(ctx, []graph.Municipality{kharkiv})
	require.NoError(t, err)
	require.NoError(t, e.engine.Load(ctx, e.store))
	h := e.handler(t, nil)

	var page graph.Page
	getJSON(t, h, "/v1/municipalities?country=UA&war=war_zone", &page)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "ua-kharkiv", page.Items[0].ID)
	getJSON(t, h, "/v1/municipalities?country=UA&war=free&limit=500", &page)
	assert.NotContains(t, ids(page.Items), "ua-kharkiv")
	assert.Contains(t, ids(page.Items), "ua-lviv")

	var res score.Result
	getJSON(t, h, "/v1/municipalities/pl-krakow/suggestions?country=UA&war=affected&limit=100", &res)
	require.Len(t, res.Suggestions, 1, "a European city that looks for a front-line hromada")
	assert.Equal(t, "ua-kharkiv", res.Suggestions[0].Municipality.ID)

	rec := serve(t, h, httptest.NewRequest("GET", "/v1/municipalities?war=peace", nil))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), `"war"`)
}

func ids(ms []graph.Municipality) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
