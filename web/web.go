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
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
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

// Handler serves the page at / and its files under AssetsPrefix. The page
// is never cached without revalidation; the third-party files under
// vendor/ change only with a new binary and are cached for a day.
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
			http.ServeFileFS(w, r, static, "index.html")
		case strings.HasPrefix(r.URL.Path, AssetsPrefix) && !strings.HasSuffix(r.URL.Path, "/"):
			if strings.HasPrefix(path.Clean(r.URL.Path), AssetsPrefix+"vendor/") {
				h.Set("Cache-Control", "public, max-age=86400")
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			assets.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
