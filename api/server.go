package api

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/keys"
	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/internal/workflow"
)

// Config is what a Server needs.
type Config struct {
	// Store is the graph served. Required.
	Store graph.Store
	// Engine ranks partner suggestions. Required; until it is loaded,
	// suggestions answer 503 and /readyz is red.
	Engine *score.Engine
	// Logger receives the access log and the details of internal errors.
	// Nil discards them.
	Logger *slog.Logger
	// Graph is the snapshot the /v1/graph routes and the neighbourhood and
	// export routes analyse. Nil gives an empty snapshot: those routes answer
	// 503 until the caller loads it (Snapshot.Load).
	Graph *analytics.Snapshot
	// PingTimeout bounds the store's Ping in /readyz; 0 means two seconds.
	PingTimeout time.Duration
	// Metrics receives the request, store and suggestion metrics served at
	// /metrics. Nil gives a fresh set.
	Metrics *Metrics
	// Limits bound requests and clients; the zero value gives the defaults.
	Limits Limits
	// CORSOrigins lists the origins whose web pages may call the API from
	// a browser ("*" for any); empty allows none (no CORS headers).
	CORSOrigins []string
	// Keys authenticates Authorization: Bearer keys. Nil means no key is
	// valid: writes and the profiling endpoints answer 401.
	Keys *keys.Ring
	// ReadsNeedKey makes every /v1 request need a key (any role); by
	// default reads are open and only writes need one.
	ReadsNeedKey bool
	// AfterWrite, when set, is called after every change the API makes to
	// the store, so that the caller can reload the engine and the graph
	// snapshot. It must not block.
	AfterWrite func()
	// SuggestionCacheBytes bounds the suggestion answers kept for requests
	// that ask again for the same municipality with the same options, until
	// the engine loads a new index. 0 means DefaultSuggestionCacheBytes; a
	// negative number turns the cache off.
	SuggestionCacheBytes int64
	// Import, when set, runs the imports that admin keys send to
	// POST /v1/admin/imports, one at a time, while the server serves;
	// AfterWrite is called after each. Nil answers those routes 503.
	Import ImportFunc
	// ImportDir is where the files sent are kept while their import waits
	// and runs ("" for the system's temporary folder).
	ImportDir string
	// ImportMaxBytes caps a file sent to be imported; 0 means
	// DefaultImportMaxBytes.
	ImportMaxBytes int64
	// NewImportID gives the ids of imports (nil: random ones, "imp_"
	// and 16 of a-z 2-7).
	NewImportID func() string
	// UI, when set, serves the web page: GET and HEAD of / and of
	// /assets/* (package web). Nil leaves / unserved (404).
	UI http.Handler
}

// Server is the HTTP API: an http.Handler serving the routes listed in
// routes.
type Server struct {
	store        graph.Store
	engine       *score.Engine
	graph        *analytics.Snapshot
	logger       *slog.Logger
	pingTimeout  time.Duration
	metrics      *Metrics
	limits       Limits
	limiter      *rateLimiter
	cors         []string
	keys         *keys.Ring
	readsNeedKey bool
	afterWrite   func()
	suggestCache *suggestionCache
	workflow     *workflow.Service
	ui           http.Handler
	imports      *imports
	router       chi.Router
}

// DefaultImportMaxBytes is the largest file an import may send by default
// (the GeoNames dump of all countries is 1.6 GB; cities1000 is 30 MB).
const DefaultImportMaxBytes = 2 << 30

// New returns a Server for cfg, or an error when a required field is
// missing.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("api: Config.Store is nil")
	}
	if cfg.Engine == nil {
		return nil, errors.New("api: Config.Engine is nil")
	}
	s := &Server{
		engine:      cfg.Engine,
		graph:       cfg.Graph,
		logger:      cfg.Logger,
		pingTimeout: cfg.PingTimeout,
		metrics:     cfg.Metrics,
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	s.store = timeStore(cfg.Store, s.metrics)
	s.limits = cfg.Limits.withDefaults()
	if s.limits.RatePerSecond > 0 {
		s.limiter = newRateLimiter(s.limits.RatePerSecond, s.limits.Burst)
	}
	s.cors = cfg.CORSOrigins
	s.keys, s.readsNeedKey, s.afterWrite = cfg.Keys, cfg.ReadsNeedKey, cfg.AfterWrite
	s.suggestCache = newSuggestionCache(cfg.SuggestionCacheBytes)
	s.ui = cfg.UI
	s.workflow = workflow.New(s.store, s.engine)
	if s.logger == nil {
		s.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.graph == nil {
		s.graph = &analytics.Snapshot{}
	}
	if s.pingTimeout <= 0 {
		s.pingTimeout = 2 * time.Second
	}
	if cfg.Import != nil {
		maxBytes := cfg.ImportMaxBytes
		if maxBytes <= 0 {
			maxBytes = DefaultImportMaxBytes
		}
		s.imports = newImports(cfg.Import, cfg.ImportDir, maxBytes, cfg.AfterWrite, cfg.NewImportID, s.logger)
	}
	s.router = s.routes()
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.router.ServeHTTP(w, r)
}

// CompressionLevel is the gzip level of the API's answers to a client that
// accepts gzip: a suggestion answer of 25 kB shrinks to about 4 kB.
const CompressionLevel = 5

// compressedTypes are the types of answer that the API compresses: JSON,
// problems, and the exports (CSV, GeoJSON, GraphML). A cached suggestion
// answer is compressed once, when it is cached.
var compressedTypes = []string{"application/json", "application/problem+json", "text/csv", "application/geo+json", "application/graphml+xml"}

// routes lists every route of the API.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(requestID, s.metrics.middleware, accessLog(s.logger), s.recoverer, s.limit)
	if len(s.cors) > 0 {
		r.Use(cors.Handler(cors.Options{
			AllowedOrigins: s.cors,
			AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
			AllowedHeaders: []string{"Authorization", "Content-Type", "If-Match", "If-None-Match", RequestIDHeader},
			ExposedHeaders: []string{RequestIDHeader, "Retry-After", "ETag", "Location"},
			MaxAge:         600,
		}))
	}
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Get("/openapi.json", s.openAPI)
	r.Get("/docs", s.docs)
	r.Method(http.MethodGet, "/metrics", s.metrics.handler())
	if s.ui != nil {
		// The page's files shrink to 30% with gzip (585 to 174 kB; its
		// basemap from 356 to 106 kB).
		ui := middleware.Compress(5, "text/html", "text/css", "text/javascript", "application/geo+json", "image/svg+xml")(s.ui)
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			r.Method(m, "/", ui)
			r.Method(m, "/assets/*", ui)
		}
	}
	r.Route("/v1", func(r chi.Router) {
		// Probes and metrics above are open and not rate limited; the API
		// knows the caller's key, if any, and limits each key (or, without
		// one, each client address).
		r.Use(middleware.Compress(CompressionLevel, compressedTypes...), s.authenticate, s.rateLimit)
		r.Get("/municipalities", s.searchMunicipalities)
		r.Get("/municipalities/{id}", s.municipality)
		r.Get("/municipalities/{id}/partners", s.partners)
		r.Get("/municipalities/{id}/suggestions", s.suggestions)
		s.GraphRoutes(s.graph, EngineSuggestFunc(s.engine))(r)
		r.With(s.require(keys.RoleEditor)).Put("/partnerships/{a}/{b}", s.putPartnership)
		r.With(s.require(keys.RoleEditor)).Delete("/partnerships/{a}/{b}", s.deletePartnership)
		s.workflowRoutes(r)
		r.With(s.require(keys.RoleAdmin)).Group(s.importRoutes)
	})
	// Profiling, for operators: an admin key, whatever ReadsNeedKey says.
	r.With(s.authenticate, s.require(keys.RoleAdmin)).Mount("/debug/pprof", s.pprofRoutes())
	return r
}

// notFound answers a path that no route serves.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeProblem(w, problemFor(r, http.StatusNotFound, graph.ENOTFOUND, "Not found",
		"no route serves "+r.URL.Path+"; see /v1/municipalities"))
}

// methodNotAllowed answers a route asked with the wrong method, listing the
// methods it does serve in Allow.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		if s.router.Match(chi.NewRouteContext(), m, r.URL.Path) {
			allowed = append(allowed, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	s.writeProblem(w, problemFor(r, http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed",
		r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+strings.Join(allowed, ", ")))
}
