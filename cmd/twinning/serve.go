package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twinning/twinning/api"
	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/keys"
	"github.com/twinning/twinning/internal/score"
	"github.com/twinning/twinning/web"
)

// Timeouts of the HTTP server. Requests are small GETs, so the read
// timeouts are short; writing a page of 500 municipalities takes well under
// the write timeout.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
)

// maxSuggestionCacheMB bounds -suggestion-cache-mb.
const maxSuggestionCacheMB = 16 << 10

// runServe serves the API until ctx is cancelled (SIGINT or SIGTERM), then
// shuts down gracefully within -shutdown-timeout and closes the store. It
// logs JSON to stderr, including a "serving" line with the bound address.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	return cfg.run(ctx, slog.New(slog.NewJSONHandler(stderr, nil)))
}

// serveConfig is what the flags of "twinning serve" say, checked.
type serveConfig struct {
	sc                          storeConfig
	model                       score.Model
	addr                        string
	shutdownTimeout, watchEvery time.Duration
	limits                      api.Limits
	origins                     []string
	ring                        *keys.Ring
	readsNeedKey, ui            bool
	cacheBytes                  int64
	importDir                   string
	importMaxBytes              int64
}

// parseServe reads and checks the flags of "twinning serve" (and their
// environment variables) and opens the key file.
func parseServe(args []string, stderr io.Writer) (*serveConfig, error) {
	fs := newFlagSet("serve", "[flags]", stderr)
	cfg := &serveConfig{sc: storeConfig{creates: true}}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address, host:port; port 0 picks a free one (env TWINNING_ADDR)")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to wait for requests in flight on shutdown (env TWINNING_SHUTDOWN_TIMEOUT)")
	ratePerSecond := fs.Float64("rate", 50, "requests per second allowed to each client address on /v1 (token bucket; 0 turns the limit off) (env TWINNING_RATE)")
	burst := fs.Int("burst", api.DefaultBurst, "requests a client address may make at once before -rate applies (env TWINNING_BURST)")
	requestTimeout := fs.Duration("request-timeout", api.DefaultRequestTimeout, "longest a request may take; slower ones get 503 (env TWINNING_REQUEST_TIMEOUT)")
	corsOrigins := fs.String("cors-origins", "", "comma-separated origins whose web pages may call the API (\"*\" for any; default none) (env TWINNING_CORS_ORIGINS)")
	trustedProxies := fs.String("trusted-proxies", "", "comma-separated networks (CIDR, or addresses) of the reverse proxies in front of the server: a request from one is rate-limited as the client X-Forwarded-For names; default none, the header is not read (env TWINNING_TRUSTED_PROXIES)")
	keysFile := fs.String("keys", "", "the key file (twinning keys create); without it no key is valid, so writes and /debug/pprof answer 401 (env TWINNING_KEYS)")
	fs.BoolVar(&cfg.readsNeedKey, "reads-need-key", false, "make every /v1 request need a key, not only writes; needs -keys (env TWINNING_READS_NEED_KEY)")
	fs.BoolVar(&cfg.ui, "ui", true, "serve the web page at / (env TWINNING_UI)")
	fs.DurationVar(&cfg.watchEvery, "watch", time.Second, "how often to read the store's version, to reload the engine and the graph snapshot after another process's write (a second serve process on the same Neo4j, an import); 0 turns it off (env TWINNING_WATCH)")
	cacheMB := fs.Int("suggestion-cache-mb", api.DefaultSuggestionCacheBytes>>20, "MiB of suggestion answers kept for repeated requests until the next reload (0 turns the cache off) (env TWINNING_SUGGESTION_CACHE_MB)")
	fs.StringVar(&cfg.importDir, "import-dir", "", "where files sent to POST /v1/admin/imports wait for their import (default: the system's temporary folder) (env TWINNING_IMPORT_DIR)")
	importMaxMB := fs.Int64("import-max-mb", api.DefaultImportMaxBytes>>20, "the largest file, in MiB, that an admin key may send to be imported (env TWINNING_IMPORT_MAX_MB)")
	modelName := registerModel(fs)
	cfg.sc.register(fs)
	envs := map[string]string{"model": "TWINNING_MODEL"}
	for _, name := range []string{"addr", "shutdown-timeout", "rate", "burst", "request-timeout", "cors-origins", "trusted-proxies",
		"keys", "reads-need-key", "suggestion-cache-mb", "ui", "watch", "import-dir", "import-max-mb"} {
		envs[name] = "TWINNING_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	}
	rest, err := parseFlags(fs, args, cfg.sc.envs(envs))
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, usageError{fmt.Sprintf("serve takes no arguments, got %q", rest)}
	}
	if err := cfg.sc.validate(); err != nil {
		return nil, err
	}
	if cfg.model, err = loadModel(*modelName); err != nil {
		return nil, err
	}
	if cfg.limits, cfg.origins, err = serveLimits(*ratePerSecond, *burst, *requestTimeout, *corsOrigins, *trustedProxies); err != nil {
		return nil, err
	}
	switch {
	case cfg.shutdownTimeout <= 0:
		return nil, usageError{fmt.Sprintf("-shutdown-timeout: must be positive, got %v", cfg.shutdownTimeout)}
	case cfg.readsNeedKey && *keysFile == "":
		return nil, usageError{"-reads-need-key needs -keys: with no key file, no request could be made"}
	case *importMaxMB < 1:
		return nil, usageError{fmt.Sprintf("-import-max-mb: must be 1 or more, got %d", *importMaxMB)}
	case cfg.watchEvery < 0:
		return nil, usageError{fmt.Sprintf("-watch: must be 0 (off) or more, got %v", cfg.watchEvery)}
	case *cacheMB < 0 || *cacheMB > maxSuggestionCacheMB:
		return nil, usageError{fmt.Sprintf("-suggestion-cache-mb: must be between 0 and %d, got %d", maxSuggestionCacheMB, *cacheMB)}
	}
	cfg.importMaxBytes = *importMaxMB << 20
	cfg.cacheBytes = int64(*cacheMB) << 20
	if cfg.cacheBytes == 0 {
		cfg.cacheBytes = -1 // api.Config: negative turns the cache off
	}
	if *keysFile != "" {
		if cfg.ring, err = keys.Open(*keysFile); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// run listens, opens the store, serves until ctx ends, then shuts down:
// requests in flight finish, the loads and the watch end, an import under
// way stops, and the store closes, in that order.
func (cfg *serveConfig) run(ctx context.Context, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	defer ln.Close() // a no-op once the server has closed it
	store, loaded, err := cfg.sc.open(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("close store", "store", cfg.sc.describe(), "error", err.Error())
		}
	}()
	logger.Info("store open", "store", cfg.sc.describe(), "sample_loaded", loaded)

	ix := newIndexes(score.NewEngine(cfg.model), &analytics.Snapshot{}, store, logger)
	changed := make(chan struct{}, 1)
	handler, err := api.New(api.Config{Store: store, Engine: ix.engine, Graph: ix.snapshot, Logger: logger,
		UI: uiHandler(cfg.ui), Limits: cfg.limits, CORSOrigins: cfg.origins, Keys: cfg.ring, ReadsNeedKey: cfg.readsNeedKey,
		SuggestionCacheBytes: cfg.cacheBytes,
		AfterWrite: func() {
			select {
			case changed <- struct{}{}:
			default: // a reload is already due; it will see this change too
			}
		},
		Import: serverImport(store), ImportDir: cfg.importDir, ImportMaxBytes: cfg.importMaxBytes})
	if err != nil {
		return err
	}
	defer handler.Close() // an import under way stops before the store closes

	loadCtx, stopLoad := context.WithCancel(ctx)
	loadErr := make(chan error, 1)
	var loaders sync.WaitGroup
	// The loads and the watch end before the store closes (deferred above,
	// so run after this).
	defer func() {
		stopLoad()
		loaders.Wait()
	}()
	loaders.Go(func() { loadErr <- ix.loadRetrying(loadCtx) })
	loaders.Go(func() { ix.reloadOnChange(loadCtx, changed) })
	if cfg.watchEvery > 0 {
		loaders.Go(func() { ix.watch(loadCtx, cfg.watchEvery, changed) })
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return cfg.serve(ctx, srv, ln, loadErr, stopLoad, logger)
}

// serve serves on ln until ctx ends, the server fails or the first load
// fails, then shuts the server down within the shutdown timeout.
func (cfg *serveConfig) serve(ctx context.Context, srv *http.Server, ln net.Listener, loadErr chan error, stopLoad func(), logger *slog.Logger) error {
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("serving", "addr", ln.Addr().String(), "model_version", cfg.model.Version)

	var failure error
	loading := loadErr // nil once the load has reported
wait:
	for failure == nil {
		select {
		case <-ctx.Done():
			logger.Info("shutting down", "cause", context.Cause(ctx).Error())
			break wait
		case err := <-serveErr:
			failure = fmt.Errorf("serve on %s: %w", ln.Addr(), err)
		case err := <-loading:
			loading = nil
			failure = err
		}
	}

	stopLoad()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Error("graceful shutdown cut short", "error", err.Error())
		_ = srv.Close()
	}
	if loading != nil {
		if err := <-loading; err != nil && failure == nil && !errors.Is(err, context.Canceled) {
			failure = err
		}
	}
	if failure != nil {
		logger.Error("server stopped", "error", failure.Error())
		return failure
	}
	logger.Info("server stopped")
	return nil
}

// indexes are what serve keeps of the store in memory, the scoring engine
// and the graph snapshot, with the store's version they were loaded at.
type indexes struct {
	engine   *score.Engine
	snapshot *analytics.Snapshot
	store    graph.Store
	logger   *slog.Logger
	// mu lets one load run at a time, so that loads finish in the order
	// they began and loaded only grows.
	mu sync.Mutex
	// loaded is the store's version (graph.Store.Version) read just before
	// the last load that succeeded began, loading that of the load under
	// way (-1: none): a write after the read moves the version past it.
	loaded, loading atomic.Int64
	// failed says that the last load failed: watch asks again.
	failed atomic.Bool
	// municipalities are those the last load read (under mu), at the
	// store's MunicipalitiesVersion munLoaded: a load while it has not
	// moved reads the partnerships alone.
	municipalities []graph.Municipality
	munLoaded      int64
}

// newIndexes returns the indexes of store, not loaded yet.
func newIndexes(engine *score.Engine, snapshot *analytics.Snapshot, store graph.Store, logger *slog.Logger) *indexes {
	x := &indexes{engine: engine, snapshot: snapshot, store: store, logger: logger}
	x.loaded.Store(-1)
	x.loading.Store(-1)
	return x
}

// load reads the store once (graph.ReadDump) and builds the scoring
// engine's index, then the analytics snapshot, from what it read; each
// replaces its old index only once its new one is complete, so that
// requests are served from the old ones meanwhile.
func (x *indexes) load(ctx context.Context) (err error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	defer func() {
		x.failed.Store(err != nil)
		x.loading.Store(-1)
		if err != nil {
			x.municipalities = nil // the next load reads everything
		}
	}()
	v, err := x.store.Version(ctx)
	if err != nil {
		return err
	}
	x.loading.Store(v)
	mv, err := x.store.MunicipalitiesVersion(ctx)
	if err != nil {
		return err
	}
	// One read of the store for both indexes.
	d, err := x.read(ctx, mv)
	if err != nil {
		return err
	}
	if err := x.engine.LoadDump(d); err != nil {
		return err
	}
	if err := x.snapshot.LoadDump(d); err != nil {
		return err
	}
	x.loaded.Store(v)
	x.municipalities, x.munLoaded = d.Municipalities, mv
	return nil
}

// read reads the store for a load at the municipalities' version mv:
// everything, or, when no municipality was written since the last load,
// its partnerships beside the municipalities that load read (on all the
// open data in Neo4j, 0.3 s in place of 3.9 s). A municipality written
// between the version's read and the scan can leave a partnership naming
// one the load does not hold: the load fails, and the next reads all
// (any failed load forgets the municipalities it kept).
func (x *indexes) read(ctx context.Context, mv int64) (graph.Dump, error) {
	if x.municipalities == nil || mv != x.munLoaded {
		return graph.ReadDump(ctx, x.store)
	}
	// The snapshot takes over its dump (analytics.New): it gets a copy.
	d := graph.Dump{Municipalities: slices.Clone(x.municipalities)}
	err := x.store.ScanPartnerships(ctx, func(p graph.Partnership) error {
		d.Partnerships = append(d.Partnerships, p)
		return nil
	})
	return d, err
}

// loadRetrying loads the indexes, retrying with backoff while the store is
// unavailable, so that the API can come up (and /readyz say it is not
// ready) before a database does. It returns nil once both are loaded,
// ctx's error when cancelled, and any other error at once.
func (x *indexes) loadRetrying(ctx context.Context) error {
	wait := 500 * time.Millisecond
	for {
		start := time.Now()
		err := x.load(ctx)
		if err == nil {
			x.logger.Info("engine and graph snapshot loaded", "model_version", x.engine.ModelVersion(), "took", time.Since(start).String())
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if graph.ErrorCode(err) != graph.EUNAVAILABLE {
			return fmt.Errorf("load the scoring engine: %w", err)
		}
		x.logger.Warn("store unavailable; retrying engine load", "error", err.Error(), "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// reloadOnChange reloads the indexes whenever changed says the store
// changed (a write through this API, or watch), so that suggestions and
// analytics see the change; changes that arrive during a reload are seen
// by the next one. It returns when ctx ends. A failed reload is logged and
// the old indexes kept: the next change tries again.
func (x *indexes) reloadOnChange(ctx context.Context, changed <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		start := time.Now()
		if err := x.load(ctx); err != nil {
			if ctx.Err() == nil {
				x.logger.Error("reload after a change failed; suggestions and analytics lag behind the store until the next change", "error", err.Error())
			}
			continue
		}
		x.logger.Info("engine and graph snapshot reloaded after a change", "took", time.Since(start).String(), "version", x.loaded.Load())
	}
}

// watch reads the store's version every interval and asks for a reload
// (changed) when it differs from the version the indexes were loaded at:
// a write by another process (a second serve process on the same Neo4j, an
// import) reaches this one's suggestions and analytics within about an
// interval plus a reload. It returns when ctx ends; a failed read is
// logged once until reads work again.
func (x *indexes) watch(ctx context.Context, every time.Duration, changed chan<- struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	var asked int64 = -1
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := x.store.Version(ctx)
		if err != nil {
			if !failing && ctx.Err() == nil {
				x.logger.Warn("cannot read the store's version; another process's writes wait for the next read", "error", err.Error())
			}
			failing = true
			continue
		}
		failing = false
		if x.failed.Load() {
			asked = -1 // the load asked for failed: ask again
		}
		if v == x.loaded.Load() || v == x.loading.Load() || v == asked {
			continue
		}
		asked = v
		select {
		case changed <- struct{}{}:
		default: // a reload is already due
		}
	}
}

// serveLimits checks the limit flags of serve and returns them as
// api.Limits and a list of CORS origins.
func serveLimits(ratePerSecond float64, burst int, requestTimeout time.Duration, corsOrigins, trustedProxies string) (api.Limits, []string, error) {
	switch {
	case ratePerSecond < 0 || math.IsNaN(ratePerSecond) || math.IsInf(ratePerSecond, 0):
		return api.Limits{}, nil, usageError{fmt.Sprintf("-rate: must be 0 (off) or a positive number of requests per second, got %v", ratePerSecond)}
	case burst < 1:
		return api.Limits{}, nil, usageError{fmt.Sprintf("-burst: must be 1 or more, got %d", burst)}
	case requestTimeout <= 0:
		return api.Limits{}, nil, usageError{fmt.Sprintf("-request-timeout: must be positive, got %v", requestTimeout)}
	}
	var origins []string
	for _, o := range strings.Split(corsOrigins, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
				return api.Limits{}, nil, usageError{fmt.Sprintf("-cors-origins: %q is not an origin such as https://example.org", o)}
			}
		}
		origins = append(origins, strings.TrimSuffix(o, "/"))
	}
	var proxies []netip.Prefix
	for _, p := range strings.Split(trustedProxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			addr, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return api.Limits{}, nil, usageError{fmt.Sprintf("-trusted-proxies: %q is neither a network such as 10.0.0.0/8 nor an address", p)}
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		proxies = append(proxies, prefix.Masked())
	}
	return api.Limits{RatePerSecond: ratePerSecond, Burst: burst, RequestTimeout: requestTimeout, TrustedProxies: proxies}, origins, nil
}

// uiHandler returns the web page's handler, or nil when -ui=false.
func uiHandler(on bool) http.Handler {
	if !on {
		return nil
	}
	return web.Handler()
}
