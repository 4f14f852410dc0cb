package neo4j

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/storetest"
	"github.com/twinning/twinning/internal/score"
)

// relay forwards TCP connections from a port of its own to the test
// server, and can cut the network: close every connection it carries and
// stop listening, so that the store's pooled connections break and new ones
// are refused, as when the server goes away; restore listens again on the
// same port. The outage test goes through it instead of stopping a server:
// the server stays real, and the test costs seconds instead of two cold
// starts of a JVM (58 of the suite's 84 s on a quiet machine, over ten
// minutes on a busy one).
type relay struct {
	t      *testing.T
	target string // host:port of the server
	addr   string // host:port the relay listens on

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// newRelay starts a relay to target on a free port of 127.0.0.1; the test's
// cleanup stops it.
func newRelay(t *testing.T, target string) *relay {
	r := &relay{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r.addr = ln.Addr().String()
	r.serve(ln)
	t.Cleanup(func() { r.cut(); r.wg.Wait() })
	return r
}

// serve accepts connections on ln until it is closed.
func (r *relay) serve(ln net.Listener) {
	r.mu.Lock()
	r.ln = ln
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", r.target)
			if err != nil {
				r.t.Logf("relay: dialling %s: %v", r.target, err)
				c.Close()
				continue
			}
			if !r.track(c, up) {
				continue
			}
			r.wg.Add(2)
			go r.pipe(up, c)
			go r.pipe(c, up)
		}
	}()
}

// track records a relayed pair, or closes it when the network was cut in
// the meantime.
func (r *relay) track(c, up net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln == nil {
		c.Close()
		up.Close()
		return false
	}
	r.conns[c], r.conns[up] = true, true
	return true
}

// pipe copies from src to dst until either breaks, then closes both.
func (r *relay) pipe(dst, src net.Conn) {
	defer r.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes the listener and every relayed connection.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ln != nil {
		r.ln.Close()
		r.ln = nil
	}
	for c := range r.conns {
		c.Close()
		delete(r.conns, c)
	}
}

// restore listens again on the relay's port.
func (r *relay) restore() {
	ln, err := net.Listen("tcp", r.addr)
	require.NoError(r.t, err, "listening again on %s", r.addr)
	r.serve(ln)
}

// TestOutage serves the API over a store whose connection to the server
// goes through a relay, cuts the network, expects 503 problems with
// Retry-After and a red /readyz, restores it and expects service to resume
// without any help: no reopen, no restart of the API.
func TestOutage(t *testing.T) {
	uri := serverURI(t)
	u, err := url.Parse(uri)
	require.NoError(t, err)
	r := newRelay(t, u.Host)

	ctx := context.Background()
	// Calls while the network is cut fail at once (connection refused),
	// whatever the timeout.
	// bolt://, whatever TWINNING_NEO4J_URI's scheme: with neo4j:// the
	// driver would route to the address the server advertises, around
	// the relay, and cutting it would cut nothing.
	cfg := serverConfig(t)
	cfg.URI, cfg.RetryTime = "bolt://"+r.addr, 2*time.Second
	s, err := Open(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	require.NoError(t, clear(ctx, s))
	storetest.Seed(t, s)
	engine := score.NewEngine(score.DefaultModel())
	require.NoError(t, engine.Load(ctx, s))
	// The API's own request timeout as long as the store's: on a small,
	// busy machine one query can take minutes, which is not the outage
	// this test is about.
	handler, err := api.New(api.Config{Store: s, Engine: engine, Limits: api.Limits{RequestTimeout: testCallTimeout}})
	require.NoError(t, err)
	srv := httptest.NewServer(handler)
	defer srv.Close()

	get := func(path string) (*http.Response, map[string]any) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err, path)
		defer resp.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body), path)
		return resp, body
	}
	up := func() {
		t.Helper()
		resp, _ := get("/readyz")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "/readyz")
		resp, body := get("/v1/municipalities?q=lviv")
		require.Equal(t, http.StatusOK, resp.StatusCode, "search: %v", body)
		assert.EqualValues(t, 1, body["total"], "search: %v", body)
		resp, body = get("/v1/municipalities/ua-lviv/partners")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "partners: %v", body)
	}
	up()

	r.cut()
	for _, path := range []string{"/v1/municipalities?q=lviv", "/v1/municipalities/ua-lviv", "/v1/municipalities/ua-lviv/partners", "/readyz"} {
		start := time.Now()
		resp, body := get(path)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s while down: %v", path, body)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"), "%s: Retry-After", path)
		assert.Contains(t, resp.Header.Get("Content-Type"), "application/problem+json", path)
		assert.EqualValues(t, http.StatusServiceUnavailable, body["status"], "%s: %v", path, body)
		assert.NotContains(t, body["detail"], "127.0.0.1", "%s: no internals in the problem", path)
		t.Logf("%s while down: %d in %v", path, resp.StatusCode, time.Since(start).Round(time.Millisecond))
	}
	_, err = s.Municipality(ctx, "ua-lviv")
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(err), "store call while down: %v", err)
	assert.Equal(t, graph.EUNAVAILABLE, graph.ErrorCode(s.Ping(ctx)))

	r.restore()
	// The driver reconnects by itself: no reopen, no restart of the API.
	// Its pool may still hold connections that broke while the network was
	// cut, and a request can meet one: wait until every path succeeds,
	// saying why it did not.
	restored := time.Now()
	deadline := restored.Add(testCallTimeout)
	for {
		var failing []string
		for _, path := range []string{"/readyz", "/v1/municipalities?q=lviv", "/v1/municipalities/ua-lviv/partners"} {
			if resp, body := get(path); resp.StatusCode != http.StatusOK {
				failing = append(failing, fmt.Sprintf("%s: %d %v", path, resp.StatusCode, body["detail"]))
			}
		}
		if len(failing) == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the API did not come back within %v of the network: %v", testCallTimeout, failing)
		t.Logf("%v after the network was back: %v", time.Since(restored).Round(time.Second), failing)
		time.Sleep(2 * time.Second)
	}
	t.Logf("the API answered again %v after the network was back", time.Since(restored).Round(time.Second))
	up()
}
