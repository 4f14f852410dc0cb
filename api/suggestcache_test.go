package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

// TestSuggestionCache asks for the same suggestions again: the second
// answer comes from the cache (the metrics say so), is byte-identical to
// the first and carries the same ETag; If-None-Match with it gives 304; a
// reload of the engine after a change makes the cached answer stale, so
// the next request ranks again and sees the change.
func TestSuggestionCache(t *testing.T) {
	e := newEnv(t)
	h := e.api(t, api.Config{})
	const target = "/v1/municipalities/ua-lviv/suggestions?limit=5"

	first := do(t, h, http.MethodGet, target)
	require.Equal(t, http.StatusOK, first.Code, first.Body.String())
	etag := first.Header().Get("ETag")
	require.Regexp(t, `^"[0-9a-f]{32}"$`, etag)
	assert.Equal(t, "no-cache", first.Header().Get("Cache-Control"))

	again := do(t, h, http.MethodGet, target)
	require.Equal(t, http.StatusOK, again.Code)
	assert.Equal(t, first.Body.String(), again.Body.String())
	assert.Equal(t, etag, again.Header().Get("ETag"))
	families := scrape(t, h)
	assert.Equal(t, 1.0, metricValue(t, families, "twinning_suggestion_cache_total", map[string]string{"result": "miss"}))
	assert.Equal(t, 1.0, metricValue(t, families, "twinning_suggestion_cache_total", map[string]string{"result": "hit"}))
	assert.Equal(t, 1.0, metricValue(t, families, "twinning_suggestion_duration_seconds", nil), "only the miss ranks")

	// Other options are another answer.
	other := do(t, h, http.MethodGet, target+"&country=PL")
	require.Equal(t, http.StatusOK, other.Code)
	assert.NotEqual(t, etag, other.Header().Get("ETag"))

	// Conditional requests, as RFC 9110 describes them.
	for _, inm := range []string{etag, "W/" + etag, `"0000", ` + etag, "*"} {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("If-None-Match", inm)
		rec := serve(t, h, req)
		assert.Equal(t, http.StatusNotModified, rec.Code, "If-None-Match: %s", inm)
		assert.Empty(t, rec.Body.String(), "a 304 has no body")
		assert.Equal(t, etag, rec.Header().Get("ETag"))
	}
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("If-None-Match", `"00000000000000000000000000000000"`)
	assert.Equal(t, http.StatusOK, serve(t, h, req).Code, "an ETag that does not match")

	// Lviv partners with its best suggestion; after the reload that a
	// write triggers, the cached answer is stale and the partner is gone
	// from the suggestions.
	var before score.Result
	getJSON(t, h, target, &before)
	best := before.Suggestions[0].Municipality.ID
	_, err := e.store.UpsertPartnerships(context.Background(), []graph.Partnership{
		{A: "ua-lviv", B: best, Kind: graph.KindTwinning, Status: graph.StatusActive}})
	require.NoError(t, err)
	require.NoError(t, e.engine.Load(context.Background(), e.store))
	var after score.Result
	rec := do(t, h, http.MethodGet, target)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.NotEqual(t, etag, rec.Header().Get("ETag"), "a new graph is a new answer")
	getJSON(t, h, target, &after)
	for _, s := range after.Suggestions {
		assert.NotEqual(t, best, s.Municipality.ID, "%s is a partner now", best)
	}
	req = httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("If-None-Match", etag)
	assert.Equal(t, http.StatusOK, serve(t, h, req).Code, "the old ETag no longer matches")
}

// TestSuggestionCacheOff checks that with the cache off every request
// ranks, and answers still carry ETags and honour If-None-Match.
func TestSuggestionCacheOff(t *testing.T) {
	e := newEnv(t)
	h := e.api(t, api.Config{SuggestionCacheBytes: -1})
	const target = "/v1/municipalities/ua-lviv/suggestions?limit=3"
	first := do(t, h, http.MethodGet, target)
	require.Equal(t, http.StatusOK, first.Code)
	second := do(t, h, http.MethodGet, target)
	assert.Equal(t, first.Body.String(), second.Body.String())
	assert.Equal(t, first.Header().Get("ETag"), second.Header().Get("ETag"), "the ETag depends on the answer only")
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("If-None-Match", first.Header().Get("ETag"))
	assert.Equal(t, http.StatusNotModified, serve(t, h, req).Code)

	families := scrape(t, h)
	assert.Equal(t, 3.0, metricValue(t, families, "twinning_suggestion_duration_seconds", nil), "every request ranks")
	assert.NotContains(t, families, "twinning_suggestion_cache_total", "no cache, no cache counts")
}

// TestSuggestionCacheBudget checks that the answers kept stay within the
// byte budget: with room for one answer of 10 suggestions (about 22 KB on
// the sample), a second answer evicts the first; an answer larger than
// the whole budget is never kept.
func TestSuggestionCacheBudget(t *testing.T) {
	e := newEnv(t)
	h := e.api(t, api.Config{SuggestionCacheBytes: 40 << 10})
	lviv, kyiv := "/v1/municipalities/ua-lviv/suggestions?limit=10", "/v1/municipalities/ua-kyiv/suggestions?limit=10"
	for _, target := range []string{lviv, lviv, kyiv, lviv, lviv} {
		rec := do(t, h, http.MethodGet, target)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Less(t, rec.Body.Len(), 40<<10, "the test needs answers below the budget")
		require.Greater(t, rec.Body.Len(), 20<<10, "the test needs answers over half the budget")
	}
	families := scrape(t, h)
	// lviv miss, lviv hit, kyiv miss (evicts lviv), lviv miss, lviv hit.
	assert.Equal(t, 3.0, metricValue(t, families, "twinning_suggestion_cache_total", map[string]string{"result": "miss"}))
	assert.Equal(t, 2.0, metricValue(t, families, "twinning_suggestion_cache_total", map[string]string{"result": "hit"}))

	tiny := e.api(t, api.Config{SuggestionCacheBytes: 1 << 10})
	for range 3 {
		require.Equal(t, http.StatusOK, do(t, tiny, http.MethodGet, lviv).Code)
	}
	families = scrape(t, tiny)
	assert.Equal(t, 3.0, metricValue(t, families, "twinning_suggestion_cache_total", map[string]string{"result": "miss"}), "too large to keep")
	assert.Zero(t, metricValue(t, families, "twinning_suggestion_cache_total", map[string]string{"result": "hit"}))
}

// TestSuggestionCacheConcurrent asks for three answers from several
// goroutines with room for about one, so that answers are kept, found and
// evicted at the same time (run with -race): every answer is the same as
// a lone request's.
func TestSuggestionCacheConcurrent(t *testing.T) {
	e := newEnv(t)
	h := e.api(t, api.Config{SuggestionCacheBytes: 40 << 10})
	targets := []string{
		"/v1/municipalities/ua-lviv/suggestions?limit=10",
		"/v1/municipalities/ua-kyiv/suggestions?limit=10",
		"/v1/municipalities/ua-odesa/suggestions?limit=10",
	}
	want := map[string]string{}
	for _, target := range targets {
		rec := do(t, e.api(t, api.Config{SuggestionCacheBytes: -1}), http.MethodGet, target)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		want[target] = rec.Body.String()
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 15 {
				target := targets[(g+i)%len(targets)]
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
				assert.Equal(t, http.StatusOK, rec.Code)
				assert.Equal(t, want[target], rec.Body.String(), target)
			}
		})
	}
	wg.Wait()
}
