package api

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// openAPIDocument is the API's OpenAPI 3.1 contract. It is written by hand;
// the test suite validates every request it makes and every answer it gets
// against it, and checks that it lists exactly the routes of the router.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI returns a copy of the OpenAPI 3.1 document served at
// /openapi.json.
func OpenAPI() []byte { return bytes.Clone(openAPIDocument) }

// docsPage renders the documentation page once, on first use: the document
// is embedded, so the page never changes while the process runs.
var docsPage = sync.OnceValues(func() ([]byte, error) { return renderDocs(openAPIDocument) })

// Their gzip encodings, made once, on first use: /docs shrinks from 519 KB
// to 42, /openapi.json from 282 KB to 37.
var (
	openAPIGzip = sync.OnceValue(func() []byte { return gzipped(openAPIDocument) })
	docsGzip    = sync.OnceValue(func() []byte {
		page, err := docsPage()
		if err != nil {
			return nil
		}
		return gzipped(page)
	})
)

// gzipped returns b compressed with gzip at the best compression.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level never fails
	_, _ = zw.Write(b)                                       // a bytes.Buffer never fails
	_ = zw.Close()
	return buf.Bytes()
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip
// (named, or "*"), with a weight above 0.
func acceptsGzip(r *http.Request) bool {
	for _, field := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(field, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if coding = strings.TrimSpace(coding); !strings.EqualFold(coding, "gzip") && coding != "*" {
				continue
			}
			q, found := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
			if !found {
				return true
			}
			w, err := strconv.ParseFloat(q, 64)
			return err == nil && w > 0
		}
	}
	return false
}

// openAPI answers GET /openapi.json with the document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	if err := newParams(r).err; err != nil {
		s.writeError(w, r, err)
		return
	}
	writeStatic(w, r, "application/json; charset=utf-8", openAPIDocument, openAPIGzip)
}

// docs answers GET /docs with the document rendered as one self-contained
// HTML page, which works offline: it loads no script, font or style.
func (s *Server) docs(w http.ResponseWriter, r *http.Request) {
	if err := newParams(r).err; err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := docsPage()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeStatic(w, r, "text/html; charset=utf-8", page, docsGzip)
}

// writeStatic answers 200 with body, which is built before the answer
// begins, or with its gzip encoding (gz) to a client that accepts it.
func writeStatic(w http.ResponseWriter, r *http.Request, contentType string, body []byte, gz func() []byte) {
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		if z := gz(); z != nil {
			body = z
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // the client has gone; nothing to do
}
