package api

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

// TestRoutesMatchOpenAPI checks that the router serves exactly the
// operations of the OpenAPI document: a route added without documenting it,
// or documented without serving it, fails.
func TestRoutesMatchOpenAPI(t *testing.T) {
	// Walking the router calls no handler, so the store is never used.
	s, err := New(Config{Store: struct{ graph.Store }{}, Engine: score.NewEngine(score.DefaultModel())})
	require.NoError(t, err)
	var served []string
	require.NoError(t, chi.Walk(s.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		served = append(served, method+" "+route)
		return nil
	}))

	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(OpenAPI(), &doc))
	var documented []string
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" && !strings.HasPrefix(method, "x-") {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	assert.Equal(t, documented, served, "routes of the router (right) and operations of api/openapi.json (left)")
	assert.Contains(t, served, "GET /v1/municipalities/{id}/suggestions", "the walk sees the /v1 sub-router")
}

func TestDocsRender(t *testing.T) {
	page, err := renderDocs(openAPIDocument)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<title>twinning API 1</title>")
	_, err = renderDocs([]byte(`{"paths": []}`))
	assert.Error(t, err, "a malformed document is an error, not a blank page")
	_, err = renderDocs([]byte(`{"paths": {"/x": {"get": {"parameters": [{"$ref": "#/components/parameters/Nope"}]}}}}`))
	assert.ErrorContains(t, err, "Nope")
}

// TestUI: Config.UI serves GET and HEAD of / and /assets/*, inside the
// API's middleware (request id), and nothing else; without it / is the
// API's 404 problem.
func TestUI(t *testing.T) {
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".css") {
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			_, _ = w.Write([]byte(strings.Repeat("body { margin: 0 }\n", 200)))
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ui " + r.URL.Path))
	})
	s, err := New(Config{Store: struct{ graph.Store }{}, Engine: score.NewEngine(score.DefaultModel()), UI: ui})
	require.NoError(t, err)
	for _, path := range []string{"/", "/assets/app.js", "/assets/vendor/leaflet/leaflet.json"} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		assert.Equal(t, http.StatusOK, rec.Code, path)
		assert.Equal(t, "ui "+path, rec.Body.String())
		assert.NotEmpty(t, rec.Header().Get(RequestIDHeader), "the API's middleware runs")
		rec = httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, path, nil))
		assert.Equal(t, http.StatusOK, rec.Code, path)
	}
	// Text assets are compressed for a client that accepts it.
	req := httptest.NewRequest(http.MethodGet, "/assets/app.css", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
	zr, err := gzip.NewReader(rec.Body)
	require.NoError(t, err)
	css, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("body { margin: 0 }\n", 200), string(css))

	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/index.php", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "no route serves /index.php")

	s, err = New(Config{Store: struct{ graph.Store }{}, Engine: score.NewEngine(score.DefaultModel())})
	require.NoError(t, err)
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "application/problem+json; charset=utf-8", rec.Header().Get("Content-Type"))
}

// TestSuggestionKeyOptions checks that every option that changes an answer
// changes the cache key, and that "en", the default language, shares the
// key of no language.
func TestSuggestionKeyOptions(t *testing.T) {
	base := score.Options{Limit: 10}
	key := suggestionKey("ua-lviv", base)
	for name, o := range map[string]score.Options{
		"diversity": {Limit: 10, Diversity: 0.05},
		"lang":      {Limit: 10, Lang: score.LangUkrainian},
		"limit":     {Limit: 11},
	} {
		assert.NotEqual(t, key, suggestionKey("ua-lviv", o), name)
	}
	assert.Equal(t, key, suggestionKey("ua-lviv", score.Options{Limit: 10, Lang: score.LangEnglish}))
}
