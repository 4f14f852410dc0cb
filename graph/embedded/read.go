package embedded

import (
	"container/heap"
	"context"
	"iter"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/twinning/twinning/graph"
)

// checkEvery is how many items a long loop handles between checks of its
// context.
const checkEvery = 1024

// Municipality returns the municipality with the given id, or ENOTFOUND.
func (s *Store) Municipality(ctx context.Context, id string) (graph.Municipality, error) {
	if err := ctx.Err(); err != nil {
		return graph.Municipality{}, contextError("municipality", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return graph.Municipality{}, err
	}
	r, ok := s.munis[id]
	if !ok {
		return graph.Municipality{}, graph.Errorf(graph.ENOTFOUND, "municipality %q does not exist", id)
	}
	return clone(r.m), nil
}

// uniqueCodeNames are the code names MunicipalityByCode accepts.
var uniqueCodeNames = []string{"katottg", "lau", "geonames", "wikidata"}

// MunicipalityByCode returns the municipality whose code of the given name
// ("katottg", "lau", "geonames", "wikidata") has the given value, or
// ENOTFOUND; EINVALID for an unknown code name.
func (s *Store) MunicipalityByCode(ctx context.Context, code, value string) (graph.Municipality, error) {
	if err := ctx.Err(); err != nil {
		return graph.Municipality{}, contextError("municipality by code", err)
	}
	if !slices.Contains(uniqueCodeNames, code) {
		return graph.Municipality{}, graph.FieldErrorf("code", "%q is not one of %s", code, strings.Join(uniqueCodeNames, ", "))
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return graph.Municipality{}, err
	}
	id, ok := s.codes[code][value]
	if !ok {
		return graph.Municipality{}, graph.Errorf(graph.ENOTFOUND, "no municipality has %s code %q", code, value)
	}
	return clone(s.munis[id].m), nil
}

// hit is one search result with how it matched.
type hit struct {
	match graph.Match
	r     *record
}

// names and loose return the keys of a record that gramIndex holds.
func names(r *record) []string { return r.keys.Names }
func loose(r *record) []string { return r.keys.Loose }

// compareHits orders hits as graph.CompareSearch does.
func compareHits(a, b hit) int { return graph.CompareSearch(a.match, &a.r.m, b.match, &b.r.m) }

// worstFirst is a heap of hits with the worst on top, so that keeping the
// best n of many hits costs O(log n) per hit.
type worstFirst []hit

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return compareHits(h[i], h[j]) > 0 }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(hit)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// best keeps the n best hits offered to it.
type best struct {
	n    int
	hits worstFirst
}

func (b *best) offer(h hit) {
	switch {
	case len(b.hits) < b.n:
		heap.Push(&b.hits, h)
	case len(b.hits) > 0 && compareHits(h, b.hits[0]) < 0:
		b.hits[0] = h
		heap.Fix(&b.hits, 0)
	}
}

// sorted returns the kept hits, best first.
func (b *best) sorted() []hit {
	slices.SortFunc(b.hits, compareHits)
	return b.hits
}

// filter holds the non-text conditions of a query.
type filter struct {
	q graph.Query
}

func (f filter) match(m *graph.Municipality) bool {
	q := &f.q
	if len(q.Countries) > 0 && !slices.Contains(q.Countries, m.Country) {
		return false
	}
	if len(q.Regions) > 0 && !slices.Contains(q.Regions, m.Region.Code) {
		return false
	}
	if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, m.Kind) {
		return false
	}
	if len(q.Themes) > 0 && !slices.ContainsFunc(m.Themes, func(t string) bool { return slices.Contains(q.Themes, t) }) {
		return false
	}
	if !q.War.Matches(m.War) {
		return false
	}
	if q.MinPopulation > 0 || q.MaxPopulation > 0 {
		switch {
		case m.Population == 0:
			return false
		case q.MinPopulation > 0 && m.Population < q.MinPopulation:
			return false
		case q.MaxPopulation > 0 && m.Population > q.MaxPopulation:
			return false
		}
	}
	return true
}

// Search returns the municipalities that match q, in the order graph.Query
// documents, with the total number of matches; EINVALID when q does not
// validate.
func (s *Store) Search(ctx context.Context, q graph.Query) (graph.Page, error) {
	if err := q.Validate(); err != nil {
		return graph.Page{}, err
	}
	if err := ctx.Err(); err != nil {
		return graph.Page{}, contextError("search", err)
	}
	text := graph.NewSearchText(q.Text)
	limit := q.EffectiveLimit()
	keep := q.Offset + limit
	if keep < q.Offset {
		keep = math.MaxInt // an offset so large that the sum overflows
	}
	sr := &searcher{s: s, ctx: ctx, f: filter{q: q}, keep: keep}

	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return graph.Page{}, err
	}
	switch {
	case text.Key == "":
		sr.top = best{n: keep}
		for _, r := range s.order {
			if !sr.visit(r, graph.Match{}) {
				break
			}
		}
	default:
		sr.search(text, false)
		for w, ok := text.Words(); ok && sr.total == 0 && sr.ctxErr == nil; w, ok = w.Words() {
			sr.search(w, true)
		}
	}
	if sr.ctxErr != nil {
		return graph.Page{}, contextError("search", sr.ctxErr)
	}

	page := graph.Page{Items: []graph.Municipality{}, Total: sr.total, Offset: q.Offset, Limit: limit}
	hits := sr.top.sorted()
	if q.Offset < len(hits) {
		for _, h := range hits[q.Offset:] {
			page.Items = append(page.Items, clone(h.r.m))
		}
	}
	return page, nil
}

// searcher is one search of a Store, under its read lock: the records it
// visits that the filter keeps, the best keep of them, and how many.
type searcher struct {
	s      *Store
	ctx    context.Context
	f      filter
	keep   int
	top    best
	total  int
	ctxErr error
	seen   int
	// tier is the best kind of match found so far.
	tier graph.MatchKind
}

// visit counts record r, matched as m, when the filter keeps it; it
// returns false to stop once the context has ended.
func (sr *searcher) visit(r *record, m graph.Match) bool {
	if sr.seen++; sr.seen%checkEvery == 0 {
		if sr.ctxErr = sr.ctx.Err(); sr.ctxErr != nil {
			return false
		}
	}
	if sr.f.match(&r.m) {
		sr.total++
		sr.tier = min(sr.tier, m.Kind)
		sr.top.offer(hit{match: m, r: r})
	}
	return true
}

// search finds the records text matches, as graph.SearchKeys.Tier ranks
// them; then, when none matches by a whole name or spelling (the best is
// the start or a part of a name, or nothing), those with a typo. With
// words, text is the first words of the query, and only a whole name or
// spelling counts, as a match of words.
func (sr *searcher) search(text graph.SearchText, words bool) {
	s := sr.s
	sr.top, sr.total, sr.tier = best{n: sr.keep}, 0, graph.MatchWords+1
	tiered := func(r *record) bool {
		m, ok := r.keys.Tier(text)
		if !ok {
			return true
		}
		if words {
			if m.Kind > graph.MatchSpelling {
				return true
			}
			m.Kind = graph.MatchWords
		}
		return sr.visit(r, m)
	}
	s.text.contains(text.Key, names, tiered)
	if text.Loose != "" && sr.ctxErr == nil {
		// The records whose name keys hold the text were visited above; a
		// loose key shorter than graph.MinLoosePrefix matches whole keys
		// only.
		other := func(r *record) bool {
			if slices.ContainsFunc(r.keys.Names, func(k string) bool { return strings.Contains(k, text.Key) }) {
				return true
			}
			return tiered(r)
		}
		if utf8.RuneCountInString(text.Loose) < graph.MinLoosePrefix {
			s.loose.exact(text.Loose, other)
		} else {
			s.loose.contains(text.Loose, loose, other)
		}
	}
	if sr.tier > graph.MatchSpelling && !words && sr.ctxErr == nil {
		typos := map[*record]bool{}
		s.loose.near(text.Loose, text.TypoEdits(), func(r *record) bool {
			if typos[r] {
				return true
			}
			typos[r] = true
			if _, ok := r.keys.Tier(text); ok {
				return true // visited above
			}
			m, _ := r.keys.Typo(text)
			return sr.visit(r, m)
		})
	}
}

// Partners returns the partnerships of the municipality with the given id,
// each with the municipality at the other end, ordered by that
// municipality's id; ENOTFOUND when the municipality does not exist.
func (s *Store) Partners(ctx context.Context, id string) ([]graph.Partner, error) {
	if err := ctx.Err(); err != nil {
		return nil, contextError("partners", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if _, ok := s.munis[id]; !ok {
		return nil, graph.Errorf(graph.ENOTFOUND, "municipality %q does not exist", id)
	}
	byOther := s.partners[id]
	out := make([]graph.Partner, 0, len(byOther))
	for other, p := range byOther {
		out = append(out, graph.Partner{Municipality: clone(s.munis[other].m), Partnership: p})
	}
	slices.SortFunc(out, func(a, b graph.Partner) int { return strings.Compare(a.Municipality.ID, b.Municipality.ID) })
	return out, nil
}

// Counts returns the number of municipalities (in all and by country) and
// of partnerships (in all and by status).
func (s *Store) Counts(ctx context.Context) (graph.Counts, error) {
	if err := ctx.Err(); err != nil {
		return graph.Counts{}, contextError("counts", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return graph.Counts{}, err
	}
	c := graph.Counts{
		Municipalities: len(s.order),
		Partnerships:   s.npartnerships,
		ByCountry:      map[string]int{},
		ByStatus:       map[graph.Status]int{},
	}
	for _, r := range s.order {
		c.ByCountry[r.m.Country]++
	}
	for id, byOther := range s.partners {
		for other, p := range byOther {
			if id < other {
				c.ByStatus[p.Status]++
			}
		}
	}
	return c, nil
}

// ScanMunicipalities calls fn for every municipality in id order, stopping
// at and returning the first error fn returns. It walks a snapshot taken
// when it starts, so fn may call the store, writes included.
func (s *Store) ScanMunicipalities(ctx context.Context, fn func(graph.Municipality) error) error {
	if err := ctx.Err(); err != nil {
		return contextError("scan municipalities", err)
	}
	s.mu.RLock()
	if err := s.checkOpen(); err != nil {
		s.mu.RUnlock()
		return err
	}
	snapshot := s.order
	s.mu.RUnlock()
	for i, r := range snapshot {
		if i%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return contextError("scan municipalities", err)
			}
		}
		if err := fn(clone(r.m)); err != nil {
			return err
		}
	}
	return nil
}

// ScanPartnerships calls fn for every partnership in key order (A, then
// B), stopping at and returning the first error fn returns. It walks a
// snapshot taken when it starts, so fn may call the store.
func (s *Store) ScanPartnerships(ctx context.Context, fn func(graph.Partnership) error) error {
	if err := ctx.Err(); err != nil {
		return contextError("scan partnerships", err)
	}
	s.mu.RLock()
	if err := s.checkOpen(); err != nil {
		s.mu.RUnlock()
		return err
	}
	snapshot := make([]graph.Partnership, 0, s.npartnerships)
	for id, byOther := range s.partners {
		for other, p := range byOther {
			if id < other {
				snapshot = append(snapshot, p)
			}
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(snapshot, func(a, b graph.Partnership) int {
		if c := strings.Compare(a.A, b.A); c != 0 {
			return c
		}
		return strings.Compare(a.B, b.B)
	})
	for i, p := range snapshot {
		if i%checkEvery == checkEvery-1 {
			if err := ctx.Err(); err != nil {
				return contextError("scan partnerships", err)
			}
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// ShortestPaths answers graph.PathFinder from the graph held in memory,
// with graph.ShortestPathIDs: the paths of at most maxHops (1 to 6)
// partnerships, whatever their status, the first limit of them in order of
// their municipality ids.
func (s *Store) ShortestPaths(ctx context.Context, from, to string, maxHops, limit int) (int, []graph.Path, error) {
	if err := graph.CheckPathBounds(maxHops, limit); err != nil {
		return 0, nil, err
	}
	if err := ctx.Err(); err != nil {
		return 0, nil, contextError("shortest paths", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return 0, nil, err
	}
	for _, id := range []string{from, to} {
		if _, ok := s.munis[id]; !ok {
			return 0, nil, graph.Errorf(graph.ENOTFOUND, "municipality %q does not exist", id)
		}
	}
	neighbours := func(id string) iter.Seq[string] { return maps.Keys(s.partners[id]) }
	count, chains, err := graph.ShortestPathIDs(ctx, from, to, maxHops, limit, neighbours)
	if err != nil {
		return 0, nil, contextError("shortest paths", err)
	}
	paths := make([]graph.Path, 0, len(chains))
	for _, chain := range chains {
		var p graph.Path
		for i, id := range chain {
			p.Municipalities = append(p.Municipalities, clone(s.munis[id].m))
			p.Degrees = append(p.Degrees, len(s.partners[id]))
			if i > 0 {
				p.Partnerships = append(p.Partnerships, s.partners[chain[i-1]][id])
			}
		}
		paths = append(paths, p)
	}
	return count, paths, nil
}
