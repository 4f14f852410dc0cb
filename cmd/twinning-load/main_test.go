package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/hostile"
	"github.com/twinning/twinning/internal/sample"
	"github.com/twinning/twinning/internal/score"
)

// sampleServer serves the real API over the sample on a loopback port.
func sampleServer(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	store, err := embedded.Open(filepath.Join(t.TempDir(), "twinning.db"))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	_, err = sample.LoadIfEmpty(ctx, store)
	require.NoError(t, err)
	engine := score.NewEngine(score.DefaultModel())
	require.NoError(t, engine.Load(ctx, store))
	snap := &analytics.Snapshot{}
	require.NoError(t, snap.Load(ctx, store))
	h, err := api.New(api.Config{Store: store, Engine: engine, Graph: snap})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// report runs the command with args and decodes its JSON report.
func report(t *testing.T, args ...string) (Report, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append(args, "-json"), &out)
	var rep Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep), out.String())
	return rep, err
}

func TestLoadTheSample(t *testing.T) {
	srv := sampleServer(t)
	// -duration and -timeout are the longest allowed: the test counts
	// requests and errors, and under the race detector on a busy machine
	// 300 suggestions have taken minutes, and one of them over 10 s.
	rep, err := report(t, "-url", srv.URL, "-n", "300", "-c", "4", "-duration", "10m", "-timeout", "10m")
	require.NoError(t, err, "%v", rep.FirstErrors)
	assert.Equal(t, 300, rep.Requests)
	assert.Equal(t, map[string]int{"200": 300}, rep.ByStatus)
	assert.Zero(t, rep.Errors)
	assert.Positive(t, rep.PerSecond)
	assert.LessOrEqual(t, rep.P50Ms, rep.P99Ms)
	assert.LessOrEqual(t, rep.P99Ms, rep.MaxMs)
	assert.True(t, rep.AliveAfter)

	// Every malformed request is refused with a 4xx, none breaks the server.
	base, err := url.Parse(srv.URL)
	require.NoError(t, err)
	n := len(hostile.Requests(base))
	rep, err = report(t, "-url", srv.URL, "-mode", "malformed", "-n", "2000", "-c", "4", "-duration", "10m", "-timeout", "10m")
	require.NoError(t, err, "%v", rep.FirstErrors)
	assert.Greater(t, 2000, n, "the run covers every malformed request at least once")
	assert.Equal(t, 2000, rep.Requests)
	assert.Zero(t, rep.Errors)
	for status := range rep.ByStatus {
		assert.Regexp(t, `^4\d\d$`, status)
	}
	assert.True(t, rep.AliveAfter)
}

func TestLoadCountsFailures(t *testing.T) {
	broken := answering(t, http.StatusInternalServerError)
	rep, err := report(t, "-url", broken.URL, "-mode", "malformed", "-n", "50", "-c", "2")
	require.Error(t, err)
	assert.Equal(t, 50, rep.Errors)
	assert.NotEmpty(t, rep.FirstErrors)
}

func TestLoadRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-url", "http://192.0.2.1:8080"},
		{"-url", "http://example.org"},
		{"-url", "ftp://127.0.0.1"},
		{"-n", "0"},
		{"-n", "10000001"},
		{"-duration", "11m"},
		{"-timeout", "0s"},
		{"-c", "0"},
		{"-mode", "ddos"},
		{"-rate", "-1"},
		{"-rate", "abc"},
		{"extra"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, &out)
		var ue usageError
		assert.ErrorAs(t, err, &ue, "%v", args)
		assert.Empty(t, out.String(), "%v", args)
	}
}

// TestLoadCountsTheRateLimit fails a malformed run that the rate limit
// answered: a 429 comes before any handler, so the hostile request proves
// nothing; the text report says so.
func TestLoadCountsTheRateLimit(t *testing.T) {
	limited := answering(t, http.StatusTooManyRequests)
	rep, err := report(t, "-url", limited.URL, "-mode", "malformed", "-n", "20", "-c", "2", "-rate", "1000")
	require.Error(t, err)
	assert.Equal(t, 20, rep.Errors)
	assert.Contains(t, rep.FirstErrors[0], "refused by the rate limit")
	var out bytes.Buffer
	require.Error(t, run(context.Background(), []string{"-url", limited.URL, "-mode", "malformed", "-n", "5"}, &out))
	assert.Contains(t, out.String(), "the server's rate limit refused 5 of 5 requests (429)")
}

func TestLoadHelp(t *testing.T) {
	err := run(context.Background(), []string{"-h"}, io.Discard)
	var help helpError
	require.ErrorAs(t, err, &help)
	assert.Contains(t, help.usage, "-rate float")
	assert.Contains(t, help.usage, "-mode string")
}

// answering starts a server that answers /healthz with 200 and everything
// else with code.
func answering(t *testing.T, code int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			return
		}
		http.Error(w, http.StatusText(code), code)
	}))
	t.Cleanup(srv.Close)
	return srv
}
