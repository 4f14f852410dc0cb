package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/twinning/twinning/graph"
)

// Metrics are the Prometheus metrics of a Server, served at /metrics:
//
//	twinning_http_requests_total{route,method,status}
//	twinning_http_request_duration_seconds{route,method}   (histogram)
//	twinning_http_requests_in_flight
//	twinning_store_call_duration_seconds{op,outcome}       (histogram)
//	twinning_suggestion_duration_seconds                   (histogram)
//	twinning_suggestion_cache_total{result}                (hit or miss)
//	twinning_rate_limited_total{by}
//
// plus the Go runtime's and the process's own. route is the route pattern
// (/v1/municipalities/{id}), never the raw path, so that the number of
// series stays bounded whatever clients ask for.
type Metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	duration        *prometheus.HistogramVec
	inFlight        prometheus.Gauge
	storeCalls      *prometheus.HistogramVec
	suggestions     prometheus.Histogram
	suggestionCache *prometheus.CounterVec
	limited         *prometheus.CounterVec
}

// latencyBuckets span 100 µs to 10 s.
var latencyBuckets = prometheus.ExponentialBuckets(0.0001, 2.5, 12)

// NewMetrics returns a fresh set of metrics in a registry of its own.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "twinning_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "twinning_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: latencyBuckets,
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "twinning_http_requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
		storeCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "twinning_store_call_duration_seconds",
			Help:    "Time of the graph store's calls made by the API, by operation and outcome (ok or the error code).",
			Buckets: latencyBuckets,
		}, []string{"op", "outcome"}),
		suggestions: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "twinning_suggestion_duration_seconds",
			Help:    "Time the scoring engine takes to rank the candidates of one suggestion request.",
			Buckets: latencyBuckets,
		}),
		suggestionCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "twinning_suggestion_cache_total",
			Help: "Suggestion requests answered from the cache of answers (hit) or ranked and then kept (miss).",
		}, []string{"result"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "twinning_rate_limited_total",
			Help: "Requests refused with 429, by what was limited (key or address).",
		}, []string{"by"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.storeCalls, m.suggestions, m.suggestionCache, m.limited,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the metrics are in, so that a program can
// add its own (import counters, say).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// handler serves the metrics in the Prometheus text format.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// middleware counts and times every request by its route pattern.
func (m *Metrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		defer m.inFlight.Dec()
		rec := record(w)
		next.ServeHTTP(rec, r)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}

// observeStore records one store call.
func (m *Metrics) observeStore(op string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = graph.ErrorCode(err)
	}
	m.storeCalls.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
}

// timedStore is a graph.Store that times every call into Metrics.
type timedStore struct {
	graph.Store
	m *Metrics
}

// timedPathStore is a timedStore over a store that also finds paths, so
// that wrapping does not hide graph.PathFinder.
type timedPathStore struct {
	timedStore
	pf graph.PathFinder
}

// timeStore wraps s so that its calls are timed into m.
func timeStore(s graph.Store, m *Metrics) graph.Store {
	ts := timedStore{Store: s, m: m}
	if pf, ok := s.(graph.PathFinder); ok {
		return &timedPathStore{timedStore: ts, pf: pf}
	}
	return &ts
}

func (s *timedStore) Municipality(ctx context.Context, id string) (graph.Municipality, error) {
	start := time.Now()
	m, err := s.Store.Municipality(ctx, id)
	s.m.observeStore("municipality", start, err)
	return m, err
}

func (s *timedStore) MunicipalityByCode(ctx context.Context, code, value string) (graph.Municipality, error) {
	start := time.Now()
	m, err := s.Store.MunicipalityByCode(ctx, code, value)
	s.m.observeStore("municipality_by_code", start, err)
	return m, err
}

func (s *timedStore) Search(ctx context.Context, q graph.Query) (graph.Page, error) {
	start := time.Now()
	p, err := s.Store.Search(ctx, q)
	s.m.observeStore("search", start, err)
	return p, err
}

func (s *timedStore) Partners(ctx context.Context, id string) ([]graph.Partner, error) {
	start := time.Now()
	ps, err := s.Store.Partners(ctx, id)
	s.m.observeStore("partners", start, err)
	return ps, err
}

func (s *timedStore) UpsertMunicipalities(ctx context.Context, ms []graph.Municipality) (graph.UpsertResult, error) {
	start := time.Now()
	res, err := s.Store.UpsertMunicipalities(ctx, ms)
	s.m.observeStore("upsert_municipalities", start, err)
	return res, err
}

func (s *timedStore) UpsertPartnerships(ctx context.Context, ps []graph.Partnership) (graph.UpsertResult, error) {
	start := time.Now()
	res, err := s.Store.UpsertPartnerships(ctx, ps)
	s.m.observeStore("upsert_partnerships", start, err)
	return res, err
}

func (s *timedStore) DeleteMunicipality(ctx context.Context, id string) error {
	start := time.Now()
	err := s.Store.DeleteMunicipality(ctx, id)
	s.m.observeStore("delete_municipality", start, err)
	return err
}

func (s *timedStore) DeletePartnership(ctx context.Context, a, b string) error {
	start := time.Now()
	err := s.Store.DeletePartnership(ctx, a, b)
	s.m.observeStore("delete_partnership", start, err)
	return err
}

func (s *timedStore) Counts(ctx context.Context) (graph.Counts, error) {
	start := time.Now()
	c, err := s.Store.Counts(ctx)
	s.m.observeStore("counts", start, err)
	return c, err
}

func (s *timedStore) Ping(ctx context.Context) error {
	start := time.Now()
	err := s.Store.Ping(ctx)
	s.m.observeStore("ping", start, err)
	return err
}

// ShortestPaths times the wrapped store's ShortestPaths.
func (s *timedPathStore) ShortestPaths(ctx context.Context, from, to string, maxHops, limit int) (int, []graph.Path, error) {
	start := time.Now()
	n, ps, err := s.pf.ShortestPaths(ctx, from, to, maxHops, limit)
	s.m.observeStore("shortest_paths", start, err)
	return n, ps, err
}
