package analytics

import (
	"fmt"
	"math/rand/v2"

	"github.com/twinning/twinning/graph"
)

// syntheticCountries are the countries of the synthetic graph; Ukraine
// gets a larger share than its place in the list.
var syntheticCountries = []string{"PL", "DE", "IT", "ES", "RO", "HU", "SK", "CZ", "LT", "LV", "EE", "FR", "NL", "BE", "AT", "BG", "SE", "FI", "RU", "BY"}

// synthetic returns n municipalities (about a tenth of them Ukrainian, in
// 24 oblasts, all with locations) and m distinct partnerships whose ends
// are drawn with a skew towards a few hubs, as real twinning graphs are,
// reproducible from seed.
func synthetic(n, m int, seed uint64) ([]graph.Municipality, []graph.Partnership) {
	r := rand.New(rand.NewPCG(seed, 7))
	ms := make([]graph.Municipality, n)
	for i := range ms {
		country := syntheticCountries[r.IntN(len(syntheticCountries))]
		lat, lon := 40+r.Float64()*20, -5+r.Float64()*35
		region := graph.Region{Code: fmt.Sprintf("%s%d", country, r.IntN(10)), Name: "Region"}
		if i%10 == 0 {
			country = "UA"
			lat, lon = 45.5+r.Float64()*6, 22.5+r.Float64()*17
			ob := r.IntN(24)
			region = graph.Region{Code: fmt.Sprintf("UA-%02d", ob+1), Name: fmt.Sprintf("Oblast %d", ob+1)}
		}
		ms[i] = graph.Municipality{
			ID:   fmt.Sprintf("%s-%06d", map[bool]string{true: "ua", false: "eu"}[country == "UA"], i),
			Name: fmt.Sprintf("Town %d", i), NameLatin: fmt.Sprintf("Town %d", i),
			Country: country, Region: region, Kind: graph.KindTown,
			Population: int64(1000 + r.IntN(500_000)),
			Location:   &graph.Point{Lat: lat, Lon: lon},
		}
	}
	// Ends are drawn from the first fifth of the nodes with a quadratic
	// skew, so that low indices become hubs.
	pool := max(2, n/5)
	pick := func() int { u := r.Float64(); return int(u * u * float64(pool)) }
	seen := make(map[[2]int]bool, m)
	ps := make([]graph.Partnership, 0, m)
	statuses := []graph.Status{graph.StatusActive, graph.StatusActive, graph.StatusActive, graph.StatusActive,
		graph.StatusActive, graph.StatusActive, graph.StatusDormant, graph.StatusDormant, graph.StatusSuspended, graph.StatusProposed}
	for len(ps) < m {
		a, b := pick(), r.IntN(n)
		if a == b {
			continue
		}
		if b < a {
			a, b = b, a
		}
		if seen[[2]int{a, b}] {
			continue
		}
		seen[[2]int{a, b}] = true
		ps = append(ps, graph.Partnership{A: ms[a].ID, B: ms[b].ID, Kind: graph.KindTwinning,
			Status: statuses[r.IntN(len(statuses))], Since: 1950 + r.IntN(70)})
	}
	return ms, ps
}
