package importer

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/twinning/twinning/graph"
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

// importAll imports GeoNames, the hromadas, LAU and the twin-town list from
// dir into s and returns the twins report.
func importAll(t testing.TB, s graph.Store, dir string) []*Report {
	t.Helper()
	ctx := context.Background()
	im := New(s, Options{})
	open := func(p string) *os.File {
		f, err := os.Open(filepath.Join(dir, p))
		require.NoError(t, err)
		t.Cleanup(func() { f.Close() })
		return f
	}
	info, err := ParseCountryInfo(open("geonames/countryInfo.txt"), "countryInfo.txt")
	require.NoError(t, err)
	admin1, err := ParseAdmin1(open("geonames/admin1.tsv"), "admin1.tsv")
	require.NoError(t, err)
	var reps []*Report
	rep, err := im.ImportHromadas(ctx, open("ua-hromadas/full_dataset.csv"), "full_dataset.csv")
	require.NoError(t, err)
	reps = append(reps, rep)
	rep, err = im.ImportGeoNames(ctx, open("geonames/cities15000.txt"), "cities15000.txt", GeoNamesFilter{Countries: DefaultCountries(info), CountryNames: info, Admin1: admin1})
	require.NoError(t, err)
	reps = append(reps, rep)
	files, err := LAUFiles([]string{filepath.Join(dir, "eu-lau")})
	require.NoError(t, err)
	rep, err = im.ImportLAU(ctx, files)
	require.NoError(t, err)
	reps = append(reps, rep)
	rep, err = im.ImportTwins(ctx, open("twins/twin_cities.csv"), "twin_cities.csv", PairOptions{UnresolvedFile: filepath.Join(t.TempDir(), "unresolved.csv")})
	require.NoError(t, err)
	reps = append(reps, rep)
	return reps
}

func TestRealDataDev(t *testing.T) {
	dir := sharedData(t)
	s := openStore(t)
	start := time.Now()
	reps := importAll(t, s, dir)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("all imports: %v, heap in use %d MB, total alloc %d MB", time.Since(start), ms.HeapInuse>>20, ms.TotalAlloc>>20)
	for _, r := range reps {
		r.WriteSummary(os.Stdout)
	}
	for _, p := range reps[3].Resolution.Places {
		if p.Country == "UA" {
			m, _ := s.Municipality(context.Background(), p.ID)
			t.Logf("UA %-30q %-22s %-28s %s %s %.1f %s", p.Name, p.Method, p.ID, m.DisplayName(), m.Region.Code, p.DistKm, p.Reason)
		}
	}
}
