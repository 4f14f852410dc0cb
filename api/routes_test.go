package api

import (
	"encoding/json"
	"net/http"
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
