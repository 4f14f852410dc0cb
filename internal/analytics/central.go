package analytics

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// Parameters of the centrality measures.
const (
	// PageRankDamping is the damping factor of PageRank.
	PageRankDamping = 0.85
	// BetweennessSamples is the number of sources Brandes' algorithm starts
	// from; graphs with fewer partnered municipalities get exact values.
	BetweennessSamples = 512
	// betweennessSeed fixes the sample so that answers are reproducible.
	betweennessSeed = 20260101
	// pageRankTolerance stops the power iteration when the L1 change of
	// the vector falls below it; pageRankMaxIter bounds it anyway.
	pageRankTolerance = 1e-10
	pageRankMaxIter   = 200
	// MaxCentralLimit caps Central's limit; DefaultCentralLimit is used
	// for 0.
	MaxCentralLimit     = 100
	DefaultCentralLimit = 10
)

// centrality holds the measures of every node, computed once per Graph.
type centrality struct {
	pageRank    []float64
	betweenness []float64
	exact       bool
	samples     int
}

// Central is the answer to Graph.Central: the municipalities ranked by
// three measures of centrality.
type Central struct {
	// Country is the filter applied, "" for all countries.
	Country string `json:"country,omitempty"`
	// ByDegree, ByPageRank and ByBetweenness rank the municipalities by
	// each measure, highest first, ties broken by id.
	ByDegree      []Ranked `json:"by_degree"`
	ByPageRank    []Ranked `json:"by_pagerank"`
	ByBetweenness []Ranked `json:"by_betweenness"`
	// BetweennessExact says whether betweenness was computed from every
	// source (true) or estimated from BetweennessSources sampled ones.
	BetweennessExact   bool `json:"betweenness_exact"`
	BetweennessSources int  `json:"betweenness_sources"`
}

// Ranked is one municipality with all three measures.
type Ranked struct {
	Node
	// PageRank is the municipality's PageRank over the whole graph; all
	// values add up to 1.
	PageRank float64 `json:"pagerank"`
	// Betweenness is the (estimated) number of shortest paths between
	// pairs of other municipalities that pass through this one, each
	// unordered pair counted once and split between equally short paths.
	Betweenness float64 `json:"betweenness"`
}

// Central returns the limit municipalities of the given country ("" for
// all) ranked by degree, by PageRank (damping 0.85, the mass of
// municipalities without partnerships spread evenly) and by betweenness
// (Brandes' algorithm from BetweennessSamples sources drawn with a fixed
// seed among partnered municipalities, scaled by partnered/samples). The
// measures are computed over the whole graph once per Graph; the country
// only filters the ranking. limit 0 means DefaultCentralLimit; EINVALID
// (field "limit" or "country") for a limit outside 1..MaxCentralLimit or a
// malformed country.
func (g *Graph) Central(country string, limit int) (Central, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if country != "" && !graph.ValidCountry(country) {
		return Central{}, graph.FieldErrorf("country", "%q is not an ISO 3166-1 alpha-2 code such as PL or DE", country)
	}
	if limit == 0 {
		limit = DefaultCentralLimit
	}
	if limit < 1 || limit > MaxCentralLimit {
		return Central{}, graph.FieldErrorf("limit", "must be between 1 and %d, got %d", MaxCentralLimit, limit)
	}
	c := g.centrality()
	var ids []int32
	for i := range int32(len(g.ms)) {
		if country == "" || g.ms[i].Country == country {
			ids = append(ids, i)
		}
	}
	rank := func(measure func(int32) float64) []Ranked {
		sorted := slices.Clone(ids)
		slices.SortStableFunc(sorted, func(a, b int32) int {
			ma, mb := measure(a), measure(b)
			switch {
			case ma > mb:
				return -1
			case ma < mb:
				return 1
			}
			return int(a - b) // ids are numbered in id order
		})
		out := make([]Ranked, 0, min(limit, len(sorted)))
		for _, i := range sorted[:min(limit, len(sorted))] {
			out = append(out, Ranked{Node: g.node(i), PageRank: c.pageRank[i], Betweenness: c.betweenness[i]})
		}
		return out
	}
	return Central{
		Country:            country,
		ByDegree:           rank(func(i int32) float64 { return float64(g.degree(i)) }),
		ByPageRank:         rank(func(i int32) float64 { return c.pageRank[i] }),
		ByBetweenness:      rank(func(i int32) float64 { return c.betweenness[i] }),
		BetweennessExact:   c.exact,
		BetweennessSources: c.samples,
	}, nil
}

// centrality computes the measures once.
func (g *Graph) centrality() *centrality {
	g.centralOnce.Do(func() {
		bc, exact, k := g.betweenness(BetweennessSamples, betweennessSeed)
		g.central = &centrality{pageRank: g.pageRank(PageRankDamping), betweenness: bc, exact: exact, samples: k}
	})
	return g.central
}

// pageRank returns the PageRank of every node by power iteration. Each
// undirected edge is followed both ways; the rank of nodes without edges
// (dangling nodes) is spread evenly over all nodes.
func (g *Graph) pageRank(damping float64) []float64 {
	n := len(g.ms)
	if n == 0 {
		return nil
	}
	pr := make([]float64, n)
	next := make([]float64, n)
	for i := range pr {
		pr[i] = 1 / float64(n)
	}
	for range pageRankMaxIter {
		var dangling float64
		for i := range n {
			if g.degree(int32(i)) == 0 {
				dangling += pr[i]
			}
		}
		base := (1-damping)/float64(n) + damping*dangling/float64(n)
		for i := range next {
			next[i] = base
		}
		for u := range int32(n) {
			d := g.degree(u)
			if d == 0 {
				continue
			}
			share := damping * pr[u] / float64(d)
			for _, v := range g.neighbours(u) {
				next[v] += share
			}
		}
		var diff float64
		for i := range pr {
			diff += math.Abs(next[i] - pr[i])
		}
		pr, next = next, pr
		if diff < pageRankTolerance {
			break
		}
	}
	return pr
}

// betweenness returns the betweenness of every node by Brandes'
// algorithm, from every partnered node when there are at most samples of
// them (exact), else from samples of them drawn with seed and scaled up.
// Each unordered pair counts once.
func (g *Graph) betweenness(samples int, seed uint64) (bc []float64, exact bool, used int) {
	n := len(g.ms)
	bc = make([]float64, n)
	var sources []int32
	for i := range int32(n) {
		if g.degree(i) > 0 {
			sources = append(sources, i)
		}
	}
	partnered := len(sources)
	exact = partnered <= samples
	if !exact {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		r.Shuffle(len(sources), func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
		sources = sources[:samples]
	}
	sigma := make([]float64, n)
	dist := make([]int32, n)
	delta := make([]float64, n)
	for i := range dist {
		dist[i] = -1
	}
	order := make([]int32, 0, n)
	for _, s := range sources {
		order = order[:0]
		sigma[s], dist[s] = 1, 0
		order = append(order, s)
		for head := 0; head < len(order); head++ {
			u := order[head]
			for _, v := range g.neighbours(u) {
				if dist[v] < 0 {
					dist[v] = dist[u] + 1
					order = append(order, v)
				}
				if dist[v] == dist[u]+1 {
					sigma[v] += sigma[u]
				}
			}
		}
		for k := len(order) - 1; k >= 0; k-- {
			w := order[k]
			for _, v := range g.neighbours(w) {
				if dist[v] == dist[w]-1 {
					delta[v] += sigma[v] / sigma[w] * (1 + delta[w])
				}
			}
			if w != s {
				bc[w] += delta[w]
			}
		}
		for _, v := range order {
			sigma[v], dist[v], delta[v] = 0, -1, 0
		}
	}
	scale := 0.5 // every pair is seen from both of its ends
	if !exact && len(sources) > 0 {
		scale *= float64(partnered) / float64(len(sources))
	}
	for i := range bc {
		bc[i] *= scale
	}
	return bc, exact, len(sources)
}
