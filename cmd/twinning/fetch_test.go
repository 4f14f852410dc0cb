package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFetchWikidata runs fetch wikidata against a local server that
// stands for the query service: busy first (503 with Retry-After), then
// the importers' fixture. The query, the Accept and User-Agent headers go
// out; the file is written once the answer parses, and left as it was
// when it does not; no test touches the internet.
func TestFetchWikidata(t *testing.T) {
	clearEnv(t)
	fixture, err := os.ReadFile(filepath.Join("..", "..", "testdata", "import", "wikidata.json"))
	require.NoError(t, err)
	var calls atomic.Int32
	var answer atomic.Value
	answer.Store(fixture)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "application/sparql-results+json", r.Header.Get("Accept"))
		assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "twinning/"), r.Header.Get("User-Agent"))
		assert.NoError(t, r.ParseForm())
		assert.Contains(t, r.PostForm.Get("query"), "p:P190", "the query of twinned municipalities")
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/sparql-results+json")
		_, _ = w.Write(answer.Load().([]byte))
	}))
	defer srv.Close()

	out := filepath.Join(t.TempDir(), "wikidata.json")
	code, stdout, stderr := cli(t, "fetch", "wikidata", "-endpoint", srv.URL, "-o", out)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "503 Service Unavailable; trying again")
	assert.Contains(t, stdout, "written to "+out)
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, fixture, got)
	code, _, stderr = cli(t, "import", "wikidata", "-data", filepath.Join(t.TempDir(), "w.db"), "-unresolved", "-", out)
	assert.Equal(t, 0, code, "what fetch writes, import reads: %s", stderr)

	// An answer that is not SPARQL JSON leaves the file as it was.
	answer.Store([]byte("<html>maintenance</html>"))
	code, _, stderr = cli(t, "fetch", "wikidata", "-endpoint", srv.URL, "-o", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "is left as it was")
	kept, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, fixture, kept)

	// A refusal that trying again will not change ends at once.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad query", http.StatusBadRequest)
	}))
	defer refusing.Close()
	code, _, stderr = cli(t, "fetch", "wikidata", "-endpoint", refusing.URL, "-o", out)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "400 Bad Request: bad query")
	assert.NotContains(t, stderr, "trying again")
}
