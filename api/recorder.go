package api

import "net/http"

// statusRecorder remembers the status and the size of a response, for the
// access log and for the recoverer, which must not write a problem after
// the handler has begun its answer.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// record returns w as a *statusRecorder, wrapping it unless it already is
// one.
func record(w http.ResponseWriter) *statusRecorder {
	if rec, ok := w.(*statusRecorder); ok {
		return rec
	}
	return &statusRecorder{ResponseWriter: w}
}

// WriteHeader records the status and passes it on.
func (rec *statusRecorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

// Write records an implicit 200 and the size, and passes the bytes on.
func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// written reports whether the response has begun.
func (rec *statusRecorder) written() bool { return rec.status != 0 }
