package api

import (
	"bytes"
	_ "embed"
	"net/http"
	"strconv"
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

// openAPI answers GET /openapi.json with the document.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	if err := newParams(r).err; err != nil {
		s.writeError(w, r, err)
		return
	}
	writeStatic(w, "application/json; charset=utf-8", openAPIDocument)
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
	writeStatic(w, "text/html; charset=utf-8", page)
}

// writeStatic answers 200 with body, which is built before the answer
// begins.
func writeStatic(w http.ResponseWriter, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // the client has gone; nothing to do
}
