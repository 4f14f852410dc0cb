package score

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/twinning/twinning/graph"
)

// earthRadiusKm is the mean radius of the Earth.
const earthRadiusKm = graph.EarthRadiusKm

// Bits of Index.flags.
const (
	flagLocation   = 1 << iota // the location is known
	flagPopulation             // the population is known
	flagDistrict               // a city district (graph.WithinUnits, graph.IsDistrict): no candidate unless asked
)

// Index is an immutable snapshot of the graph laid out for scoring: one
// entry per municipality, in id order, held as parallel arrays (struct of
// arrays) so that the scoring loop reads only what it needs, and the
// partnership graph as compressed adjacency lists. Build one with NewIndex
// or BuildIndex; it is safe for concurrent use.
type Index struct {
	ms   []graph.Municipality // in id order; position is the municipality's index
	byID map[string]int32

	ux, uy, uz []float32 // unit vector of the location, when flagLocation
	logPop     []float32 // natural log of the population, when flagPopulation
	pop        []int64   // population, 0 when unknown
	flags      []uint8
	themes     []uint32 // bit t set when the municipality carries graph.Themes[t]

	country        []uint16 // index into countryCodes
	countryCodes   []string
	countryByCode  map[string]uint16
	countryMembers [][]int32

	region      []int32 // index into regionCodes, -1 when unknown
	regionCodes []string
	regionNames []string

	// Adjacency in compressed form: the partners of municipality i are
	// adj[adjStart[i]:adjStart[i+1]], in index order; suspended[k] is true
	// when the partnership behind adj[k] is suspended. Suspended
	// partnerships still count as existing partners but take no part in
	// the graph factors.
	adjStart  []int32
	adj       []int32
	suspended []bool
	degree    []int32 // number of partnerships that are not suspended
	// partnersVal is the partners factor of each municipality, which does
	// not depend on the source: worked out once here rather than with an
	// exponential per candidate and request.
	partnersVal []float64

	// Partnerships that are not suspended and cross a border, counted by
	// pair of countries and of regions, and in all per country and region.
	countryLinks [][]int32 // [from][to]
	countryIntl  []int32
	regionLinks  []map[int32]int32
	regionIntl   []int32
	// regionCountry counts the same partnerships by region of one end and
	// country of the other.
	regionCountry []map[uint16]int32

	// cell is the area cell of a located municipality (-1 when unknown or
	// outside the grid), for the area_ties factor.
	cell []int32

	partnerships int

	// scratch holds requests with buffers sized for this index.
	scratch sync.Pool
}

// themeBits maps a theme to its bit in Index.themes.
var themeBits = func() map[string]uint32 {
	m := make(map[string]uint32, len(graph.Themes))
	for i, t := range graph.Themes {
		m[t] = 1 << i
	}
	return m
}()

// themeMask returns the bitmask of the known themes among ts.
func themeMask(ts []string) uint32 {
	var mask uint32
	for _, t := range ts {
		mask |= themeBits[t]
	}
	return mask
}

// readDump reads s with graph.ReadDump, its errors keeping their code.
func readDump(ctx context.Context, s graph.Scanner) (graph.Dump, error) {
	d, err := graph.ReadDump(ctx, s)
	if err != nil {
		return d, graph.Wrap(graph.ErrorCode(err), err, "score: %s", graph.ErrorMessage(err))
	}
	return d, nil
}

// NewIndex builds an Index from municipalities and partnerships held in
// memory; a trainer can use it to score a graph with some partnerships held
// out. It returns an EINVALID *Error when an id appears twice or a
// partnership names a municipality that is not among ms, and an ECONFLICT
// *Error when a pair appears twice. It keeps its own copy of ms.
func NewIndex(ms []graph.Municipality, ps []graph.Partnership) (*Index, error) {
	n := len(ms)
	if n > math.MaxInt32 {
		return nil, graph.Errorf(graph.EINVALID, "%d municipalities are more than an index can hold", n)
	}
	ix := &Index{
		ms:            slices.Clone(ms),
		byID:          make(map[string]int32, n),
		ux:            make([]float32, n),
		uy:            make([]float32, n),
		uz:            make([]float32, n),
		logPop:        make([]float32, n),
		pop:           make([]int64, n),
		flags:         make([]uint8, n),
		themes:        make([]uint32, n),
		country:       make([]uint16, n),
		countryByCode: map[string]uint16{},
		region:        make([]int32, n),
		cell:          make([]int32, n),
	}
	slices.SortFunc(ix.ms, func(a, b graph.Municipality) int { return cmp.Compare(a.ID, b.ID) })
	within := graph.WithinUnits(ix.ms)
	for i, u := range within {
		if u >= 0 && graph.IsDistrict(&ix.ms[i], &ix.ms[u]) {
			ix.flags[i] |= flagDistrict
		}
	}
	regionOf := regionScheme(ix.ms)
	regionByCode := map[string]int32{}
	for i := range ix.ms {
		m := &ix.ms[i]
		if i > 0 && ix.ms[i-1].ID == m.ID {
			return nil, graph.FieldErrorf("id", "municipality %s appears twice", m.ID)
		}
		ix.byID[m.ID] = int32(i)
		if p := m.Location; p != nil {
			lat, lon := p.Lat*math.Pi/180, p.Lon*math.Pi/180
			ix.ux[i] = float32(math.Cos(lat) * math.Cos(lon))
			ix.uy[i] = float32(math.Cos(lat) * math.Sin(lon))
			ix.uz[i] = float32(math.Sin(lat))
			ix.flags[i] |= flagLocation
		}
		ix.cell[i] = areaCell(m.Location)
		if m.Population > 0 {
			ix.pop[i] = m.Population
			ix.logPop[i] = float32(math.Log(float64(m.Population)))
			ix.flags[i] |= flagPopulation
		}
		ix.themes[i] = themeMask(m.Themes)
		c, ok := ix.countryByCode[m.Country]
		if !ok {
			if len(ix.countryCodes) > math.MaxUint16 {
				return nil, graph.FieldErrorf("country", "more than %d countries", math.MaxUint16)
			}
			c = uint16(len(ix.countryCodes))
			ix.countryByCode[m.Country] = c
			ix.countryCodes = append(ix.countryCodes, m.Country)
			ix.countryMembers = append(ix.countryMembers, nil)
		}
		ix.country[i] = c
		ix.countryMembers[c] = append(ix.countryMembers[c], int32(i))
		ix.region[i] = -1
		if code := regionOf(m); code != "" {
			r, ok := regionByCode[code]
			if !ok {
				r = int32(len(ix.regionCodes))
				regionByCode[code] = r
				ix.regionCodes = append(ix.regionCodes, code)
				ix.regionNames = append(ix.regionNames, "")
			}
			if ix.regionNames[r] == "" && m.Region.Code == code {
				ix.regionNames[r] = m.Region.Name
			}
			ix.region[i] = r
		}
	}
	if err := ix.buildGraph(ps); err != nil {
		return nil, err
	}
	ix.scratch.New = func() any { return ix.newScratch() }
	return ix, nil
}

// buildGraph fills the adjacency lists and the country and region counts.
func (ix *Index) buildGraph(ps []graph.Partnership) error {
	n := len(ix.ms)
	type arc struct {
		from, to  int32
		suspended bool
	}
	arcs := make([]arc, 0, 2*len(ps))
	for _, p := range ps {
		a, ok := ix.byID[p.A]
		if !ok {
			return graph.FieldErrorf("a", "partnership %s-%s: municipality %s does not exist", p.A, p.B, p.A)
		}
		b, ok := ix.byID[p.B]
		if !ok {
			return graph.FieldErrorf("b", "partnership %s-%s: municipality %s does not exist", p.A, p.B, p.B)
		}
		if a == b {
			return graph.FieldErrorf("b", "partnership %s-%s: a municipality cannot partner with itself", p.A, p.B)
		}
		s := p.Status == graph.StatusSuspended
		arcs = append(arcs, arc{a, b, s}, arc{b, a, s})
	}
	slices.SortFunc(arcs, func(x, y arc) int {
		return cmp.Or(cmp.Compare(x.from, y.from), cmp.Compare(x.to, y.to))
	})
	ix.adjStart = make([]int32, n+1)
	ix.adj = make([]int32, len(arcs))
	ix.suspended = make([]bool, len(arcs))
	ix.degree = make([]int32, n)
	for k, a := range arcs {
		if k > 0 && arcs[k-1].from == a.from && arcs[k-1].to == a.to {
			return graph.Errorf(graph.ECONFLICT, "partnership %s-%s appears twice", ix.ms[a.from].ID, ix.ms[a.to].ID)
		}
		ix.adjStart[a.from+1]++
		ix.adj[k] = a.to
		ix.suspended[k] = a.suspended
		if !a.suspended {
			ix.degree[a.from]++
		}
	}
	for i := range n {
		ix.adjStart[i+1] += ix.adjStart[i]
	}
	ix.partnersVal = make([]float64, n)
	for i, d := range ix.degree {
		ix.partnersVal[i] = partnersFactor(d)
	}
	ix.partnerships = len(ps)

	nc, nr := len(ix.countryCodes), len(ix.regionCodes)
	ix.countryLinks = make([][]int32, nc)
	for c := range ix.countryLinks {
		ix.countryLinks[c] = make([]int32, nc)
	}
	ix.countryIntl = make([]int32, nc)
	ix.regionLinks = make([]map[int32]int32, nr)
	ix.regionIntl = make([]int32, nr)
	ix.regionCountry = make([]map[uint16]int32, nr)
	for _, a := range arcs {
		ca, cb := ix.country[a.from], ix.country[a.to]
		if a.suspended || ca == cb {
			continue
		}
		// Each partnership is seen once from each end, so each end counts
		// it once.
		ix.countryLinks[ca][cb]++
		ix.countryIntl[ca]++
		if ra, rb := ix.region[a.from], ix.region[a.to]; ra >= 0 {
			ix.regionIntl[ra]++
			if ix.regionCountry[ra] == nil {
				ix.regionCountry[ra] = map[uint16]int32{}
			}
			ix.regionCountry[ra][cb]++
			if rb >= 0 {
				if ix.regionLinks[ra] == nil {
					ix.regionLinks[ra] = map[int32]int32{}
				}
				ix.regionLinks[ra][rb]++
			}
		}
	}
	return nil
}

// The area grid: cells of areaCellDeg degrees of latitude by
// 1.5 × areaCellDeg of longitude (about 55 × 55 km in central Europe) over
// latitudes 30–75 and longitudes -30–60.
const (
	areaCellDeg        = 0.5
	areaLat0, areaLat1 = 30.0, 75.0
	areaLon0, areaLon1 = -30.0, 60.0
	areaRows           = int((areaLat1 - areaLat0) / areaCellDeg)
	areaCols           = int((areaLon1 - areaLon0) / (1.5 * areaCellDeg))
	areaCells          = areaRows * areaCols
)

// areaCell returns the cell of a point, or -1 outside the grid.
func areaCell(p *graph.Point) int32 {
	if p == nil || p.Lat < areaLat0 || p.Lat >= areaLat1 || p.Lon < areaLon0 || p.Lon >= areaLon1 {
		return -1
	}
	row := int((p.Lat - areaLat0) / areaCellDeg)
	col := int((p.Lon - areaLon0) / (1.5 * areaCellDeg))
	return int32(row*areaCols + col)
}

// Len returns the number of municipalities in the index.
func (ix *Index) Len() int { return len(ix.ms) }

// Partnerships returns the number of partnerships in the index.
func (ix *Index) Partnerships() int { return ix.partnerships }

// Municipality returns the municipality with the given id and whether it
// is in the index.
func (ix *Index) Municipality(id string) (graph.Municipality, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return graph.Municipality{}, false
	}
	return cloneMunicipality(&ix.ms[i]), true
}

// partners returns the partners of i and, in parallel, whether each
// partnership is suspended.
func (ix *Index) partners(i int32) ([]int32, []bool) {
	lo, hi := ix.adjStart[i], ix.adjStart[i+1]
	return ix.adj[lo:hi], ix.suspended[lo:hi]
}

// chordKm returns the straight-line distance through the Earth between two
// located municipalities. It stands in for the great-circle distance in the
// scoring loop because it needs no trigonometry; the two differ by less
// than 0.5% below 1,500 km. Subtracting the unit vectors, rather than taking
// their dot product, keeps float32 precise for nearby places.
func (ix *Index) chordKm(i, j int32) float64 {
	return math.Sqrt(ix.chordSquared(i, j)) * earthRadiusKm
}

// chordSquared returns the squared distance between the unit vectors of
// two located municipalities.
func (ix *Index) chordSquared(i, j int32) float64 {
	dx := float64(ix.ux[i] - ix.ux[j])
	dy := float64(ix.uy[i] - ix.uy[j])
	dz := float64(ix.uz[i] - ix.uz[j])
	return dx*dx + dy*dy + dz*dz
}

// cloneMunicipality returns a copy that shares no memory with the index,
// so that callers cannot change the snapshot.
func cloneMunicipality(m *graph.Municipality) graph.Municipality {
	c := *m
	c.AltNames = slices.Clone(m.AltNames)
	c.Themes = slices.Clone(m.Themes)
	if m.Location != nil {
		p := *m.Location
		c.Location = &p
	}
	return c
}

// regionScheme returns the region a municipality counts in for the region
// factors. GeoNames names regions by admin1 code ("PL.77") and the Eurostat
// LAU files by NUTS 2 code ("PL21"), so that one voivodeship's
// partnerships would be split over two codes. Municipalities that carry
// both (a GeoNames place merged with its LAU unit) tell which admin1
// region each NUTS 2 region lies in: by majority, ties to the smaller
// code. A municipality with a NUTS 2 region that maps counts in the admin1
// region; any other keeps its own code.
func regionScheme(ms []graph.Municipality) func(*graph.Municipality) string {
	votes := map[string]map[string]int{}
	for i := range ms {
		m := &ms[i]
		if nuts := m.Codes.NUTS3; len(nuts) >= 4 && strings.Contains(m.Region.Code, ".") {
			n2 := nuts[:4]
			if votes[n2] == nil {
				votes[n2] = map[string]int{}
			}
			votes[n2][m.Region.Code]++
		}
	}
	admin1 := make(map[string]string, len(votes))
	for n2, vs := range votes {
		best, bestN := "", 0
		for code, n := range vs {
			if n > bestN || (n == bestN && code < best) {
				best, bestN = code, n
			}
		}
		admin1[n2] = best
	}
	return func(m *graph.Municipality) string {
		if code, ok := admin1[m.Region.Code]; ok {
			return code
		}
		return m.Region.Code
	}
}
