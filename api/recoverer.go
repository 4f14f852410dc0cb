package api

import (
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/twinning/twinning/graph"
)

// recoverer turns a panic in a handler into a logged stack trace and a 500
// problem, so that one bad request cannot take the process down. It lets
// http.ErrAbortHandler through, which net/http uses to abort a response on
// purpose.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := record(w)
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.ErrorContext(r.Context(), "panic in handler",
				"request_id", requestIDFrom(r.Context()),
				"method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec.written() {
				return // the answer has begun; the client sees it cut short
			}
			s.writeProblem(rec, problemFor(r, http.StatusInternalServerError, graph.EINTERNAL, "Internal error",
				"internal error; quote request id "+requestIDFrom(r.Context())+" when reporting it"))
		}()
		next.ServeHTTP(rec, r)
	})
}
