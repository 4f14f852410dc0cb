package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/keys"
)

// keyContext is the context key under which authenticate stores the
// caller's key.
type keyContext struct{}

// keyFrom returns the key the request was made with, if any.
func keyFrom(ctx context.Context) (keys.Key, bool) {
	k, ok := ctx.Value(keyContext{}).(keys.Key)
	return k, ok
}

// authenticate checks the Authorization header: absent, the request goes
// on as anonymous (unless reads need a key); present, it must be
// "Bearer <key>" with a valid key, else 401. A wrong key is refused even
// where none is needed, so that a client learns its key is bad before it
// tries to write.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		if header == "" {
			if s.readsNeedKey {
				s.writeError(w, r, graph.Errorf(graph.EUNAUTHENTICATED,
					"this server needs a key for every request: send Authorization: Bearer twk_…"))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(header, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			s.writeError(w, r, graph.Errorf(graph.EUNAUTHENTICATED, "the Authorization header must be Bearer followed by the key"))
			return
		}
		if s.keys == nil {
			s.writeError(w, r, graph.Errorf(graph.EUNAUTHENTICATED, "this server has no keys configured (serve -keys)"))
			return
		}
		k, err := s.keys.Authenticate(strings.TrimSpace(token))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyContext{}, k)))
	})
}

// require lets through only requests made with a key of at least role:
// 401 without a key, 403 with a key of a lesser role.
func (s *Server) require(role keys.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k, ok := keyFrom(r.Context())
			if !ok {
				s.writeError(w, r, graph.Errorf(graph.EUNAUTHENTICATED,
					"this needs a key with the %s role: send Authorization: Bearer twk_…", role))
				return
			}
			if !k.Role.Allows(role) {
				s.writeError(w, r, graph.Errorf(graph.EFORBIDDEN,
					"key %s has the %s role; this needs %s", k.ID, k.Role, role))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// checkScope returns EFORBIDDEN when the request's key is scoped to a
// municipality that is not among ids: a city-hall key changes only what
// concerns its own municipality.
func checkScope(ctx context.Context, ids ...string) error {
	k, ok := keyFrom(ctx)
	if !ok || k.Scope == "" || slices.Contains(ids, k.Scope) {
		return nil
	}
	return graph.Errorf(graph.EFORBIDDEN, "key %s acts for %s only; this concerns %s", k.ID, k.Scope, strings.Join(ids, " and "))
}
