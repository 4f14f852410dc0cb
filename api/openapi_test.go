package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/keys"
	"github.com/twinning/twinning/internal/workflow"
)

// loadedAPI is an API over the sample with its graph snapshot loaded, so
// that every route answers.
func loadedAPI(t *testing.T) http.Handler {
	t.Helper()
	h, _ := keyedAPI(t)
	return h
}

// keyedAPI is loadedAPI with a key file holding one admin key, whose
// text it returns.
func keyedAPI(t *testing.T) (http.Handler, string) {
	t.Helper()
	return keyedAPIOf(t, newEnv(t))
}

// keyedAPIOf is keyedAPI over the store and engine of e.
func keyedAPIOf(t *testing.T, e *env) (http.Handler, string) {
	t.Helper()
	snap := &analytics.Snapshot{}
	require.NoError(t, snap.Load(context.Background(), e.store))
	ring, err := keys.Open(filepath.Join(t.TempDir(), "keys.json"))
	require.NoError(t, err)
	admin, _, err := ring.Create("operator", keys.RoleAdmin, "")
	require.NoError(t, err)
	// The imports that the examples read (of a partnership that the
	// sample has, so that the other examples hold): one forgotten by the DELETE
	// example, one followed by the GET example, and the POST example's.
	ids := []string{"imp_m5t2v7c4h7j3n6b6", "imp_k3q7x2m5p4d6w6r2", "imp_q2w7e4r6t3y7u5i3"}
	h, err := api.New(api.Config{Store: e.store, Engine: e.engine, Graph: snap, Keys: ring,
		Import: importInto(func() graph.Store { return e.store }), NewImportID: func() string { id := ids[0]; ids = ids[1:]; return id }})
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	for _, id := range ids[:2] {
		rec := postFile(t, h, "/v1/admin/imports?kind=twins&name=twin_cities.csv", admin, "text/csv", wroclaw)
		require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
		waitImport(t, h, admin, id)
	}
	return h, admin
}

// seedExamples stores what the document's examples of the partner-request
// workflow read: Lviv's and Kharkiv's requests, Lyon's profile and Lyon on
// Lviv's shortlist, made through the workflow's own rules at fixed times
// with fixed ids.
func seedExamples(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	ids := []string{"req-5f2c8e1a9b3d", "req-c41e7a2d6f80"}
	svc := workflow.New(e.store, e.engine,
		workflow.WithClock(func() time.Time { return now }),
		workflow.WithIDs(func() string { id := ids[0]; ids = ids[1:]; return id }))
	lviv := graph.Actor{Key: "k5a1c9e3b7d20", Name: "Lviv city hall"}
	_, err := svc.CreateRequest(ctx, workflow.RequestInput{
		Municipality: "ua-lviv", Title: "Water utility and energy efficiency", Needs: []string{"water", "energy"}, Offers: []string{"culture_youth"},
		Countries: []string{"FR", "DE", "IT", "ES"}, MinPopulation: 100000, Languages: []string{"en", "uk"},
		Text: "Lvivvodokanal looks for a partner utility to modernise its pumping stations and cut their energy use.",
	}, lviv)
	require.NoError(t, err)
	now = time.Date(2026, 11, 3, 11, 0, 0, 0, time.UTC)
	_, err = svc.CreateRequest(ctx, workflow.RequestInput{
		Municipality: "ua-kharkiv", Title: "Rebuilding schools and their heating", Needs: []string{"reconstruction", "education"},
		Offers: []string{"civil_protection"}, Languages: []string{"en", "uk"},
	}, graph.Actor{Key: "k8e2f4a6c1b93", Name: "Kharkiv city hall"})
	require.NoError(t, err)
	now = time.Date(2026, 11, 4, 8, 15, 0, 0, time.UTC)
	_, _, err = svc.PutProfile(ctx, "fr-lyon", 0, workflow.ProfileInput{
		Offers: []string{"water", "health"}, Seeks: []string{"culture_youth"}, Languages: []string{"fr", "en"},
		Text: "Eau du Grand Lyon supplies 1.4 million people.",
	}, graph.Actor{Key: "kd4b6f8a0c2e5", Name: "Lyon city hall"})
	require.NoError(t, err)
	now = time.Date(2026, 11, 5, 16, 45, 0, 0, time.UTC)
	_, err = svc.AddCandidate(ctx, "req-5f2c8e1a9b3d", "fr-lyon", "Met at the Eurocities forum in Lyon.", lviv)
	require.NoError(t, err)
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	c := theContract(t)

	// The document keeps the OpenAPI 3.1 schema (the OpenAPI Initiative's,
	// of 2022-10-07, in testdata).
	compiler := jsonschema.NewCompiler()
	metaSchema, err := compiler.Compile("testdata/oas-3.1-schema-2022-10-07.json")
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	require.NoError(t, err)
	require.NoError(t, metaSchema.Validate(doc), "the document breaks the OpenAPI 3.1 schema")
	assert.Equal(t, "3.1.0", c.raw["openapi"])

	// A JSON null is never meant in this document: where one appears, a
	// description has been split into a key (a YAML comma slip).
	var nulls []string
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if e == nil {
					nulls = append(nulls, at+"/"+k)
				}
				walk(e, at+"/"+k)
			}
		case []any:
			for i, e := range x {
				walk(e, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(c.raw, "")
	assert.Empty(t, nulls, "null values in the document")

	// Every schema compiles (and so keeps the JSON Schema 2020-12
	// meta-schema).
	for name := range asMap(asMap(c.raw["components"])["schemas"]) {
		_, err := c.schema(pointer("components", "schemas", name))
		assert.NoError(t, err, name)
	}

	for _, p := range c.ops {
		for _, method := range p.operations() {
			name := method + " " + p.template
			op, _ := c.rawOperation(p.template, method)
			assert.NotEmpty(t, op["operationId"], name)
			assert.NotEmpty(t, op["summary"], name)
			assert.NotEmpty(t, op["description"], name)
			assert.NotEmpty(t, op["tags"], name)
			assert.NotEmpty(t, op["x-example-request"], "%s has no x-example-request", name)
			responses := pointer("paths", p.template, strings.ToLower(method), "responses")
			for code := range asMap(op["responses"]) {
				v, ptr := c.at(responses + "/" + code)
				resp := asMap(v)
				assert.NotEmpty(t, resp["description"], "%s %s", name, code)
				headers := asMap(resp["headers"])
				require.NotNil(t, headers, "%s %s lists no headers", name, code)
				assert.Contains(t, headers, api.RequestIDHeader, "%s %s: X-Request-Id", name, code)
				content := asMap(resp["content"])
				if code >= "400" {
					assert.Contains(t, content, "application/problem+json", "%s %s is not a problem", name, code)
				}
				for mt, media := range content {
					if _, ok := asMap(media)["schema"]; ok {
						_, err := c.schema(ptr + pointer("content", mt, "schema"))
						assert.NoError(t, err, "%s %s %s", name, code, mt)
					}
				}
			}
			for _, q := range c.parameters(p.template, method) {
				_, err := c.schema(q.schema)
				assert.NoError(t, err, "%s parameter %s", name, q.name)
			}
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	h := loadedAPI(t)
	rec := do(t, h, http.MethodGet, "/openapi.json")
	require.Equal(t, http.StatusOK, rec.Code)
	requireMediaType(t, rec, "application/json")
	assert.Equal(t, api.OpenAPI(), rec.Body.Bytes(), "the document is served as embedded")
	p := requireProblem(t, do(t, h, http.MethodGet, "/openapi.json?v=2"), http.StatusBadRequest)
	assert.Equal(t, "v", p.Param)
	requireProblem(t, do(t, h, http.MethodPost, "/openapi.json"), http.StatusMethodNotAllowed)
}

// externalRef finds a reference to anything outside the page: a src or
// href with a scheme or to another host, a stylesheet, script, font or
// frame element, or a CSS url() or @import.
var externalRef = regexp.MustCompile(`(?i)(?:src|href|action|srcset)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:|//)|<\s*(?:script|link|iframe|object|embed)\b|url\s*\(|@import`)

func TestDocsPage(t *testing.T) {
	h := loadedAPI(t)
	rec := do(t, h, http.MethodGet, "/docs")
	require.Equal(t, http.StatusOK, rec.Code)
	requireMediaType(t, rec, "text/html")
	page := rec.Body.String()

	assert.Empty(t, externalRef.FindAllString(page, -1), "the page must work offline")
	// The check itself finds what it is there to find.
	for _, bad := range []string{`<img src="https://cdn.example/x.png">`, `<a href='//fonts.example/'>`,
		`<link rel="stylesheet" href="x.css">`, `<script>`, `body { background: url(x.png) }`} {
		assert.NotEmpty(t, externalRef.FindAllString(bad, -1), bad)
	}

	// Every in-page link has its target.
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`\bid="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1) {
		assert.True(t, ids[m[1]], "link to #%s has no target", m[1])
	}

	c := theContract(t)
	for _, p := range c.ops {
		for _, method := range p.operations() {
			raw, _ := c.rawOperation(p.template, method)
			assert.Contains(t, page, `<span class="method">`+method+`</span><span class="path">`+p.template+`</span>`)
			assert.Contains(t, page, "curl -s &#39;http://localhost:8080"+strings.ReplaceAll(raw["x-example-request"].(string), "&", "&amp;")+"&#39;")
		}
	}
	for name := range asMap(asMap(c.raw["components"])["schemas"]) {
		assert.Contains(t, page, `id="schema-`+name+`"`)
	}
	for _, want := range []string{"max_population", "must not be below min_population", "Retry-After", "0 to 1000000", "one of geojson, graphml, csv"} {
		assert.Contains(t, page, want)
	}
	requireProblem(t, do(t, h, http.MethodGet, "/docs?x=1"), http.StatusBadRequest)
}

func TestOpenAPIExamples(t *testing.T) {
	c := theContract(t)
	e := newEnv(t)
	seedExamples(t, e)
	h, admin := keyedAPIOf(t, e)
	for _, p := range c.ops {
		for _, method := range p.operations() {
			op, _ := c.rawOperation(p.template, method)
			method := strings.ToLower(method)
			name := strings.ToUpper(method) + " " + p.template
			t.Run(name, func(t *testing.T) {
				// Every example of a response is valid by its own schema.
				examples := map[string]any{} // the 2xx examples, by status and media type
				responses := pointer("paths", p.template, method, "responses")
				for code := range op["responses"].(map[string]any) {
					r, ptr := c.at(responses + "/" + code)
					for mt, body := range asMap(asMap(r)["content"]) {
						ex, ok := body.(map[string]any)["example"]
						if !ok {
							continue
						}
						b, err := json.Marshal(ex)
						require.NoError(t, err)
						if why := c.validateJSON(ptr+pointer("content", mt, "schema"), b); why != "" {
							t.Errorf("example of %s %s breaks its schema: %s", code, mt, why)
						}
						if code[0] == '2' {
							examples[code+" "+mt] = ex
						}
					}
				}
				// Every parameter example is valid by the parameter's schema.
				for _, q := range c.parameters(p.template, method) {
					ex, ok := q.def["example"]
					if !ok {
						continue
					}
					b, err := json.Marshal(ex)
					require.NoError(t, err)
					if why := c.validateJSON(q.schema, b); why != "" {
						t.Errorf("example of parameter %s breaks its schema: %s", q.name, why)
					}
				}

				// The example request is an operation's own, the sample
				// answers it with 200, and the answer holds the example.
				target := op["x-example-request"].(string)
				// An operation that takes a body is sent its example;
				// one that needs a key is sent the admin key.
				var body io.Reader
				contentType := "application/json"
				if ex, ok := asMap(asMap(asMap(op["requestBody"])["content"])["application/json"])["example"]; ok {
					b, err := json.Marshal(ex)
					require.NoError(t, err)
					body = bytes.NewReader(b)
				} else if ex, ok := asMap(asMap(asMap(op["requestBody"])["content"])["text/csv"])["example"].(string); ok {
					body, contentType = strings.NewReader(ex), "text/csv" // a file to import
				}
				req := httptest.NewRequest(strings.ToUpper(method), target, body)
				if body != nil {
					req.Header.Set("Content-Type", contentType)
				}
				if op["security"] != nil {
					req.Header.Set("Authorization", "Bearer "+admin)
				}
				// A change of a versioned record is sent the example of
				// its If-Match parameter.
				for _, q := range c.parameters(p.template, method) {
					if ex, ok := q.def["example"].(string); ok && q.in == "header" && q.name == "If-Match" {
						req.Header.Set(q.name, ex)
					}
				}
				require.True(t, p.pattern.MatchString(req.URL.Path), "%s is not a request of %s", target, name)
				rec := serve(t, h, req)
				require.Less(t, rec.Code, 300, rec.Body.String())
				require.GreaterOrEqual(t, rec.Code, 200, rec.Body.String())
				if rec.Code == http.StatusNoContent {
					return
				}
				mt, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
				require.NoError(t, err)
				want, ok := examples[strconv.Itoa(rec.Code)+" "+mt]
				if !ok {
					return
				}
				var got any
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
				if err := holds(got, want, "$"); err != nil {
					t.Errorf("the example is not true of GET %s: %v", target, err)
				}
			})
		}
	}
}

// holds returns nil when got holds want: every member of an object in
// want is in got with a value that holds it, the elements of an array in
// want are found in got's in the same order (an example may leave some
// out), and other values are equal.
func holds(got, want any, at string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %v", at, got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", at, k)
			}
			if err := holds(gv, wv, at+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %v", at, got)
		}
		j := 0
		for i, wv := range w {
			for j < len(g) && holds(g[j], wv, at) != nil {
				j++
			}
			if j == len(g) {
				return fmt.Errorf("%s[%d]: %v is not in the answer (in order)", at, i, wv)
			}
			j++
		}
		return nil
	default:
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("%s: want %v, got %v", at, want, got)
		}
		return nil
	}
}

func TestHolds(t *testing.T) {
	got := map[string]any{"a": []any{1.0, 2.0, 3.0}, "b": "x", "c": map[string]any{"d": true}}
	assert.NoError(t, holds(got, map[string]any{"a": []any{1.0, 3.0}, "c": map[string]any{}}, "$"))
	assert.Error(t, holds(got, map[string]any{"a": []any{3.0, 1.0}}, "$"), "order counts")
	assert.Error(t, holds(got, map[string]any{"b": "y"}, "$"))
	assert.Error(t, holds(got, map[string]any{"e": 1.0}, "$"))
	assert.Error(t, holds(got, map[string]any{"c": map[string]any{"d": false}}, "$"))
}

// TestContractCatchesBreaches shows that the contract check fails on
// answers and requests that break the document, so that the checks made
// on every request of the suite can fail.
func TestContractCatchesBreaches(t *testing.T) {
	c := theContract(t)
	h := loadedAPI(t)
	get := func(target string) (*http.Request, *httptest.ResponseRecorder) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		return req, serve(t, h, req)
	}
	req, rec := get("/v1/municipalities/ua-lviv")
	require.Equal(t, http.StatusOK, rec.Code)
	require.Empty(t, c.check(req, rec.Code, rec.Header(), rec.Body.Bytes()), "the real answer keeps the contract")

	edit := func(change func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
		change(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}
	withHeader := func(change func(h http.Header)) http.Header {
		hd := rec.Header().Clone()
		change(hd)
		return hd
	}
	hoodReq, hoodRec := get("/v1/municipalities/ua-lviv/neighbourhood?hops=1")
	require.Equal(t, http.StatusOK, hoodRec.Code)
	hoodExtra := func() []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(hoodRec.Body.Bytes(), &m))
		m["nodes"].([]any)[0].(map[string]any)["mayor"] = "Andriy Sadovyi"
		b, err := json.Marshal(m)
		require.NoError(t, err)
		return b
	}()
	searchReq, searchRec := get("/v1/municipalities?q=lviv&limit=1")
	require.Equal(t, http.StatusOK, searchRec.Code)
	_, badRec := get("/v1/municipalities?limit=900")
	require.Equal(t, http.StatusBadRequest, badRec.Code)

	tests := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   []byte
	}{
		{"field of the wrong type", req, 200, rec.Header(), edit(func(m map[string]any) { m["population"] = "717273" })},
		{"required field missing", req, 200, rec.Header(), edit(func(m map[string]any) { delete(m, "codes") })},
		{"undeclared field", req, 200, rec.Header(), edit(func(m map[string]any) { m["mayor"] = "Andriy Sadovyi" })},
		{"null where not nullable", req, 200, rec.Header(), edit(func(m map[string]any) { m["location"] = nil })},
		{"value out of its enum", req, 200, rec.Header(), edit(func(m map[string]any) { m["kind"] = "metropolis" })},
		{"undeclared field in a schema extended with allOf", hoodReq, 200, hoodRec.Header(), hoodExtra},
		{"nested field of the wrong type", req, 200, rec.Header(), edit(func(m map[string]any) { m["location"].(map[string]any)["lat"] = "north" })},
		{"undocumented status", req, http.StatusTeapot, rec.Header(), rec.Body.Bytes()},
		{"undocumented media type", req, 200, withHeader(func(h http.Header) { h.Set("Content-Type", "text/plain") }), rec.Body.Bytes()},
		{"required header missing", req, 200, withHeader(func(h http.Header) { h.Del(api.RequestIDHeader) }), rec.Body.Bytes()},
		{"undeclared header", req, 200, withHeader(func(h http.Header) { h.Set("X-Powered-By", "twinning") }), rec.Body.Bytes()},
		{"refused request answered 200", httptest.NewRequest(http.MethodGet, "/v1/municipalities?limit=900", nil), 200, searchRec.Header(), searchRec.Body.Bytes()},
		{"unknown parameter answered 200", httptest.NewRequest(http.MethodGet, "/v1/municipalities?limt=5", nil), 200, searchRec.Header(), searchRec.Body.Bytes()},
		{"accepted request refused for a rule the document does not list", searchReq, 400, badRec.Header(), badRec.Body.Bytes()},
		{"refusal naming another parameter", httptest.NewRequest(http.MethodGet, "/v1/municipalities?offset=-1", nil), 400, badRec.Header(), badRec.Body.Bytes()},
		{"unknown path answered 200", httptest.NewRequest(http.MethodGet, "/v1/nowhere", nil), 200, rec.Header(), rec.Body.Bytes()},
		{"unknown path answered with the wrong problem", httptest.NewRequest(http.MethodGet, "/v1/nowhere", nil), 404, badRec.Header(), badRec.Body.Bytes()},
		{"wrong method without Allow", httptest.NewRequest(http.MethodPost, "/v1/municipalities", nil), 405, badRec.Header(), badRec.Body.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			breaches := c.check(tt.req, tt.status, tt.header, tt.body)
			assert.NotEmpty(t, breaches, "the contract check let this pass")
			t.Log(strings.Join(breaches, "\n"))
		})
	}
}

// TestDocsCompressed sends /docs and /openapi.json gzipped to a client that
// accepts gzip, and as they are to one that does not.
func TestDocsCompressed(t *testing.T) {
	h := loadedAPI(t)
	for _, path := range []string{"/docs", "/openapi.json"} {
		plain := httptest.NewRecorder()
		h.ServeHTTP(plain, httptest.NewRequest("GET", path, nil))
		require.Equal(t, http.StatusOK, plain.Code)
		assert.Empty(t, plain.Header().Get("Content-Encoding"))
		assert.Equal(t, "Accept-Encoding", plain.Header().Get("Vary"))

		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Encoding", "br;q=1.0, gzip;q=0.8")
		zipped := httptest.NewRecorder()
		h.ServeHTTP(zipped, req)
		require.Equal(t, http.StatusOK, zipped.Code)
		assert.Equal(t, "gzip", zipped.Header().Get("Content-Encoding"))
		t.Logf("%s: %d bytes, %d gzipped", path, plain.Body.Len(), zipped.Body.Len())
		assert.Less(t, zipped.Body.Len()*5, plain.Body.Len(), "%s: at least five times smaller", path)
		zr, err := gzip.NewReader(zipped.Body)
		require.NoError(t, err)
		body, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, plain.Body.Bytes(), body)

		refused := httptest.NewRequest("GET", path, nil)
		refused.Header.Set("Accept-Encoding", "gzip;q=0")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, refused)
		assert.Empty(t, rec.Header().Get("Content-Encoding"), "q=0 refuses gzip")
	}
}

// TestAnswersCompressed sends the API's JSON answers (a search, a cached
// and an uncached suggestion answer, an export) gzipped to a client that
// accepts gzip: the same bytes once decoded, and an ETag of their own.
func TestAnswersCompressed(t *testing.T) {
	h := loadedAPI(t)
	for _, path := range []string{
		"/v1/municipalities?q=Lviv&country=UA", // a small answer: gzipped too
		"/v1/municipalities?country=PL&limit=100",
		"/v1/municipalities/ua-lviv/suggestions?limit=20", // ranked, then cached
		"/v1/municipalities/ua-lviv/suggestions?limit=20",
		"/v1/export?format=csv",
	} {
		plain := serve(t, h, httptest.NewRequest("GET", path, nil))
		require.Equal(t, http.StatusOK, plain.Code, path)
		assert.Empty(t, plain.Header().Get("Content-Encoding"), path)

		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		zipped := serve(t, h, req)
		require.Equal(t, http.StatusOK, zipped.Code, path)
		assert.Equal(t, "gzip", zipped.Header().Get("Content-Encoding"), path)
		assert.Contains(t, zipped.Header().Values("Vary"), "Accept-Encoding", path)
		if etag := plain.Header().Get("ETag"); etag != "" {
			// Another coding, another strong validator; each revalidates.
			assert.Equal(t, strings.TrimSuffix(etag, `"`)+`-gzip"`, zipped.Header().Get("ETag"), path)
			again := httptest.NewRequest("GET", path, nil)
			again.Header.Set("Accept-Encoding", "gzip")
			again.Header.Set("If-None-Match", zipped.Header().Get("ETag"))
			rec := serve(t, h, again)
			assert.Equal(t, http.StatusNotModified, rec.Code, path)
			assert.Contains(t, rec.Header().Values("Vary"), "Accept-Encoding", path)
		}
		t.Logf("%s: %d bytes, %d gzipped", path, plain.Body.Len(), zipped.Body.Len())
		if plain.Body.Len() > 10000 {
			assert.Less(t, zipped.Body.Len()*3, plain.Body.Len(), "%s: at least three times smaller", path)
		}
		zr, err := gzip.NewReader(zipped.Body)
		require.NoError(t, err)
		body, err := io.ReadAll(zr)
		require.NoError(t, err)
		assert.Equal(t, plain.Body.String(), string(body), path)
	}
}
