// Package web is the officers' web page: a single page, served at / by
// twinning serve, that searches municipalities, draws them, their partners
// and their suggested partners on an offline map of Europe, explains every
// suggestion factor by factor, shows the analytics (country matrix, gaps)
// and manages a city hall's partner requests. It only calls the HTTP API.
//
// Everything it needs is embedded in the binary: the page, its script and
// style sheet (static/, written by hand), and the third-party files in
// static/vendor (Leaflet and a GeoJSON basemap of Europe), built by
// build.mjs from the npm packages pinned in package-lock.json and committed
// so that building the binary needs no Node.js. `make web` rebuilds them;
// `make web-check` proves the committed files are what the lockfile gives.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed static
var files embed.FS

// Static returns the page's files: index.html, app.js, app.css and vendor/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded directory is named above: it exists
	}
	return sub
}

// AssetsPrefix is the path under which Handler serves everything but the
// page itself.
const AssetsPrefix = "/assets/"

// ContentSecurityPolicy is the policy the page is served with: it loads
// nothing from another origin and runs no inline script or style.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// etags maps each embedded file's name to an ETag made of its content's
// hash: embedded files have no modification time, and without a validator
// a browser would download them again at every visit.
var etags = sync.OnceValue(func() map[string]string {
	tags := map[string]string{}
	err := fs.WalkDir(Static(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static(), name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		tags[name] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	if err != nil {
		panic(err) // the files are embedded: reading them cannot fail
	}
	return tags
})

// Handler serves the page at / and its files under AssetsPrefix. Every
// file has an ETag (its content's hash), so a browser revalidates with a
// 304; the page and its own files are revalidated at every visit, the
// third-party files under vendor/ are kept for a day.
func Handler() http.Handler {
	static := Static()
	assets := http.StripPrefix(strings.TrimSuffix(AssetsPrefix, "/"), http.FileServerFS(static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		switch {
		case r.URL.Path == "/" || r.URL.Path == "/index.html":
			h.Set("Cache-Control", "no-cache")
			h.Set("ETag", etags()["index.html"])
			http.ServeFileFS(w, r, static, "index.html")
		case strings.HasPrefix(r.URL.Path, AssetsPrefix) && !strings.HasSuffix(r.URL.Path, "/"):
			name := strings.TrimPrefix(path.Clean(r.URL.Path), AssetsPrefix)
			if strings.HasPrefix(name, "vendor/") {
				h.Set("Cache-Control", "public, max-age=86400")
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			if tag, ok := etags()[name]; ok {
				h.Set("ETag", tag)
			}
			if path.Ext(name) == ".geojson" {
				// Not in Go's own table of types, and a machine's
				// /etc/mime.types may not have it either.
				h.Set("Content-Type", "application/geo+json")
			}
			assets.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
