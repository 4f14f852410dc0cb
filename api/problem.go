package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/twinning/twinning/graph"
)

// problemTypeBase prefixes the type URI of every problem; the suffix is the
// graph error code ("invalid", "not_found", ...).
const problemTypeBase = "https://twinning.dev/problems/"

// retryAfterSeconds is what a 503 answer asks the client to wait.
const retryAfterSeconds = 5

// Problem is an RFC 9457 problem details object.
type Problem struct {
	// Type is a URI naming the kind of problem.
	Type string `json:"type"`
	// Title is a short summary of the kind of problem.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence in words a user can act on.
	Detail string `json:"detail"`
	// Instance is the path of the request that failed.
	Instance string `json:"instance,omitempty"`
	// Param names the query or path parameter at fault, when there is one.
	Param string `json:"param,omitempty"`
	// InvalidParams lists the parameters at fault with the reason, in the
	// style of RFC 9457's example extension.
	InvalidParams []InvalidParam `json:"invalid_params,omitempty"`
	// RequestID is the X-Request-Id of the request, to find it in the logs.
	RequestID string `json:"request_id,omitempty"`
}

// InvalidParam is one parameter at fault in a Problem.
type InvalidParam struct {
	// Name is the parameter's name.
	Name string `json:"name"`
	// Reason says what is wrong with its value.
	Reason string `json:"reason"`
}

// statusOf maps a graph error code to its HTTP status and problem title.
// Unknown codes are internal errors.
func statusOf(code string) (int, string) {
	switch code {
	case graph.EINVALID:
		return http.StatusBadRequest, "Invalid parameter"
	case graph.ENOTFOUND:
		return http.StatusNotFound, "Not found"
	case graph.ECONFLICT:
		return http.StatusConflict, "Conflict"
	case graph.EUNAVAILABLE:
		return http.StatusServiceUnavailable, "Service unavailable"
	case graph.EUNAUTHENTICATED:
		return http.StatusUnauthorized, "Unauthorized"
	case graph.EFORBIDDEN:
		return http.StatusForbidden, "Forbidden"
	case graph.EPRECONDITION:
		return http.StatusPreconditionFailed, "Precondition failed"
	case graph.EPRECONDITIONREQUIRED:
		return http.StatusPreconditionRequired, "Precondition required"
	default:
		return http.StatusInternalServerError, "Internal error"
	}
}

// writeError answers with the problem that err stands for. It is the one
// place where graph error codes become HTTP status codes: EINVALID 400,
// EUNAUTHENTICATED 401 (with WWW-Authenticate), EFORBIDDEN 403, ENOTFOUND
// 404, ECONFLICT 409, EPRECONDITION 412, EPRECONDITIONREQUIRED 428,
// EUNAVAILABLE 503 (with Retry-After), and anything else 500. Internal causes are logged, never shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := graph.ErrorCode(err)
	if code == graph.EINTERNAL && errors.Is(err, context.DeadlineExceeded) && r.Context().Err() != nil {
		// The request's own time (Limits.RequestTimeout) ran out.
		err = graph.Wrap(graph.EUNAVAILABLE, err, "the request took longer than the server allows; try again shortly")
		code = graph.EUNAVAILABLE
	}
	status, title := statusOf(code)
	if status == http.StatusInternalServerError {
		code = graph.EINTERNAL // also for a code this layer does not know
	}
	p := Problem{
		Type:      problemTypeBase + code,
		Title:     title,
		Status:    status,
		Detail:    graph.ErrorMessage(err),
		Instance:  r.URL.Path,
		RequestID: requestIDFrom(r.Context()),
	}
	if field := graph.ErrorField(err); field != "" && status == http.StatusBadRequest {
		p.Param = field
		p.Detail = field + ": " + p.Detail
		p.InvalidParams = []InvalidParam{{Name: field, Reason: graph.ErrorMessage(err)}}
	}
	switch {
	case status >= 500 && status != http.StatusServiceUnavailable:
		p.Detail = "internal error; quote request id " + p.RequestID + " when reporting it"
		s.logger.ErrorContext(r.Context(), "request failed", "request_id", p.RequestID,
			"method", r.Method, "path", r.URL.Path, "error", err.Error())
	case status == http.StatusServiceUnavailable:
		s.logger.WarnContext(r.Context(), "dependency unavailable", "request_id", p.RequestID,
			"method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	s.writeProblem(w, p)
}

// writeProblem writes p with its status, adding Retry-After to a 503 and
// the Bearer challenge of RFC 6750 to a 401.
func (s *Server) writeProblem(w http.ResponseWriter, p Problem) {
	switch p.Status {
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="twinning"`)
	}
	writeBody(w, "application/problem+json; charset=utf-8", p.Status, p, s.logger)
}

// problemFor builds a problem for a condition found by the HTTP layer
// itself (unknown route, wrong method), not by the graph.
func problemFor(r *http.Request, status int, kind, title, detail string) Problem {
	return Problem{
		Type:      problemTypeBase + kind,
		Title:     title,
		Status:    status,
		Detail:    detail,
		Instance:  r.URL.Path,
		RequestID: requestIDFrom(r.Context()),
	}
}
