package api

import (
	"net/http"
	"net/http/pprof"
	runtimepprof "runtime/pprof"

	"github.com/go-chi/chi/v5"

	"github.com/twinning/twinning/graph"
)

// pprofRoutes serves the runtime profiles of net/http/pprof under
// /debug/pprof: the index, the named profiles (heap, goroutine, allocs,
// block, mutex, threadcreate), a CPU profile, an execution trace, the
// command line and symbol lookup. The server mounts it for admin keys only.
func (s *Server) pprofRoutes() http.Handler {
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Content-Type-Options", "nosniff")
			next.ServeHTTP(w, r)
		})
	})
	r.Get("/", pprof.Index)
	r.Get("/cmdline", pprof.Cmdline)
	r.Get("/profile", pprof.Profile)
	r.Get("/symbol", pprof.Symbol)
	r.Get("/trace", pprof.Trace)
	r.Get("/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if runtimepprof.Lookup(name) == nil {
			s.writeError(w, r, graph.Errorf(graph.ENOTFOUND, "no profile is named %q; /debug/pprof/ lists them", name))
			return
		}
		pprof.Handler(name).ServeHTTP(w, r)
	})
	return r
}
