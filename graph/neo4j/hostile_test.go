package neo4j

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/hostile"
	"github.com/twinning/twinning/internal/keys"
	"github.com/twinning/twinning/internal/sample"
	"github.com/twinning/twinning/internal/score"
)

// hostileValues are hostile.Strings and a few more that only a direct
// caller of the store, or a query string, can give: bytes that are not
// UTF-8 (url.Query decodes %FF to them, and region passes them on), and
// Cyrillic names with Cypher in them.
func hostileValues() []string {
	return append(hostile.Strings(), "\xff\xfe", "ua-lviv\xc0", "Львів' OR 1=1 --", `Київ"}) RETURN 1 //`)
}

// short returns s cut for a failure message.
func short(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q… (%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// assertHandled checks that err is nil or an application error with one of
// codes: never EINTERNAL or EUNAVAILABLE, which a hostile value that
// reached Cypher as text (or broke the statement) would give.
func assertHandled(t *testing.T, err error, what string, codes ...string) bool {
	t.Helper()
	if err == nil {
		return true
	}
	return assert.Contains(t, codes, graph.ErrorCode(err), "%s: %v", what, err)
}

// TestHostileInputs loads the sample and sends hostile values, to the
// store's methods and to the API served over it, as ids, codes, search
// text, filters, names and partnership sources. None may give an internal
// error or a 5xx: each is refused as invalid, not found, or matched as the
// data it is. Afterwards the store holds what it held before.
func TestHostileInputs(t *testing.T) {
	s := openEmpty(t)
	ctx := context.Background()
	_, _, err := sample.Load(ctx, s)
	require.NoError(t, err)
	before, err := s.Counts(ctx)
	require.NoError(t, err)
	require.Positive(t, before.Municipalities)
	require.Positive(t, before.Partnerships)

	t.Run("store", func(t *testing.T) { hostileStoreCalls(t, s) })
	t.Run("names", func(t *testing.T) { hostileNames(t, s) })
	t.Run("api", func(t *testing.T) { hostileAPI(t, s) })

	after, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the store holds what it held before")
	_, err = s.Municipality(ctx, "ua-lviv")
	assert.NoError(t, err)
}

// hostileStoreCalls gives every hostile value to every read and delete
// method of the store, and to the upserts as an id.
func hostileStoreCalls(t *testing.T, s *Store) {
	ctx := context.Background()
	for _, v := range hostileValues() {
		what := short(v)
		_, err := s.Municipality(ctx, v)
		assertHandled(t, err, "Municipality "+what, graph.ENOTFOUND)
		_, err = s.MunicipalityByCode(ctx, "wikidata", v)
		assertHandled(t, err, "MunicipalityByCode wikidata "+what, graph.ENOTFOUND)
		_, err = s.MunicipalityByCode(ctx, v, "Q1")
		assertHandled(t, err, "MunicipalityByCode code "+what, graph.EINVALID)
		_, err = s.Partners(ctx, v)
		assertHandled(t, err, "Partners "+what, graph.ENOTFOUND)
		_, _, err = s.ShortestPaths(ctx, v, "ua-lviv", 3, 1)
		assertHandled(t, err, "ShortestPaths from "+what, graph.ENOTFOUND)
		_, _, err = s.ShortestPaths(ctx, "ua-lviv", v, 3, 1)
		assertHandled(t, err, "ShortestPaths to "+what, graph.ENOTFOUND)

		_, err = s.Search(ctx, graph.Query{Text: v})
		assertHandled(t, err, "Search text "+what, graph.EINVALID)
		page, err := s.Search(ctx, graph.Query{Regions: []string{v}})
		if assertHandled(t, err, "Search region "+what) {
			assert.Zero(t, page.Total, "Search region %s", what)
		}
		for _, q := range []graph.Query{
			{Countries: []string{v}},
			{Kinds: []graph.Kind{graph.Kind(v)}},
			{Themes: []string{v}},
		} {
			_, err = s.Search(ctx, q)
			assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "Search %+.80v: %v", q, err)
		}

		err = s.DeleteMunicipality(ctx, v)
		assertHandled(t, err, "DeleteMunicipality "+what, graph.ENOTFOUND)
		err = s.DeletePartnership(ctx, v, "ua-lviv")
		assertHandled(t, err, "DeletePartnership "+what, graph.ENOTFOUND)
		if graph.ValidID(v) {
			continue // "0x10", "1e309": ids that would be stored
		}
		_, err = s.UpsertMunicipalities(ctx, []graph.Municipality{{ID: v, Name: "x", Country: "UA", Kind: graph.KindCity}})
		assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "UpsertMunicipalities id %s: %v", what, err)
		_, err = s.UpsertPartnerships(ctx, []graph.Partnership{{A: v, B: "ua-lviv", Kind: graph.KindTwinning, Status: graph.StatusActive}})
		assert.Equal(t, graph.EINVALID, graph.ErrorCode(err), "UpsertPartnerships a %s: %v", what, err)
	}
}

// hostileNames stores a municipality whose names, region name and source
// are hostile, reads it back byte for byte, finds it by a hostile name and
// deletes it.
func hostileNames(t *testing.T, s *Store) {
	ctx := context.Background()
	lviv, err := s.Municipality(ctx, "ua-lviv")
	require.NoError(t, err)
	m := graph.Municipality{
		ID:        "zz-hostile-names",
		Name:      "Львів' OR 1=1 --\u202e\u200b",
		NameLatin: `") RETURN m //`,
		// Text that is not UTF-8 is left out (the server replaces its
		// bytes), and so is text over graph.MaxNameLength, which Validate
		// refuses before the store sees it.
		AltNames: slices.DeleteFunc(hostileValues(), func(v string) bool {
			return !utf8.ValidString(v) || utf8.RuneCountInString(v) > graph.MaxNameLength
		}),
		Country: "UA",
		// An existing region: a new Region node would outlive the
		// municipality.
		Region: graph.Region{Code: lviv.Region.Code, Name: "}) MATCH (n) DETACH DELETE n //"},
		Kind:   graph.KindCity,
		Source: "$id",
	}
	res, err := s.UpsertMunicipalities(ctx, []graph.Municipality{m})
	require.NoError(t, err)
	assert.Equal(t, graph.UpsertResult{Created: 1}, res)
	t.Cleanup(func() { _ = s.DeleteMunicipality(context.Background(), m.ID) })

	got, err := s.Municipality(ctx, m.ID)
	require.NoError(t, err)
	assert.Equal(t, m, got, "every name comes back byte for byte")

	// The hostile name is text to match, and matches exactly.
	page, err := s.Search(ctx, graph.Query{Text: "Львів' OR 1=1", Countries: []string{"UA"}})
	require.NoError(t, err)
	require.NotEmpty(t, page.Items)
	assert.Equal(t, m.ID, page.Items[0].ID)
	page, err = s.Search(ctx, graph.Query{Text: `") RETURN m //`})
	require.NoError(t, err)
	assert.Equal(t, []string{m.ID}, idsOf(page.Items), "the Latin name, a Cypher fragment, is matched as text (key %q)", graph.NameKey(m.NameLatin))

	require.NoError(t, s.DeleteMunicipality(ctx, m.ID))
	_, err = s.Municipality(ctx, m.ID)
	assert.Equal(t, graph.ENOTFOUND, graph.ErrorCode(err))
}

// idsOf returns the ids of ms.
func idsOf(ms []graph.Municipality) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// hostileAPI serves the real API over s and sends it every hostile
// request (4xx), every hostile search (200 and a page) and hostile
// partnership writes with an editor key (4xx, or 200 with the source
// stored as sent).
func hostileAPI(t *testing.T, s *Store) {
	ctx := context.Background()
	engine := score.NewEngine(score.DefaultModel())
	require.NoError(t, engine.Load(ctx, s))
	snap := &analytics.Snapshot{}
	require.NoError(t, snap.Load(ctx, s))
	ring, err := keys.Open(filepath.Join(t.TempDir(), "keys.json"))
	require.NoError(t, err)
	editor, _, err := ring.Create("hostile test", keys.RoleEditor, "")
	require.NoError(t, err)
	// The API's request timeout as long as the store's, as in TestOutage:
	// this test is about answers, not speed.
	handler, err := api.New(api.Config{Store: s, Engine: engine, Graph: snap, Keys: ring,
		Limits: api.Limits{RequestTimeout: testCallTimeout}})
	require.NoError(t, err)
	srv := httptest.NewServer(handler)
	defer srv.Close()
	base, err := url.Parse(srv.URL)
	require.NoError(t, err)

	do := func(method, target string, body []byte) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		require.NoError(t, err, short(target))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+editor)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err, short(target))
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err, short(target))
		return resp.StatusCode, b
	}

	requests := hostile.Requests(base)
	byStatus := map[int]int{}
	for _, target := range requests {
		code, body := do(http.MethodGet, target, nil)
		byStatus[code]++
		assert.True(t, code >= 400 && code < 500, "GET %s: %d, want a 4xx: %.300s", short(target), code, body)
	}
	t.Logf("%d hostile requests: %v", len(requests), byStatus)

	// Searches, and a region that is not UTF-8 (%FF), which url.Query
	// passes on as it is.
	searches := append(hostile.Searches(base), srv.URL+"/v1/municipalities?region=%FF", srv.URL+"/v1/municipalities?q=%FF%FE")
	for _, target := range searches {
		code, body := do(http.MethodGet, target, nil)
		if !assert.Equal(t, http.StatusOK, code, "GET %s: %.300s", short(target), body) {
			continue
		}
		var page struct {
			Items []json.RawMessage `json:"items"`
			Total *int              `json:"total"`
		}
		if assert.NoError(t, json.Unmarshal(body, &page), "GET %s: %.300s", short(target), body) {
			assert.NotNil(t, page.Items, "GET %s: items", short(target))
			assert.NotNil(t, page.Total, "GET %s: total", short(target))
		}
	}
	t.Logf("%d hostile searches: 200", len(searches))

	// Writes: hostile ids in the path and hostile members in the body are
	// refused; a hostile source is data, stored as sent.
	var orig graph.Partnership
	errFirst := errors.New("the first is enough")
	err = s.ScanPartnerships(ctx, func(p graph.Partnership) error {
		orig = p
		return errFirst
	})
	require.ErrorIs(t, err, errFirst, "reading a partnership")
	t.Cleanup(func() {
		_, err := s.UpsertPartnerships(context.Background(), []graph.Partnership{orig})
		assert.NoError(t, err, "restoring %s-%s", orig.A, orig.B)
	})
	pair := srv.URL + "/v1/partnerships/" + orig.A + "/" + orig.B
	for _, v := range hostileValues() {
		what := short(v)
		for _, target := range []string{
			srv.URL + "/v1/partnerships/" + url.PathEscape(v) + "/" + orig.B,
			srv.URL + "/v1/partnerships/" + orig.A + "/" + url.PathEscape(v),
		} {
			code, body := do(http.MethodPut, target, []byte(`{"kind":"twinning","status":"active"}`))
			assert.True(t, code >= 400 && code < 500, "PUT %s: %d, want a 4xx: %.300s", short(target), code, body)
		}
		for _, member := range []string{"kind", "status"} {
			b, err := json.Marshal(map[string]any{"kind": "twinning", "status": "active", member: v})
			require.NoError(t, err)
			code, body := do(http.MethodPut, pair, b)
			assert.Equal(t, http.StatusBadRequest, code, "PUT %s %s: %.300s", member, what, body)
		}
		b, err := json.Marshal(map[string]any{"kind": orig.Kind, "status": orig.Status, "since": orig.Since, "source": v})
		require.NoError(t, err)
		code, body := do(http.MethodPut, pair, b)
		if !assert.Equal(t, http.StatusOK, code, "PUT source %s: %.300s", what, body) {
			continue
		}
		// JSON carries text: bytes that are not UTF-8 arrive as U+FFFD.
		var want string
		require.NoError(t, json.Unmarshal(b, &struct {
			Source *string `json:"source"`
		}{&want}))
		ps, err := s.Partners(ctx, orig.A)
		require.NoError(t, err)
		i := slices.IndexFunc(ps, func(p graph.Partner) bool { return p.Municipality.ID == orig.B })
		require.GreaterOrEqual(t, i, 0)
		assert.Equal(t, want, ps[i].Partnership.Source, "source %s stored as sent", what)
	}

	code, body := do(http.MethodGet, srv.URL+"/healthz", nil)
	assert.Equal(t, http.StatusOK, code, "/healthz after the hostile requests: %s", body)
	code, body = do(http.MethodGet, srv.URL+"/readyz", nil)
	assert.Equal(t, http.StatusOK, code, "/readyz after the hostile requests: %s", body)
}
