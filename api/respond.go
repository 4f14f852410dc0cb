package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
)

// writeJSON answers 200 (or status) with v as JSON.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	writeBody(w, "application/json; charset=utf-8", status, v, s.logger)
}

// writeBody encodes v before writing any header, so that an encoding
// failure can still become a clean 500 problem instead of half a body.
func writeBody(w http.ResponseWriter, contentType string, status int, v any, logger *slog.Logger) {
	body, err := encodeJSON(v)
	if err != nil {
		logger.Error("encode response", "error", err.Error())
		contentType = "application/problem+json; charset=utf-8"
		status = http.StatusInternalServerError
		body = []byte(`{"type":"` + problemTypeBase + `internal","title":"Internal error","status":500,"detail":"internal error"}` + "\n")
	}
	writeRaw(w, contentType, status, body)
}

// encodeJSON encodes v as every answer is encoded: HTML characters kept
// as they are, a newline at the end.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeRaw answers status with an encoded body of contentType.
func writeRaw(w http.ResponseWriter, contentType string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client has gone; nothing to do
}
