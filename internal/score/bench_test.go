package score

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
)

// Sizes of the synthetic graph: those of the real open data (1,469
// hromadas, 63,645 European LAUs, ~26,000 twinnings).
const (
	benchUkrainian    = 1469
	benchEuropean     = 63645
	benchPartnerships = 26000
	benchUAShare      = 0.046 // share of partnerships that touch Ukraine (1,201 of 25,917)
)

var benchGraph = sync.OnceValues(func() ([]graph.Municipality, []graph.Partnership) {
	return syntheticGraph(rand.New(rand.NewPCG(1, 2)))
})

// syntheticGraph builds a random but realistic-ish graph: municipalities
// clustered around region centres in their country, log-normal
// populations, and partnerships whose ends are drawn with a probability
// that grows with population, as larger towns have more partners.
func syntheticGraph(rng *rand.Rand) ([]graph.Municipality, []graph.Partnership) {
	europe := []struct {
		code     string
		lat, lon float64
	}{
		{"PL", 52, 19}, {"DE", 51, 10}, {"CZ", 49.8, 15.5}, {"SK", 48.7, 19.5}, {"HU", 47.2, 19.5},
		{"RO", 45.9, 25}, {"BG", 42.7, 25.5}, {"LT", 55.2, 23.9}, {"LV", 56.9, 24.6}, {"EE", 58.6, 25},
		{"FI", 62, 25}, {"SE", 60, 15}, {"NO", 60.5, 8.5}, {"DK", 56, 10}, {"NL", 52.1, 5.3},
		{"BE", 50.5, 4.5}, {"LU", 49.8, 6.1}, {"AT", 47.5, 14.5}, {"CH", 46.8, 8.2}, {"IT", 42.8, 12.5},
		{"ES", 40.4, -3.7}, {"PT", 39.5, -8}, {"IE", 53.4, -8}, {"GB", 53, -1.5}, {"SI", 46.1, 14.8},
		{"HR", 45.1, 15.2}, {"RS", 44, 21}, {"GR", 39, 22}, {"CY", 35, 33}, {"MT", 35.9, 14.4},
		{"IS", 64.9, -19}, {"LI", 47.2, 9.55}, {"MK", 41.6, 21.7}, {"AL", 41.2, 20.2},
	}
	themes := func() []string {
		var out []string
		for range rng.IntN(4) {
			t := graph.Themes[rng.IntN(len(graph.Themes))]
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		return out
	}
	place := func(id, country, region string, lat, lon, spread, mu, sigma float64) graph.Municipality {
		return graph.Municipality{
			ID: id, Name: id, NameLatin: id, Country: country, Kind: graph.KindLAU,
			Region:     graph.Region{Code: region, Name: region},
			Population: int64(math.Exp(mu + sigma*rng.NormFloat64())),
			Location: &graph.Point{
				Lat: math.Max(-89, math.Min(89, lat+spread*rng.NormFloat64())),
				Lon: math.Max(-179, math.Min(179, lon+spread*1.5*rng.NormFloat64())),
			},
			Themes: themes(),
		}
	}
	ms := make([]graph.Municipality, 0, benchUkrainian+benchEuropean)
	const oblasts = 24
	for k := range benchUkrainian {
		o := k % oblasts
		lat, lon := 46+float64(o%4)*1.6, 23.5+float64(o/4)*2.6
		ms = append(ms, place(fmt.Sprintf("ua-%04d", k), "UA", fmt.Sprintf("UA-%02d", o), lat, lon, 0.5, 9.3, 1.0))
	}
	for k := range benchEuropean {
		c := europe[k%len(europe)]
		r := rng.IntN(8)
		lat, lon := c.lat+float64(r%3-1)*1.2, c.lon+float64(r/3-1)*1.6
		ms = append(ms, place(fmt.Sprintf("%s-%05d", lowerASCII(c.code), k), c.code, fmt.Sprintf("%s%d", c.code, r), lat, lon, 0.4, 8.3, 1.4))
	}

	// Draw ends with probability proportional to population^0.8.
	cumulative := func(lo, hi int) []float64 {
		cum := make([]float64, hi-lo)
		total := 0.0
		for i := lo; i < hi; i++ {
			total += math.Pow(float64(max(ms[i].Population, 1)), 0.8)
			cum[i-lo] = total
		}
		return cum
	}
	uaCum, euCum := cumulative(0, benchUkrainian), cumulative(benchUkrainian, len(ms))
	draw := func(cum []float64, offset int) int {
		i, _ := slices.BinarySearch(cum, rng.Float64()*cum[len(cum)-1])
		return offset + min(i, len(cum)-1)
	}
	seen := map[[2]string]bool{}
	ps := make([]graph.Partnership, 0, benchPartnerships)
	for len(ps) < benchPartnerships {
		var a, b int
		if rng.Float64() < benchUAShare {
			a, b = draw(uaCum, 0), draw(euCum, benchUkrainian)
		} else {
			a, b = draw(euCum, benchUkrainian), draw(euCum, benchUkrainian)
			if ms[a].Country == ms[b].Country {
				continue
			}
		}
		p := pair(ms[a].ID, ms[b].ID)
		if a == b || seen[p.Key()] {
			continue
		}
		seen[p.Key()] = true
		p.Normalize()
		ps = append(ps, p)
	}
	return ms, ps
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func BenchmarkSuggest(b *testing.B) {
	ms, ps := benchGraph()
	ix, err := NewIndex(ms, ps)
	require.NoError(b, err)
	e := NewEngine(DefaultModel())
	e.SetIndex(ix)
	var sources []string
	for i := range int32(benchUkrainian) {
		if ix.degree[i] > 0 {
			sources = append(sources, ix.ms[i].ID)
		}
	}
	require.NotEmpty(b, sources)
	ctx := context.Background()
	b.ReportAllocs()
	k := 0
	runtime.GC() // collect the setup's garbage outside the measurement
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		res, err := e.Suggest(ctx, sources[k%len(sources)], Options{})
		if err != nil || len(res.Suggestions) != DefaultLimit {
			b.Fatalf("suggest: %d suggestions, %v", len(res.Suggestions), err)
		}
		k++
	}
	reportCPUPerOp(b, cpu)
}

func BenchmarkLoad(b *testing.B) {
	ms, ps := benchGraph()
	s := &memStore{ms: slices.Clone(ms), ps: slices.Clone(ps)}
	slices.SortFunc(s.ms, func(x, y graph.Municipality) int { return cmp.Compare(x.ID, y.ID) })
	e := NewEngine(DefaultModel())
	ctx := context.Background()
	b.ReportAllocs()
	runtime.GC() // collect the setup's garbage outside the measurement
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		if err := e.Load(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	reportCPUPerOp(b, cpu)
}

func TestSyntheticGraphIsValid(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a graph of 65,000 municipalities")
	}
	ms, ps := benchGraph()
	require.Len(t, ms, benchUkrainian+benchEuropean)
	require.Len(t, ps, benchPartnerships)
	for i := range ms {
		require.NoError(t, ms[i].Validate())
	}
	ix, err := NewIndex(ms, ps)
	require.NoError(t, err)
	require.Equal(t, len(ms), ix.Len())
}
