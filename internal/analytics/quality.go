package analytics

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// The rules of the data-quality report.
const (
	// DuplicateMinPopulation and DuplicateRadiusKm define a suspected
	// duplicate: two municipalities of one country with the same
	// normalised name, both of at least DuplicateMinPopulation people, at
	// most DuplicateRadiusKm apart.
	DuplicateMinPopulation = 10000
	DuplicateRadiusKm      = 5.0
	// QualityExamples is how many findings a check lists.
	QualityExamples = 20
)

// Quality is the data-quality report for the people who keep the data:
// what an officer would trip over, each check with its count and its
// first findings, the largest municipalities first.
type Quality struct {
	Municipalities int `json:"municipalities"`
	// Duplicates are suspected duplicates: the same place as two nodes.
	Duplicates QualityCheck `json:"duplicates"`
	// Namesakes are pairs of the duplicates' rule that are two
	// administrative units (each with its own LAU or KATOTTG code): a town
	// and the rural gmina of its name around it, or a town on two sides of
	// a county border. They are two municipalities, which their labels
	// must tell apart.
	Namesakes QualityCheck `json:"namesakes"`
	// NoLatinName lists municipalities without a name in Latin script.
	NoLatinName QualityCheck `json:"no_latin_name"`
	// Created lists municipalities created from a partnership list for a
	// place that resolved to nothing, without any code.
	Created QualityCheck `json:"created_from_lists"`
	// Districts lists suspected city districts: GeoNames places without
	// an administrative code that lie within a larger municipality of
	// another name (Gdańsk's Chełm), and Kyiv's districts.
	Districts QualityCheck `json:"districts"`
}

// QualityCheck is one check of the report.
type QualityCheck struct {
	Description string           `json:"description"`
	Count       int              `json:"count"`
	Examples    []QualityFinding `json:"examples"`
}

// QualityFinding is one finding: the municipalities it concerns and what
// is wrong.
type QualityFinding struct {
	Municipalities []Node  `json:"municipalities"`
	Note           string  `json:"note,omitempty"`
	DistanceKm     float64 `json:"distance_km,omitempty"`
	// weight orders the findings: the largest population first.
	weight int64
}

// qualityGrid files located municipalities by cells of about 11 km.
type qualityGrid map[[2]int32][]int32

const qualityCellDeg = 0.1

func qualityCell(p *graph.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p.Lat / qualityCellDeg)), int32(math.Floor(p.Lon / qualityCellDeg))}
}

// near calls fn for every municipality of the grid within km of p (a
// box of cells, then the exact distance).
func (q qualityGrid) near(ms []graph.Municipality, p *graph.Point, km float64, fn func(j int32, d float64)) {
	dLat := km / 111.0
	dLon := km / (111.0 * math.Max(0.05, math.Cos(p.Lat*math.Pi/180)))
	lo := qualityCell(&graph.Point{Lat: p.Lat - dLat, Lon: p.Lon - dLon})
	hi := qualityCell(&graph.Point{Lat: p.Lat + dLat, Lon: p.Lon + dLon})
	for a := lo[0]; a <= hi[0]; a++ {
		for b := lo[1]; b <= hi[1]; b++ {
			for _, j := range q[[2]int32{a, b}] {
				if d := graph.DistanceKm(*p, *ms[j].Location); d <= km {
					fn(j, d)
				}
			}
		}
	}
}

// administrative reports whether m is an administrative unit: it holds a
// LAU or KATOTTG code.
func administrative(m *graph.Municipality) bool {
	return m.Codes.LAU != "" || m.Codes.KATOTTG != ""
}

// Quality returns the data-quality report of the graph, computed on first
// use (about a second on all of the open data) and kept with the graph.
func (g *Graph) Quality() Quality {
	g.qualityOnce.Do(func() { g.quality = g.computeQuality() })
	return g.quality
}

// computeQuality computes the data-quality report of the graph.
func (g *Graph) computeQuality() Quality {
	q := Quality{
		Municipalities: len(g.ms),
		Duplicates: QualityCheck{Description: "two municipalities of one country with the same normalised name, both of 10,000 people or more, " +
			"at most 5 km apart, not both administrative units: the same place as two nodes"},
		Namesakes: QualityCheck{Description: "the same rule, but both administrative units with their own codes: two municipalities of one name " +
			"(a town and the rural gmina around it), which labels must tell apart"},
		NoLatinName: QualityCheck{Description: "municipalities without a name in Latin script"},
		Created: QualityCheck{Description: "municipalities created from a partnership list for a place that resolved to nothing, without any code: " +
			"check them, or import the file that has them"},
		Districts: QualityCheck{Description: "suspected city districts: GeoNames places without an administrative code within a larger municipality " +
			"of another name (a district, or the unit's own town under a name the merge did not pair), and Kyiv's districts"},
	}
	grid := qualityGrid{}
	lauCountries := map[string]bool{}
	for i := range g.ms {
		m := &g.ms[i]
		if m.Location != nil {
			c := qualityCell(m.Location)
			grid[c] = append(grid[c], int32(i))
		}
		if administrative(m) {
			lauCountries[m.Country] = true
		}
	}
	var dups, namesakes, nolatin, created, districts []QualityFinding
	kyiv := g.kyiv()
	for i := range g.ms {
		m := &g.ms[i]
		if strings.TrimSpace(m.NameLatin) == "" {
			nolatin = append(nolatin, QualityFinding{Municipalities: []Node{g.node(int32(i))}, weight: m.Population})
		}
		if strings.HasPrefix(m.ID, "tw-") && m.Codes == (graph.Codes{}) {
			// The id the importers give a place created from a list.
			created = append(created, QualityFinding{Municipalities: []Node{g.node(int32(i))}, Note: "created by " + m.Source, weight: int64(g.degree(int32(i)))})
		}
		if m.Location == nil {
			continue
		}
		if f, ok := g.district(int32(i), grid, lauCountries, kyiv); ok {
			districts = append(districts, f)
		}
		if m.Population < DuplicateMinPopulation {
			continue
		}
		key := graph.NameKey(m.Name)
		grid.near(g.ms, m.Location, DuplicateRadiusKm, func(j int32, d float64) {
			o := &g.ms[j]
			if int(j) <= i || o.Country != m.Country || o.Population < DuplicateMinPopulation || graph.NameKey(o.Name) != key {
				return
			}
			f := QualityFinding{Municipalities: []Node{g.node(int32(i)), g.node(j)}, DistanceKm: math.Round(d*10) / 10, weight: max(m.Population, o.Population)}
			if administrative(m) && administrative(o) {
				f.Note = "two administrative units: " + unitCode(m) + " and " + unitCode(o)
				namesakes = append(namesakes, f)
			} else {
				dups = append(dups, f)
			}
		})
	}
	q.Duplicates.fill(dups)
	q.Namesakes.fill(namesakes)
	q.NoLatinName.fill(nolatin)
	q.Created.fill(created)
	q.Districts.fill(districts)
	return q
}

// unitCode names the administrative code of a unit.
func unitCode(m *graph.Municipality) string {
	if m.Codes.LAU != "" {
		return "LAU " + m.Codes.LAU
	}
	return "KATOTTG " + m.Codes.KATOTTG
}

// kyiv returns Kyiv, the most populous municipality of region UA-30, or
// -1.
func (g *Graph) kyiv() int32 {
	best := int32(-1)
	for i := range g.ms {
		if g.ms[i].Region.Code == "UA-30" && (best < 0 || g.ms[i].Population > g.ms[best].Population) {
			best = int32(i)
		}
	}
	return best
}

// districtMaxKm bounds how far from a unit's point a district may lie:
// the circle of a large rural unit's area would take in the towns around
// it that are units of their own.
const districtMaxKm = 15.0

// district reports whether municipality i is a suspected city district:
// a place of region UA-30 other than Kyiv itself, or a GeoNames place
// without an administrative code, in a country of administrative units,
// that lies within a more populous unit of another name (the unit's area
// as a circle around its point, widened by a quarter, at most
// districtMaxKm): a district (Mokotów in Warsaw), or the unit's own town
// under a name the importers did not pair with the unit's (Sofia and
// Stolichna, Brighton and "Brighton and Hove").
func (g *Graph) district(i int32, grid qualityGrid, lauCountries map[string]bool, kyiv int32) (QualityFinding, bool) {
	m := &g.ms[i]
	if m.Region.Code == "UA-30" && i != kyiv && kyiv >= 0 && !administrative(m) {
		return QualityFinding{Municipalities: []Node{g.node(i), g.node(kyiv)}, Note: "a district of Kyiv", weight: m.Population}, true
	}
	if administrative(m) || !strings.HasPrefix(m.Source, "geonames") || !lauCountries[m.Country] {
		return QualityFinding{}, false
	}
	key := graph.NameKey(m.Name)
	var (
		found          bool
		best           int32
		bestD, bestPop = 0.0, int64(0)
	)
	grid.near(g.ms, m.Location, 40, func(j int32, d float64) {
		u := &g.ms[j]
		if !administrative(u) || u.Country != m.Country || u.AreaKm2 <= 0 || u.Population <= m.Population || graph.NameKey(u.Name) == key {
			return
		}
		if d <= min(districtMaxKm, 1.25*math.Sqrt(u.AreaKm2/math.Pi)) && (!found || u.Population > bestPop) {
			found, best, bestD, bestPop = true, j, d, u.Population
		}
	})
	if !found {
		return QualityFinding{}, false
	}
	return QualityFinding{Municipalities: []Node{g.node(i), g.node(best)}, Note: "within " + g.ms[best].DisplayName(),
		DistanceKm: math.Round(bestD*10) / 10, weight: m.Population}, true
}

// fill sets the check's count and its first QualityExamples findings, the
// heaviest first.
func (c *QualityCheck) fill(fs []QualityFinding) {
	c.Count = len(fs)
	slices.SortStableFunc(fs, func(a, b QualityFinding) int {
		if a.weight != b.weight {
			return cmp.Compare(b.weight, a.weight)
		}
		return cmp.Compare(a.Municipalities[0].ID, b.Municipalities[0].ID)
	})
	c.Examples = fs[:min(len(fs), QualityExamples)]
	if c.Examples == nil {
		c.Examples = []QualityFinding{}
	}
}
