package neo4j

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twinning/twinning/graph"
)

// lauLike returns n municipalities shaped as the LAU import writes them:
// 34 countries, about 1,300 regions (NUTS 3 codes) of very unequal sizes,
// a LAU code each, two names, no themes. first numbers the ids, so that
// successive calls give new municipalities.
func lauLike(first, n int) []graph.Municipality {
	countries := []string{"AL", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "HR", "HU", "IE", "IS",
		"IT", "LI", "LT", "LU", "LV", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK", "UK"}
	ms := make([]graph.Municipality, n)
	for j := range ms {
		i := first + j
		// A skewed country: a third of the rows in DE, as the real files
		// put most units in a few countries, so that some country and
		// region nodes are very dense.
		c := countries[(i*i)%len(countries)]
		if i%3 == 0 {
			c = "DE"
		}
		cc := c
		if cc == "EL" {
			cc = "GR"
		} else if cc == "UK" {
			cc = "GB"
		}
		ms[j] = graph.Municipality{
			ID: fmt.Sprintf("lau-%s-%06d", strings.ToLower(c), i), Name: fmt.Sprintf("Gemeinde %d", i), NameLatin: fmt.Sprintf("Gemeinde %d", i),
			Country: cc, Region: graph.Region{Code: fmt.Sprintf("%s%03d", c, i%37)},
			Kind: graph.KindLAU, Population: int64(100 + (i*7919)%90000), PopulationYear: 2018, AreaKm2: float64(1 + i%300),
			Location: &graph.Point{Lat: 36 + float64(i%2500)/100, Lon: -9 + float64(i%3300)/100},
			Codes:    graph.Codes{LAU: fmt.Sprintf("%s_%06d", c, i), NUTS3: fmt.Sprintf("%s%03d", c, i%37)},
			Source:   "lau",
		}
	}
	return ms
}

// BenchmarkUpsertBatches writes 65,000 municipalities into an empty store
// in batches of 5,000, as the LAU import does, then writes them all again
// changed, and reports the time of each batch: the first, the last and the
// slowest of each pass, and the last over the first. A write whose cost
// grows with the store shows as a ratio well above 1.
func BenchmarkUpsertBatches(b *testing.B) {
	const total, batch = 65000, 5000
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s := openEmpty(b)
		b.StartTimer()
		for pass, name := range []string{"create", "update"} {
			var times []time.Duration
			for start := 0; start < total; start += batch {
				ms := lauLike(start, batch)
				if pass == 1 {
					for i := range ms {
						ms[i].Population++
						ms[i].Region.Code = fmt.Sprintf("%s%03d", ms[i].Codes.LAU[:2], (start+i+1)%37)
					}
				}
				t0 := time.Now()
				if _, err := s.UpsertMunicipalities(ctx, ms); err != nil {
					b.Fatalf("%s batch %d: %v", name, start/batch+1, err)
				}
				times = append(times, time.Since(t0))
			}
			slowest := time.Duration(0)
			for _, d := range times {
				slowest = max(slowest, d)
			}
			b.Logf("%s: %v", name, times)
			b.ReportMetric(times[0].Seconds(), name+"-first-s")
			b.ReportMetric(times[len(times)-1].Seconds(), name+"-last-s")
			b.ReportMetric(slowest.Seconds()/times[0].Seconds(), name+"-slowest/first")
		}
	}
}
