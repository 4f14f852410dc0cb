package web

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/internal/workflow"
)

func get(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func TestHandlerServesThePage(t *testing.T) {
	h := Handler()
	resp := get(t, h, "/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, ContentSecurityPolicy, resp.Header.Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	page := body(t, resp)
	assert.Contains(t, page, `<script src="/assets/app.js" type="module">`)

	// Every file the page names is served, with its type.
	for _, m := range regexp.MustCompile(`(?:href|src)="(/assets/[^"]+)"`).FindAllStringSubmatch(page, -1) {
		resp := get(t, h, m[1])
		assert.Equal(t, http.StatusOK, resp.StatusCode, m[1])
		assert.NotEmpty(t, resp.Header.Get("Content-Type"), m[1])
	}
	for path, kind := range map[string]string{
		"/assets/app.js":                           "text/javascript; charset=utf-8",
		"/assets/i18n.js":                          "text/javascript; charset=utf-8",
		"/assets/i18n.json":                        "application/json", // as a JSON module must be
		"/assets/app.css":                          "text/css; charset=utf-8",
		"/assets/vendor/leaflet/leaflet.js":        "text/javascript; charset=utf-8",
		"/assets/vendor/europe.geojson":            "application/geo+json",
		"/assets/vendor/leaflet/images/layers.png": "image/png",
	} {
		resp := get(t, h, path)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Equal(t, kind, resp.Header.Get("Content-Type"), path)
	}
	assert.Equal(t, "public, max-age=86400", get(t, h, "/assets/vendor/leaflet/leaflet.js").Header.Get("Cache-Control"))

	// A browser revalidates with the ETag and gets a 304.
	for _, path := range []string{"/", "/assets/app.js", "/assets/vendor/europe.geojson"} {
		tag := get(t, h, path).Header.Get("ETag")
		require.Regexp(t, `^"[0-9a-f]{24}"$`, tag, path)
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("If-None-Match", tag)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusNotModified, rec.Code, path)
		assert.Empty(t, rec.Body.String(), path)
	}
	assert.NotEqual(t, get(t, h, "/assets/app.js").Header.Get("ETag"), get(t, h, "/assets/app.css").Header.Get("ETag"))
	assert.Equal(t, "no-cache", get(t, h, "/assets/app.js").Header.Get("Cache-Control"))
}

func TestHandlerRefusesOtherPaths(t *testing.T) {
	h := Handler()
	for _, path := range []string{"/nope", "/assets/", "/assets/vendor/", "/assets/missing.js", "/static/index.html",
		"/assets/../web.go", "/assets/%2e%2e/web.go"} {
		resp := get(t, h, path)
		assert.Contains(t, []int{http.StatusNotFound, http.StatusMovedPermanently}, resp.StatusCode, path)
		assert.NotContains(t, body(t, resp), "package web", path)
	}
}

// TestBasemap: the offline basemap covers Europe, Ukraine included, and
// keeps no country far outside it.
func TestBasemap(t *testing.T) {
	raw, err := fs.ReadFile(Static(), "vendor/europe.geojson")
	require.NoError(t, err)
	s := string(raw)
	for _, country := range []string{"Ukraine", "Poland", "Germany", "France", "Lithuania", "Georgia", "Iceland"} {
		assert.Contains(t, s, `"name":"`+country+`"`)
	}
	for _, country := range []string{"Brazil", "Australia", "Japan"} {
		assert.NotContains(t, s, `"name":"`+country+`"`)
	}
	licences, err := fs.ReadFile(Static(), "vendor/LICENSES.txt")
	require.NoError(t, err)
	assert.Contains(t, string(licences), "Natural Earth")
	assert.Contains(t, string(licences), "BSD-2-Clause")
}

// i18nKeys returns the keys of each language of i18n.json: the keys of its
// texts that have a text in that language (every entry is [English,
// Ukrainian]).
func i18nKeys(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := fs.ReadFile(Static(), "i18n.json")
	require.NoError(t, err)
	var data struct {
		Texts   map[string][]string `json:"texts"`
		Regions map[string]string   `json:"regions"`
	}
	require.NoError(t, json.Unmarshal(raw, &data))
	require.NotEmpty(t, data.Regions, "i18n.json names Ukraine's regions")
	out := map[string][]string{}
	for key, texts := range data.Texts {
		require.Len(t, texts, 2, "%s: an entry is [English, Ukrainian]", key)
		for i, lang := range []string{"en", "uk"} {
			if texts[i] != "" {
				out[lang] = append(out[lang], key)
			}
		}
	}
	for lang := range out {
		slices.Sort(out[lang])
	}
	return out
}

// TestTextsInBothLanguages: every text has its Ukrainian and English, and
// every key the page and its script use is there.
func TestTextsInBothLanguages(t *testing.T) {
	keys := i18nKeys(t)
	require.Greater(t, len(keys["en"]), 100)
	assert.Equal(t, keys["en"], keys["uk"], "the same keys in English and Ukrainian")

	page, err := fs.ReadFile(Static(), "index.html")
	require.NoError(t, err)
	script, err := fs.ReadFile(Static(), "app.js")
	require.NoError(t, err)
	var used []string
	for _, m := range regexp.MustCompile(`data-i18n(?:-label|-placeholder)?="([^"]+)"`).FindAllStringSubmatch(string(page), -1) {
		used = append(used, m[1])
	}
	for _, m := range regexp.MustCompile(`\bt\("([\w.]*\w)"[,)]`).FindAllStringSubmatch(string(script), -1) {
		used = append(used, m[1])
	}
	require.Greater(t, len(used), 60)
	for _, k := range used {
		assert.True(t, slices.Contains(keys["en"], k), "key %q is used but has no text", k)
	}
	// Keys built at run time: themes, factors, statuses.
	for _, prefix := range []string{"theme.", "factor.", "status.", "outreach.", "ch.req."} {
		assert.True(t, slices.ContainsFunc(keys["en"], func(k string) bool { return strings.HasPrefix(k, prefix) }), prefix)
	}
}

// scriptList returns the quoted strings of a JavaScript array literal.
func scriptList(src string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(src, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestScriptFollowsTheDomain: the lists that app.js keeps of the domain
// (themes of the filter, the outreach machine) are graph's, and every
// theme, kind, status and factor the API can answer has a text in both
// languages.
func TestScriptFollowsTheDomain(t *testing.T) {
	raw, err := fs.ReadFile(Static(), "app.js")
	require.NoError(t, err)
	script := string(raw)

	themes := regexp.MustCompile(`(?s)const THEMES = \[(.*?)\];`).FindStringSubmatch(script)
	require.NotNil(t, themes, "app.js declares THEMES")
	assert.Equal(t, graph.Themes, scriptList(themes[1]), "THEMES in app.js is graph.Themes")

	next := regexp.MustCompile(`(?s)const NEXT = \{(.*?)\};`).FindStringSubmatch(script)
	require.NotNil(t, next, "app.js declares NEXT")
	moves := map[string][]string{}
	for _, m := range regexp.MustCompile(`(\w+): \[([^\]]*)\]`).FindAllStringSubmatch(next[1], -1) {
		moves[m[1]] = scriptList(m[2])
	}
	want := map[string][]string{}
	for _, st := range graph.OutreachStatuses {
		want[string(st)] = []string{}
		for _, n := range st.Next() {
			want[string(st)] = append(want[string(st)], string(n))
		}
	}
	for st := range moves {
		if moves[st] == nil {
			moves[st] = []string{}
		}
	}
	assert.Equal(t, want, moves, "NEXT in app.js is graph.OutreachStatus.Next")

	keys := i18nKeys(t)["en"]
	need := []string{"factor." + workflow.FactorComplementarity}
	for _, f := range score.FactorNames {
		need = append(need, "factor."+f)
	}
	for _, th := range graph.Themes {
		need = append(need, "theme."+th)
	}
	for _, k := range graph.Kinds {
		need = append(need, "kind."+string(k))
	}
	for _, st := range graph.Statuses {
		need = append(need, "status."+string(st))
	}
	for _, st := range graph.OutreachStatuses {
		need = append(need, "outreach."+string(st))
	}
	for _, st := range graph.RequestStatuses {
		need = append(need, "ch.req."+string(st))
	}
	for _, k := range need {
		assert.True(t, slices.Contains(keys, k), "no text for %q", k)
	}
}
