package neo4j

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/internal/sample"
)

// benchStore returns an emptied store holding the bundled sample.
func benchStore(b *testing.B) (*Store, sample.Data) {
	b.Helper()
	s := openEmpty(b)
	data, err := sample.Parse()
	require.NoError(b, err)
	ctx := context.Background()
	_, err = s.UpsertMunicipalities(ctx, data.Municipalities)
	require.NoError(b, err)
	_, err = s.UpsertPartnerships(ctx, data.Partnerships)
	require.NoError(b, err)
	return s, data
}

// BenchmarkImportSample imports the bundled sample into an empty database:
// municipalities, then partnerships, each in one transaction.
func BenchmarkImportSample(b *testing.B) {
	s := openEmpty(b)
	data, err := sample.Parse()
	require.NoError(b, err)
	ctx := context.Background()
	b.ReportMetric(float64(len(data.Municipalities)), "municipalities")
	b.ReportMetric(float64(len(data.Partnerships)), "partnerships")
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		require.NoError(b, clear(ctx, s))
		b.StartTimer()
		res, err := s.UpsertMunicipalities(ctx, data.Municipalities)
		require.NoError(b, err)
		require.Equal(b, len(data.Municipalities), res.Created)
		_, err = s.UpsertPartnerships(ctx, data.Partnerships)
		require.NoError(b, err)
	}
}

// BenchmarkSearch runs typical searches over the sample: a prefix, a
// substring, a Cyrillic name, and filters only.
func BenchmarkSearch(b *testing.B) {
	s, _ := benchStore(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		q    graph.Query
	}{
		{"prefix", graph.Query{Text: "kra"}},
		{"substring", graph.Query{Text: "ow"}},
		{"cyrillic", graph.Query{Text: "Львів"}},
		{"filters", graph.Query{Countries: []string{"PL", "DE"}, MinPopulation: 50000}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPartners reads the partners of the municipality with the most.
func BenchmarkPartners(b *testing.B) {
	s, data := benchStore(b)
	ctx := context.Background()
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
	b.ReportMetric(float64(degree[best]), "partners")
	for b.Loop() {
		if _, err := s.Partners(ctx, best); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanMunicipalities reads every municipality, as the scoring
// engine's index build does for the candidates of a suggestion.
func BenchmarkScanMunicipalities(b *testing.B) {
	s, data := benchStore(b)
	ctx := context.Background()
	b.ReportMetric(float64(len(data.Municipalities)), "municipalities")
	for b.Loop() {
		n := 0
		if err := s.ScanMunicipalities(ctx, func(graph.Municipality) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != len(data.Municipalities) {
			b.Fatalf("scanned %d, want %d", n, len(data.Municipalities))
		}
	}
}
