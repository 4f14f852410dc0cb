package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/score"
)

// Defaults of the graph routes' parameters.
const (
	defaultNeighbourhoodHops = 2
	// maxHTTPExport caps what one export request may ask for; the CLI can
	// export more.
	maxHTTPExport = analytics.DefaultExportLimit
)

// GraphRoutes returns a function that registers the graph analytics routes
// on the /v1 sub-router, to be called inside routes' r.Route("/v1", ...):
//
//	GET /graph/stats
//	GET /graph/quality
//	GET /graph/countries?from=UA&status=active&region=UA-46
//	GET /graph/path?from=ua-lviv&to=de-freiburg&max_hops=4
//	GET /municipalities/{id}/neighbourhood?hops=2&max_nodes=500
//	GET /graph/gaps?sort=population|border&oblast=UA-46&limit=50&suggestions=3
//	GET /graph/central?country=PL&limit=10
//	GET /export?format=geojson|graphml|csv&country=UA&region=UA-46&status=active
//
// Every route answers from the Graph that snap currently holds (but for the
// path, which a store implementing graph.PathFinder finds itself), and 503
// until it holds one; refreshing snap (Snapshot.Load) swaps the graph for
// requests that start afterwards. suggest attaches suggestions to gaps and
// may be nil (EngineSuggestFunc adapts the scoring engine).
func (s *Server) GraphRoutes(snap *analytics.Snapshot, suggest analytics.SuggestFunc) func(chi.Router) {
	h := &graphHandlers{s: s, snap: snap, suggest: suggest}
	return func(r chi.Router) {
		r.Get("/graph/stats", h.stats)
		r.Get("/graph/quality", h.quality)
		r.Get("/graph/countries", h.countries)
		r.Get("/graph/path", h.path)
		r.Get("/municipalities/{id}/neighbourhood", h.neighbourhood)
		r.Get("/graph/gaps", h.gaps)
		r.Get("/graph/central", h.central)
		r.Get("/export", h.export)
	}
}

// EngineSuggestFunc returns a SuggestFunc that asks e for suggestions with
// the default options (no partners yet, Russia and Belarus left out).
func EngineSuggestFunc(e *score.Engine) analytics.SuggestFunc {
	return func(ctx context.Context, id string, limit int) ([]analytics.Suggested, error) {
		if !e.Loaded() {
			return nil, graph.Errorf(graph.EUNAVAILABLE, "the scoring engine is still loading; try again shortly")
		}
		res, err := e.Suggest(ctx, id, score.Options{Limit: limit})
		if err != nil {
			return nil, err
		}
		out := make([]analytics.Suggested, len(res.Suggestions))
		for i, sg := range res.Suggestions {
			out[i] = analytics.Suggested{
				ID: sg.Municipality.ID, Name: sg.Municipality.DisplayName(), Country: sg.Municipality.Country,
				Score: sg.Score, Reason: sg.Reason,
			}
		}
		return out, nil
	}
}

// graphHandlers serves the routes of GraphRoutes.
type graphHandlers struct {
	s       *Server
	snap    *analytics.Snapshot
	suggest analytics.SuggestFunc
}

// graph returns the current snapshot, or answers 503 and returns nil.
func (h *graphHandlers) graph(w http.ResponseWriter, r *http.Request) *analytics.Graph {
	g := h.snap.Graph()
	if g == nil {
		h.s.writeError(w, r, graph.Errorf(graph.EUNAVAILABLE, "the graph snapshot is still loading; try again shortly"))
	}
	return g
}

// answerFromGraph answers with what ask finds in the current snapshot,
// or with the problem of the parameters (perr), of a snapshot still
// loading, or of ask's error.
func answerFromGraph[T any](h *graphHandlers, w http.ResponseWriter, r *http.Request, perr error, ask func(g *analytics.Graph) (T, error)) {
	if perr != nil {
		h.s.writeError(w, r, perr)
		return
	}
	g := h.graph(w, r)
	if g == nil {
		return
	}
	res, err := ask(g)
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	h.s.writeJSON(w, http.StatusOK, res)
}

// statuses returns the partnership statuses of the status parameter.
func statuses(p *params) []graph.Status {
	var out []graph.Status
	for _, v := range p.list("status") {
		st := graph.Status(strings.ToLower(v))
		if !st.Valid() {
			p.fail("status", "%q is not one of %v", v, graph.Statuses)
			return nil
		}
		out = append(out, st)
	}
	return out
}

// stats answers GET /v1/graph/stats with analytics.Stats.
func (h *graphHandlers) stats(w http.ResponseWriter, r *http.Request) {
	answerFromGraph(h, w, r, newParams(r).err, func(g *analytics.Graph) (analytics.Stats, error) { return g.Stats(), nil })
}

// quality answers GET /v1/graph/quality with analytics.Quality.
func (h *graphHandlers) quality(w http.ResponseWriter, r *http.Request) {
	answerFromGraph(h, w, r, newParams(r).err, func(g *analytics.Graph) (analytics.Quality, error) { return g.Quality(), nil })
}

// countries answers GET /v1/graph/countries with an analytics.CountryMatrix.
func (h *graphHandlers) countries(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "from", "status", "region")
	from, sts, region := p.single("from"), statuses(p), p.single("region")
	answerFromGraph(h, w, r, p.err, func(g *analytics.Graph) (analytics.CountryMatrix, error) { return g.CountryMatrix(from, sts, region) })
}

// path answers GET /v1/graph/path with an analytics.PathResult.
func (h *graphHandlers) path(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "from", "to", "max_hops")
	from, to := p.id("from"), p.id("to")
	maxHops := p.intRange("max_hops", analytics.DefaultMaxHops, 1, analytics.MaxHops)
	switch {
	case p.err != nil:
	case from == "":
		p.fail("from", "is required: the id of the municipality to start from, e.g. ua-lviv")
	case to == "":
		p.fail("to", "is required: the id of the municipality to reach, e.g. pl-krakow")
	}
	if p.err != nil {
		h.s.writeError(w, r, p.err)
		return
	}
	// The store finds the paths, on its data as it is now.
	res, err := analytics.StorePaths(r.Context(), h.s.store, from, to, maxHops)
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	h.s.writeJSON(w, http.StatusOK, res)
}

// neighbourhood answers GET /v1/municipalities/{id}/neighbourhood with an
// analytics.Neighbourhood.
func (h *graphHandlers) neighbourhood(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.s.writeError(w, r, err)
		return
	}
	p := newParams(r, "hops", "max_nodes")
	hops := p.intRange("hops", defaultNeighbourhoodHops, 1, analytics.MaxNeighbourhoodHops)
	maxNodes := p.intRange("max_nodes", analytics.DefaultNeighbourhoodNodes, 1, analytics.MaxNeighbourhoodNodes)
	answerFromGraph(h, w, r, p.err, func(g *analytics.Graph) (analytics.Neighbourhood, error) { return g.Neighbourhood(id, hops, maxNodes) })
}

// gaps answers GET /v1/graph/gaps with analytics.Gaps. suggestions=0 (or
// no SuggestFunc) leaves suggestions out.
func (h *graphHandlers) gaps(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "sort", "oblast", "limit", "suggestions", "war")
	opts := analytics.GapOptions{
		War:         p.war(),
		Sort:        p.single("sort"),
		Oblast:      p.single("oblast"),
		Limit:       p.intRange("limit", analytics.DefaultGapsLimit, 1, analytics.MaxGapsLimit),
		Suggestions: p.intRange("suggestions", analytics.DefaultGapSuggestions, 0, analytics.MaxGapSuggestions),
	}
	if opts.Suggestions > 0 {
		opts.Suggest = h.suggest
	}
	answerFromGraph(h, w, r, p.err, func(g *analytics.Graph) (analytics.Gaps, error) { return g.Gaps(r.Context(), opts) })
}

// central answers GET /v1/graph/central with analytics.Central.
func (h *graphHandlers) central(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "country", "limit")
	country := p.single("country")
	limit := p.intRange("limit", analytics.DefaultCentralLimit, 1, analytics.MaxCentralLimit)
	answerFromGraph(h, w, r, p.err, func(g *analytics.Graph) (analytics.Central, error) { return g.Central(country, limit) })
}

// export answers GET /v1/export with the selected part of the graph as
// GeoJSON, GraphML or CSV, streamed. Parameters are checked, and the size
// of the export counted, before the answer begins, so that every mistake
// is a problem; a failure while streaming can only be logged.
func (h *graphHandlers) export(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "format", "country", "region", "status", "limit")
	opts := analytics.ExportOptions{
		Format:    strings.ToLower(p.single("format")),
		Countries: p.countries(),
		Regions:   p.list("region"),
		Statuses:  statuses(p),
		Limit:     p.intRange("limit", maxHTTPExport, 1, maxHTTPExport),
	}
	if p.err == nil && opts.Format == "" {
		p.fail("format", "is required: one of %s", strings.Join(analytics.Formats, ", "))
	}
	if p.err != nil {
		h.s.writeError(w, r, p.err)
		return
	}
	g := h.graph(w, r)
	if g == nil {
		return
	}
	if _, _, err := g.ExportSize(opts); err != nil {
		h.s.writeError(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", analytics.ContentType(opts.Format))
	hd.Set("Content-Disposition", `attachment; filename="twinning.`+opts.Format+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if err := g.Export(w, opts); err != nil {
		h.s.logger.WarnContext(r.Context(), "export cut short", "request_id", requestIDFrom(r.Context()),
			"format", opts.Format, "error", err.Error())
	}
}
