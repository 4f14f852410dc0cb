package eval

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/score"
)

// SourceCountry is the country whose municipalities the protocol finds
// partners for.
const SourceCountry = "UA"

// europe lists the countries whose municipalities count as European
// partners: those of continent EU in GeoNames' countryInfo, plus Georgia,
// Armenia, Azerbaijan and Cyprus, as the importers keep them, without
// Ukraine and graph.SuspendedCountries.
var europe = func() map[string]bool {
	out := map[string]bool{}
	for _, c := range []string{
		"AD", "AL", "AT", "AX", "BA", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FO",
		"FR", "GB", "GG", "GI", "GR", "HR", "HU", "IE", "IM", "IS", "IT", "JE", "XK", "LI", "LT", "LU",
		"LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SJ", "SK",
		"SM", "VA", "GE", "AM", "AZ",
	} {
		out[c] = true
	}
	return out
}()

// European reports whether a country's municipalities count as European
// partners in the protocol.
func European(country string) bool { return europe[country] }

// Pool says which municipalities a case ranks.
type Pool string

// Pools of candidates.
const (
	// PoolGraph ranks the European municipalities that have at least one
	// partnership in the graph (the protocol).
	PoolGraph Pool = "graph"
	// PoolAll ranks every European municipality in the store, partners or
	// not, as a city hall's request does.
	PoolAll Pool = "all"
)

// Case is one hidden link: the partnership of Source with Hidden is hidden
// and Hidden must be found among the candidates.
type Case struct {
	Source, Hidden int // positions in the index
	Fold           int
}

// Dataset is the graph the harness ranks on: the scoring index, what the
// baselines need per municipality, the cases and the candidate pool.
type Dataset struct {
	ms    []graph.Municipality // by index position
	ps    []graph.Partnership
	Index *score.Index

	ux, uy, uz []float64
	located    []bool
	country    []string
	// adj lists the partners through partnerships that are not suspended.
	adj      [][]int32
	degree   []int
	uaDegree []int // partners in SourceCountry

	// Pool holds the positions of the candidates, in order.
	Pool  []int
	Cases []Case
	// Sources are the positions of the sources, in order.
	Sources []int

	poolKind Pool
	poolPos  map[int]int // position in Pool by index position
	fold     map[int]int // fold by source, once assigned
	// poolByCountry holds the pool positions of each country's candidates.
	poolByCountry map[string][]int

	// protocol made the cases; future says that the cases' links are not
	// in the graph (registry, dated), so that nothing is hidden; others
	// holds each source's hidden partners, left out of each other's
	// rankings.
	protocol Protocol
	future   bool
	others   map[int][]int
}

// Load reads every municipality and partnership of s and builds a
// dataset over the given pool.
func Load(ctx context.Context, s graph.Scanner, pool Pool) (*Dataset, error) {
	d, err := graph.ReadDump(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	return NewDataset(d.Municipalities, d.Partnerships, pool)
}

// NewDataset builds a dataset from municipalities and partnerships held in
// memory. Errors are those of score.NewIndex, and EINVALID for an unknown
// pool.
func NewDataset(ms []graph.Municipality, ps []graph.Partnership, pool Pool) (*Dataset, error) {
	if pool != PoolGraph && pool != PoolAll {
		return nil, graph.FieldErrorf("pool", "must be %q or %q, got %q", PoolGraph, PoolAll, pool)
	}
	ix, err := score.NewIndex(ms, ps)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	n := ix.Len()
	d := &Dataset{
		ms: make([]graph.Municipality, n), ps: ps, Index: ix, protocol: ProtocolLeaveOneOut,
		ux: make([]float64, n), uy: make([]float64, n), uz: make([]float64, n),
		located: make([]bool, n), country: make([]string, n),
		adj: make([][]int32, n), degree: make([]int, n), uaDegree: make([]int, n),
		poolKind: pool,
	}
	for _, m := range ms {
		i, _ := ix.Position(m.ID)
		d.ms[i] = m
		d.country[i] = m.Country
		if p := m.Location; p != nil {
			lat, lon := p.Lat*math.Pi/180, p.Lon*math.Pi/180
			d.ux[i], d.uy[i], d.uz[i] = math.Cos(lat)*math.Cos(lon), math.Cos(lat)*math.Sin(lon), math.Sin(lat)
			d.located[i] = true
		}
	}
	for _, p := range ps {
		if p.Status == graph.StatusSuspended {
			continue
		}
		a, _ := ix.Position(p.A)
		b, _ := ix.Position(p.B)
		d.adj[a] = append(d.adj[a], int32(b))
		d.adj[b] = append(d.adj[b], int32(a))
	}
	for i := range d.adj {
		slices.Sort(d.adj[i])
		d.degree[i] = len(d.adj[i])
		for _, q := range d.adj[i] {
			if d.country[q] == SourceCountry {
				d.uaDegree[i]++
			}
		}
	}
	d.poolPos = map[int]int{}
	d.poolByCountry = map[string][]int{}
	for i := range n {
		if European(d.country[i]) && (pool == PoolAll || d.degree[i] > 0) {
			d.poolPos[i] = len(d.Pool)
			d.poolByCountry[d.country[i]] = append(d.poolByCountry[d.country[i]], len(d.Pool))
			d.Pool = append(d.Pool, i)
		}
	}
	for s := range n {
		if d.country[s] != SourceCountry {
			continue
		}
		var eu []int32
		for _, q := range d.adj[s] {
			if European(d.country[q]) {
				eu = append(eu, q)
			}
		}
		if len(eu) < 2 {
			continue
		}
		d.Sources = append(d.Sources, s)
		for _, h := range eu {
			d.Cases = append(d.Cases, Case{Source: s, Hidden: int(h)})
		}
	}
	return d, nil
}

// Municipality returns the municipality at position i.
func (d *Dataset) Municipality(i int) *graph.Municipality { return &d.ms[i] }

// isPartner reports whether a and b are partners through a partnership
// that is not suspended.
func (d *Dataset) isPartner(a, b int) bool {
	_, found := slices.BinarySearch(d.adj[a], int32(b))
	return found
}

// chordSquared returns the squared distance between the unit vectors of
// two located municipalities.
func (d *Dataset) chordSquared(i, j int) float64 {
	dx, dy, dz := d.ux[i]-d.ux[j], d.uy[i]-d.uy[j], d.uz[i]-d.uz[j]
	return dx*dx + dy*dy + dz*dz
}

// withoutLinks returns the dataset's partnerships minus those between the
// given pairs of positions.
func (d *Dataset) withoutLinks(drop map[[2]int]bool) []graph.Partnership {
	out := make([]graph.Partnership, 0, len(d.ps))
	for _, p := range d.ps {
		a, _ := d.Index.Position(p.A)
		b, _ := d.Index.Position(p.B)
		if drop[[2]int{a, b}] || drop[[2]int{b, a}] {
			continue
		}
		out = append(out, p)
	}
	return out
}
