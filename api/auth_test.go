package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/keys"
)

// keyEnv is an API over the sample with a key file and one key of each
// kind.
type keyEnv struct {
	*env
	ring                        *keys.Ring
	reader, editor, lviv, admin string // key texts; lviv is an editor scoped to ua-lviv
	writes                      atomic.Int32
	h                           http.Handler
	editorKey                   keys.Key
}

func newKeyEnv(t *testing.T, cfg api.Config) *keyEnv {
	t.Helper()
	ke := &keyEnv{env: newEnv(t)}
	var err error
	ke.ring, err = keys.Open(filepath.Join(t.TempDir(), "keys.json"))
	require.NoError(t, err)
	ke.reader, _, err = ke.ring.Create("an analyst", keys.RoleReader, "")
	require.NoError(t, err)
	ke.editor, ke.editorKey, err = ke.ring.Create("the association", keys.RoleEditor, "")
	require.NoError(t, err)
	ke.lviv, _, err = ke.ring.Create("Lviv city hall", keys.RoleEditor, "ua-lviv")
	require.NoError(t, err)
	ke.admin, _, err = ke.ring.Create("operator", keys.RoleAdmin, "")
	require.NoError(t, err)
	cfg.Store, cfg.Engine, cfg.Keys = ke.store, ke.engine, ke.ring
	cfg.Logger = slog.New(slog.NewJSONHandler(ke.logs, nil))
	cfg.AfterWrite = func() { ke.writes.Add(1) }
	ke.h, err = api.New(cfg)
	require.NoError(t, err)
	return ke
}

// send serves one request with an optional key and JSON body, checked
// against the contract.
func send(t *testing.T, h http.Handler, method, target, key, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return serve(t, h, req)
}

const partnershipJSON = `{"kind": "twinning", "status": "active", "since": 2023, "source": "council decision 12/2023"}`

func TestWritesNeedAnEditorKey(t *testing.T) {
	ke := newKeyEnv(t, api.Config{})
	put := func(key, target, body string) *httptest.ResponseRecorder {
		return send(t, ke.h, http.MethodPut, target, key, body)
	}

	// Without a key, with a malformed header, an unknown or a revoked key: 401.
	rec := put("", "/v1/partnerships/ua-lviv/pl-krakow", partnershipJSON)
	p := requireProblem(t, rec, http.StatusUnauthorized)
	assert.Contains(t, p.Detail, "editor")
	assert.Equal(t, `Bearer realm="twinning"`, rec.Header().Get("WWW-Authenticate"))
	req := httptest.NewRequest(http.MethodPut, "/v1/partnerships/ua-lviv/pl-krakow", strings.NewReader(partnershipJSON))
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	requireProblem(t, serve(t, ke.h, req), http.StatusUnauthorized)
	forged := ke.editor[:len(ke.editor)-4] + "0000"
	if forged == ke.editor {
		forged = ke.editor[:len(ke.editor)-4] + "1111"
	}
	requireProblem(t, put(forged, "/v1/partnerships/ua-lviv/pl-krakow", partnershipJSON), http.StatusUnauthorized)
	requireProblem(t, put("twk_k000000000000_"+strings.Repeat("ab", 24), "/v1/partnerships/ua-lviv/pl-krakow", partnershipJSON), http.StatusUnauthorized)
	assert.Zero(t, ke.writes.Load(), "nothing was written")

	// A reader key: 403.
	p = requireProblem(t, put(ke.reader, "/v1/partnerships/ua-lviv/pl-krakow", partnershipJSON), http.StatusForbidden)
	assert.Contains(t, p.Detail, "reader")

	// An editor key: created (201), then replaced (200).
	rec = put(ke.editor, "/v1/partnerships/ua-lviv/de-leipzig", partnershipJSON)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var res struct {
		Partnership graph.Partnership `json:"partnership"`
		Created     bool              `json:"created"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	assert.Equal(t, graph.Partnership{A: "de-leipzig", B: "ua-lviv", Kind: graph.KindTwinning, Status: graph.StatusActive, Since: 2023, Source: "council decision 12/2023"}, res.Partnership)
	assert.True(t, res.Created)
	rec = put(ke.editor, "/v1/partnerships/de-leipzig/ua-lviv", `{"kind": "cooperation", "status": "dormant"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &res))
	assert.False(t, res.Created)
	ps, err := ke.store.Partners(context.Background(), "de-leipzig")
	require.NoError(t, err)
	found := false
	for _, pp := range ps {
		if pp.Municipality.ID == "ua-lviv" {
			found = true
			assert.Equal(t, graph.Status("dormant"), pp.Partnership.Status, "the second write replaced the first")
		}
	}
	assert.True(t, found, "the partnership is stored")
	assert.EqualValues(t, 2, ke.writes.Load(), "AfterWrite is called after each write")
	assert.Contains(t, ke.logs.String(), ke.editorKey.ID, "the change is logged with the key that made it")

	// A scoped editor key: its own municipality only.
	require.Equal(t, http.StatusCreated, put(ke.lviv, "/v1/partnerships/ua-lviv/pl-bartoszyce", partnershipJSON).Code)
	p = requireProblem(t, put(ke.lviv, "/v1/partnerships/pl-krakow/de-leipzig", partnershipJSON), http.StatusForbidden)
	assert.Contains(t, p.Detail, "ua-lviv")
	requireProblem(t, send(t, ke.h, http.MethodDelete, "/v1/partnerships/pl-krakow/at-innsbruck", ke.lviv, ""), http.StatusForbidden)
	rec = send(t, ke.h, http.MethodDelete, "/v1/partnerships/pl-bartoszyce/ua-lviv", ke.lviv, "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	requireProblem(t, send(t, ke.h, http.MethodDelete, "/v1/partnerships/pl-bartoszyce/ua-lviv", ke.lviv, ""), http.StatusNotFound)

	// A revoked key is refused at once.
	_, err = ke.ring.Revoke(ke.editorKey.ID)
	require.NoError(t, err)
	requireProblem(t, put(ke.editor, "/v1/partnerships/ua-lviv/pl-krakow", partnershipJSON), http.StatusUnauthorized)
}

func TestWriteBodyErrors(t *testing.T) {
	ke := newKeyEnv(t, api.Config{})
	for _, tc := range []struct {
		name, target, contentType, body, param string
	}{
		{"unknown member", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `{"kind": "twinning", "status": "active", "mayor": "x"}`, "mayor"},
		{"kind not in the list", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `{"kind": "marriage", "status": "active"}`, "kind"},
		{"status missing", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `{"kind": "twinning"}`, "status"},
		{"since of the wrong type", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `{"kind": "twinning", "status": "active", "since": "1990"}`, "since"},
		{"since in the future", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `{"kind": "twinning", "status": "active", "since": 2999}`, "since"},
		{"not JSON", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `{"kind": `, "body"},
		{"two objects", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `{"kind": "twinning", "status": "active"} {}`, "body"},
		{"an array", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", `[1, 2]`, "body"},
		{"empty", "/v1/partnerships/ua-lviv/pl-krakow", "application/json", ``, "body"},
		{"not declared as JSON", "/v1/partnerships/ua-lviv/pl-krakow", "text/plain", partnershipJSON, "body"},
		{"unknown municipality", "/v1/partnerships/ua-lviv/xx-atlantis", "application/json", partnershipJSON, "b"},
		{"malformed id", "/v1/partnerships/UA-LVIV/pl-krakow", "application/json", partnershipJSON, "a"},
		{"itself", "/v1/partnerships/ua-lviv/ua-lviv", "application/json", partnershipJSON, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPut, tc.target, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Authorization", "Bearer "+ke.editor)
			p := requireProblem(t, serve(t, ke.h, req), http.StatusBadRequest)
			assert.Equal(t, tc.param, p.Param, p.Detail)
		})
	}
	assert.Zero(t, ke.writes.Load(), "nothing was written")
	c, err := ke.store.Counts(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 532, c.Partnerships, "the sample's partnerships, no more")
}

func TestReadsNeedKey(t *testing.T) {
	open := newKeyEnv(t, api.Config{})
	assert.Equal(t, http.StatusOK, send(t, open.h, http.MethodGet, "/v1/municipalities/ua-lviv", "", "").Code, "reads are open by default")
	requireProblem(t, send(t, open.h, http.MethodGet, "/v1/municipalities/ua-lviv", "twk_nonsense", ""), http.StatusUnauthorized)

	ke := newKeyEnv(t, api.Config{ReadsNeedKey: true})
	requireProblem(t, send(t, ke.h, http.MethodGet, "/v1/municipalities/ua-lviv", "", ""), http.StatusUnauthorized)
	assert.Equal(t, http.StatusOK, send(t, ke.h, http.MethodGet, "/v1/municipalities/ua-lviv", ke.reader, "").Code)
	assert.Equal(t, http.StatusOK, send(t, ke.h, http.MethodGet, "/healthz", "", "").Code, "probes stay open")
	assert.Equal(t, http.StatusOK, send(t, ke.h, http.MethodGet, "/openapi.json", "", "").Code, "the contract stays open")
}

func TestProfilingNeedsAdmin(t *testing.T) {
	ke := newKeyEnv(t, api.Config{})
	requireProblem(t, send(t, ke.h, http.MethodGet, "/debug/pprof/heap?debug=1", "", ""), http.StatusUnauthorized)
	requireProblem(t, send(t, ke.h, http.MethodGet, "/debug/pprof/heap?debug=1", ke.editor, ""), http.StatusForbidden)
	rec := send(t, ke.h, http.MethodGet, "/debug/pprof/heap?debug=1", ke.admin, "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "heap profile")
	rec = send(t, ke.h, http.MethodGet, "/debug/pprof/", ke.admin, "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "goroutine")
	requireProblem(t, send(t, ke.h, http.MethodGet, "/debug/pprof/nonsense", ke.admin, ""), http.StatusNotFound)
}

func TestRateLimitPerKey(t *testing.T) {
	ke := newKeyEnv(t, api.Config{Limits: api.Limits{RatePerSecond: 0.05, Burst: 1}})
	from := func(key string) int {
		req := httptest.NewRequest(http.MethodGet, "/v1/municipalities/ua-lviv", nil)
		req.RemoteAddr = "192.0.2.7:1000"
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		return serve(t, ke.h, req).Code
	}
	assert.Equal(t, http.StatusOK, from(""))
	assert.Equal(t, http.StatusTooManyRequests, from(""), "the address's bucket is empty")
	assert.Equal(t, http.StatusOK, from(ke.reader), "a key has its own bucket, whatever the address")
	assert.Equal(t, http.StatusTooManyRequests, from(ke.reader))
	assert.Equal(t, http.StatusOK, from(ke.editor))
}
