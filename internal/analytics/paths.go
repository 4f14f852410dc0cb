package analytics

import (
	"context"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// Bounds of StorePaths and Neighbourhood.
const (
	// MaxHops caps StorePaths' max_hops; DefaultMaxHops is used for 0.
	MaxHops        = graph.MaxPathHops
	DefaultMaxHops = 4
	// MaxPaths caps the number of shortest paths StorePaths lists.
	MaxPaths = 20
	// MaxNeighbourhoodHops caps Neighbourhood's hops.
	MaxNeighbourhoodHops = 3
	// MaxNeighbourhoodNodes caps Neighbourhood's maxNodes;
	// DefaultNeighbourhoodNodes is used for 0.
	MaxNeighbourhoodNodes     = 5000
	DefaultNeighbourhoodNodes = 500
)

// PathResult is the answer to StorePaths.
type PathResult struct {
	From Node `json:"from"`
	To   Node `json:"to"`
	// Hops is the length of the shortest paths, 0 when there is none
	// within MaxHops.
	Hops int `json:"hops"`
	// Found says whether To is reachable from From within MaxHops.
	Found bool `json:"found"`
	// Count is the number of shortest paths (which may exceed len(Paths));
	// Truncated says that Paths lists only the first MaxPaths of them.
	Count     float64 `json:"count"`
	Truncated bool    `json:"truncated"`
	// Paths lists shortest paths in lexicographic order of their ids.
	Paths []Path `json:"paths"`
}

// Path is one chain of partnerships: Links[i] joins Nodes[i] and
// Nodes[i+1].
type Path struct {
	Nodes []Node `json:"nodes"`
	Links []Link `json:"links"`
}

// checkPathArgs checks the arguments of StorePaths and returns
// maxHops with its default applied.
func checkPathArgs(from, to string, maxHops int) (int, error) {
	if maxHops == 0 {
		maxHops = DefaultMaxHops
	}
	if maxHops < 1 || maxHops > MaxHops {
		return 0, graph.FieldErrorf("max_hops", "must be between 1 and %d, got %d", MaxHops, maxHops)
	}
	for _, f := range []struct{ field, id string }{{"from", from}, {"to", to}} {
		if err := graph.CheckID(f.field, f.id); err != nil {
			return 0, err
		}
	}
	if from == to {
		return 0, graph.FieldErrorf("to", "is the same municipality as from (%s)", from)
	}
	return maxHops, nil
}

// StorePaths returns the shortest partnership paths from one municipality
// to another, of at most maxHops partnerships (0 means DefaultMaxHops),
// each partnership counted whatever its status, as the store finds them on
// its data as it is now. At most MaxPaths paths are listed. EINVALID names
// "from", "to" or "max_hops"; ENOTFOUND for an unknown id. Not finding a
// path is not an error: Found is false.
func StorePaths(ctx context.Context, pf graph.Store, from, to string, maxHops int) (PathResult, error) {
	maxHops, err := checkPathArgs(from, to, maxHops)
	if err != nil {
		return PathResult{}, err
	}
	count, paths, err := pf.ShortestPaths(ctx, from, to, maxHops, MaxPaths)
	if err != nil {
		return PathResult{}, err
	}
	res := PathResult{Paths: []Path{}, Count: float64(count), Found: count > 0}
	for _, sp := range paths {
		p := Path{Nodes: make([]Node, len(sp.Municipalities)), Links: make([]Link, len(sp.Partnerships))}
		for i := range sp.Municipalities {
			p.Nodes[i] = nodeOf(&sp.Municipalities[i], sp.Degrees[i])
		}
		for i, ps := range sp.Partnerships {
			p.Links[i] = Link{A: ps.A, B: ps.B, Kind: ps.Kind, Status: ps.Status, Since: ps.Since}
		}
		res.Paths = append(res.Paths, p)
	}
	if len(res.Paths) > 0 {
		first := res.Paths[0]
		res.From, res.To = first.Nodes[0], first.Nodes[len(first.Nodes)-1]
		res.Hops = len(first.Links)
	} else {
		// No path: the ends are read for the answer's header.
		for _, end := range []struct {
			id  string
			dst *Node
		}{{from, &res.From}, {to, &res.To}} {
			m, deg, err := endOf(ctx, pf, end.id)
			if err != nil {
				return PathResult{}, err
			}
			*end.dst = nodeOf(&m, deg)
		}
	}
	res.Truncated = res.Count > float64(len(res.Paths))
	return res, nil
}

// endOf reads the municipality with the given id and its number of
// partnerships.
func endOf(ctx context.Context, s graph.Store, id string) (graph.Municipality, int, error) {
	m, err := s.Municipality(ctx, id)
	if err != nil {
		return graph.Municipality{}, 0, err
	}
	ps, err := s.Partners(ctx, id)
	if err != nil {
		return graph.Municipality{}, 0, err
	}
	return m, len(ps), nil
}

// Neighbourhood is an ego network: the municipalities within some hops of
// a centre and the partnerships among them.
type Neighbourhood struct {
	Center Node `json:"center"`
	Hops   int  `json:"hops"`
	// Nodes lists the municipalities by distance from the centre (the
	// centre first, at hop 0), then by id.
	Nodes []HopNode `json:"nodes"`
	// Links lists every partnership between two listed municipalities.
	Links []Link `json:"links"`
	// Truncated says that more municipalities lie within Hops than the
	// maxNodes listed; the nearest are kept.
	Truncated bool `json:"truncated"`
}

// HopNode is a municipality of a Neighbourhood with its distance from the
// centre.
type HopNode struct {
	Node
	Hop int `json:"hop"`
}

// Neighbourhood returns the ego network of the municipality with the
// given id: every municipality within hops partnerships (1 to
// MaxNeighbourhoodHops) and the partnerships among them. When more than
// maxNodes municipalities (0 means DefaultNeighbourhoodNodes, at most
// MaxNeighbourhoodNodes) are within reach, it keeps the nearest maxNodes,
// in breadth-first order by id, and sets Truncated rather than failing, so
// that a hub still gets an answer. EINVALID names "id", "hops" or
// "max_nodes"; ENOTFOUND for an unknown id.
func (g *Graph) Neighbourhood(id string, hops, maxNodes int) (Neighbourhood, error) {
	if hops < 1 || hops > MaxNeighbourhoodHops {
		return Neighbourhood{}, graph.FieldErrorf("hops", "must be between 1 and %d, got %d", MaxNeighbourhoodHops, hops)
	}
	if maxNodes == 0 {
		maxNodes = DefaultNeighbourhoodNodes
	}
	if maxNodes < 1 || maxNodes > MaxNeighbourhoodNodes {
		return Neighbourhood{}, graph.FieldErrorf("max_nodes", "must be between 1 and %d, got %d", MaxNeighbourhoodNodes, maxNodes)
	}
	c, err := g.lookup("id", id)
	if err != nil {
		return Neighbourhood{}, err
	}
	hop := map[int32]int{c: 0}
	order := []int32{c}
	truncated := false
	for head := 0; head < len(order) && !truncated; head++ {
		u := order[head]
		if hop[u] == hops {
			break // order is by hop, so every later node is at hops too
		}
		for _, v := range g.neighbours(u) {
			if _, seen := hop[v]; seen {
				continue
			}
			if len(order) == maxNodes {
				truncated = true
				break
			}
			hop[v] = hop[u] + 1
			order = append(order, v)
		}
	}
	out := Neighbourhood{Center: g.node(c), Hops: hops, Nodes: make([]HopNode, len(order)), Links: []Link{}, Truncated: truncated}
	for i, v := range order {
		out.Nodes[i] = HopNode{Node: g.node(v), Hop: hop[v]}
	}
	slices.SortStableFunc(out.Nodes, func(a, b HopNode) int {
		if a.Hop != b.Hop {
			return a.Hop - b.Hop
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, u := range order {
		for k := g.off[u]; k < g.off[u+1]; k++ {
			if v := g.adj[k]; u < v {
				if _, in := hop[v]; in {
					out.Links = append(out.Links, g.link(g.adjEdge[k]))
				}
			}
		}
	}
	return out, nil
}
