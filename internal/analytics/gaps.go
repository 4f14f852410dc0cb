package analytics

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// Bounds of Gaps.
const (
	// MaxGapsLimit caps GapOptions.Limit; DefaultGapsLimit is used for 0.
	MaxGapsLimit     = 500
	DefaultGapsLimit = 50
	// DefaultGapSuggestions is how many suggestions each gap gets when
	// GapOptions.Suggestions is 0; MaxGapSuggestions caps it.
	DefaultGapSuggestions = 3
	MaxGapSuggestions     = 10
)

// The orders of Gaps.
const (
	SortPopulation = "population" // largest population first
	SortBorder     = "border"     // nearest to the EU border first
)

// Suggested is a candidate partner proposed for a gap.
type Suggested struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Country string  `json:"country"`
	Score   float64 `json:"score"`
	Reason  string  `json:"reason,omitempty"`
}

// SuggestFunc returns up to limit candidate partners for the municipality
// with the given id, best first. It lets Gaps use the scoring engine
// without this package importing it.
type SuggestFunc func(ctx context.Context, id string, limit int) ([]Suggested, error)

// GapOptions shape Graph.Gaps.
type GapOptions struct {
	// Sort is SortPopulation (the default for "") or SortBorder.
	Sort string
	// Oblast keeps the municipalities of one oblast, given by region code
	// ("UA-46") or by name (case-insensitive); "" keeps all.
	Oblast string
	// Limit caps the number of gaps listed (0 means DefaultGapsLimit, at
	// most MaxGapsLimit). Totals count every gap.
	Limit int
	// Suggest, when set, is called for every listed gap to attach its
	// best candidate partners.
	Suggest SuggestFunc
	// Suggestions is how many candidates each gap gets (0 means
	// DefaultGapSuggestions).
	Suggestions int
	// War keeps the gaps by what the war means for them ("" keeps all;
	// graph.WarFree the hromadas that can sign today).
	War graph.WarFilter
}

// Gaps is the answer to Graph.Gaps.
type Gaps struct {
	Sort   string `json:"sort"`
	Oblast string `json:"oblast,omitempty"`
	// Total and Population count every gap that passes the filter;
	// Items lists the first Limit of them in Sort order.
	Total      int   `json:"total"`
	Population int64 `json:"population"`
	// WarZone counts the gaps that lay in the war zone at the source's
	// last date, Occupied those occupied before 2022; both are listed
	// after the others, occupied last.
	WarZone  int `json:"war_zone"`
	Occupied int `json:"occupied"`
	// ByOblast counts the gaps by oblast, most gaps first, then by code.
	ByOblast []OblastGaps `json:"by_oblast"`
	Items    []Gap        `json:"items"`
}

// OblastGaps counts the gaps of one oblast.
type OblastGaps struct {
	Region     string `json:"region"`
	RegionName string `json:"region_name,omitempty"`
	// Municipalities is the number of Ukrainian municipalities of the
	// oblast in the graph; Gaps how many of them have no active European
	// partner, and Population their inhabitants.
	Municipalities int   `json:"municipalities"`
	Gaps           int   `json:"gaps"`
	Population     int64 `json:"population"`
}

// Gap is a Ukrainian municipality without an active European partner.
type Gap struct {
	Node
	// War is what the war means for the municipality (see
	// graph.WarStatus), absent when nothing applies.
	War *graph.WarStatus `json:"war,omitempty"`
	// BorderKm is the approximate distance to the EU border (see
	// BorderDistanceKm), nil when the location is unknown.
	BorderKm *float64 `json:"border_km"`
	// Suggestions are the best candidate partners, when a SuggestFunc was
	// given.
	Suggestions []Suggested `json:"suggestions,omitempty"`
}

// nonEuropean are the countries whose partners do not count as European
// for Gaps: Ukraine itself and the countries of graph.SuspendedCountries.
var nonEuropean = append([]string{"UA"}, graph.SuspendedCountries...)

// Gaps returns the Ukrainian municipalities (country UA, kind not region)
// that have no active partnership with a municipality outside UA, RU and
// BY, with totals by oblast. Those that can look for a partner today come
// first, then those in the war zone at the source's last date, then those
// occupied before 2022 (see warGroup); within each, by population
// (largest first) or by distance to the EU border (nearest first, unknown
// locations last); ties go to the larger population, then to the id.
// EINVALID names "sort",
// "oblast", "limit" or "suggestions"; errors of opts.Suggest are returned
// wrapped, keeping their code.
func (g *Graph) Gaps(ctx context.Context, opts GapOptions) (Gaps, error) {
	sortBy := strings.ToLower(strings.TrimSpace(opts.Sort))
	if sortBy == "" {
		sortBy = SortPopulation
	}
	if sortBy != SortPopulation && sortBy != SortBorder {
		return Gaps{}, graph.FieldErrorf("sort", "must be %q or %q, got %q", SortPopulation, SortBorder, opts.Sort)
	}
	limit := cmp.Or(opts.Limit, DefaultGapsLimit)
	if limit < 1 || limit > MaxGapsLimit {
		return Gaps{}, graph.FieldErrorf("limit", "must be between 1 and %d, got %d", MaxGapsLimit, opts.Limit)
	}
	per := cmp.Or(opts.Suggestions, DefaultGapSuggestions)
	if per < 1 || per > MaxGapSuggestions {
		return Gaps{}, graph.FieldErrorf("suggestions", "must be between 1 and %d, got %d", MaxGapSuggestions, opts.Suggestions)
	}
	if !opts.War.Valid() {
		return Gaps{}, graph.FieldErrorf("war", "%q is not one of %v", opts.War, graph.WarFilters)
	}
	oblast := strings.TrimSpace(opts.Oblast)
	inOblast := func(m *graph.Municipality) bool {
		return oblast == "" || m.Region.Code == oblast || strings.EqualFold(m.Region.Name, oblast)
	}

	out := Gaps{Sort: sortBy, Oblast: oblast, ByOblast: []OblastGaps{}, Items: []Gap{}}
	byOblast := map[string]*OblastGaps{}
	var gaps []int32
	matched := false
	for i := range int32(len(g.ms)) {
		m := &g.ms[i]
		if m.Country != "UA" || m.Kind == graph.KindRegion || !inOblast(m) || !opts.War.Matches(m.War) || g.isDistrict(i) {
			continue // a district of Kyiv is no hromada to partner
		}
		matched = true
		ob := byOblast[m.Region.Code]
		if ob == nil {
			ob = &OblastGaps{Region: m.Region.Code, RegionName: m.Region.Name}
			byOblast[m.Region.Code] = ob
		}
		ob.Municipalities++
		if g.hasActiveEuropeanPartner(i) {
			continue
		}
		ob.Gaps++
		ob.Population += m.Population
		out.Total++
		out.Population += m.Population
		switch warGroup(m) {
		case 1:
			out.WarZone++
		case 2:
			out.Occupied++
		}
		gaps = append(gaps, i)
	}
	if oblast != "" && !matched {
		return Gaps{}, graph.FieldErrorf("oblast", "no Ukrainian municipality lies in %q; give a region code such as UA-46 or an oblast name", oblast)
	}
	for _, ob := range byOblast {
		if ob.Gaps > 0 {
			out.ByOblast = append(out.ByOblast, *ob)
		}
	}
	slices.SortFunc(out.ByOblast, func(a, b OblastGaps) int {
		return cmp.Or(cmp.Compare(b.Gaps, a.Gaps), strings.Compare(a.Region, b.Region))
	})

	g.sortGaps(gaps, sortBy)
	for _, i := range gaps[:min(limit, len(gaps))] {
		gap := Gap{Node: g.node(i), War: g.ms[i].War}
		if p := g.ms[i].Location; p != nil {
			km := math.Round(BorderDistanceKm(*p)*10) / 10
			gap.BorderKm = &km
		}
		if opts.Suggest != nil {
			if err := ctx.Err(); err != nil {
				return Gaps{}, graph.Wrap(graph.EUNAVAILABLE, err, "gaps: cancelled while suggesting partners")
			}
			sugg, err := opts.Suggest(ctx, g.ms[i].ID, per)
			if err != nil {
				return Gaps{}, graph.Wrap(graph.ErrorCode(err), err, "gaps: suggestions for %s: %s", g.ms[i].ID, graph.ErrorMessage(err))
			}
			gap.Suggestions = sugg
			if gap.Suggestions == nil {
				gap.Suggestions = []Suggested{}
			}
		}
		out.Items = append(out.Items, gap)
	}
	return out, nil
}

// sortGaps orders gaps: the free hromadas first, then those in the war
// zone, then the occupied; within each, nearest the EU border first (with
// SortBorder, the located before the others), then the most populous.
func (g *Graph) sortGaps(gaps []int32, sortBy string) {
	border := make(map[int32]float64, len(gaps))
	if sortBy == SortBorder {
		for _, i := range gaps {
			if p := g.ms[i].Location; p != nil {
				border[i] = BorderDistanceKm(*p)
			}
		}
	}
	slices.SortFunc(gaps, func(a, b int32) int {
		if wa, wb := warGroup(&g.ms[a]), warGroup(&g.ms[b]); wa != wb {
			return cmp.Compare(wa, wb)
		}
		if sortBy == SortBorder {
			da, okA := border[a]
			db, okB := border[b]
			switch {
			case okA && !okB:
				return -1
			case !okA && okB:
				return 1
			case okA && okB && da != db:
				return cmp.Compare(da, db)
			}
		}
		return cmp.Or(cmp.Compare(g.ms[b].Population, g.ms[a].Population), int(a-b))
	})
}

// hasActiveEuropeanPartner reports whether municipality i has an active
// partnership with a municipality outside nonEuropean.
func (g *Graph) hasActiveEuropeanPartner(i int32) bool {
	for k := g.off[i]; k < g.off[i+1]; k++ {
		if g.ps[g.adjEdge[k]].Status == graph.StatusActive && !slices.Contains(nonEuropean, g.ms[g.adj[k]].Country) {
			return true
		}
	}
	return false
}

// euBorder is Ukraine's land border with EU member states as polylines of
// (lat, lon) points, written down by hand from the border crossings and
// tripoints along it, accurate to a few kilometres: Poland from the
// Belarus tripoint on the Bug to the Slovak tripoint, Slovakia, Hungary and
// Romania west of Moldova to the Moldovan tripoint, and the Romanian
// border on the Kiliya arm of the Danube.
var euBorder = [][][2]float64{
	{
		{51.552, 23.636}, // BY-PL-UA tripoint on the Bug
		{51.270, 23.660},
		{51.150, 23.800}, // Yahodyn-Dorohusk
		{50.870, 24.100}, // Ustyluh-Zosin
		{50.640, 24.100},
		{50.380, 23.980}, // Belz
		{50.260, 23.560}, // Rava-Ruska-Hrebenne
		{49.960, 23.100}, // Krakovets-Korczowa
		{49.810, 22.960}, // Shehyni-Medyka
		{49.500, 22.680}, // Smilnytsia-Kroscienko
		{49.086, 22.566}, // PL-SK-UA tripoint
		{48.880, 22.400}, // Malyi Bereznyi-Ubla
		{48.680, 22.270}, // Uzhhorod-Vysne Nemecke
		{48.395, 22.155}, // HU-SK-UA tripoint near Chop
		{48.160, 22.580}, // Luzhanka-Beregsurany
		{48.100, 22.820}, // Vylok-Tiszabecs
		{47.960, 22.890}, // HU-RO-UA tripoint
		{47.980, 23.000}, // Diakove-Halmeu
		{47.950, 23.890}, // Solotvyno-Sighetu Marmatiei, on the Tisa
		{47.950, 24.200},
		{47.730, 24.900},
		{47.850, 25.250},
		{47.970, 25.900},
		{47.980, 26.070}, // Porubne-Siret
		{48.260, 26.630}, // MD-RO-UA tripoint
	},
	{
		{45.470, 28.210}, // MD-RO-UA tripoint near Reni
		{45.440, 28.400},
		{45.340, 28.840}, // Izmail
		{45.440, 29.270}, // Kiliya
		{45.400, 29.590}, // Vylkove
		{45.220, 29.750}, // mouth of the Kiliya arm
	},
}

// earthRadiusKm is the mean radius of the Earth.
const earthRadiusKm = graph.EarthRadiusKm

// BorderDistanceKm returns the approximate distance in kilometres from p
// to Ukraine's border with the EU (the polylines of euBorder), measured to
// the nearest segment on a local equirectangular projection centred on p.
// It is good to a few kilometres near the border and to about one per
// cent across Ukraine, which is what ranking municipalities needs.
func BorderDistanceKm(p graph.Point) float64 {
	cosLat := math.Cos(p.Lat * math.Pi / 180)
	project := func(q [2]float64) (x, y float64) {
		return (q[1] - p.Lon) * cosLat * math.Pi / 180 * earthRadiusKm, (q[0] - p.Lat) * math.Pi / 180 * earthRadiusKm
	}
	best := math.Inf(1)
	for _, line := range euBorder {
		for k := 1; k < len(line); k++ {
			ax, ay := project(line[k-1])
			bx, by := project(line[k])
			best = math.Min(best, distanceToSegment(ax, ay, bx, by))
		}
	}
	return best
}

// distanceToSegment returns the distance from the origin to the segment
// from (ax, ay) to (bx, by).
func distanceToSegment(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+t*dx, ay+t*dy)
}

// warGroup places a gap in the list: 0 for a municipality that can look
// for a partner today, 1 for one in the war zone at the last of
// graph.WarZoneDates, 2 for one occupied before 2022, which cannot sign
// today.
func warGroup(m *graph.Municipality) int {
	switch {
	case m.War.Empty():
		return 0
	case m.War.OccupiedBefore2022:
		return 2
	case m.War.InWarZoneLast():
		return 1
	}
	return 0
}
