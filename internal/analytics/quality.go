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
	// FarFromSourceKm is how far from the point a source gives for a
	// partner the municipality it resolved to may lie before the report
	// lists the partnership: the radius within which the importers take a
	// name match as the place meant.
	FarFromSourceKm = 30.0
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
	// Districts lists suspected city districts (graph.WithinUnits,
	// graph.IsDistrict): Kyiv's, Warsaw's Mokotów, Gdańsk's Chełm. The
	// engine does not suggest them, nor do the gaps list them.
	Districts QualityCheck `json:"districts"`
	// Unmerged lists GeoNames places within a unit of another name that
	// hold most of its people: the unit's own town, which the merge did
	// not pair with it (Sofia and Stolichna), the same place as two nodes.
	Unmerged QualityCheck `json:"unmerged"`
	// FarFromSource lists partnerships an end of which lies more than
	// FarFromSourceKm from the point its source gives for it
	// (graph.Reference.OffKm): a list's point far off (Rhodes at the
	// island's middle) or a partner resolved to the wrong place.
	FarFromSource QualityCheck `json:"far_from_source"`
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
		Districts: QualityCheck{Description: "suspected city districts: GeoNames places without an administrative code within a unit of another name " +
			"that has at least twice their people, and Kyiv's districts; not suggested, not gaps"},
		Unmerged: QualityCheck{Description: "GeoNames places without an administrative code within a unit of another name that they hold most of: " +
			"the unit's own town under a name the merge did not pair with it, the same place as two nodes"},
		FarFromSource: QualityCheck{Description: "partnerships an end of which lies more than 30 km from the point its source gives for it: " +
			"the source's point far off, or the partner resolved to the wrong place; the farthest first"},
	}
	grid := graph.NewGrid(g.ms, func(m *graph.Municipality) bool { return m.Population >= DuplicateMinPopulation })
	var dups, namesakes, nolatin, created, districts, unmerged []QualityFinding
	within := g.withinUnits()
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
		if u := within[i]; u >= 0 {
			unit := &g.ms[u]
			f := QualityFinding{Municipalities: []Node{g.node(int32(i)), g.node(int32(u))}, weight: m.Population}
			if unit.Location != nil {
				f.DistanceKm = math.Round(graph.DistanceKm(*m.Location, *unit.Location)*10) / 10
			}
			if graph.IsDistrict(m, unit) {
				f.Note = "a district of " + unit.DisplayName()
				districts = append(districts, f)
			} else {
				f.Note = "the town of " + unit.DisplayName() + " under another name"
				unmerged = append(unmerged, f)
			}
		}
		if m.Population < DuplicateMinPopulation {
			continue
		}
		key := graph.NameKey(m.Name)
		grid.Near(*m.Location, DuplicateRadiusKm, func(j int, d float64) {
			o := &g.ms[j]
			if j <= i || o.Country != m.Country || graph.NameKey(o.Name) != key {
				return
			}
			f := QualityFinding{Municipalities: []Node{g.node(int32(i)), g.node(int32(j))}, DistanceKm: math.Round(d*10) / 10, weight: max(m.Population, o.Population)}
			if m.Administrative() && o.Administrative() {
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
	q.Unmerged.fill(unmerged)
	var far []QualityFinding
	for e := range g.ps {
		p := &g.ps[e]
		for _, r := range p.Sources {
			if r.OffKm > FarFromSourceKm {
				far = append(far, QualityFinding{Municipalities: []Node{g.node(g.ends[e][0]), g.node(g.ends[e][1])},
					Note: "listed by " + r.Source, DistanceKm: r.OffKm, weight: int64(r.OffKm * 10)})
				break
			}
		}
	}
	q.FarFromSource.fill(far)
	return q
}

// unitCode names the administrative code of a unit.
func unitCode(m *graph.Municipality) string {
	if m.Codes.LAU != "" {
		return "LAU " + m.Codes.LAU
	}
	return "KATOTTG " + m.Codes.KATOTTG
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
