package analytics

import (
	"maps"
	"slices"
	"strings"

	"github.com/twinning/twinning/graph"
)

// CountryMatrix counts partnerships between countries.
type CountryMatrix struct {
	// From, Statuses and Region are the filters applied ("" and nil for
	// none).
	From     string         `json:"from,omitempty"`
	Statuses []graph.Status `json:"statuses,omitempty"`
	Region   string         `json:"region,omitempty"`
	// Countries lists the partner countries that appear in any row, in
	// code order: the columns of the matrix.
	Countries []string `json:"countries"`
	// Rows has one row per from-country that has partnerships left after
	// the filters, in code order.
	Rows []CountryRow `json:"rows"`
	// Total is the number of partnerships counted. A partnership between
	// two countries that both have a row counts in each, so Total (which
	// counts it once) can be below the sum of the rows.
	Total int `json:"total"`
}

// CountryRow is one from-country of a CountryMatrix.
type CountryRow struct {
	Country string `json:"country"`
	// Municipalities and Population count the from-side municipalities in
	// the graph (in Region, when set), whether partnered or not;
	// municipalities of unknown population add nothing.
	Municipalities int   `json:"municipalities"`
	Population     int64 `json:"population"`
	// Partnerships is the row total.
	Partnerships int `json:"partnerships"`
	// PerMillion is Partnerships per million inhabitants of Population,
	// 0 when Population is 0.
	PerMillion float64 `json:"per_million"`
	// Cells are the non-zero counts by partner country, in code order.
	Cells []CountryCell `json:"cells"`
}

// CountryCell is one non-zero cell of a CountryMatrix.
type CountryCell struct {
	Country      string `json:"country"`
	Partnerships int    `json:"partnerships"`
	// PerMillion is Partnerships per million inhabitants of the row's
	// from-side population (CountryRow.Population): how densely the
	// from-country is tied to this partner country for its size.
	PerMillion float64 `json:"per_million"`
}

// CountryMatrix returns the country × country counts of partnerships. A
// partnership between municipalities of countries X and Y counts in row X,
// column Y and in row Y, column X (once in row X, column X when X = Y).
// from keeps only the row of that country ("" for every country); statuses
// keeps partnerships of those statuses (nil for all); region keeps only
// partnerships whose from-side municipality lies in that region code
// (e.g. "UA-46"). Per-million figures divide by the population of the
// row's from-side municipalities present in the graph (restricted to
// region when set), not by the country's census population. EINVALID
// (field "from", "status" or "region") for a malformed filter.
func (g *Graph) CountryMatrix(from string, statuses []graph.Status, region string) (CountryMatrix, error) {
	from = strings.ToUpper(strings.TrimSpace(from))
	if from != "" && !graph.ValidCountry(from) {
		return CountryMatrix{}, graph.FieldErrorf("from", "%q is not an ISO 3166-1 alpha-2 code such as UA or PL", from)
	}
	if err := validStatuses(statuses); err != nil {
		return CountryMatrix{}, err
	}
	region = strings.TrimSpace(region)
	if len(region) > 32 {
		return CountryMatrix{}, graph.FieldErrorf("region", "%q is longer than 32 characters", region)
	}
	keep := statusFilter(statuses)

	type rowAcc struct {
		row   CountryRow
		cells map[string]int
	}
	rows := map[string]*rowAcc{}
	inRow := func(m *graph.Municipality) bool {
		return (from == "" || m.Country == from) && (region == "" || m.Region.Code == region)
	}
	for i := range g.ms {
		m := &g.ms[i]
		if !inRow(m) {
			continue
		}
		acc := rows[m.Country]
		if acc == nil {
			acc = &rowAcc{row: CountryRow{Country: m.Country}, cells: map[string]int{}}
			rows[m.Country] = acc
		}
		acc.row.Municipalities++
		acc.row.Population += m.Population
	}
	total := 0
	for e, ab := range g.ends {
		if !keep(g.ps[e].Status) {
			continue
		}
		a, b := &g.ms[ab[0]], &g.ms[ab[1]]
		counted := false
		if inRow(a) {
			rows[a.Country].cells[b.Country]++
			counted = true
		}
		if inRow(b) && !(counted && a.Country == b.Country) {
			rows[b.Country].cells[a.Country]++
			counted = true
		}
		if counted {
			total++
		}
	}
	out := CountryMatrix{From: from, Statuses: statuses, Region: region, Countries: []string{}, Rows: []CountryRow{}, Total: total}
	columns := map[string]bool{}
	for _, code := range slices.Sorted(maps.Keys(rows)) {
		acc := rows[code]
		if len(acc.cells) == 0 {
			continue
		}
		row := acc.row
		for _, partner := range slices.Sorted(maps.Keys(acc.cells)) {
			n := acc.cells[partner]
			row.Partnerships += n
			row.Cells = append(row.Cells, CountryCell{Country: partner, Partnerships: n, PerMillion: perMillion(n, row.Population)})
			columns[partner] = true
		}
		row.PerMillion = perMillion(row.Partnerships, row.Population)
		out.Rows = append(out.Rows, row)
	}
	out.Countries = slices.Sorted(maps.Keys(columns))
	return out, nil
}

// perMillion returns n per million of population, 0 for no population.
func perMillion(n int, population int64) float64 {
	if population <= 0 {
		return 0
	}
	return float64(n) * 1e6 / float64(population)
}

// validStatuses returns an EINVALID error naming "status" for an unknown
// status.
func validStatuses(statuses []graph.Status) error {
	for _, s := range statuses {
		if !s.Valid() {
			return graph.FieldErrorf("status", "%q is not one of %v", s, graph.Statuses)
		}
	}
	return nil
}

// statusFilter returns a predicate keeping the given statuses, or all for
// none.
func statusFilter(statuses []graph.Status) func(graph.Status) bool {
	if len(statuses) == 0 {
		return func(graph.Status) bool { return true }
	}
	return func(s graph.Status) bool { return slices.Contains(statuses, s) }
}
