package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMetrics serves a few requests and reads /metrics back with the
// Prometheus text parser: requests by route pattern and status, store
// calls by operation and outcome, and suggestion latency.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	h := e.handler(t, nil)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodGet, "/v1/municipalities/ua-lviv").Code)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodGet, "/v1/municipalities/pl-krakow").Code)
	require.Equal(t, http.StatusNotFound, do(t, h, http.MethodGet, "/v1/municipalities/xx-nowhere").Code)
	require.Equal(t, http.StatusOK, do(t, h, http.MethodGet, "/v1/municipalities/ua-lviv/suggestions?limit=3").Code)
	require.Equal(t, http.StatusNotFound, do(t, h, http.MethodGet, "/no/such/route/ua-lviv").Code)

	rec := do(t, h, http.MethodGet, "/metrics")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Header().Get("Content-Type"), "text/plain")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	require.NoError(t, err, "the metrics must parse")

	value := func(name string, want map[string]string) float64 {
		t.Helper()
		return metricValue(t, families, name, want)
	}
	byID := map[string]string{"route": "/v1/municipalities/{id}", "method": "GET"}
	assert.Equal(t, 2.0, value("twinning_http_requests_total", with(byID, "status", "200")))
	assert.Equal(t, 1.0, value("twinning_http_requests_total", with(byID, "status", "404")))
	assert.Equal(t, 1.0, value("twinning_http_requests_total", map[string]string{"route": "unmatched", "status": "404"}))
	assert.Equal(t, 3.0, value("twinning_http_request_duration_seconds", byID))
	assert.Equal(t, 1.0, value("twinning_suggestion_duration_seconds", nil))
	assert.Equal(t, 2.0, value("twinning_store_call_duration_seconds", map[string]string{"op": "municipality", "outcome": "ok"}))
	assert.GreaterOrEqual(t, value("twinning_store_call_duration_seconds", map[string]string{"op": "municipality", "outcome": "not_found"}), 1.0)
	assert.Contains(t, families, "go_goroutines", "the Go runtime's metrics")

	// Labels hold route patterns, never raw paths, so clients cannot grow
	// the number of series.
	assert.NotContains(t, rec.Body.String(), "ua-lviv")
	assert.NotContains(t, rec.Body.String(), "xx-nowhere")
}

// scrape serves /metrics and parses it.
func scrape(t *testing.T, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	rec := do(t, h, http.MethodGet, "/metrics")
	require.Equal(t, http.StatusOK, rec.Code)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	require.NoError(t, err, "the metrics must parse")
	return families
}

// metricValue returns the counter value or histogram count of the series
// of family name whose labels include want, added up.
func metricValue(t *testing.T, families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
	f, ok := families[name]
	require.True(t, ok, "no metric family %s", name)
	total := 0.0
series:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue series
			}
		}
		switch {
		case m.GetCounter() != nil:
			total += m.GetCounter().GetValue()
		case m.GetHistogram() != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

// plain serves one request as it is, without the contract check of do,
// for the few requests that are outside the contract on purpose (a CORS
// preflight, a body where no operation takes one).
func plain(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// with returns a copy of labels with k set to v.
func with(labels map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range labels {
		out[key] = val
	}
	return out
}
