package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/sample"
)

// Bench runs the same operations on the store that open returns, so that the
// stores can be compared figure for figure: importing the bundled sample,
// a round trip that does no work (Ping), searches, the partners of the
// best-connected municipality, and the full scan behind a suggestion's
// candidate fetch. open must return a fresh,
// empty store on every call and arrange for it to be closed (b.Cleanup); it
// runs with the timer stopped.
func Bench(b *testing.B, open func(b *testing.B) graph.Store) {
	data, err := sample.Parse()
	require.NoError(b, err)
	ctx := context.Background()

	b.Run("ImportSample", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			s := open(b)
			b.StartTimer()
			res, err := s.UpsertMunicipalities(ctx, data.Municipalities)
			require.NoError(b, err)
			require.Equal(b, len(data.Municipalities), res.Created)
			_, err = s.UpsertPartnerships(ctx, data.Partnerships)
			require.NoError(b, err)
		}
		b.ReportMetric(float64(len(data.Municipalities)), "municipalities")
		b.ReportMetric(float64(len(data.Partnerships)), "partnerships")
	})

	s := open(b)
	// A round trip that does no work: the floor under every other figure.
	b.Run("Ping", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Ping(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	_, err = s.UpsertMunicipalities(ctx, data.Municipalities)
	require.NoError(b, err)
	_, err = s.UpsertPartnerships(ctx, data.Partnerships)
	require.NoError(b, err)

	for _, bc := range []struct {
		name string
		q    graph.Query
	}{
		{"prefix", graph.Query{Text: "kra"}},
		{"substring", graph.Query{Text: "ow"}},
		{"cyrillic", graph.Query{Text: "Львів"}},
		{"filters", graph.Query{Countries: []string{"PL", "DE"}, MinPopulation: 50000}},
	} {
		b.Run("Search/"+bc.name, func(b *testing.B) {
			page, err := s.Search(ctx, bc.q)
			require.NoError(b, err)
			require.NotZero(b, page.Total, "the sample must match %+v", bc.q)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(page.Total), "matches")
		})
	}

	b.Run("Partners", func(b *testing.B) {
		degree := map[string]int{}
		best := ""
		for _, p := range data.Partnerships {
			for _, id := range []string{p.A, p.B} {
				degree[id]++
				if degree[id] > degree[best] {
					best = id
				}
			}
		}
		got, err := s.Partners(ctx, best)
		require.NoError(b, err)
		require.Len(b, got, degree[best])
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Partners(ctx, best); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(degree[best]), "partners")
	})

	b.Run("ScanMunicipalities", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			if err := s.ScanMunicipalities(ctx, func(graph.Municipality) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
			if n != len(data.Municipalities) {
				b.Fatalf("scanned %d, want %d", n, len(data.Municipalities))
			}
		}
		b.ReportMetric(float64(len(data.Municipalities)), "municipalities")
	})
}
