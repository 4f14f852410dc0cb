package analytics

import (
	"math"
	"net/url"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// topComponentCount is how many component sizes Network.TopComponents
// lists.
const topComponentCount = 10

// Stats summarises the graph. Every measure counts each partnership once,
// whatever its status, as an undirected edge.
type Stats struct {
	// Municipalities and Partnerships are the sizes of the graph.
	Municipalities int `json:"municipalities"`
	Partnerships   int `json:"partnerships"`
	// ByStatus and ByKind count the partnerships.
	ByStatus map[graph.Status]int          `json:"by_status"`
	ByKind   map[graph.PartnershipKind]int `json:"by_kind"`
	// Assortativity is Newman's degree assortativity r, the Pearson
	// correlation of the degrees at the two ends of every edge (each edge
	// taken in both directions). It is the same over both node sets below,
	// since municipalities without partnerships are on no edge. Nil when it
	// is undefined: no edges, or every edge joins equal degrees.
	Assortativity *float64 `json:"assortativity"`
	// Transitivity is the global clustering coefficient: three times the
	// number of triangles over the number of connected triples (0 without
	// triples). KONECT's "clustering coefficient" is this measure.
	Transitivity float64 `json:"transitivity"`
	// Triangles is the number of triangles of partnerships.
	Triangles int64 `json:"triangles"`
	// Partnered covers only the municipalities with at least one
	// partnership, as network datasets such as KONECT's "twin" count nodes.
	Partnered Network `json:"partnered"`
	// All covers every municipality of the graph; those without
	// partnerships count as degree 0, as singleton components and with a
	// clustering of 0.
	All Network `json:"all"`
	// Sources says what each source gives the graph, the source of most
	// partnerships first.
	Sources []SourceStat `json:"sources"`
}

// SourceStat counts the partnerships that one source lists (a
// partnership's Sources, or its Source when it has none); a source that is
// a URL counts under its site's host name.
type SourceStat struct {
	Source string `json:"source"`
	// Partnerships counts the partnerships it lists; Only those that no
	// other source lists; Ukrainian those with a Ukrainian municipality.
	Partnerships int `json:"partnerships"`
	Only         int `json:"only"`
	Ukrainian    int `json:"ukrainian"`
	// Dated counts those it gives a year for; FirstYear and LatestYear are
	// the earliest and the latest of those years (how current the source
	// is), 0 when it gives none.
	Dated      int `json:"dated"`
	FirstYear  int `json:"first_year"`
	LatestYear int `json:"latest_year"`
}

// Network holds the measures that depend on which municipalities count as
// nodes.
type Network struct {
	// Nodes is the number of municipalities counted; Edges the number of
	// partnerships among them (always every partnership).
	Nodes int `json:"nodes"`
	Edges int `json:"edges"`
	// MeanDegree is 2 × Edges / Nodes (0 without nodes).
	MeanDegree float64 `json:"mean_degree"`
	// MedianDegree is the median of the degrees.
	MedianDegree float64 `json:"median_degree"`
	// MaxDegree is the largest number of partnerships of one municipality.
	MaxDegree int `json:"max_degree"`
	// Degrees is the degree histogram, by increasing degree, without empty
	// bins.
	Degrees []DegreeCount `json:"degrees"`
	// Components is the number of connected components; LargestComponent
	// the number of nodes of the largest; TopComponents the sizes of the
	// largest ten, largest first.
	Components       int   `json:"components"`
	LargestComponent int   `json:"largest_component"`
	TopComponents    []int `json:"top_components"`
	// Clustering is the average local clustering coefficient over all the
	// nodes counted, nodes of degree below 2 included with a coefficient of
	// 0, as networkx's average_clustering computes it.
	Clustering float64 `json:"clustering"`
}

// DegreeCount is one bin of a degree histogram.
type DegreeCount struct {
	Degree int `json:"degree"`
	Count  int `json:"count"`
}

// Stats computes the summary of the graph. It runs in
// O(n + Σ deg²) time.
func (g *Graph) Stats() Stats {
	n := len(g.ms)
	st := Stats{
		Municipalities: n,
		Partnerships:   len(g.ps),
		ByStatus:       make(map[graph.Status]int),
		ByKind:         make(map[graph.PartnershipKind]int),
	}
	for i := range g.ps {
		st.ByStatus[g.ps[i].Status]++
		st.ByKind[g.ps[i].Kind]++
	}

	local, triangles, triples := g.clustering()
	st.Triangles = triangles
	if triples > 0 {
		st.Transitivity = 3 * float64(triangles) / float64(triples)
	}
	st.Assortativity = g.assortativity()

	comp := g.componentSizes()
	var sumLocal float64
	degrees := make([]int, 0, n)
	partneredDegrees := make([]int, 0, n)
	for i := range n {
		d := g.degree(int32(i))
		degrees = append(degrees, d)
		if d > 0 {
			partneredDegrees = append(partneredDegrees, d)
		}
		sumLocal += local[i]
	}
	var partneredComps []int
	for _, size := range comp {
		if size > 1 {
			partneredComps = append(partneredComps, size)
		}
	}
	st.All = network(degrees, comp, sumLocal, len(g.ps))
	st.Partnered = network(partneredDegrees, partneredComps, sumLocal, len(g.ps))
	st.Sources = g.sourceStats()
	return st
}

// network fills a Network from the degrees of its nodes, its component
// sizes (largest first) and the sum of the local clustering coefficients.
func network(degrees, comps []int, sumLocal float64, edges int) Network {
	nw := Network{Nodes: len(degrees), Edges: edges, Components: len(comps), Degrees: []DegreeCount{}}
	if len(degrees) == 0 {
		nw.TopComponents = []int{}
		return nw
	}
	nw.MeanDegree = 2 * float64(edges) / float64(len(degrees))
	nw.Clustering = sumLocal / float64(len(degrees))
	sorted := slices.Clone(degrees)
	slices.Sort(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		nw.MedianDegree = float64(sorted[mid])
	} else {
		nw.MedianDegree = float64(sorted[mid-1]+sorted[mid]) / 2
	}
	nw.MaxDegree = sorted[len(sorted)-1]
	for _, d := range sorted {
		if k := len(nw.Degrees); k > 0 && nw.Degrees[k-1].Degree == d {
			nw.Degrees[k-1].Count++
		} else {
			nw.Degrees = append(nw.Degrees, DegreeCount{Degree: d, Count: 1})
		}
	}
	if len(comps) > 0 {
		nw.LargestComponent = comps[0]
	}
	nw.TopComponents = slices.Clone(comps[:min(topComponentCount, len(comps))])
	return nw
}

// clustering returns the local clustering coefficient of every node, the
// number of triangles and the number of connected triples (paths of
// length two, counted once per centre and pair of neighbours).
func (g *Graph) clustering() (local []float64, triangles, triples int64) {
	n := len(g.ms)
	local = make([]float64, n)
	mark := make([]int32, n) // mark[v] == u+1 while scanning u's neighbours
	var sumTri int64
	for u := range int32(n) {
		nb := g.neighbours(u)
		d := int64(len(nb))
		if d < 2 {
			continue
		}
		for _, v := range nb {
			mark[v] = u + 1
		}
		var links int64 // edges among u's neighbours, each counted twice
		for _, v := range nb {
			for _, w := range g.neighbours(v) {
				if mark[w] == u+1 {
					links++
				}
			}
		}
		pairs := d * (d - 1) / 2
		local[u] = float64(links/2) / float64(pairs)
		sumTri += links / 2
		triples += pairs
	}
	return local, sumTri / 3, triples
}

// assortativity returns Newman's degree assortativity, or nil when it is
// undefined.
func (g *Graph) assortativity() *float64 {
	if len(g.ends) == 0 {
		return nil
	}
	// Over both directions of every edge: x and y have the same
	// distribution, so r = (E[xy] - E[x]²) / (E[x²] - E[x]²).
	var sxy, sx, sx2 float64
	for _, ab := range g.ends {
		x, y := float64(g.degree(ab[0])), float64(g.degree(ab[1]))
		sxy += x * y
		sx += (x + y) / 2
		sx2 += (x*x + y*y) / 2
	}
	m := float64(len(g.ends))
	mean := sx / m
	den := sx2/m - mean*mean
	if den <= 1e-12*math.Max(1, sx2/m) {
		return nil
	}
	r := (sxy/m - mean*mean) / den
	return &r
}

// components labels every node with its connected component and returns
// the labels and the number of components.
func (g *Graph) components() (label []int32, count int) {
	n := len(g.ms)
	label = make([]int32, n)
	for i := range label {
		label[i] = -1
	}
	queue := make([]int32, 0, 64)
	for s := range int32(n) {
		if label[s] >= 0 {
			continue
		}
		c := int32(count)
		count++
		label[s] = c
		queue = append(queue[:0], s)
		for len(queue) > 0 {
			u := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			for _, v := range g.neighbours(u) {
				if label[v] < 0 {
					label[v] = c
					queue = append(queue, v)
				}
			}
		}
	}
	return label, count
}

// componentSizes returns the sizes of all connected components, isolated
// municipalities included, largest first.
func (g *Graph) componentSizes() []int {
	label, count := g.components()
	sizes := make([]int, count)
	for _, c := range label {
		sizes[c]++
	}
	slices.SortFunc(sizes, func(a, b int) int { return b - a })
	return sizes
}

// sourceName is the name a source is counted under: a URL by its host
// (without "www."), so that the articles of one site count as one source.
func sourceName(source string) string {
	if u, err := url.Parse(source); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		return strings.TrimPrefix(strings.ToLower(u.Host), "www.")
	}
	return source
}

// sourceStats counts the partnerships of each source.
func (g *Graph) sourceStats() []SourceStat {
	by := map[string]*SourceStat{}
	for e := range g.ps {
		p := &g.ps[e]
		refs := p.Sources
		if len(refs) == 0 {
			if p.Source == "" {
				continue
			}
			refs = []graph.Reference{{Source: p.Source, Since: p.Since}}
		}
		ukrainian := g.ms[g.ends[e][0]].Country == "UA" || g.ms[g.ends[e][1]].Country == "UA"
		for _, r := range refs {
			name := sourceName(r.Source)
			st := by[name]
			if st == nil {
				st = &SourceStat{Source: name}
				by[name] = st
			}
			st.Partnerships++
			if len(refs) == 1 {
				st.Only++
			}
			if ukrainian {
				st.Ukrainian++
			}
			if r.Since > 0 {
				st.Dated++
				if st.FirstYear == 0 || r.Since < st.FirstYear {
					st.FirstYear = r.Since
				}
				st.LatestYear = max(st.LatestYear, r.Since)
			}
		}
	}
	out := make([]SourceStat, 0, len(by))
	for _, st := range by {
		out = append(out, *st)
	}
	slices.SortFunc(out, func(a, b SourceStat) int {
		if a.Partnerships != b.Partnerships {
			return b.Partnerships - a.Partnerships
		}
		return strings.Compare(a.Source, b.Source)
	})
	return out
}
