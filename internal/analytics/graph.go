package analytics

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/twinning/twinning/graph"
)

// Graph is an immutable snapshot of the partnership graph. Municipalities
// are numbered 0..n-1 in id order and partnerships 0..m-1 in key order; the
// neighbours of municipality i are adj[off[i]:off[i+1]], sorted, and
// adjEdge gives the partnership of each of those entries. A Graph is safe
// for concurrent use.
type Graph struct {
	ms      []graph.Municipality
	index   map[string]int32
	ps      []graph.Partnership
	ends    [][2]int32 // the municipalities of each partnership
	off     []int32
	adj     []int32
	adjEdge []int32

	centralOnce sync.Once
	central     *centrality
	qualityOnce sync.Once
	quality     Quality
	withinOnce  sync.Once
	within      []int // graph.WithinUnits of ms
}

// Build reads every municipality and partnership of s through
// ScanMunicipalities and ScanPartnerships and returns their snapshot.
// Store errors keep their code; a partnership naming a municipality the
// store does not hold is an EINTERNAL error, since a store must not keep
// one.
func Build(ctx context.Context, s graph.Scanner) (*Graph, error) {
	d, err := readDump(ctx, s)
	if err != nil {
		return nil, err
	}
	return New(d.Municipalities, d.Partnerships)
}

// readDump reads s with graph.ReadDump, its errors keeping their code.
func readDump(ctx context.Context, s graph.Scanner) (graph.Dump, error) {
	d, err := graph.ReadDump(ctx, s)
	if err != nil {
		return d, graph.Wrap(graph.ErrorCode(err), err, "analytics: %s", graph.ErrorMessage(err))
	}
	return d, nil
}

// New returns the snapshot of the given municipalities and partnerships,
// which it takes over (callers must not change them afterwards). It sorts
// both into id and key order. It returns an EINTERNAL error when an id
// appears twice, when a partnership names an unknown municipality or links
// one to itself, or when a pair appears twice.
func New(ms []graph.Municipality, ps []graph.Partnership) (*Graph, error) {
	slices.SortFunc(ms, func(a, b graph.Municipality) int { return compareStrings(a.ID, b.ID) })
	g := &Graph{ms: ms, index: make(map[string]int32, len(ms))}
	for i := range ms {
		if _, dup := g.index[ms[i].ID]; dup {
			return nil, graph.Errorf(graph.EINTERNAL, "analytics: municipality %s appears twice", ms[i].ID)
		}
		g.index[ms[i].ID] = int32(i)
	}
	for i := range ps {
		ps[i].Normalize()
	}
	slices.SortFunc(ps, func(a, b graph.Partnership) int {
		if c := compareStrings(a.A, b.A); c != 0 {
			return c
		}
		return compareStrings(a.B, b.B)
	})
	g.ps = ps
	g.ends = make([][2]int32, len(ps))
	deg := make([]int32, len(ms)+1)
	for e, p := range ps {
		a, okA := g.index[p.A]
		b, okB := g.index[p.B]
		switch {
		case !okA || !okB:
			return nil, graph.Errorf(graph.EINTERNAL, "analytics: partnership %s-%s names an unknown municipality", p.A, p.B)
		case a == b:
			return nil, graph.Errorf(graph.EINTERNAL, "analytics: partnership %s-%s links a municipality to itself", p.A, p.B)
		case e > 0 && ps[e-1].A == p.A && ps[e-1].B == p.B:
			return nil, graph.Errorf(graph.EINTERNAL, "analytics: partnership %s-%s appears twice", p.A, p.B)
		}
		g.ends[e] = [2]int32{a, b}
		deg[a]++
		deg[b]++
	}
	g.off = make([]int32, len(ms)+1)
	for i := range ms {
		g.off[i+1] = g.off[i] + deg[i]
	}
	g.adj = make([]int32, 2*len(ps))
	g.adjEdge = make([]int32, 2*len(ps))
	fill := slices.Clone(g.off[:len(ms)])
	for e, ab := range g.ends {
		a, b := ab[0], ab[1]
		g.adj[fill[a]], g.adjEdge[fill[a]] = b, int32(e)
		fill[a]++
		g.adj[fill[b]], g.adjEdge[fill[b]] = a, int32(e)
		fill[b]++
	}
	// Sort each neighbour list (with its edges) so that intersections and
	// outputs are deterministic.
	for i := range ms {
		lo, hi := g.off[i], g.off[i+1]
		if hi-lo > 1 {
			sortPairs(g.adj[lo:hi], g.adjEdge[lo:hi])
		}
	}
	return g, nil
}

// compareStrings orders strings bytewise, as stores order ids and keys.
func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// sortPairs sorts keys ascending and moves vals along with them.
func sortPairs(keys, vals []int32) {
	type kv struct{ k, v int32 }
	tmp := make([]kv, len(keys))
	for i := range keys {
		tmp[i] = kv{keys[i], vals[i]}
	}
	slices.SortFunc(tmp, func(a, b kv) int { return int(a.k) - int(b.k) })
	for i := range tmp {
		keys[i], vals[i] = tmp[i].k, tmp[i].v
	}
}

// Len returns the number of municipalities.
func (g *Graph) Len() int { return len(g.ms) }

// EdgeCount returns the number of partnerships.
func (g *Graph) EdgeCount() int { return len(g.ps) }

// degree returns the number of partnerships of municipality i.
func (g *Graph) degree(i int32) int { return int(g.off[i+1] - g.off[i]) }

// neighbours returns the sorted neighbours of municipality i.
func (g *Graph) neighbours(i int32) []int32 { return g.adj[g.off[i]:g.off[i+1]] }

// lookup returns the index of the municipality with the given id, an
// EINVALID error naming field when id is malformed, or ENOTFOUND.
func (g *Graph) lookup(field, id string) (int32, error) {
	if err := graph.CheckID(field, id); err != nil {
		return 0, err
	}
	i, ok := g.index[id]
	if !ok {
		return 0, graph.Errorf(graph.ENOTFOUND, "no municipality with id %q", id)
	}
	return i, nil
}

// Node is a municipality as analytics results show it.
type Node struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Country    string `json:"country"`
	Region     string `json:"region,omitempty"`
	RegionName string `json:"region_name,omitempty"`
	Population int64  `json:"population,omitempty"`
	Degree     int    `json:"degree"`
}

// node returns municipality i as a Node.
func (g *Graph) node(i int32) Node { return nodeOf(&g.ms[i], g.degree(i)) }

// nodeOf returns m, which has degree partnerships, as a Node.
func nodeOf(m *graph.Municipality, degree int) Node {
	return Node{
		ID: m.ID, Name: m.DisplayName(), Country: m.Country,
		Region: m.Region.Code, RegionName: m.Region.Name,
		Population: m.Population, Degree: degree,
	}
}

// Link is a partnership as analytics results show it.
type Link struct {
	A      string                `json:"a"`
	B      string                `json:"b"`
	Kind   graph.PartnershipKind `json:"kind"`
	Status graph.Status          `json:"status"`
	Since  int                   `json:"since,omitempty"`
}

// link returns partnership e as a Link.
func (g *Graph) link(e int32) Link {
	p := &g.ps[e]
	return Link{A: p.A, B: p.B, Kind: p.Kind, Status: p.Status, Since: p.Since}
}

// Snapshot holds the current Graph and swaps in a new one atomically on
// Load, so that queries in flight finish on the graph they started with.
// The zero value is ready to use and holds no graph.
type Snapshot struct {
	g atomic.Pointer[Graph]
}

// Load builds a new Graph from s and swaps it in. On error the current
// graph stays in place.
func (s *Snapshot) Load(ctx context.Context, st graph.Scanner) error {
	g, err := Build(ctx, st)
	if err == nil {
		s.Set(g)
	}
	return err
}

// LoadDump builds a new Graph from d, which it takes over (see New), and
// swaps it in. On error the current graph stays in place.
func (s *Snapshot) LoadDump(d graph.Dump) error {
	g, err := New(d.Municipalities, d.Partnerships)
	if err == nil {
		s.Set(g)
	}
	return err
}

// Set swaps in g.
func (s *Snapshot) Set(g *Graph) { s.g.Store(g) }

// Graph returns the current graph, or nil before the first Load or Set.
func (s *Snapshot) Graph() *Graph { return s.g.Load() }

// withinUnits returns graph.WithinUnits of the graph's municipalities,
// computed on first use.
func (g *Graph) withinUnits() []int {
	g.withinOnce.Do(func() { g.within = graph.WithinUnits(g.ms) })
	return g.within
}

// DistrictOf returns the city that the municipality with the given id is
// a district of (graph.WithinUnits, graph.IsDistrict: Mokotów of Warsaw,
// Obolon of Kyiv), and false when it is no district or unknown.
func (g *Graph) DistrictOf(id string) (Node, bool) {
	i, ok := g.index[id]
	if !ok || !g.isDistrict(i) {
		return Node{}, false
	}
	return g.node(int32(g.withinUnits()[i])), true
}

// isDistrict reports whether municipality i is a city district
// (graph.IsDistrict of the unit it lies within).
func (g *Graph) isDistrict(i int32) bool {
	u := g.withinUnits()[i]
	return u >= 0 && graph.IsDistrict(&g.ms[i], &g.ms[u])
}
