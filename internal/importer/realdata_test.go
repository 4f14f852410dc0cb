package importer

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
	"github.com/twinning/twinning/graph/storetest"
	"github.com/twinning/twinning/internal/analytics"
)

// sharedData returns the folder of the real open data, or skips the test.
func sharedData(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("TWINNING_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data") // ../shared/data from the repository root
	}
	if _, err := os.Stat(filepath.Join(dir, "twins", "twin_cities.csv")); err != nil {
		t.Skipf("real open data not found in %s (set TWINNING_SHARED_DATA to the shared data folder): %v", dir, err)
	}
	return dir
}

// importAll imports all of the open data in dir into s, as
// ImportSharedData does.
func importAll(t testing.TB, s graph.Store, dir string) []*Report {
	t.Helper()
	reps, err := New(s, Options{}).ImportSharedData(context.Background(), dir, SharedDataOptions{UnresolvedFile: filepath.Join(t.TempDir(), "unresolved.csv")})
	require.NoError(t, err)
	return reps
}

// TestRealData imports all of the shared open data into an embedded store
// and checks how the Ukrainian places of the twin-town list resolve.
func TestRealData(t *testing.T) {
	dir := sharedData(t)
	if testing.Short() {
		t.Skip("imports all of the shared data; skipped with -short")
	}
	ctx := context.Background()
	s := openStore(t)
	start := time.Now()
	reps := importAll(t, s, dir)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("all imports: %v, heap in use %d MiB, obtained from the OS %d MiB", time.Since(start).Round(time.Millisecond), ms.HeapInuse>>20, ms.Sys>>20)
	for _, r := range reps[:5] {
		assert.Zero(t, r.BadCount, "%s: %v", r.Kind, r.BadRows)
	}
	assert.Equal(t, 1469, reps[0].Created, "one municipality per hromada")
	assert.Equal(t, 63645, reps[2].Read)
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	t.Logf("store: %d municipalities, %d partnerships, %d in UA", c.Municipalities, c.Partnerships, c.ByCountry["UA"])

	// ≥ 95% of the distinct Ukrainian place names resolve.
	twins := reps[4].Resolution
	resolved := map[string]string{}
	names := map[string]bool{}
	for _, p := range twins.Places {
		if p.Country != "UA" {
			continue
		}
		names[p.Name] = true
		if p.ID != "" {
			resolved[p.Name] = p.ID
		}
	}
	share := float64(len(resolved)) / float64(len(names))
	t.Logf("Ukrainian places: %d of %d distinct names resolve (%.1f%%)", len(resolved), len(names), 100*share)
	for n := range names {
		if resolved[n] == "" {
			t.Logf("unresolved: %s", n)
		}
	}
	assert.GreaterOrEqual(t, share, 0.95)

	// Hard names, checked by hand against the KSE table and GeoNames: the
	// municipality's id (from its KATOTTG code or GeoNames id) and oblast.
	for _, tc := range []struct{ name, id, region string }{
		{"Kamianets-Podilskyi", "ua-68020110000071202", "UA-68"},
		{"Kamyanets-Podilskyi", "ua-68020110000071202", "UA-68"}, // another romanisation
		{"Pervomaisk", "gn-697592", "UA-09"},                     // the one in Luhansk oblast, by the point
		{"Dnipro", "ua-12020010000033698", "UA-12"},
		{"Zviahel", "ua-18080150000022496", "UA-18"}, // Novohrad-Volynskyi in the KSE table
		{"Bakhmut", "ua-14020010000088496", "UA-14"},
		{"Sheptytskyi", "ua-46120130000026331", "UA-46"},      // Chervonohrad in the KSE table
		{"Pivdennoukrainsk", "ua-48040250000044166", "UA-48"}, // Yuzhnoukrainsk in the KSE table
		{"Horishni Plavni", "ua-53020030000081709", "UA-53"},
		{"Chornomorsk", "ua-51100370000040590", "UA-51"},
		{"Volodymyr", "ua-07020010000096841", "UA-07"},
		{"Torez", "ua-14060150000032950", "UA-14"},     // now Chystiakove
		{"Krasnodon", "ua-44040030000034083", "UA-09"}, // now Sorokyne
		{"Mariupol", "ua-14140050000020560", "UA-14"},
		{"Melitopol", "ua-23080070000068953", "UA-23"},
		{"Berdiansk", "ua-23020050000046501", "UA-23"},
		{"Sievierodonetsk", "ua-44120110000010163", "UA-09"},
		{"Kyiv", "gn-703448", "UA-30"},
		{"Pecherskyi (Kyiv)", "gn-703448", "UA-30"},
		{"Lviv", "ua-46060250000025047", "UA-46"},
		{"Lviv Oblast", "ua-46060250000025047", "UA-46"},
		{"Zhovkva Raion", "ua-46060130000059055", "UA-46"},
		{"Odesa", "ua-51100270000073549", "UA-51"},
		{"Kharkiv", "ua-63120270000028556", "UA-63"},
		{"Zaporizhzhia", "ua-23060070000082704", "UA-23"},
		{"Kryvyi Rih", "ua-12060170000091033", "UA-12"},
		{"Bila Tserkva", "ua-32020010000093088", "UA-32"},
		{"Boyarka", "ua-32140030000074165", "UA-32"},
		{"Zalischyky", "ua-61060170000051011", "UA-61"},
		{"Chernivtsi", "ua-73060610000066784", "UA-77"},
		{"Chernihiv", "ua-74100390000073425", "UA-74"},
		{"Uzhhorod", "ua-21100230000083101", "UA-21"},
		{"Ivano-Frankivsk", "ua-26040190000081578", "UA-26"},
		{"Mohyliv-Podilskyi", "ua-05080050000023603", "UA-05"},
		{"Yevpatoria", "gn-688105", "UA-43"},
		{"Sevastopol", "gn-694423", "UA-40"},
		{"Bucha", "ua-32080070000050759", "UA-32"},
		{"Hostomel", "ua-32080110000056605", "UA-32"},
	} {
		id := resolved[tc.name]
		if !assert.Equal(t, tc.id, id, tc.name) {
			continue
		}
		m, err := s.Municipality(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, tc.region, m.Region.Code, tc.name)
	}
	// Luhansk: the KSE table's centre lies 16 km off, yet the city and
	// its hromada are one node, which holds the city's partners.
	luhansk, err := s.MunicipalityByCode(ctx, "geonames", "702658")
	require.NoError(t, err)
	assert.Equal(t, "ua-44060010000059164", luhansk.ID)
	lp, err := s.Partners(ctx, luhansk.ID)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(lp), 5, "Lublin, Cardiff, Saint-Étienne...")

	// A list's point far from the city (Rhodes at the island's middle)
	// gives the city of the name, not the community that holds the point.
	for _, p := range twins.Places {
		if p.Country == "GR" && (p.Name == "Rhodes" || p.Name == "Zakynthos") {
			m, err := s.Municipality(ctx, p.ID)
			require.NoError(t, err, p.Name)
			assert.Greater(t, m.Population, int64(5000), "%s resolved to %s (%s): a town, not a community of a few hundred", p.Name, m.ID, m.Name)
		}
	}

	// The registers: the share of the rows whose places can be in the
	// store (not a county or region, not outside the store's countries)
	// whose both sides resolve, at least: measured 95.1% (U-LEAD), 92.2%
	// (the ministry) and 86.8% (the register of agreements); the issue's
	// goals are 95%, 90% and 85%.
	least := map[string]float64{"ulead": 0.95, "ministry": 0.90, "register": 0.85}
	for _, r := range reps[5:] {
		byCode := map[string]bool{}
		for _, p := range r.Resolution.Places {
			if p.KATOTTG != "" && p.ID != "" {
				byCode[p.KATOTTG] = true
			}
		}
		t.Logf("%s: %d of %d rows in scope resolve (%.1f%%; %d rows read, %d bad): %d new partnerships, %d already stored from another source; %d hromadas by their KATOTTG code",
			r.Kind, r.ResolvedRows, r.InScope, 100*float64(r.ResolvedRows)/float64(r.InScope), r.Read, r.BadCount, r.Partnerships.Created,
			r.Skipped["partnership already stored from another source (kept)"], len(byCode))
		assert.GreaterOrEqual(t, float64(r.ResolvedRows)/float64(r.InScope), least[r.Kind], r.Kind)
	}
	assert.Equal(t, 2416, reps[5].Read)
	holdHardCases(t, s)
	holdQualityCases(t, s, twins)
	storetest.SearchCases(t, s, filepath.Join("..", "..", "testdata", "search", "queries.csv"))

	// The data-quality report of issue 17: no suspected duplicate, no
	// municipality without a Latin name, nothing created without a code.
	g, err := analytics.Build(ctx, s)
	require.NoError(t, err)
	q := g.Quality()
	t.Logf("quality: %d duplicates, %d namesakes, %d without a Latin name, %d created, %d suspected districts",
		q.Duplicates.Count, q.Namesakes.Count, q.NoLatinName.Count, q.Created.Count, q.Districts.Count)
	assert.Zero(t, q.Duplicates.Count, "%+v", q.Duplicates.Examples)
	assert.Zero(t, q.NoLatinName.Count, "%+v", q.NoLatinName.Examples)
	assert.Zero(t, q.Created.Count)
	t.Logf("quality: %d partnerships an end of which lies more than %.0f km from its source's point", q.FarFromSource.Count, analytics.FarFromSourceKm)
	// Every administrative unit says what it is in its country's words.
	units, kinds := map[string]int{}, map[graph.Kind]int{}
	noUnit := 0
	require.NoError(t, s.ScanMunicipalities(ctx, func(m graph.Municipality) error {
		kinds[m.Kind]++
		switch {
		case m.Unit != nil:
			units[m.Country+" "+m.Unit.English]++
		case m.Administrative():
			noUnit++
		}
		return nil
	}))
	t.Logf("kinds: %v; units of Poland: %d cities with powiat rights, %d urban and %d rural gminas, %d gminas not told apart; of Germany: %d district-free cities, %d towns",
		kinds, units["PL city with powiat rights"], units["PL urban gmina"], units["PL rural gmina"], units["PL gmina"], units["DE district-free city"], units["DE town"])
	assert.Zero(t, noUnit, "administrative units without a kind of unit")
	assert.Equal(t, 135233, reps[3].Read, "cities1000.tsv")
	countryOf := map[string]string{}
	require.NoError(t, s.ScanMunicipalities(ctx, func(m graph.Municipality) error { countryOf[m.ID] = m.Country; return nil }))
	partnered := map[string]bool{}
	uaEurope := 0
	require.NoError(t, s.ScanPartnerships(ctx, func(p graph.Partnership) error {
		a, b := countryOf[p.A], countryOf[p.B]
		if b == "UA" {
			a, b = b, a
			p.A, p.B = p.B, p.A
		}
		if a == "UA" && b != "UA" && b != "RU" && b != "BY" {
			partnered[p.A] = true
			uaEurope++
		}
		return nil
	}))
	t.Logf("Ukraine–Europe partnerships: %d, at %d Ukrainian municipalities", uaEurope, len(partnered))
	assert.GreaterOrEqual(t, len(partnered), 540, "Ukrainian municipalities with a European partner (246 with the twin list alone)")
	assert.GreaterOrEqual(t, uaEurope, 2200, "Ukraine–Europe partnerships (866 with the twin list alone)")

	// With -create-missing, the list's unresolved places are created, and a
	// second import of the same list changes nothing.
	im := New(s, Options{})
	again := func() *Report {
		f, err := os.Open(filepath.Join(dir, "twins", "twin_cities.csv"))
		require.NoError(t, err)
		defer f.Close()
		rep, err := im.ImportTwins(ctx, f, "twin_cities.csv", PairOptions{CreateMissing: true})
		require.NoError(t, err)
		return rep
	}
	first := again()
	t.Logf("-create-missing: %d places created, %d partnerships created", first.Created, first.Partnerships.Created)
	assert.NotZero(t, first.Created)
	second := again()
	assert.Zero(t, second.Created, "nothing left to create")
	assert.Zero(t, second.Merged)
	assert.Zero(t, second.Partnerships.Created, "no partnership created the second time")
	assert.Zero(t, second.Partnerships.Updated, "no partnership updated the second time")
}

// BenchmarkImportAll measures importing all of the shared data into a new
// embedded store.
func BenchmarkImportAll(b *testing.B) {
	dir := sharedData(b)
	for b.Loop() {
		importAll(b, openStore(b), dir)
	}
}

// BenchmarkSearchOpenData runs the queries of the search fixture
// (testdata/search/queries.csv) against an embedded store of all the open
// data, imported once, and reports the time per query: its mean (ns/op is
// per pass over every query) and the p50 and p99 over every query of every
// pass. Run it on one core: go test -run '^$' -bench SearchOpenData -cpu 1.
func BenchmarkSearchOpenData(b *testing.B) {
	dir := sharedData(b)
	s := openStore(b)
	importAll(b, s, dir)
	f, err := os.Open(filepath.Join("..", "..", "testdata", "search", "queries.csv"))
	require.NoError(b, err)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(b, err)
	ctx := context.Background()
	for _, row := range rows[1:] { // once, so that no pass pays for building the typo index
		_, err := s.Search(ctx, graph.Query{Text: row[0], Limit: 10})
		require.NoError(b, err)
	}
	var times []time.Duration
	byClass := map[string]time.Duration{}
	b.ResetTimer()
	for b.Loop() {
		for _, row := range rows[1:] {
			start := time.Now()
			if _, err := s.Search(ctx, graph.Query{Text: row[0], Limit: 10}); err != nil {
				b.Fatal(err)
			}
			d := time.Since(start)
			times = append(times, d)
			byClass[row[2]] += d
		}
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns/query")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds()), "p99-ns/query")
	b.ReportMetric(float64(times[len(times)-1].Nanoseconds()), "max-ns/query")
	for class, d := range byClass {
		b.Logf("%s: %v in all", class, d)
	}
}

// holdHardCases resolves the hand-checked partner names of
// testdata/registry/hard-cases.csv (exonyms of many languages, namesakes,
// localities, counties) against the store of all the open data: each must
// give the expected municipality, nothing ("" : no place can be told, or
// none is held), or be a county or region ("region"). Two Ukrainian sides
// too: renamed hromadas, with and without their code.
func holdHardCases(t *testing.T, s graph.Store) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "registry", "hard-cases.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows)-1, 60, "at least 60 hand-checked cases")
	ix, err := LoadIndex(context.Background(), s)
	require.NoError(t, err)
	r := NewResolver(ix)
	wrong := 0
	for _, row := range rows[1:] {
		country, name, want, why := row[0], row[1], row[2], row[3]
		clean := partnerName(name)
		if want == "region" {
			if !assert.True(t, regionalName(clean, country), "%s (%s): %s", name, country, why) {
				wrong++
			}
			continue
		}
		got := r.Resolve(Place{Name: clean, Country: country, CountryRaw: country})
		if !assert.Equal(t, want, got.ID, "%s (%s): %s; %+v", name, country, why, got) {
			wrong++
		}
	}
	for _, p := range []Place{
		{Name: "Шептицька", Country: "UA", KATOTTG: "UA46120130000026331"},
		{Name: "Володимирська", Country: "UA"},
	} {
		want := "ua-" + strings.TrimPrefix(renamedHromadas[p.Name], "UA")
		assert.Equal(t, want, r.Resolve(p).ID, "%s, renamed", p.Name)
	}
	t.Logf("hard cases: %d of %d as expected", len(rows)-1-wrong, len(rows)-1)
}

// holdQualityCases holds the hand-checked cases of issue 17 in
// testdata/quality/hard-cases.csv against the store of all the open data:
// a code's node (merges, and units that must stay apart), districts, Latin
// names, and where the twin list's names resolve.
func holdQualityCases(t *testing.T, s graph.Store, twins *ResolutionReport) {
	t.Helper()
	ctx := context.Background()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "quality", "hard-cases.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows)-1, 60, "at least 60 hand-checked cases")
	var ms []graph.Municipality
	require.NoError(t, s.ScanMunicipalities(ctx, func(m graph.Municipality) error { ms = append(ms, m); return nil }))
	at := map[string]int{}
	for i, m := range ms {
		at[m.ID] = i
	}
	within := graph.WithinUnits(ms)
	resolved := map[string]string{}
	for _, p := range twins.Places {
		if _, ok := resolved[p.Name+"|"+p.Country]; !ok {
			resolved[p.Name+"|"+p.Country] = p.ID
		}
	}
	wrong := 0
	for _, row := range rows[1:] {
		check, key, want, why := row[0], row[1], row[2], row[3]
		var ok bool
		switch check {
		case "node":
			code, value, _ := strings.Cut(key, ":")
			m, err := s.MunicipalityByCode(ctx, code, value)
			ok = assert.NoError(t, err, "%s: %s", key, why) && assert.Equal(t, want, m.ID, "%s: %s", key, why)
		case "district":
			i, found := at[key]
			require.True(t, found, key)
			u := within[i]
			got := "municipality"
			if u >= 0 && graph.IsDistrict(&ms[i], &ms[u]) {
				got = "district"
			}
			ok = assert.Equal(t, want, got, "%s: %s", key, why)
		case "unit":
			code, value, _ := strings.Cut(key, ":")
			m, err := s.MunicipalityByCode(ctx, code, value)
			ok = assert.NoError(t, err, key) && assert.NotNil(t, m.Unit, "%s: %s", key, why) && assert.Equal(t, want, m.Unit.English, "%s: %s", key, why)
		case "latin":
			m, err := s.Municipality(ctx, key)
			ok = assert.NoError(t, err, key) && assert.Equal(t, want, m.NameLatin, "%s: %s", key, why)
		case "twins":
			ok = assert.Equal(t, want, resolved[key], "%s: %s", key, why)
		default:
			t.Fatalf("unknown check %q", check)
		}
		if !ok {
			wrong++
		}
	}
	t.Logf("quality cases: %d of %d as expected", len(rows)-1-wrong, len(rows)-1)
}
