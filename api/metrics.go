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

// timedStore is a graph.Store that times every call into Metrics (the
// scans, Version and MunicipalitiesVersion, which only the loads and the
// watch make, and Close are not timed). Its methods are the store's, each
// timed under its name in snake case.
type timedStore struct {
	graph.Store
	m *Metrics
}

// timeStore wraps s so that its calls are timed into m.
func timeStore(s graph.Store, m *Metrics) graph.Store { return &timedStore{Store: s, m: m} }

// timed runs one store call, op, and records its duration and outcome.
func timed[T any](m *Metrics, op string, call func() (T, error)) (T, error) {
	start := time.Now()
	v, err := call()
	m.observeStore(op, start, err)
	return v, err
}

// timedErr is timed for a call that returns only an error.
func timedErr(m *Metrics, op string, call func() error) error {
	_, err := timed(m, op, func() (struct{}, error) { return struct{}{}, call() })
	return err
}

func (s *timedStore) Municipality(ctx context.Context, id string) (graph.Municipality, error) {
	return timed(s.m, "municipality", func() (graph.Municipality, error) { return s.Store.Municipality(ctx, id) })
}

func (s *timedStore) MunicipalityByCode(ctx context.Context, code, value string) (graph.Municipality, error) {
	return timed(s.m, "municipality_by_code", func() (graph.Municipality, error) { return s.Store.MunicipalityByCode(ctx, code, value) })
}

func (s *timedStore) Search(ctx context.Context, q graph.Query) (graph.Page, error) {
	return timed(s.m, "search", func() (graph.Page, error) { return s.Store.Search(ctx, q) })
}

func (s *timedStore) Partners(ctx context.Context, id string) ([]graph.Partner, error) {
	return timed(s.m, "partners", func() ([]graph.Partner, error) { return s.Store.Partners(ctx, id) })
}

func (s *timedStore) UpsertMunicipalities(ctx context.Context, ms []graph.Municipality) (graph.UpsertResult, error) {
	return timed(s.m, "upsert_municipalities", func() (graph.UpsertResult, error) { return s.Store.UpsertMunicipalities(ctx, ms) })
}

func (s *timedStore) UpsertPartnerships(ctx context.Context, ps []graph.Partnership) (graph.UpsertResult, error) {
	return timed(s.m, "upsert_partnerships", func() (graph.UpsertResult, error) { return s.Store.UpsertPartnerships(ctx, ps) })
}

func (s *timedStore) DeleteMunicipality(ctx context.Context, id string) error {
	return timedErr(s.m, "delete_municipality", func() error { return s.Store.DeleteMunicipality(ctx, id) })
}

func (s *timedStore) DeletePartnership(ctx context.Context, a, b string) error {
	return timedErr(s.m, "delete_partnership", func() error { return s.Store.DeletePartnership(ctx, a, b) })
}

func (s *timedStore) Counts(ctx context.Context) (graph.Counts, error) {
	return timed(s.m, "counts", func() (graph.Counts, error) { return s.Store.Counts(ctx) })
}

func (s *timedStore) Ping(ctx context.Context) error {
	return timedErr(s.m, "ping", func() error { return s.Store.Ping(ctx) })
}

// pathsAnswer is what ShortestPaths returns, as one value.
type pathsAnswer struct {
	count int
	paths []graph.Path
}

// ShortestPaths times the store's ShortestPaths.
func (s *timedStore) ShortestPaths(ctx context.Context, from, to string, maxHops, limit int) (int, []graph.Path, error) {
	a, err := timed(s.m, "shortest_paths", func() (pathsAnswer, error) {
		n, ps, err := s.Store.ShortestPaths(ctx, from, to, maxHops, limit)
		return pathsAnswer{n, ps}, err
	})
	return a.count, a.paths, err
}

func (s *timedStore) CreateRequest(ctx context.Context, r graph.Request, audit graph.AuditEntry) error {
	return timedErr(s.m, "create_request", func() error { return s.Store.CreateRequest(ctx, r, audit) })
}

func (s *timedStore) Request(ctx context.Context, id string) (graph.Request, error) {
	return timed(s.m, "request", func() (graph.Request, error) { return s.Store.Request(ctx, id) })
}

func (s *timedStore) Requests(ctx context.Context) ([]graph.Request, error) {
	return timed(s.m, "requests", func() ([]graph.Request, error) { return s.Store.Requests(ctx) })
}

func (s *timedStore) UpdateRequest(ctx context.Context, id string, change func(*graph.Request) (graph.AuditEntry, error)) (graph.Request, error) {
	return timed(s.m, "update_request", func() (graph.Request, error) { return s.Store.UpdateRequest(ctx, id, change) })
}

func (s *timedStore) Profile(ctx context.Context, municipality string) (graph.Profile, error) {
	return timed(s.m, "profile", func() (graph.Profile, error) { return s.Store.Profile(ctx, municipality) })
}

func (s *timedStore) Profiles(ctx context.Context) ([]graph.Profile, error) {
	return timed(s.m, "profiles", func() ([]graph.Profile, error) { return s.Store.Profiles(ctx) })
}

func (s *timedStore) PutProfile(ctx context.Context, municipality string, change func(*graph.Profile, bool) (graph.AuditEntry, error)) (graph.Profile, error) {
	return timed(s.m, "put_profile", func() (graph.Profile, error) { return s.Store.PutProfile(ctx, municipality, change) })
}

func (s *timedStore) Shortlist(ctx context.Context, request string) ([]graph.ShortlistEntry, error) {
	return timed(s.m, "shortlist", func() ([]graph.ShortlistEntry, error) { return s.Store.Shortlist(ctx, request) })
}

func (s *timedStore) Shortlists(ctx context.Context) ([]graph.ShortlistEntry, error) {
	return timed(s.m, "shortlists", func() ([]graph.ShortlistEntry, error) { return s.Store.Shortlists(ctx) })
}

func (s *timedStore) ChangeShortlist(ctx context.Context, request, candidate string,
	change func(graph.Request, *graph.ShortlistEntry, bool) (graph.ShortlistChange, error)) (graph.ShortlistEntry, error) {
	return timed(s.m, "change_shortlist", func() (graph.ShortlistEntry, error) {
		return s.Store.ChangeShortlist(ctx, request, candidate, change)
	})
}

func (s *timedStore) Audit(ctx context.Context, q graph.AuditQuery) ([]graph.AuditEntry, error) {
	return timed(s.m, "audit", func() ([]graph.AuditEntry, error) { return s.Store.Audit(ctx, q) })
}
