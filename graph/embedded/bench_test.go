package embedded_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/embedded"
	"github.com/twinning/twinning/graph/storetest"
)

// benchSize is the number of municipalities of the generated benchmark set,
// about the number of European LAUs plus Ukrainian hromadas.
const benchSize = 60000

var (
	latinSyllables    = []string{"ka", "ro", "no", "va", "bel", "gra", "dor", "lin", "mar", "sta", "wie", "ber", "ko", "lu", "zam", "ost", "ha", "ven", "tri", "sel"}
	cyrillicSyllables = []string{"ки", "ро", "но", "ва", "біл", "гра", "дор", "лін", "мар", "ста", "жи", "бер", "ко", "лу", "зам", "ост", "ха", "вен", "три", "сел"}
	benchCountries    = []string{"UA", "PL", "DE", "IT", "ES", "RO", "CZ", "SK", "HU", "AT", "LT", "LV", "EE", "NL", "BE", "PT", "GR", "SE", "FI", "DK"}
)

// generate returns n municipalities with made-up names (Cyrillic ones for
// Ukraine, with Latin and former names), populations and themes, and about
// n/2 partnerships, reproducibly.
func generate(n int) ([]graph.Municipality, []graph.Partnership) {
	rng := rand.New(rand.NewPCG(1, 2))
	name := func(syl []string) string {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		s := b.String()
		r := []rune(s)
		return strings.ToUpper(string(r[0])) + string(r[1:])
	}
	ms := make([]graph.Municipality, n)
	for i := range ms {
		country := benchCountries[rng.IntN(len(benchCountries))]
		m := graph.Municipality{
			ID:      fmt.Sprintf("%s-%06d", strings.ToLower(country), i),
			Country: country,
			Region:  graph.Region{Code: fmt.Sprintf("%s%d", country, rng.IntN(20))},
			Kind:    graph.Kinds[rng.IntN(3)],
			Themes:  []string{graph.Themes[rng.IntN(len(graph.Themes))], graph.Themes[rng.IntN(len(graph.Themes))]},
		}
		if rng.IntN(50) > 0 {
			m.Population = int64(rng.ExpFloat64() * 8000)
		}
		if country == "UA" {
			m.Name = name(cyrillicSyllables)
			m.NameLatin = graph.Romanize(m.Name)
			if rng.IntN(5) == 0 {
				m.AltNames = []string{name(latinSyllables) + "sk"}
			}
		} else {
			m.Name = name(latinSyllables)
			m.NameLatin = m.Name
		}
		ms[i] = m
	}
	ps := make([]graph.Partnership, 0, n/2)
	seen := map[[2]string]bool{}
	for len(ps) < n/2 {
		// Small ids are hubs, as large cities are.
		a := ms[int(rng.ExpFloat64()*float64(n)/20)%n].ID
		b := ms[rng.IntN(n)].ID
		p := graph.Partnership{A: a, B: b, Kind: graph.KindTwinning, Status: graph.StatusActive}
		if a == b || seen[p.Key()] {
			continue
		}
		seen[p.Key()] = true
		ps = append(ps, p)
	}
	return ms, ps
}

// openBench opens a store in a temporary file holding the generated set.
func openBench(b *testing.B) (*embedded.Store, []graph.Municipality) {
	b.Helper()
	ms, ps := generate(benchSize)
	s, err := embedded.Open(filepath.Join(b.TempDir(), "bench.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	_, err = s.UpsertMunicipalities(ctx, ms)
	require.NoError(b, err)
	_, err = s.UpsertPartnerships(ctx, ps)
	require.NoError(b, err)
	return s, ms
}

// BenchmarkStore runs the operations that graph/neo4j's BenchmarkStore
// runs, on the bundled sample, so that the two stores compare directly.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) graph.Store {
		s, err := embedded.Open(filepath.Join(b.TempDir(), fmt.Sprintf("sample-%d.db", rand.Int64())))
		require.NoError(b, err)
		b.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// BenchmarkSearch searches a generated set of benchSize municipalities.
func BenchmarkSearch(b *testing.B) {
	s, ms := openBench(b)
	ctx := context.Background()
	var ua graph.Municipality
	for _, m := range ms {
		if m.Country == "UA" {
			ua = m
			break
		}
	}
	for _, tc := range []struct {
		name string
		q    graph.Query
	}{
		{"exact", graph.Query{Text: ms[777].Name}},
		{"cyrillic", graph.Query{Text: ua.Name}},
		{"prefix3", graph.Query{Text: "Kar"}},
		{"substring2", graph.Query{Text: "ro"}},
		{"rare", graph.Query{Text: "zzq"}},
		{"text+filters", graph.Query{Text: "ber", Countries: []string{"PL", "DE"}, MinPopulation: 1000}},
		{"filters only", graph.Query{Countries: []string{"UA"}, Themes: []string{"energy"}}},
		{"all, deep page", graph.Query{Offset: 400, Limit: 100}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			page, err := s.Search(ctx, tc.q)
			require.NoError(b, err)
			b.ReportMetric(float64(page.Total), "matches")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(ctx, tc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPartners reads the partners of the generated set's biggest hub.
func BenchmarkPartners(b *testing.B) {
	s, ms := openBench(b)
	ctx := context.Background()
	hub := ms[0].ID
	got, err := s.Partners(ctx, hub)
	require.NoError(b, err)
	b.ReportMetric(float64(len(got)), "partners")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Partners(ctx, hub); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpsert writes batches of changed municipalities into the
// generated set.
func BenchmarkUpsert(b *testing.B) {
	s, ms := openBench(b)
	ctx := context.Background()
	for _, size := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch%d", size), func(b *testing.B) {
			batch := make([]graph.Municipality, size)
			copy(batch, ms[:size])
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				for j := range batch {
					batch[j].Population = int64(i) // a real change, so every row is written
				}
				if _, err := s.UpsertMunicipalities(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
