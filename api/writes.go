package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/twinning/twinning/graph"
)

// partnershipBody is the body of PUT /v1/partnerships/{a}/{b}: the
// partnership's attributes, its ends being in the path.
type partnershipBody struct {
	Kind   graph.PartnershipKind `json:"kind"`
	Status graph.Status          `json:"status"`
	Since  int                   `json:"since,omitempty"`
	Source string                `json:"source,omitempty"`
}

// partnershipResult is the answer to a write of a partnership.
type partnershipResult struct {
	Partnership graph.Partnership `json:"partnership"`
	// Created says whether the pair was new (201) or updated (200).
	Created bool `json:"created"`
}

// pairFromPath returns the two municipality ids of a partnership route.
func pairFromPath(r *http.Request) (a, b string, err error) {
	a, b = r.PathValue("a"), r.PathValue("b")
	if err := graph.CheckID("a", a); err != nil {
		return "", "", err
	}
	if err := graph.CheckID("b", b); err != nil {
		return "", "", err
	}
	switch {
	case a == b:
		return "", "", graph.FieldErrorf("b", "a municipality cannot partner with itself (%s)", a)
	}
	return a, b, nil
}

// decodeJSON decodes the request's JSON body into v: the media type must
// be application/json, the body one JSON object with only known members.
// Errors are EINVALID and name the member at fault ("body" when none).
func decodeJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return graph.FieldErrorf("body", "send the body as Content-Type: application/json")
	}
	body, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return graph.FieldErrorf("body", "the body is over %d bytes", tooLarge.Limit)
	case err != nil:
		return graph.Wrap(graph.EINVALID, err, "the body could not be read")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if dec.More() {
		return graph.FieldErrorf("body", "one JSON object is expected; more follows it")
	}
	return nil
}

// bodyError turns a JSON decoding error into an EINVALID error naming the
// member at fault.
func bodyError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return graph.FieldErrorf(typeErr.Field, "must be a JSON %s, got %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &typeErr):
		return graph.FieldErrorf("body", "must be a JSON object, got %s", typeErr.Value)
	case errors.As(err, &syntaxErr):
		return graph.FieldErrorf("body", "not valid JSON at byte %d: %v", syntaxErr.Offset, err)
	case errors.Is(err, io.EOF):
		return graph.FieldErrorf("body", "the body is empty; a JSON object is expected")
	}
	var name string
	if _, scanErr := fmt.Sscanf(err.Error(), "json: unknown field %q", &name); scanErr == nil {
		return graph.FieldErrorf(name, "unknown member")
	}
	return graph.FieldErrorf("body", "%v", err)
}

// jsonKind names a Go kind as the JSON type a client should send.
func jsonKind(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "float64":
		return "number"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return kind
}

// putPartnership answers PUT /v1/partnerships/{a}/{b}: it creates or
// replaces the partnership of the pair (201 when new, 200 when it
// replaced one). An editor key; a scoped key only for its municipality.
func (s *Server) putPartnership(w http.ResponseWriter, r *http.Request) {
	a, b, err := pairFromPath(r)
	if err == nil {
		err = newParams(r).err
	}
	if err == nil {
		err = checkScope(r.Context(), a, b)
	}
	var body partnershipBody
	if err == nil {
		err = decodeJSON(r, &body)
	}
	p := graph.Partnership{A: a, B: b, Kind: body.Kind, Status: body.Status, Since: body.Since, Source: body.Source}
	if err == nil {
		p.Normalize()
		err = p.Validate()
	}
	var res graph.UpsertResult
	if err == nil {
		res, err = s.store.UpsertPartnerships(r.Context(), []graph.Partnership{p})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.wrote(r, "put partnership", p.A, p.B)
	status := http.StatusOK
	if res.Created > 0 {
		status = http.StatusCreated
	}
	s.writeJSON(w, status, partnershipResult{Partnership: p, Created: res.Created > 0})
}

// deletePartnership answers DELETE /v1/partnerships/{a}/{b} with 204, or
// 404 when the pair has no partnership.
func (s *Server) deletePartnership(w http.ResponseWriter, r *http.Request) {
	a, b, err := pairFromPath(r)
	if err == nil {
		err = newParams(r).err
	}
	if err == nil {
		err = checkScope(r.Context(), a, b)
	}
	if err == nil {
		err = s.store.DeletePartnership(r.Context(), a, b)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.wrote(r, "delete partnership", a, b)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNoContent)
}

// wrote logs a change with the key that made it and tells the owner of
// the engine and the graph snapshot (Config.AfterWrite) that the data
// changed.
func (s *Server) wrote(r *http.Request, what string, ids ...string) {
	k, _ := keyFrom(r.Context())
	s.logger.InfoContext(r.Context(), "data changed", "change", what, "ids", ids,
		"key", k.ID, "key_name", k.Name, "request_id", requestIDFrom(r.Context()))
	if s.afterWrite != nil {
		s.afterWrite()
	}
}
