package api

import (
	"context"
	"net/http"
	"time"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/analytics"
	"github.com/twinning/twinning/internal/score"
)

// healthz answers 200 while the process is alive.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the body of a ready /readyz.
type readiness struct {
	Status       string `json:"status"`
	ModelVersion string `json:"model_version"`
}

// readyz answers 200 when the store answers its Ping and the engine is
// loaded, else a 503 problem with Retry-After.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.pingTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.logger.WarnContext(r.Context(), "not ready: store ping failed",
			"request_id", requestIDFrom(r.Context()), "error", err.Error())
		s.writeProblem(w, problemFor(r, http.StatusServiceUnavailable, graph.EUNAVAILABLE, "Service unavailable",
			"not ready: the store does not answer ("+graph.ErrorMessage(err)+")"))
		return
	}
	if !s.engine.Loaded() {
		s.writeProblem(w, problemFor(r, http.StatusServiceUnavailable, graph.EUNAVAILABLE, "Service unavailable",
			"not ready: the scoring engine is still loading"))
		return
	}
	s.writeJSON(w, http.StatusOK, readiness{Status: "ready", ModelVersion: s.engine.ModelVersion()})
}

// searchMunicipalities answers GET /v1/municipalities with a graph.Page.
func (s *Server) searchMunicipalities(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "q", "country", "region", "kind", "theme",
		"min_population", "max_population", "war", "offset", "limit")
	q := graph.Query{
		Text:      p.single("q"),
		War:       p.war(),
		Countries: p.countries(),
		Regions:   p.list("region"),
		Kinds:     p.kinds(),
		Themes:    p.themes(),
		Offset:    p.intRange("offset", 0, 0, 1_000_000),
		Limit:     p.intRange("limit", graph.DefaultLimit, 1, graph.MaxLimit),
	}
	q.MinPopulation, q.MaxPopulation = p.populationRange()
	if p.err != nil {
		s.writeError(w, r, p.err)
		return
	}
	page, err := s.store.Search(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if page.Items == nil {
		page.Items = []graph.Municipality{}
	}
	out := searchPage{Page: page}
	if q.Text != "" {
		out.Matches = graph.DescribeResults(q.Text, page.Items)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// searchPage is the answer of a search: a page of municipalities and, for
// a text search, how each matched and its label.
type searchPage struct {
	graph.Page
	Matches []graph.SearchResult `json:"matches,omitempty"`
}

// municipality answers GET /v1/municipalities/{id}.
func (s *Server) municipality(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = newParams(r).err
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.store.Municipality(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, m)
}

// partnersResponse is the body of GET /v1/municipalities/{id}/partners.
type partnersResponse struct {
	Municipality graph.Municipality `json:"municipality"`
	// DistrictOf is the city the municipality is a district of, by the
	// graph snapshot's rule (analytics.Graph.DistrictOf).
	DistrictOf *analytics.Node `json:"district_of,omitempty"`
	Partners   []graph.Partner `json:"partners"`
	Count      int             `json:"count"`
}

// partners answers GET /v1/municipalities/{id}/partners.
func (s *Server) partners(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = newParams(r).err
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.store.Municipality(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.store.Partners(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ps == nil {
		ps = []graph.Partner{}
	}
	out := partnersResponse{Municipality: m, Partners: ps, Count: len(ps)}
	if g := s.graph.Graph(); g != nil {
		if city, ok := g.DistrictOf(id); ok {
			out.DistrictOf = &city
		}
	}
	s.writeJSON(w, http.StatusOK, out)
}

// suggestions answers GET /v1/municipalities/{id}/suggestions with a
// score.Result.
func (s *Server) suggestions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := newParams(r, "country", "min_population", "max_population", "theme", "limit",
		"include_partners", "include_suspended", "include_districts", "diversity", "lang", "war")
	opts := score.Options{
		Countries:        p.countries(),
		War:              p.war(),
		Themes:           p.themes(),
		Limit:            p.intRange("limit", score.DefaultLimit, 1, score.MaxLimit),
		IncludePartners:  p.bool("include_partners"),
		IncludeSuspended: p.bool("include_suspended"),
		IncludeDistricts: p.bool("include_districts"),
		Diversity:        p.fraction("diversity"),
		Lang:             p.oneOf("lang", score.Langs),
	}
	opts.MinPopulation, opts.MaxPopulation = p.populationRange()
	if p.err != nil {
		s.writeError(w, r, p.err)
		return
	}
	if !s.engine.Loaded() {
		s.writeError(w, r, graph.Errorf(graph.EUNAVAILABLE, "the scoring engine is still loading; try again shortly"))
		return
	}
	// The index is taken before ranking: should a reload swap a newer one
	// in meanwhile, the answer is kept under the older index, where no
	// later request looks for it.
	ix := s.engine.Index()
	key := suggestionKey(id, opts)
	if a, ok := s.suggestCache.get(key, ix); ok {
		s.metrics.suggestionCache.WithLabelValues("hit").Inc()
		writeAnswer(w, r, a)
		return
	}
	start := time.Now()
	res, err := s.engine.Suggest(r.Context(), id, opts)
	if err == nil {
		s.metrics.suggestions.Observe(time.Since(start).Seconds())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if res.Suggestions == nil {
		res.Suggestions = []score.Suggestion{}
	}
	a, err := encodeAnswer(ix, res, s.suggestCache != nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.suggestCache != nil {
		s.metrics.suggestionCache.WithLabelValues("miss").Inc()
		s.suggestCache.put(key, a)
	}
	writeAnswer(w, r, a)
}
