package neo4j

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/storetest"
	"github.com/twinning/twinning/internal/score"
)

// outageInstance is the scripts/neo4j instance the outage test runs and
// stops; it is its own server, so the shared one stays up.
const outageInstance = "outage-test"

// neo4jScript runs scripts/neo4j for the outage instance on port.
func neo4jScript(t *testing.T, port string, args ...string) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "neo4j"))
	require.NoError(t, err)
	cmd := exec.Command(script, args...)
	cmd.Env = append(os.Environ(), "TWINNING_NEO4J_INSTANCE="+outageInstance, "TWINNING_NEO4J_PORT="+port,
		"TWINNING_NEO4J_TIMEOUT=600", "NEO4J_PASSWORD=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "scripts/neo4j %s: %s", strings.Join(args, " "), out)
	t.Logf("scripts/neo4j %s: %s", strings.Join(args, " "), strings.TrimSpace(string(out)))
}

// TestOutage serves the API over a store on a server of its own, stops the
// server, expects 503 problems with Retry-After and a red /readyz, starts
// it again and expects service to resume without any help.
func TestOutage(t *testing.T) {
	serverURI(t) // the same gate as the other server tests
	if testing.Short() {
		t.Skip("the outage test starts and stops a Neo4j server of its own (minutes); skipped in -short mode")
	}
	port := os.Getenv("TWINNING_NEO4J_OUTAGE_PORT")
	if port == "" {
		port = closedPort(t)
	}
	neo4jScript(t, port, "start")
	t.Cleanup(func() { neo4jScript(t, port, "stop") })

	ctx := context.Background()
	uri := "bolt://127.0.0.1:" + port
	require.NoError(t, warmUp(uri), "warming the new server up")
	// A generous CallTimeout: the first statements after the restart meet
	// a cold JVM. Calls while the server is down fail at once (connection
	// refused), whatever the timeout.
	s, err := Open(ctx, Config{URI: uri, CallTimeout: testCallTimeout, RetryTime: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	require.NoError(t, clear(ctx, s))
	storetest.Seed(t, s)
	engine := score.NewEngine(score.DefaultModel())
	require.NoError(t, engine.Load(ctx, s))
	// The API's own request timeout as long as the store's: a cold JVM's
	// first query of a kind can take minutes here, which is not the
	// outage this test is about.
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

	neo4jScript(t, port, "stop")
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

	neo4jScript(t, port, "start")
	// The driver reconnects by itself: no reopen, no restart of the API.
	// Bolt answers before the database is online, and a restarted server
	// is a cold JVM again, so the first queries can fail or take minutes
	// on a small machine: wait until one succeeds, saying why it did not.
	restarted := time.Now()
	deadline := restarted.Add(testCallTimeout)
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
		require.True(t, time.Now().Before(deadline), "the API did not come back within %v of the server: %v", testCallTimeout, failing)
		t.Logf("%v after the restart: %v", time.Since(restarted).Round(time.Second), failing)
		time.Sleep(2 * time.Second)
	}
	t.Logf("the API answered again %v after the server was back", time.Since(restarted).Round(time.Second))
	up()
}
