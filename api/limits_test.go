package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
)

// limitedHandler returns an API over the sample with the given limits and
// CORS origins.
func limitedHandler(t *testing.T, e *env, store graph.Store, limits api.Limits, origins ...string) http.Handler {
	t.Helper()
	if store == nil {
		store = e.store
	}
	h, err := api.New(api.Config{Store: store, Engine: e.engine, Limits: limits, CORSOrigins: origins,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil))})
	require.NoError(t, err)
	return h
}

// problemOf decodes a problem response.
func problemOf(t *testing.T, rec *httptest.ResponseRecorder) api.Problem {
	t.Helper()
	requireMediaType(t, rec, "application/problem+json")
	var p api.Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	return p
}

func TestQueryTooLong(t *testing.T) {
	e := newEnv(t)
	h := limitedHandler(t, e, nil, api.Limits{MaxQueryBytes: 100})
	rec := do(t, h, http.MethodGet, "/v1/municipalities?q="+strings.Repeat("a", 101))
	require.Equal(t, http.StatusRequestURITooLong, rec.Code)
	assert.Contains(t, problemOf(t, rec).Detail, "at most 100")
	assert.Equal(t, http.StatusOK, do(t, h, http.MethodGet, "/v1/municipalities?q="+strings.Repeat("a", 10)).Code)
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	h := limitedHandler(t, e, nil, api.Limits{MaxBodyBytes: 10})
	// No operation takes a body yet, so the request is outside the
	// contract: the limit applies before routing.
	rec := plain(h, httptest.NewRequest(http.MethodPost, "/v1/municipalities", strings.NewReader(strings.Repeat("x", 11))))
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Contains(t, problemOf(t, rec).Detail, "at most 10")
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t)
	h := limitedHandler(t, e, nil, api.Limits{RatePerSecond: 0.05, Burst: 2})
	from := func(addr, target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = addr
		return serve(t, h, req)
	}
	for i := range 2 {
		require.Equal(t, http.StatusOK, from("192.0.2.1:1000", "/v1/municipalities/ua-lviv").Code, "request %d is within the burst", i+1)
	}
	rec := from("192.0.2.1:1001", "/v1/municipalities/ua-lviv") // another port, the same client
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	retry, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	require.NoError(t, err, "Retry-After must be a number of seconds")
	assert.GreaterOrEqual(t, retry, 1)
	// A slow rate, so that a slow machine (or the contract check's first
	// schema compilation) does not refill the bucket between requests.
	assert.LessOrEqual(t, retry, 20, "one token comes back in 20 s at 0.05 per second")
	assert.Equal(t, http.StatusTooManyRequests, problemOf(t, rec).Status)

	assert.Equal(t, http.StatusOK, from("192.0.2.2:1000", "/v1/municipalities/ua-lviv").Code, "another client has its own bucket")
	assert.Equal(t, http.StatusOK, from("192.0.2.1:1000", "/healthz").Code, "probes are not limited")
	assert.Equal(t, http.StatusOK, from("192.0.2.1:1000", "/metrics").Code, "metrics are not limited")
}

// TestRateLimitBehindProxies counts a request from a trusted proxy against
// the client that X-Forwarded-For names, and never trusts the header of a
// request that does not come from one.
func TestRateLimitBehindProxies(t *testing.T) {
	e := newEnv(t)
	h := limitedHandler(t, e, nil, api.Limits{RatePerSecond: 0.05, Burst: 1,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	from := func(addr, forwarded string) int {
		req := httptest.NewRequest(http.MethodGet, "/v1/municipalities/ua-lviv", nil)
		req.RemoteAddr = addr
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		return serve(t, h, req).Code
	}
	assert.Equal(t, http.StatusOK, from("10.0.0.5:4000", "198.51.100.1"))
	assert.Equal(t, http.StatusOK, from("10.0.0.5:4000", "198.51.100.2"), "another client behind the same proxy")
	assert.Equal(t, http.StatusTooManyRequests, from("10.0.0.6:4000", "198.51.100.1, 10.0.0.5"), "the first client again, through two proxies")
	assert.Equal(t, http.StatusOK, from("192.0.2.9:4000", "198.51.100.3"), "an untrusted sender")
	assert.Equal(t, http.StatusTooManyRequests, from("192.0.2.9:4000", "198.51.100.4"), "its header is not read: one bucket")
}

func TestCORS(t *testing.T) {
	e := newEnv(t)
	h := limitedHandler(t, e, nil, api.Limits{}, "https://officers.example.org")
	req := httptest.NewRequest(http.MethodGet, "/v1/municipalities/ua-lviv", nil)
	req.Header.Set("Origin", "https://officers.example.org")
	rec := serve(t, h, req)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "https://officers.example.org", rec.Header().Get("Access-Control-Allow-Origin"))

	req = httptest.NewRequest(http.MethodOptions, "/v1/municipalities/ua-lviv", nil)
	req.Header.Set("Origin", "https://officers.example.org")
	req.Header.Set("Access-Control-Request-Method", http.MethodGet)
	rec = plain(h, req) // a preflight is CORS's own, not an operation of the contract
	assert.Less(t, rec.Code, 300, "preflight: %d %s", rec.Code, rec.Body)
	assert.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), http.MethodGet)

	req = httptest.NewRequest(http.MethodGet, "/v1/municipalities/ua-lviv", nil)
	req.Header.Set("Origin", "https://elsewhere.example.com")
	rec = serve(t, h, req)
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"), "an origin not listed gets no CORS grant")

	// Without origins configured, no CORS headers at all.
	req.Header.Set("Origin", "https://officers.example.org")
	rec = serve(t, e.handler(t, nil), req)
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"))
}

// slowStore is the sample store whose Municipality waits for the
// request's context to end.
type slowStore struct{ graph.Store }

func (s slowStore) Municipality(ctx context.Context, id string) (graph.Municipality, error) {
	<-ctx.Done()
	return graph.Municipality{}, ctx.Err()
}

func TestRequestTimeout(t *testing.T) {
	e := newEnv(t)
	h := limitedHandler(t, e, slowStore{e.store}, api.Limits{RequestTimeout: 50 * time.Millisecond})
	rec := do(t, h, http.MethodGet, "/v1/municipalities/ua-lviv")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	assert.NotEmpty(t, rec.Header().Get("Retry-After"))
	assert.Contains(t, problemOf(t, rec).Detail, "longer than the server allows")
}
