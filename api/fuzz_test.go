package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/keys"
)

// fuzzHandler returns an API over the sample, with its snapshot loaded
// and an editor key, for all the iterations of one fuzz target (building
// one per input would leave no time for fuzzing).
func fuzzHandler(f *testing.F) (http.Handler, string) {
	e := newEnv(f)
	snap := &analytics.Snapshot{}
	require.NoError(f, snap.Load(f.Context(), e.store))
	ring, err := keys.Open(f.TempDir() + "/keys.json")
	require.NoError(f, err)
	editor, _, err := ring.Create("fuzz", keys.RoleEditor, "")
	require.NoError(f, err)
	h, err := api.New(api.Config{Store: e.store, Engine: e.engine, Graph: snap, Keys: ring})
	require.NoError(f, err)
	return h, editor
}

// fuzzRoutes are the read routes whose query parameters are fuzzed.
var fuzzRoutes = []string{
	"/v1/municipalities",
	"/v1/municipalities/ua-lviv",
	"/v1/municipalities/ua-lviv/partners",
	"/v1/municipalities/ua-lviv/suggestions",
	"/v1/municipalities/ua-lviv/neighbourhood",
	"/v1/graph/stats",
	"/v1/graph/countries",
	"/v1/graph/path",
	"/v1/graph/gaps",
	"/v1/graph/central",
	"/v1/export",
}

// checkAnswer fails the fuzz input when the answer is a 5xx, or a 4xx
// that is not a problem document, or a 200 JSON answer that is not JSON.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: %d %s", what, rec.Code, rec.Body)
	}
	ct := rec.Header().Get("Content-Type")
	if rec.Code >= 400 {
		var p api.Problem
		if !strings.HasPrefix(ct, "application/problem+json") || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p.Status != rec.Code || p.Detail == "" {
			t.Fatalf("%s: %d is not a problem: %s %s", what, rec.Code, ct, rec.Body)
		}
		return
	}
	if strings.Contains(ct, "json") && !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s: %d with invalid JSON: %s", what, rec.Code, rec.Body)
	}
}

// FuzzQueryParams sends fuzzed query strings (and path ids) to every read
// route: none may answer 5xx or panic, and every refusal is a problem
// document. Run: go test -run '^$' -fuzz FuzzQueryParams -fuzztime 60s ./api/
func FuzzQueryParams(f *testing.F) {
	h, _ := fuzzHandler(f)
	for i, q := range []string{
		"q=lviv", "q=%D0%9B%D1%8C%D0%B2%D1%96%D0%B2&country=UA", "country=pl,de&min_population=50000&max_population=10",
		"limit=0", "limit=-1", "limit=99999999999999999999", "offset=1e3", "kind=city&kind=village&theme=tourism",
		"hops=3&max_nodes=1", "from=ua-lviv&to=pl-krakow&max_hops=6", "format=graphml&country=UA", "sort=border&oblast=UA-46",
		"q='%20OR%201=1%20--", "q=MATCH%20(n)%20DETACH%20DELETE%20n", "q=%00%FF", "q=" + strings.Repeat("a", 300),
		"include_partners=yes", "theme=%E2%80%AE", "country=%", "limit=1&limit=2",
	} {
		f.Add(uint8(i), "", q)
	}
	f.Add(uint8(1), "pl-krakow", "")
	f.Add(uint8(2), "../../etc/passwd", "")
	f.Add(uint8(3), "UA-LVIV", "limit=5")
	f.Fuzz(func(t *testing.T, route uint8, id, query string) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		if id != "" && strings.Contains(path, "ua-lviv") {
			path = strings.Replace(path, "ua-lviv", url.PathEscape(id), 1)
		}
		req, err := http.NewRequest(http.MethodGet, "http://twinning.test"+path+"?"+query, nil)
		if err != nil {
			return // not a request a client could send
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec, "GET "+req.URL.RequestURI())
	})
}

// FuzzPartnershipBody sends fuzzed JSON bodies to the one operation that
// takes a body, with an editor key: none may answer 5xx or panic, and a
// body that is not one JSON object is refused with 400.
// Run: go test -run '^$' -fuzz FuzzPartnershipBody -fuzztime 60s ./api/
func FuzzPartnershipBody(f *testing.F) {
	h, editor := fuzzHandler(f)
	for _, body := range []string{
		`{"kind": "twinning", "status": "active", "since": 1995, "source": "https://www.lviv.ua/"}`,
		`{"kind": "cooperation", "status": "dormant"}`,
		`{"kind": "friendship", "status": "proposed", "since": 0}`,
		`{"kind": "twinning", "status": "active", "since": 1e3}`,
		`{"kind": "twinning", "status": "active", "since": 99999999999999999999}`,
		`{"kind": "twinning", "status": "active", "extra": null}`,
		`{"kind": null, "status": ["active"]}`,
		`{"kind": "twinning", "kind": "friendship", "status": "active"}`,
		`{"source": "\u0000\u202e<script>", "kind": "twinning", "status": "active"}`,
		`[]`, `null`, `"twinning"`, `{`, ``, `{}{}`, `{"kind": "twinning", "status": "active"} trailing`,
	} {
		f.Add("de-leipzig", body)
	}
	f.Add("xx-atlantis", `{"kind": "twinning", "status": "active"}`)
	f.Add("ua-lviv", `{"kind": "twinning", "status": "active"}`)
	f.Fuzz(func(t *testing.T, other, body string) {
		target := "http://twinning.test/v1/partnerships/ua-lviv/" + url.PathEscape(other)
		req, err := http.NewRequest(http.MethodPut, target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+editor)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec, "PUT "+target+" "+body)
		if rec.Code < 300 {
			var v map[string]json.RawMessage
			if json.Unmarshal([]byte(body), &v) != nil {
				t.Fatalf("a body that is not a JSON object was accepted: %q", body)
			}
		}
	})
}
